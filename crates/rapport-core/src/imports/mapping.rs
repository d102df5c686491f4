//! Which lead field a column most likely is, from its header: the canonical names, common variants and the
//! words of the languages exports come in (English, German, French, Spanish, Italian, Dutch, Portuguese,
//! Swedish, Danish, Norwegian, Finnish, Polish, Czech, Turkish, Russian, Ukrainian, Japanese, Chinese, Korean).
//! A word two of them use for two things (Czech's "Kraj" is a region, Polish's a country; Danish's "By" a town,
//! and a "created by" elsewhere) is left out.
//! A suggestion is only that: the wizard shows it, the user changes it; a column that maps to nothing is
//! reported (or goes to notes), never dropped silently.
use serde::Serialize;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

use super::header_words::{ASKED_FOR, SYNONYMS};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnSuggestion {
    pub column: String,
    /// The canonical field (`first_name`, `email`, ...), or none.
    pub field: Option<String>,
}

/// Lower case, accents and everything but letters and digits taken off: "E-Mail" and "e mail" are "email";
/// "ß" is "ss", as Swiss German writes it ("Straße" is "strasse"); full-width letters, as Japanese input methods
/// type them ("ＴＥＬ"), are the letters.
pub(super) fn fold(header: &str) -> String {
    header.nfkd().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>().replace('ß', "ss")
}

/// The part of an address a header names ("Home City", "Land/Region privat"), whatever the column is mapped to:
/// a second address block of the file (Outlook's Home beside its Business) is told by it.
pub(crate) fn address_part_of(header: &str) -> Option<&'static str> {
    field_of(header).filter(|f| is_address_part(f))
}

/// Whether import target `target` is a part of the postal address (both address blocks are made of these).
pub(crate) fn is_address_part(target: &str) -> bool {
    matches!(target, "street" | "street2" | "city" | "postcode" | "region" | "country")
}

/// A part of an address Pipedrive exports in a column of its own beside the whole address ("Person - Postal
/// address - City/town"): its field, or `Some(None)` for a part no field holds (a district), kept in the notes.
fn address_component(header: &str) -> Option<Option<&'static str>> {
    Some(match address_component_name(header)?.as_str() {
        "streetroadname" | "streetname" | "street" | "housenumber" => Some("street"),
        "apartmentsuiteno" | "apartment" | "suite" => Some("street2"),
        "citytown" | "citytownvillagelocality" | "city" => Some("city"),
        "statecounty" | "state" | "region" => Some("region"),
        "zippostalcode" | "postalcode" | "zip" => Some("postcode"),
        "country" => Some("country"),
        _ => None,
    })
}

/// The name of the address part a Pipedrive column holds, folded ("housenumber"), if it holds one.
fn address_component_name(header: &str) -> Option<String> {
    let rest = match entity_qualified(header) {
        Some(Entity::Person(rest) | Entity::Organization(rest)) => rest,
        _ => header,
    };
    let (address, part) = rest.split_once(" - ")?;
    if !matches!(fold(address).as_str(), "postaladdress" | "address") {
        return None;
    }
    // Pipedrive names each part after its address too: "Street/road name of Address".
    let part = match part.rsplit_once(" of ") {
        Some((part, of)) if fold(of) == fold(address) => part,
        _ => part,
    };
    Some(fold(part))
}

/// Whether a name is the form's own ("form", or its "form_title", "form[name]", "form_id"): a form tool sends
/// them beside the person's fields. "form_response.answers.email" (Typeform) is the person's.
fn the_forms_own(header: &str) -> bool {
    let words = words_of(header);
    words.first().is_some_and(|w| w == "form") && words.len() <= 2
}

fn field_of(header: &str) -> Option<&'static str> {
    if the_forms_own(header) || a_fields_own_part(header) {
        return None;
    }
    // Outlook's "Country/Region" in Polish ("Kraj/region (biuro)"): beside "region", "Kraj" is the country.
    if let Some((first, second)) = header.split_once('/') {
        if fold(first) == "kraj" && words_of(second).first().is_some_and(|w| w == "region") {
            return Some("country");
        }
    }
    let header = bracketed_key(header).unwrap_or(header);
    if let Some(part) = address_component(header) {
        return part;
    }
    // vCard's names with their parameters, as converters to CSV head the columns ("EMAIL;TYPE=WORK",
    // "TEL;TYPE=CELL"): the property is the field.
    let header = match header.split_once(';') {
        Some((property, parameters)) if parameters.trim_start().to_ascii_uppercase().starts_with("TYPE=") => property,
        _ => header,
    };
    match entity_qualified(header) {
        // The person's owner in the other CRM ("Person - Owner") is one of its salespeople, not a user here.
        Some(Entity::Person(rest)) => return field_of(rest).filter(|f| *f != "owner"),
        Some(Entity::Organization(rest)) => return (fold(rest) == "name").then_some("company"),
        // A deal's value, currency and expected close are the lead's deal fields; its title or owner is not the
        // person's ("Deal - Title" is no job).
        Some(Entity::Deal(rest)) => {
            // Pipedrive's deals export names the deal's person and organization: the lead's name and company.
            match fold(rest).as_str() {
                "contactperson" | "person" => return Some("full_name"),
                "organization" | "organisation" => return Some("company"),
                _ => {}
            }
            return field_of(&format!("deal {rest}"))
                .or_else(|| field_of(rest))
                .filter(|f| matches!(*f, "deal_value" | "currency" | "expected_close" | "stage" | "lost_reason"));
        }
        // A lead record's or an activity's fields are not the person's.
        Some(Entity::Other) => return None,
        None => {}
    }
    exact_field(&fold(header))
        .or_else(|| addressed_to_the_visitor(header))
        .or_else(|| qualified_name(header))
        .or_else(|| qualified_field(header))
        .or_else(|| asked_for(header))
}

/// Words a form's question starts with when it asks for one of the person's values ("What's your email
/// address?", "Which company do you work for?", "Please enter your phone number"). Not "How", "Do" or "Is":
/// "How big is your company?" asks for something else about it.
const ASKING: &[&str] = &["what", "whats", "which", "who", "where", "your", "please", "enter", "and", "may", "could"];

/// The field a form's question asks for, by the words it ends with: Typeform, Google Forms and Jotform head
/// each column with the question asked. Read as a header, "What's your first name?" named nothing, and the
/// answers went to the notes.
fn asked_for(header: &str) -> Option<&'static str> {
    let words = words_of(header);
    // "What's" is two words ("what", "s"): the first is enough.
    if !words.first().is_some_and(|w| ASKING.contains(&w.as_str())) {
        return None;
    }
    let ends = |phrase: &[&str]| {
        words.len() > phrase.len() && words[words.len() - phrase.len()..].iter().zip(phrase).all(|(w, p)| w == p)
    };
    ASKED_FOR.iter().find(|(phrase, _)| ends(phrase)).map(|(_, field)| *field)
}

enum Entity<'a> {
    Person(&'a str),
    Organization(&'a str),
    Deal(&'a str),
    Other,
}

/// The record a Pipedrive export's header is about ("Person - Email", "Organization - Name", "Deal - Title"):
/// one export holds the person, their organization and their deal side by side.
fn entity_qualified(header: &str) -> Option<Entity<'_>> {
    // Salesforce's reports qualify the person's columns with a colon ("Contact: First Name", "Kontakt: Vorname").
    let person = |(entity, _): &(&str, &str)| matches!(fold(entity).as_str(), "contact" | "kontakt" | "person");
    let (entity, rest) = header.split_once(" - ").or_else(|| header.split_once(": ").filter(person))?;
    let rest = rest.trim();
    match fold(entity).as_str() {
        "person" | "contact" | "kontakt" => Some(Entity::Person(rest)),
        "organization" | "organisation" => Some(Entity::Organization(rest)),
        "deal" => Some(Entity::Deal(rest)),
        "lead" | "activity" | "product" => Some(Entity::Other),
        _ => None,
    }
}

/// The key of a form field named as a PHP array ("form_fields[email]" from Elementor, "contact[first_name]"):
/// its last bracketed part; the one before it when the last says which of the field's parts the value is
/// (Elementor's webhook sends "fields[email][value]" beside the field's "[title]", "[type]" and "[id]").
fn bracketed_key(header: &str) -> Option<&str> {
    let inner = header.trim_end().strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let key = &inner[open + 1..];
    if key == "value" {
        if let Some(outer) = inner[..open].strip_suffix(']') {
            let field = &outer[outer.rfind('[')? + 1..];
            return (!field.trim().is_empty()).then_some(field);
        }
    }
    (!key.trim().is_empty()).then_some(key)
}

/// A part of a form field other than its value, as Elementor's webhook sends each ("fields[email][title]" is
/// "Email", the label): no value of the person's.
pub(crate) fn a_fields_own_part(header: &str) -> bool {
    let Some(inner) = header.trim_end().strip_suffix(']') else { return false };
    let Some(open) = inner.rfind('[') else { return false };
    inner[..open].ends_with(']') && matches!(&inner[open + 1..], "title" | "type" | "id" | "required" | "raw_value")
}

/// Words with which a web form addresses its visitor before the field's name ("your-name", "your-email" of
/// WordPress's Contact Form 7; "Ihr Name", "Votre email").
const FORM_PREFIXES: &[&str] = &["your", "ihr", "ihre", "votre", "vos", "tu", "tuo", "tua", "uw", "je"];

fn addressed_to_the_visitor(header: &str) -> Option<&'static str> {
    match words_of(header).split_first() {
        Some((first, rest)) if !rest.is_empty() && FORM_PREFIXES.contains(&first.as_str()) => {
            exact_field(&rest.concat())
        }
        _ => None,
    }
}

/// Fields a header may name after a qualifier ("Business City", "Mobile Phone Number", "Mailing Zip/Postal
/// Code"). Not the owner or channel (a "Contact owner" column holds people's names, not usernames) nor the
/// name fields ("first", "last" end many headers that are not names).
const QUALIFIABLE: &[&str] =
    &["email", "phone", "street", "street2", "city", "postcode", "region", "country", "company", "job_title"];

/// Words that say which of a person's values a column holds, or how it is coded, after the field's own name:
/// Pipedrive's "Person - Email - Work", a register's "res_city_desc" and "state_cd".
/// Outlook writes them in the user's language: "Telefon geschäftlich", "Rue (bureau)".
const TRAILING_QUALIFIERS: &[&str] = &[
    // Agile CRM's "Email(default)".
    "default",
    "primary",
    "work",
    "home",
    "office",
    "business",
    "private",
    "personal",
    "mobile",
    "main",
    "other",
    "desc",
    // Jotform's "phoneNumber" field sends its number "full".
    "full",
    "cd",
    "code",
    "geschaftlich",
    "privat",
    "bureau",
    "domicile",
    "personnel",
    "werk",
    "prive",
    "trabajo",
    "oficina",
    "casa",
    "ufficio",
    "lavoro",
    "trabalho",
    "escritorio",
    // Outlook's business and home blocks in Italian ("Via (uff.)"), Portuguese ("Rua comercial"), Polish ("Ulica
    // (biuro)", "Telefon służbowy", "Telefon domowy"), Spanish ("Calle del domicilio") and Russian ("Адрес (раб.)").
    "uff",
    "comercial",
    "biuro",
    "sluzbowy",
    // "służbowy" as written: "ł" is a letter of its own, not an "l" with a mark.
    "słuzbowy",
    "domowy",
    "domicilio",
    "раб",
    "дом",
];

/// Words between a field's name and the word that qualifies it ("Calle del trabajo", "Fone de casa"): left out
/// with the qualifier.
const BEFORE_A_QUALIFIER: &[&str] = &["de", "del", "da", "do", "di", "du", "des", "della", "dello"];

/// Words that make a column about a field something else than the person's value: a flag ("Do Not Email",
/// Salesforce's "HasOptedOutOfEmail", HubSpot's "Unsubscribed from all email") or someone else's value
/// ("Contact Owner Email", "Sales Rep Phone"). Read as the person's, every row's "true" or the salesperson's
/// address would be refused, or taken as the lead's.
const NOT_THE_PERSONS: &[&str] = &[
    "not",
    "no",
    "dont",
    "do",
    "has",
    "is",
    "opted",
    "opt",
    "optout",
    "out",
    "unsubscribed",
    "unsubscribe",
    "bounced",
    "owner",
    "rep",
    "agent",
    "assigned",
    // Outlook's contacts export: "Assistant's Phone" comes before "Business Phone", and was taken as the
    // person's phone.
    "assistant",
    "manager",
    "spouse",
    "secretary",
    // French Outlook's "Nom complet de l'adresse de messagerie": the address's display name, not the address.
    "complet",
    // Mailchimp's "UNSUB_CAMPAIGN_TITLE": the newsletter's title, not the person's job.
    "campaign",
    // A membership register's relatives and team (CiviCRM's "Mum-email", "Sister-phone", "Team Address 2"), an
    // emergency contact, a referrer: their values, which would also pair the person with them as alike.
    "mum",
    "mom",
    "mother",
    "father",
    "dad",
    "sister",
    "brother",
    "parent",
    "parents",
    "guardian",
    "child",
    "kin",
    "emergency",
    "referrer",
    "referral",
    "team",
    // What a web form or a webhook says of itself, not of the person: WPForms' "page_title", Elementor's
    // "referer_title", Typeform's "definition.title", Calendly's "scheduled_event" and
    // its "questions_and_answers" (a question's "position"), the host of an event, a product or ticket bought,
    // the campaign's "utm_" tags. Read as the person's, every lead's job was "Contact Me".
    "page",
    "referer",
    "definition",
    "event",
    "host",
    "product",
    "item",
    "ticket",
    "utm",
    "question",
    "questions",
    // What kind of address it is, and the name shown with it, beside it in Outlook's export in other languages
    // ("Tipo posta elettronica" = SMTP, "Nome visualizzato posta elettronica"): no address; the row was refused.
    "type",
    "tipo",
    "typ",
    "display",
    "pantalla",
    "visualizzato",
    "exibicao",
    "wyswietlana",
];

/// How a field of a capture request is read: a path into a nested body ("payload.data.First Name", as Webflow,
/// Stripe or Calendly nest the person) that names nothing as a whole is read by its last part, unless a part
/// before it says the value is someone else's or the form's own ("form.name", "event.host.email"). Other names
/// as they are.
pub(crate) fn read_as_sent(name: &str) -> &str {
    let Some((parents, last)) = name.rsplit_once('.') else { return name };
    if last.trim().is_empty() || field_of(name).is_some() {
        return name;
    }
    let parent = parents.rsplit('.').next().unwrap_or(parents);
    let theirs = words_of(parents).iter().any(|w| NOT_THE_PERSONS.contains(&w.as_str())) || the_forms_own(parent);
    if theirs {
        name
    } else {
        last
    }
}

/// Words before a name that say whose record the name is of, not that it is someone else's: a shop's
/// "billing_first_name" (WooCommerce) and "Shipping Last Name" are its customer's, as a register's
/// "Customer Name" is. Only these: "Emergency Contact First Name" or "Referrer Name" is another person.
const NAME_QUALIFIERS: &[&str] =
    &["billing", "shipping", "delivery", "customer", "client", "buyer", "member", "person", "lead", "contact"];

/// A name field after one of [`NAME_QUALIFIERS`].
fn qualified_name(header: &str) -> Option<&'static str> {
    let words = words_of(header);
    let (first, rest) = words.split_first()?;
    if rest.is_empty() || !NAME_QUALIFIERS.contains(&first.as_str()) {
        return None;
    }
    exact_field(&rest.concat()).filter(|f| matches!(*f, "first_name" | "last_name" | "full_name"))
}

/// The most words of a header [`qualified_field`] reads, from its end.
const QUALIFIED_WORDS: usize = 8;

/// The field a header names with words before it, as CRM and address-book exports write them: each of its
/// "/"-separated alternatives, read from its last words backwards ("Mobile Phone Number" is a phone number),
/// and again without numbers and "value" ("E-mail 1 - Value", "Address 1 - City"), then without one word of
/// [`TRAILING_QUALIFIERS`] at its end.
fn qualified_field(header: &str) -> Option<&'static str> {
    // Where the visitor's IP address was placed (HubSpot's "IP Country", "IP State Code/Region Code"), not where
    // the person is: taken as their country, it read every phone as that country's. Whichever alternative says so.
    if words_of(header).iter().any(|w| w == "ip") {
        return None;
    }
    for alternative in header.split(['/', '|', '\\']) {
        let words: Vec<String> = words_of(alternative);
        if words.iter().any(|w| NOT_THE_PERSONS.contains(&w.as_str())) {
            continue;
        }
        let plain: Vec<String> =
            words.iter().filter(|w| w.as_str() != "value" && !w.chars().all(|c| c.is_ascii_digit())).cloned().collect();
        let unqualified: Vec<String> = match plain.split_last() {
            Some((last, rest)) if !rest.is_empty() && TRAILING_QUALIFIERS.contains(&last.as_str()) => {
                match rest.split_last() {
                    Some((link, before)) if !before.is_empty() && BEFORE_A_QUALIFIER.contains(&link.as_str()) => {
                        before.to_vec()
                    }
                    _ => rest.to_vec(),
                }
            }
            _ => Vec::new(),
        };
        // A database's numbered contact columns ("EMAIL1", "PHONE2", "Tel1"): the number written onto the word.
        // Only for an email or a phone, of which a lead holds several: "ZIP4" is a ZIP code's extension.
        let unnumbered: Vec<String> =
            plain.iter().map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string()).collect();
        let numbered = unnumbered != plain && unnumbered.iter().all(|w| !w.is_empty());
        // A street's second line with its block named before its number, as Outlook writes it in German and
        // French ("Straße geschäftlich 2", "Rue (bureau) 2"): the line without the block's word.
        let second_line: Vec<String> = match words.split_last() {
            Some((n, rest)) if n == "2" && rest.iter().any(|w| TRAILING_QUALIFIERS.contains(&w.as_str())) => rest
                .iter()
                .filter(|w| !TRAILING_QUALIFIERS.contains(&w.as_str()) && !BEFORE_A_QUALIFIER.contains(&w.as_str()))
                .chain(std::iter::once(n))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        // The longest words that name a field: "E-mail 2 Address" is an email ("emailaddress" without the
        // number) before it is a street ("address"), and "Address 2" the second street line ("address2").
        let mut best: Option<(usize, &'static str)> = None;
        let unnumbered = if numbered { unnumbered } else { Vec::new() };
        let lists = [
            (&words, None),
            (&plain, None),
            (&unqualified, None),
            (&unnumbered, Some(["email", "phone"].as_slice())),
            (&second_line, Some(["street2"].as_slice())),
        ];
        for (list, only) in lists {
            // No field's name runs to more than a few words: a header of hundreds is read by its last ones.
            for start in list.len().saturating_sub(QUALIFIED_WORDS)..list.len() {
                let named = list[start..].concat();
                let named_field =
                    exact_field(&named).filter(|f| QUALIFIABLE.contains(f) && only.is_none_or(|o| o.contains(f)));
                if let Some(f) = named_field {
                    if best.is_none_or(|(len, _)| named.len() > len) {
                        best = Some((named.len(), f));
                    }
                    break;
                }
            }
        }
        if let Some((_, f)) = best {
            return Some(f);
        }
    }
    None
}

/// A header's words, folded: split at anything but letters and digits and where a lower-case letter meets a
/// capital ("billingCity").
pub(super) fn words_of(header: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut last_lower = false;
    for c in header.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        if (!c.is_alphanumeric() || (c.is_uppercase() && last_lower)) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if c == 'ß' || c == 'ẞ' {
            current.push_str("ss");
        } else if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        last_lower = c.is_lowercase();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn exact_field(folded: &str) -> Option<&'static str> {
    // Folded once: a header is looked up once per run of its words, and a capture request's field names are
    // the sender's (a long one is many lookups).
    static NAMES: std::sync::OnceLock<HashMap<String, &'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        // The canonical names themselves first (an export of Rapport re-imports as it is), then the synonyms in
        // their order: the first to claim a folded name keeps it.
        for c in crate::leads::csv::canonical_columns() {
            names.entry(fold(c)).or_insert(c);
        }
        for (f, words) in SYNONYMS {
            for w in *words {
                names.entry(fold(w)).or_insert(*f);
            }
        }
        names.remove("");
        names
    });
    names.get(folded).copied()
}

/// Headers of a house number kept apart from its street: the street takes it too (see `rows`).
const HOUSE_NUMBER: &[&str] = &[
    "housenumber",
    "houseno",
    "streetnumber",
    "streetno",
    "hausnummer",
    "hausnr",
    "huisnummer",
    // The Dutch house number's suffix ("12" "A"), joined after it.
    "toevoeging",
    "huisnummertoevoeging",
    "numerodevoie",
    "numerocivico",
    "numerodecasa",
    "numerodacasa",
];

/// Headers of a part of the surname kept apart: the Dutch particle ("Tussenvoegsel": "van der" before "Berg"),
/// the Spanish and Portuguese first and second surnames. The last name takes each, in column order.
const SURNAME_PARTS: &[&str] = &[
    "tussenvoegsel",
    "tussenvoegsels",
    "voorvoegsel",
    "primerapellido",
    "segundoapellido",
    "apellido1",
    "apellido2",
    "apellidopaterno",
    "apellidomaterno",
];

/// Headers of one common word that several exports use for several things ("Title" is a job title in one, a
/// salutation in another; "Account" may be a company or an account number).
const LOOSE: &[&str] = &[
    "title",
    "titre",
    // Google's older export has "Occupation" (mostly empty) beside "Organization 1 - Title".
    "occupation",
    "profession",
    "name",
    "namn",
    "navn",
    "nimi",
    "contact",
    "account",
    "position",
    "role",
    "id",
    "ref",
    "reference",
    "mail",
];

/// Headers, folded, of the person to speak to at a firm, as lists of firms head them beside the firm's "Name".
const CONTACT_PERSON: &[&str] = &[
    "ansprechpartner",
    "ansprechperson",
    "kontaktperson",
    "contactperson",
    "contactname",
    "contactpersoon",
    "interlocuteur",
    "personadecontacto",
    "referente",
];

/// A name header of one word that does not say whose name it is.
const BARE_NAME: &[&str] = &["name", "namn", "navn", "nimi", "naam", "nom"];

fn is_loose(header: &str) -> bool {
    LOOSE.contains(&fold(header).as_str())
}

/// One suggestion per column. A field already taken by an earlier column is not suggested again, except
/// that a second email or phone column becomes the other emails or phones, a house number joins the street,
/// and a part of the surname the last name.
pub fn suggest_mapping(headers: &[String]) -> Vec<ColumnSuggestion> {
    suggest_mapping_seen(headers, &[])
}

/// Salutations, folded, as a "Title" column of one export holds them where another's holds job titles.
const SALUTATIONS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "herr", "frau", "m", "mme", "mlle", "monsieur",
    "madame", "sr", "sra", "srta", "senor", "senora", "sig", "sigra", "dhr", "mevr", "heer", "mevrouw", "don", "dona",
];

/// Whether a column's values (those of the first rows given) are salutations ("Mr.", "Mrs", "Dr. Prof."), not
/// job titles: every filled one, and at least one.
fn holds_salutations(column: usize, rows: &[Vec<String>]) -> bool {
    let mut filled = rows.iter().filter_map(|r| r.get(column)).map(|v| v.trim()).filter(|v| !v.is_empty()).peekable();
    filled.peek().is_some()
        && filled.all(|v| {
            v.split(|c: char| c.is_whitespace() || c == '&' || c == '/')
                .map(fold)
                .filter(|w| !w.is_empty())
                .all(|w| SALUTATIONS.contains(&w.as_str()))
        })
}

/// The states of an account or a subscription, folded, as a "state" or "status" field of a shop or a mailing
/// tool holds them.
const ACCOUNT_STATES: &[&str] = &[
    "enabled",
    "disabled",
    "invited",
    "declined",
    "active",
    "inactive",
    "pending",
    "subscribed",
    "unsubscribed",
    "notsubscribed",
    "cleaned",
    "archived",
    "blocked",
];

/// Whether column `i` is filled in some row of `sample`, and only with `words` (folded).
fn holds_only(i: usize, sample: &[Vec<String>], words: &[&str]) -> bool {
    let mut filled = sample.iter().filter_map(|r| r.get(i)).filter(|v| !v.trim().is_empty()).peekable();
    filled.peek().is_some() && filled.all(|v| words.contains(&fold(v).as_str()))
}

/// [`suggest_mapping`], told by the file's first rows (`sample`) what its words leave open: a "Title" column of
/// salutations (Oro CRM's and Mautic's "Mr.", "Ms.") is no job title, and leaves the field to the column that
/// holds them ("Position", "Occupation"). Every lead got "Mr." as its job.
pub fn suggest_mapping_seen(headers: &[String], sample: &[Vec<String>]) -> Vec<ColumnSuggestion> {
    // Mailchimp's audience export ends with where the subscriber's address was seen from ("REGION", "CC" beside
    // "LATITUDE", "GMTOFF"): a guess from an IP address, not where the person is.
    let mailchimp = headers.iter().any(|h| matches!(fold(h).as_str(), "memberrating" | "optintime" | "leid" | "euid"));
    let seen_from = |h: &String| mailchimp && matches!(fold(h).as_str(), "region" | "cc");
    // A currency is a deal's: alone (an event ticket's), it would give every lead a deal of no value.
    let valued = headers.iter().any(|h| field_of(h) == Some("deal_value"));
    // Turkish lists head the given name "Ad" and the province "İl": words too short to read so anywhere else
    // (an advertisement's column, Illinois), read so beside a Turkish surname column.
    let turkish = headers.iter().any(|h| matches!(fold(h).as_str(), "soyad" | "soyadi" | "soyadı" | "soyisim"));
    let turkish_word = |h: &String| match fold(h).as_str() {
        "ad" if turkish => Some("first_name"),
        "il" if turkish => Some("region"),
        "ilce" if turkish => Some("city"),
        _ => None,
    };
    let mut named: Vec<Option<&'static str>> = headers
        .iter()
        .map(|h| turkish_word(h).or_else(|| field_of(h).filter(|f| !seen_from(h) && (*f != "currency" || valued))))
        .collect();
    for (i, n) in named.iter_mut().enumerate() {
        if *n == Some("job_title") && holds_salutations(i, sample) {
            *n = None;
        }
    }
    // A "state" that holds an account's state ("enabled", "disabled": a Shopify customer's) is no region.
    for (i, n) in named.iter_mut().enumerate() {
        if *n == Some("region") && holds_only(i, sample, ACCOUNT_STATES) {
            *n = None;
        }
    }
    // A job title column empty in every row seen leaves the field to one that holds titles: French Outlook's
    // "Titre" (a salutation, unused) took it from "Profession".
    let filled = |i: usize| sample.iter().any(|r| r.get(i).is_some_and(|v| !v.trim().is_empty()));
    let held_elsewhere =
        |i: usize, field: Option<&'static str>| (0..headers.len()).any(|j| j != i && filled(j) && named[j] == field);
    let empty_titles: Vec<usize> = (0..headers.len())
        .filter(|&i| named[i] == Some("job_title") && !sample.is_empty() && !filled(i))
        .filter(|&i| held_elsewhere(i, Some("job_title")))
        .collect();
    for i in empty_titles {
        named[i] = None;
    }
    // A street's second line numbered inside its header, as Outlook writes it in Polish ("Ulica 2 (biuro)"
    // beside "Ulica (biuro)"), Japanese ("住所 2 (会社)"), Korean ("근무지 번지 2") and Chinese ("商务地址 街道 2"):
    // the header without its "2" is the block's street. It went to the notes.
    // A "2" that numbers a whole second address is no line of the first: Google's "Address 2 - Street" beside
    // its "Address 2 - City" is another address (kept whole in the notes), and its street became the first
    // address's second line, half of each address in one.
    let second_block = headers.iter().any(|h| {
        let words = words_of(h);
        words.iter().any(|w| w == "2") && {
            let rest: Vec<String> = words.iter().filter(|w| *w != "2").cloned().collect();
            matches!(field_of(&rest.join(" ")), Some("city" | "postcode" | "region" | "country"))
        }
    });
    for i in 0..headers.len() {
        let words = words_of(&headers[i]);
        if second_block || named[i] == Some("street2") || !words.iter().any(|w| w == "2") {
            continue;
        }
        let rest: Vec<String> = words.iter().filter(|w| *w != "2").cloned().collect();
        let the_street = headers.iter().zip(&named).any(|(h, n)| *n == Some("street") && words_of(h) == rest)
            || field_of(&rest.join(" ")) == Some("street");
        if the_street {
            named[i] = Some("street2");
        }
    }
    // Outlook names its phones by their place alone in Italian ("Ufficio", "Abitazione") and Spanish
    // ("Particular"): phones in a file with Outlook's blocks (a column of its office block, "Via (uff.)"), a
    // department or a word elsewhere.
    let outlook_blocks = headers.iter().any(|h| words_of(h).iter().any(|w| matches!(w.as_str(), "uff" | "trabajo")));
    if outlook_blocks {
        for (h, n) in headers.iter().zip(named.iter_mut()) {
            if n.is_none() && matches!(fold(h).as_str(), "ufficio" | "abitazione" | "particular") {
                *n = Some("phone");
            }
        }
    }
    // Spanish and Italian head the given name "Nombre" and "Nome" beside a surname column; alone, the word is the
    // whole name ("Ana García"), which was kept whole as a first name.
    // Korean heads the given name "이름" beside the surname "성" (Outlook's export); alone, it is the whole name.
    if named.contains(&Some("last_name")) {
        for (h, n) in headers.iter().zip(named.iter_mut()) {
            if fold(h) == fold("이름") {
                *n = Some("first_name");
            }
        }
    }
    let surname = headers.iter().any(|h| SURNAME_PARTS.contains(&fold(h).as_str()));
    if !surname && !named.contains(&Some("last_name")) && !named.contains(&Some("full_name")) {
        for (h, n) in headers.iter().zip(named.iter_mut()) {
            if matches!(fold(h).as_str(), "nombre" | "nome") {
                *n = Some("full_name");
            }
        }
    }
    // A list of firms heads the firm "Name" and the person to speak to "Ansprechpartner" or "Contact person"
    // (PhpSpreadsheet's issue 804): beside such a column and none for the company, the bare name is the firm's.
    let contact_person =
        headers.iter().zip(&named).any(|(h, n)| *n == Some("full_name") && CONTACT_PERSON.contains(&fold(h).as_str()));
    if contact_person && !named.contains(&Some("company")) {
        if let Some(n) = headers
            .iter()
            .zip(named.iter_mut())
            .find_map(|(h, n)| (*n == Some("full_name") && BARE_NAME.contains(&fold(h).as_str())).then_some(n))
        {
            *n = Some("company");
        }
    }
    // A bare word leaves its field to a header that names it more precisely: Outlook's "Title" is "Dr." when
    // its "Job Title" is there too, and a bare "ID" is not the record's reference beside "Lead ID".
    let precise = |f: &'static str| headers.iter().zip(&named).any(|(h, n)| *n == Some(f) && !is_loose(h));
    // A title twice is two things, the later the job: French Outlook's first "Titre" is the salutation ("M.").
    let titled = |h: &String| matches!(fold(h).as_str(), "title" | "titre");
    let repeated_later = |i: usize, h: &String| titled(h) && headers[i + 1..].iter().any(|o| fold(o) == fold(h));
    let components = headers.iter().any(|h| address_component(h).is_some());
    // The work columns take their fields before the home and other ones, wherever these stand in the file. An
    // address block marked as the work one also goes before one marked as nothing: Thunderbird's Russian export
    // leaves the home block unmarked ("Адрес") and marks the work one ("Адрес (раб.)"). Emails and phones stay
    // in the file's order: HubSpot's unmarked "Email" is the person's first, before its "Work email".
    let work_block = headers.iter().zip(&named).any(|(h, n)| *n == Some("street") && is_work(h));
    let rank = |i: usize| match named[i] {
        Some(f) if is_personal(&headers[i], f) => 2,
        Some(f) if work_block && ADDRESS_FIELDS.contains(&f) && is_work(&headers[i]) => 0,
        _ => 1,
    };
    let mut order: Vec<usize> = (0..headers.len()).collect();
    order.sort_by_key(|&i| rank(i));
    let mut taken: Vec<&'static str> = Vec::new();
    let mut suggest = |i: usize| -> ColumnSuggestion {
        let (h, named) = (&headers[i], named[i]);
        if HOUSE_NUMBER.contains(&fold(h).as_str())
            || address_component_name(h).is_some_and(|part| part == "housenumber")
        {
            return ColumnSuggestion { column: h.clone(), field: Some("street".to_owned()) };
        }
        // The whole address beside its parts (Pipedrive's "Person - Postal address"): the parts are the
        // address, the whole goes to the notes.
        if components && named == Some("street") && address_component(h).is_none() && fold(h).ends_with("postaladdress")
        {
            return ColumnSuggestion { column: h.clone(), field: None };
        }
        if SURNAME_PARTS.contains(&fold(h).as_str()) {
            return ColumnSuggestion { column: h.clone(), field: Some("last_name".to_owned()) };
        }
        let named = named.filter(|f| !(repeated_later(i, h) || is_loose(h) && precise(f)));
        let field = named.and_then(|f| {
            let f = match f {
                "email" if taken.contains(&"email") => "other_emails",
                "phone" if taken.contains(&"phone") => "other_phones",
                other => other,
            };
            // Fields of several values take every column that names them; the others, the first.
            // A stage in two columns is Pipedrive's stage and its status (open, won, lost): both are read.
            if taken.contains(&f) && !matches!(f, "other_emails" | "other_phones" | "tags" | "stage") {
                None
            } else {
                taken.push(f);
                Some(f.to_owned())
            }
        });
        ColumnSuggestion { column: h.clone(), field }
    };
    let mut suggested: Vec<Option<ColumnSuggestion>> = headers.iter().map(|_| None).collect();
    for i in order {
        suggested[i] = Some(suggest(i));
    }
    suggested.into_iter().flatten().collect()
}

/// Words that say a value is a person's home one ("Home Phone", "Telefon privat", Google's "* Home").
pub(super) const HOME: &[&str] = &[
    "home",
    "private",
    "personal",
    "privat",
    "domicile",
    "personnel",
    "prive",
    "casa",
    "zuhause",
    "thuis",
    "domicilio",
    "domowy",
    "abitazione",
    "particular",
    "дом",
    "自宅",
    "住宅",
    "住家",
];

/// Words that say a value is a person's work one ("Work Address", "Rue (bureau)", "Адрес (раб.)").
const WORK: &[&str] = &[
    "work",
    "business",
    "office",
    "geschaftlich",
    "bureau",
    "werk",
    "trabajo",
    "oficina",
    "ufficio",
    "lavoro",
    "uff",
    "trabalho",
    "escritorio",
    "comercial",
    "biuro",
    "sluzbowy",
    "słuzbowy",
    "раб",
];

const ADDRESS_FIELDS: &[&str] = &["street", "street2", "city", "postcode", "region", "country"];

fn is_work(header: &str) -> bool {
    words_of(header).iter().any(|w| WORK.contains(&w.as_str()))
}

/// Whether column `header`, which names `field`, holds the person's home or other value of a field a lead has
/// one of (its first email and phone, its address). A lead here is someone met at work: Outlook.com's contacts
/// export puts "Home Phone" before "Business Phone", and the home number became the one to call.
fn is_personal(header: &str, field: &str) -> bool {
    matches!(field, "email" | "phone" | "street" | "street2" | "city" | "postcode" | "region" | "country")
        && words_of(header).iter().any(|w| HOME.contains(&w.as_str()) || matches!(w.as_str(), "other" | "car"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(headers: &[&str]) -> Vec<Option<String>> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        suggest_mapping(&h).into_iter().map(|s| s.field).collect()
    }

    fn some(names: &[&str]) -> Vec<Option<String>> {
        names.iter().map(|n| if n.is_empty() { None } else { Some(n.to_string()) }).collect()
    }

    /// Thunderbird's Russian export: the home block unmarked, the work block marked "(раб.)"; the work one is
    /// the lead's address, its email and phones as they come.
    #[test]
    fn an_address_block_marked_as_work_goes_before_an_unmarked_one() {
        let headers = [
            "Имя",
            "Фамилия",
            "Адрес электронной почты",
            "Рабочий телефон",
            "Адрес",
            "Город",
            "Почтовый индекс",
            "Страна",
            "Адрес (раб.)",
            "Город (раб.)",
            "Почтовый индекс (раб.)",
            "Страна (раб.)",
            "Организация",
        ];
        assert_eq!(
            fields(&headers),
            some(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "",
                "",
                "",
                "",
                "street",
                "city",
                "postcode",
                "country",
                "company"
            ])
        );
        // Without a work street, a lone work column does not pull one field out of the unmarked block.
        assert_eq!(fields(&["Address", "City", "Country", "Work Country"]), some(&["street", "city", "country", ""]));
        // Emails keep the file's order: the unmarked one is the first.
        assert_eq!(
            fields(&["Email", "Work email", "Street", "Work street"]),
            some(&["email", "other_emails", "", "street"])
        );
    }

    #[test]
    fn headers_in_several_languages() {
        assert_eq!(
            fields(&["Vorname", "Nachname", "E-Mail", "Telefon", "Firma"]),
            some(&["first_name", "last_name", "email", "phone", "company"])
        );
        assert_eq!(
            fields(&["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Code postal"]),
            some(&["first_name", "last_name", "email", "phone", "company", "postcode"])
        );
        assert_eq!(
            fields(&["Nombre", "Apellidos", "Correo electrónico", "Empresa"]),
            some(&["first_name", "last_name", "email", "company"])
        );
    }

    /// Outlook's contacts export in German and French, and the common headers of Dutch, Portuguese, Spanish
    /// and Italian lists: their phones, addresses and emails went to the notes, and a French Outlook file's
    /// salutation ("Titre", "M.") became the job title while the job title ("Titre" again) went to the notes.
    #[test]
    fn outlook_in_german_and_french_and_other_languages_headers() {
        assert_eq!(
            fields(&[
                "Anrede",
                "Vorname",
                "Nachname",
                "Firma",
                "Position",
                "Straße geschäftlich",
                "Ort geschäftlich",
                "Region geschäftlich",
                "Postleitzahl geschäftlich",
                "Land/Region geschäftlich",
                "Telefon geschäftlich",
                "Haupttelefon",
                "Telefon privat",
                "Mobiltelefon",
                "E-Mail-Adresse",
                "E-Mail: Angezeigter Name",
            ]),
            some(&[
                "",
                "first_name",
                "last_name",
                "company",
                "job_title",
                "street",
                "city",
                "region",
                "postcode",
                "country",
                "phone",
                "other_phones",
                "other_phones",
                "other_phones",
                "email",
                "",
            ])
        );
        assert_eq!(
            fields(&[
                "Titre",
                "Prénom",
                "Nom",
                "Société",
                "Titre",
                "Rue (bureau)",
                "Ville (bureau)",
                "Code postal (bureau)",
                "Pays/Région (bureau)",
                "Téléphone (bureau)",
                "Tél. mobile",
                "Adresse de messagerie",
                "Nom complet de l'adresse de messagerie",
            ]),
            some(&[
                "",
                "first_name",
                "last_name",
                "company",
                "job_title",
                "street",
                "city",
                "postcode",
                "country",
                "phone",
                "other_phones",
                "email",
                "",
            ])
        );
        // Dutch, Portuguese (Brazil and Portugal), Spanish, Italian.
        assert_eq!(
            fields(&["E-mailadres", "Telefoonnummer", "Mobiel", "Bedrijfsnaam", "Adres", "Provincie"]),
            some(&["email", "phone", "other_phones", "company", "street", "region"])
        );
        assert_eq!(
            fields(&[
                "Nome",
                "Sobrenome",
                "Telefone",
                "Telemóvel",
                "Endereço",
                "CEP",
                "Localidade",
                "Nome da empresa",
                "Distrito"
            ]),
            some(&[
                "first_name",
                "last_name",
                "phone",
                "other_phones",
                "street",
                "postcode",
                "city",
                "company",
                "region"
            ])
        );
        assert_eq!(
            fields(&["Morada", "Móvil", "Teléfono móvil", "Razón social", "Población"]),
            some(&["street", "phone", "other_phones", "company", "city"])
        );
        assert_eq!(
            fields(&["Nazione", "Ragione sociale", "Numero di telefono", "Indirizzo e-mail", "Località"]),
            some(&["country", "company", "phone", "email", "city"])
        );
        // Another plain word twice keeps its first as the field.
        assert_eq!(fields(&["Mail", "Name", "Mail"]), some(&["email", "full_name", "other_emails"]));
        assert_eq!(
            fields(&["Raison sociale", "Adresse électronique", "Téléphone mobile", "Mobilnummer", "Emailadres"]),
            some(&["company", "email", "phone", "other_phones", "other_emails"])
        );
    }

    /// Exports in Swedish, Danish, Norwegian, Finnish, Polish, Czech and Turkish: all but the phone and the
    /// town went to the notes, so a Swedish fair list imported as unnamed leads.
    #[test]
    fn headers_of_northern_and_eastern_european_and_turkish_exports() {
        assert_eq!(
            fields(&[
                "Förnamn",
                "Efternamn",
                "E-post",
                "Telefon",
                "Mobil",
                "Företag",
                "Befattning",
                "Adress",
                "Postnummer",
                "Ort",
                "Land"
            ]),
            some(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "other_phones",
                "company",
                "job_title",
                "street",
                "postcode",
                "city",
                "country"
            ])
        );
        assert_eq!(
            fields(&["Fornavn", "Efternavn", "Virksomhed", "Stilling", "Postnr.", "By", "Noter"]),
            some(&["first_name", "last_name", "company", "job_title", "postcode", "", "notes"])
        );
        assert_eq!(
            fields(&["Navn", "E-postadresse", "Mobilnummer", "Bedrift", "Gateadresse", "Poststed", "Fylke"]),
            some(&["full_name", "email", "phone", "company", "street", "city", "region"])
        );
        assert_eq!(
            fields(&[
                "Etunimi",
                "Sukunimi",
                "Sähköposti",
                "Puhelin",
                "Yritys",
                "Titteli",
                "Katuosoite",
                "Postinumero",
                "Postitoimipaikka",
                "Maa"
            ]),
            some(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "job_title",
                "street",
                "postcode",
                "city",
                "country"
            ])
        );
        assert_eq!(
            fields(&[
                "Imię",
                "Nazwisko",
                "E-mail",
                "Telefon komórkowy",
                "Nazwa firmy",
                "Stanowisko",
                "Ulica",
                "Kod pocztowy",
                "Miejscowość",
                "Województwo",
                "Uwagi"
            ]),
            some(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "job_title",
                "street",
                "postcode",
                "city",
                "region",
                "notes"
            ])
        );
        assert_eq!(
            fields(&["Jméno", "Příjmení", "Společnost", "Pozice", "Ulice", "PSČ", "Město", "Poznámka"]),
            some(&["first_name", "last_name", "company", "job_title", "street", "postcode", "city", "notes"])
        );
        assert_eq!(
            fields(&[
                "Adı",
                "Soyadı",
                "E-posta",
                "Cep Telefonu",
                "Şirket",
                "Unvan",
                "Adres",
                "Posta Kodu",
                "Şehir",
                "Ülke"
            ]),
            some(&[
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "job_title",
                "street",
                "postcode",
                "city",
                "country"
            ])
        );
        // A name word beside a whole-name header yields to it, as "Name" does.
        assert_eq!(fields(&["Namn", "Fullständigt namn"]), some(&["", "full_name"]));
    }

    /// Russian (Bitrix24's and amoCRM's lead exports), Ukrainian, Japanese, Chinese and Korean headers: they
    /// all went to the notes.
    #[test]
    fn headers_in_cyrillic_and_east_asian_scripts() {
        assert_eq!(
            fields(&[
                "Имя",
                "Фамилия",
                "Отчество",
                "Название компании",
                "Должность",
                "Рабочий телефон",
                "Мобильный телефон",
                "Рабочий e-mail",
                "Адрес",
                "Город",
                "Почтовый индекс",
                "Страна",
                "Комментарий"
            ]),
            some(&[
                "first_name",
                "last_name",
                "",
                "company",
                "job_title",
                "phone",
                "other_phones",
                "email",
                "street",
                "city",
                "postcode",
                "country",
                "notes"
            ])
        );
        assert_eq!(
            fields(&["Ім'я", "Прізвище", "Електронна пошта", "Компанія", "Посада", "Місто", "Країна"]),
            some(&["first_name", "last_name", "email", "company", "job_title", "city", "country"])
        );
        assert_eq!(
            fields(&[
                "姓",
                "名",
                "メールアドレス",
                "電話番号",
                "携帯電話",
                "会社名",
                "役職",
                "郵便番号",
                "都道府県",
                "住所",
                "備考"
            ]),
            some(&[
                "last_name",
                "first_name",
                "email",
                "phone",
                "other_phones",
                "company",
                "job_title",
                "postcode",
                "region",
                "street",
                "notes"
            ])
        );
        // Full-width letters, as Japanese input methods type them.
        assert_eq!(fields(&["Ｅメール", "ＴＥＬ", "ＦＡＸ"]), some(&["email", "phone", ""]));
        assert_eq!(
            fields(&["姓名", "电子邮件", "手机", "公司名称", "职位", "城市", "邮政编码", "国家", "备注"]),
            some(&["full_name", "email", "phone", "company", "job_title", "city", "postcode", "country", "notes"])
        );
        assert_eq!(
            fields(&["이름", "이메일", "전화번호", "회사", "직함", "주소", "우편번호", "국가"]),
            some(&["full_name", "email", "phone", "company", "job_title", "street", "postcode", "country"])
        );
    }

    /// English headers of phones, companies and address lines that lists write otherwise than the big CRMs.
    /// A company's number is no company, nor an account number.
    #[test]
    fn english_variants_of_phone_company_and_address_headers() {
        assert_eq!(
            fields(&["Mobile Number", "Phone No", "Tel. No.", "Telephone Number", "Contact Number", "WhatsApp"]),
            some(&["phone", "other_phones", "other_phones", "other_phones", "other_phones", "other_phones"])
        );
        assert_eq!(
            fields(&["Email ID", "Business Name", "Designation", "Address Line 1", "Street Line 2", "Country Name"]),
            some(&["email", "company", "job_title", "street", "street2", "country"])
        );
        assert_eq!(fields(&["Employer", "Occupation"]), some(&["company", "job_title"]));
        assert_eq!(fields(&["Account Number", "Company Number", "GSM"]), some(&["", "", "phone"]));
    }

    #[test]
    fn canonical_names_a_second_email_and_unknown_columns() {
        assert_eq!(
            fields(&["first_name", "email", "Work email", "Mobile", "Phone", "Favourite colour", "Email"]),
            some(&["first_name", "email", "other_emails", "phone", "other_phones", "", "other_emails"])
        );
    }

    /// A header of thousands of words (a capture request's field name is the sender's) is read by its last
    /// words, as a short one is: "… Mobile Phone" is a phone.
    #[test]
    fn a_header_of_many_words_is_read_by_its_last_ones() {
        let long = format!("{} Mobile Phone", "a ".repeat(20_000));
        assert_eq!(qualified_field(&long), Some("phone"));
        assert_eq!(qualified_field(&"a ".repeat(20_000)), None);
        assert_eq!(exact_field(""), None);
    }

    #[test]
    fn exports_of_other_crms_and_address_books() {
        // HubSpot
        assert_eq!(
            fields(&[
                "Record ID",
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Mobile Phone Number",
                "Company Name",
                "Job Title",
                "Street Address",
                "City",
                "State/Region",
                "Postal Code",
                "Country/Region",
                "Contact owner",
                "Lead Status"
            ]),
            some(&[
                "external_ref",
                "first_name",
                "last_name",
                "email",
                "phone",
                "other_phones",
                "company",
                "job_title",
                "street",
                "city",
                "region",
                "postcode",
                "country",
                "",
                ""
            ])
        );
        // Salesforce and Outlook
        assert_eq!(
            fields(&[
                "Lead ID",
                "Title",
                "Company / Account",
                "Mailing Street",
                "Mailing City",
                "Mailing State/Province",
                "Mailing Zip/Postal Code",
                "Mailing Country",
                "Business Fax",
                "E-mail Address",
                "Business Street 2"
            ]),
            some(&[
                "external_ref",
                "job_title",
                "company",
                "street",
                "city",
                "region",
                "postcode",
                "country",
                "",
                "email",
                "street2"
            ])
        );
        // Google Contacts
        assert_eq!(
            fields(&[
                "Given Name",
                "Family Name",
                "E-mail 1 - Type",
                "E-mail 1 - Value",
                "E-mail 2 - Value",
                "Phone 1 - Value",
                "Organization 1 - Name",
                "Address 1 - Formatted",
                "Address 1 - City",
                "Address 1 - Postal Code"
            ]),
            some(&["first_name", "last_name", "", "email", "other_emails", "phone", "company", "", "city", "postcode"])
        );
    }

    #[test]
    fn outlooks_contacts_export() {
        let headers = [
            "Title",
            "First Name",
            "Middle Name",
            "Last Name",
            "Company",
            "Job Title",
            "Business Street",
            "Business Street 2",
            "Business City",
            "Business Postal Code",
            "Business Country/Region",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "E-mail Display Name",
            "E-mail 2 Address",
            "Categories",
        ];
        assert_eq!(
            fields(&headers),
            // "Title" is the salutation here: the job title has a column of its own.
            some(&[
                "",
                "first_name",
                "",
                "last_name",
                "company",
                "job_title",
                "street",
                "street2",
                "city",
                "postcode",
                "country",
                "phone",
                "other_phones",
                "email",
                "",
                "other_emails",
                "tags"
            ])
        );
        // Alone, a bare word keeps its field, and a precise header takes it whichever comes first.
        assert_eq!(fields(&["Title", "Company"]), some(&["job_title", "company"]));
        assert_eq!(fields(&["Lead ID", "ID", "Account", "Company"]), some(&["external_ref", "", "", "company"]));
        assert_eq!(fields(&["Address 2", "E-mail 2 Address"]), some(&["street2", "email"]));
        // Every column of a field of several values is taken; a field of one value takes the first.
        assert_eq!(fields(&["Tags", "Labels", "Company", "Firma"]), some(&["tags", "tags", "company", ""]));
    }

    /// Outlook.com's export puts the home phone before the business one, and the home address after the
    /// business one: a lead's phone, email and address are the work ones wherever they stand, the home and
    /// other ones are kept beside them (phones, emails) or in the notes (a second address).
    #[test]
    fn the_work_phone_email_and_address_come_before_the_home_ones() {
        let headers = [
            "E-mail Address",
            "Home Phone",
            "Home Phone 2",
            "Business Phone",
            "Mobile Phone",
            "Car Phone",
            "Other Phone",
            "Home Street",
            "Home City",
            "Business Street",
            "Business City",
            "Business Postal Code",
        ];
        assert_eq!(
            fields(&headers),
            some(&[
                "email",
                "other_phones",
                "other_phones",
                "phone",
                "other_phones",
                "other_phones",
                "other_phones",
                "",
                "",
                "street",
                "city",
                "postcode"
            ])
        );
        // A mobile before a home number; a work address before a personal one; in German as in English.
        assert_eq!(fields(&["Telefon privat", "Mobiltelefon"]), some(&["other_phones", "phone"]));
        assert_eq!(fields(&["Personal Email", "Work Email"]), some(&["other_emails", "email"]));
        assert_eq!(
            fields(&["Straße privat", "Ort privat", "Straße geschäftlich", "Ort geschäftlich"]),
            some(&["", "", "street", "city"])
        );
        // Alone, a home column is the lead's own.
        assert_eq!(fields(&["Home Phone", "Home City"]), some(&["phone", "city"]));
    }

    #[test]
    fn fields_of_web_forms() {
        // WordPress's Contact Form 7, with its own plumbing.
        assert_eq!(
            fields(&["your-name", "your-email", "your-phone", "your-subject", "your-message"]),
            some(&["full_name", "email", "phone", "", ""])
        );
        // Elementor, and forms that name fields as PHP arrays.
        assert_eq!(
            fields(&["form_fields[name]", "form_fields[email]", "form_fields[message]", "lead[company]"]),
            some(&["full_name", "email", "", "company"])
        );
        assert_eq!(
            fields(&["Ihr Vorname", "Votre nom", "contact[first_name]"]),
            some(&["first_name", "last_name", ""])
        );
        // Not a prefix when it is all there is, nor inside a word.
        assert_eq!(fields(&["your", "yourself", "[]"]), some(&["", "", ""]));
        // Mailchimp's merge fields; the lead's own list names, as its JSON spells them.
        assert_eq!(fields(&["FNAME", "LNAME", "EMAIL", "PHONE"]), some(&["first_name", "last_name", "email", "phone"]));
        assert_eq!(fields(&["emails", "phones"]), some(&["email", "phone"]));
        assert_eq!(fields(&["Phone Numbers"]), some(&["phone"]));
    }

    /// Form tools head each column with the question asked (Typeform, Google Forms, Jotform).
    #[test]
    fn a_form_s_questions_name_the_fields_they_ask_for() {
        assert_eq!(
            fields(&[
                "What's your first name?",
                "And your last name?",
                "What is your email address?",
                "Please enter your phone number",
                "Which company do you work for?",
                "What's your job title?",
                "What's your name?",
            ]),
            some(&["first_name", "last_name", "email", "phone", "company", "job_title", "full_name"])
        );
        // Questions about something else than the person's value.
        assert_eq!(
            fields(&[
                "How big is your company?",
                "Do you want our email newsletter?",
                "What brings you here?",
                "Anything else you'd like to tell us?",
            ]),
            some(&["", "", "", ""])
        );
    }

    /// Exports a probe of real layouts found misread: Mailchimp's campaign titles and IP region, Google's older
    /// layout, Pipedrive's deal columns, an event's ticket currency, a CRM's close date.
    #[test]
    fn the_columns_of_real_exports_go_where_they_mean() {
        assert_eq!(
            fields(&[
                "Email Address",
                "First Name",
                "MEMBER_RATING",
                "OPTIN_TIME",
                "REGION",
                "CC",
                "UNSUB_CAMPAIGN_TITLE"
            ]),
            some(&["email", "first_name", "", "", "", "", ""])
        );
        // Without Mailchimp's own columns, a region is the address's.
        assert_eq!(fields(&["Email", "Region", "Campaign Title"]), some(&["email", "region", ""]));
        assert_eq!(
            fields(&[
                "Name",
                "Occupation",
                "Group Membership",
                "Organization 1 - Title",
                "Address 1 - Extended Address"
            ]),
            some(&["full_name", "", "tags", "job_title", "street2"])
        );
        assert_eq!(
            fields(&["Person - Name", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Expected close date"]),
            some(&["full_name", "", "deal_value", "currency", "expected_close"])
        );
        assert_eq!(fields(&["First Name", "Email", "Currency", "Ticket Type"]), some(&["first_name", "email", "", ""]));
        assert_eq!(fields(&["Amount", "Deal currency code"]), some(&["deal_value", "currency"]), "HubSpot's deals");
        // Another CRM's lost reason is read as one of this one's when it is ("Price"); its own words go to the
        // notes row by row (see `rows`), never refused.
        assert_eq!(
            fields(&["Contact Name", "Amount", "Currency", "Expected Close Date", "Closed Lost Reason"]),
            some(&["full_name", "deal_value", "currency", "expected_close", "lost_reason"])
        );
        // A second probe: a whole name in European lists' words, Salesforce's qualified and German report
        // columns and its currency code, Pipedrive's deal person and organization, the Dutch house number suffix,
        // second address lines.
        for (header, field) in [
            ("Nom et prénom", "full_name"),
            ("Nome e cognome", "full_name"),
            ("Nombre y apellidos", "full_name"),
            ("Vor- und Nachname", "full_name"),
            ("Kontaktperson", "full_name"),
            ("Attendee Name", "full_name"),
            ("Display Name", "full_name"),
            ("Contact: First Name", "first_name"),
            ("Kontakt: Nachname", "last_name"),
            ("Contact First Name", "first_name"),
            ("Deal - Contact person", "full_name"),
            ("Deal - Organization", "company"),
            ("Street Address 2", "street2"),
            ("Complément d'adresse", "street2"),
            ("Toevoeging", "street"),
            ("Tussenvoegsel", "last_name"),
            ("Segundo apellido", "last_name"),
            ("Schlusstermin", "expected_close"),
            ("Date de clôture prévue", "expected_close"),
            ("Data di chiusura prevista", "expected_close"),
            ("Deal Stage", "stage"),
            // Other CRMs' deal columns: Pipedrive's, HubSpot's, Salesforce's, Zoho's, Dynamics 365's.
            ("Deal - Stage", "stage"),
            ("Deal - Status", "stage"),
            ("Deal - Lost reason", "lost_reason"),
            ("Reason For Loss", "lost_reason"),
            ("Loss Reason", "lost_reason"),
            ("Closed Lost Reason", "lost_reason"),
            ("Est. Value", "deal_value"),
            ("Est. Close Date", "expected_close"),
            ("Budget Amount", "budget"),
            ("Purchase Timeframe", "timeline"),
            ("(Do Not Modify) Lead", "external_ref"),
            ("Opportunity ID", "external_ref"),
            ("Soyisim", "last_name"),
            ("Firma Adı", "company"),
            ("Étape", "stage"),
            ("Email(default)", "email"),
            ("Work number", "phone"),
            ("SMS", "phone"),
            ("Street address line 1 - Home", "street"),
            // vCard's property names, as converters to CSV write them.
            ("FN", "full_name"),
            ("ORG", "company"),
            ("EMAIL;TYPE=WORK", "email"),
            ("TEL;TYPE=CELL", "phone"),
        ] {
            assert_eq!(fields(&[header]), some(&[field]), "{header}");
        }
        for (header, field) in [("Betrag", "deal_value"), ("Importo", "deal_value"), ("Bedrag", "deal_value")] {
            assert_eq!(fields(&["Name", header]), some(&["full_name", field]), "{header}");
        }
        // Pipedrive's parts named after their address, as its organizations export writes them.
        assert_eq!(
            fields(&[
                "Organization - Name",
                "Organization - Address",
                "Organization - Address - Street/road name of Address",
                "Organization - Address - House number of Address",
                "Organization - Address - City/town/village/locality of Address",
                "Organization - Address - ZIP/Postal code of Address",
                "Organization - Address - State/county of Address",
                "Organization - Address - Country of Address",
                "Organization - Address - Full/combined address of Address",
            ]),
            some(&["company", "", "street", "street", "city", "postcode", "region", "country", ""])
        );
        // Pipedrive's address in parts beside the whole: the parts are the address, the whole goes to the notes.
        assert_eq!(
            fields(&[
                "Person - Name",
                "Person - Postal address",
                "Person - Postal address - Street/road name",
                "Person - Postal address - House number",
                "Person - Postal address - City/town",
                "Person - Postal address - ZIP/Postal code",
                "Person - Postal address - Country",
                "Person - Postal address - District/sublocality",
            ]),
            some(&["full_name", "", "street", "street", "city", "postcode", "country", ""])
        );
        // Alone, the whole address is the street, as before.
        assert_eq!(fields(&["Person - Name", "Person - Postal address"]), some(&["full_name", "street"]));
        assert_eq!(fields(&["Ad", "Soyad", "İl", "İlçe"]), some(&["first_name", "last_name", "region", "city"]));
        assert_eq!(fields(&["Ad", "Email"]), some(&["", "email"]), "an English list's Ad is no name");
        assert_eq!(
            fields(&["Voornaam", "Tussenvoegsel", "Achternaam"]),
            some(&["first_name", "last_name", "last_name"])
        );
        assert_eq!(
            fields(&["Nombre", "Primer apellido", "Segundo apellido"]),
            some(&["first_name", "last_name", "last_name"])
        );
        assert_eq!(
            fields(&["Opportunity Name", "Amount", "Opportunity Currency"]),
            some(&["", "deal_value", "currency"])
        );
    }

    #[test]
    fn whole_names_and_places_by_other_words() {
        assert_eq!(
            fields(&["Name", "Firma", "Suburb", "Bundesland", "billingCity"]),
            // The second place column finds the city taken.
            some(&["full_name", "company", "city", "region", ""])
        );
        assert_eq!(fields(&["billingCity", "shippingPostalCode"]), some(&["city", "postcode"]));
        assert_eq!(fields(&["Ansprechpartner", "Ort"]), some(&["full_name", "city"]));
        assert_eq!(fields(&["rec_id", "suburb", "state"]), some(&["external_ref", "city", "region"]));
        // A qualifier does not make a name field or an owner out of a header that only ends like one.
        assert_eq!(fields(&["Date Last", "Contact owner", "Lead Source"]), some(&["", "", "source_detail"]));
    }

    /// A list of firms heads the firm "Name" and the person to speak to "Ansprechpartner" or "Contact person"
    /// (the form of PhpSpreadsheet's issue 804): the bare name is the company's. It went to the notes, and a
    /// lead of such a list had no company.
    #[test]
    fn a_bare_name_beside_the_contact_person_is_the_company() {
        assert_eq!(fields(&["Name", "Ansprechpartner", "Telefon"]), some(&["company", "full_name", "phone"]));
        assert_eq!(fields(&["Name", "Contact Person", "Email"]), some(&["company", "full_name", "email"]));
        assert_eq!(fields(&["Name", "Contact name", "Phone"]), some(&["company", "full_name", "phone"]));
        assert_eq!(fields(&["Navn", "Kontaktperson"]), some(&["company", "full_name"]));
        assert_eq!(
            fields(&["Name", "Anrede", "Vorname", "Ansprechpartner", "Straße", "Plz", "Ort", "E-mail"]),
            some(&["company", "", "first_name", "full_name", "street", "postcode", "city", "email"])
        );
        // A company column of its own keeps the bare name off the company; a name without a contact person is
        // the person's.
        assert_eq!(fields(&["Name", "Firma", "Ansprechpartner"]), some(&["", "company", "full_name"]));
        assert_eq!(fields(&["Name", "Email", "Company"]), some(&["full_name", "email", "company"]));
        assert_eq!(fields(&["Name", "Vorname", "Firma"]), some(&["full_name", "first_name", "company"]));
    }

    #[test]
    fn a_house_number_of_its_own_goes_to_the_street_too() {
        assert_eq!(fields(&["Straße", "Hausnummer", "PLZ", "Ort"]), some(&["street", "street", "postcode", "city"]));
        assert_eq!(fields(&["street_number", "address_1", "address_2"]), some(&["street", "street", "street2"]));
        assert_eq!(fields(&["STRASSE UND HAUSNUMMER", "Huisnummer"]), some(&["street", "street"]));
        // Two streets are not one: the other is a column for the notes.
        assert_eq!(fields(&["Other Street", "Home Street"]), some(&["street", ""]));
    }

    /// A capture request's nested path is read by its last part when it names nothing as a whole, unless a part
    /// before it is someone else's or the form's own.
    #[test]
    fn a_nested_path_is_read_by_its_last_part_unless_it_is_someone_else_s() {
        for (sent, read) in [
            ("payload.data.First Name", "First Name"),
            ("data.object.name", "name"),
            ("address.city", "address.city"),
            ("contact.first_name", "contact.first_name"),
            ("form.name", "form.name"),
            ("form[fields].name", "form[fields].name"),
            ("scheduled_event.event_guests.email", "scheduled_event.event_guests.email"),
            ("Tel.", "Tel."),
            ("q3_name.first", "first"),
            ("name", "name"),
        ] {
            assert_eq!(read_as_sent(sent), read, "{sent}");
        }
        assert_eq!(
            fields(&["page_title", "form_title", "referer_title", "Job Title"]),
            some(&["", "", "", "job_title"])
        );
        assert_eq!(fields(&["form[name]", "form_response.answers.email", "Form"]), some(&["", "email", ""]));
        // Jotform's fields, as its webhook nests them.
        assert_eq!(
            fields(&["q4_email", "q5_phoneNumber.full", "q6_address.addr_line1", "q6_address.postal"]),
            some(&["email", "phone", "street", "postcode"])
        );
        // Elementor's webhook: each field's value, label, type and id in brackets.
        assert_eq!(
            fields(&[
                "form[id]",
                "fields[name][title]",
                "fields[name][value]",
                "fields[email][type]",
                "fields[email][value]",
                "fields[email][raw_value]",
                "meta[date][value]"
            ]),
            some(&["", "", "full_name", "", "email", "", ""])
        );
    }

    /// Databases and mailing-list tools abbreviate their columns and number them; record-linkage data sets
    /// split a name into components (the R package RecordLinkage's RLdata500). These went to the notes, and a list
    /// of "FNAME, LNAME, ADDR1, EMAIL1" imported as Drafts with no address.
    #[test]
    fn abbreviated_and_numbered_columns_of_databases() {
        assert_eq!(
            fields(&["FNAME", "LNAME", "ADDR1", "ADDR2", "CITY", "ZIP5", "ZIP4", "EMAIL1", "PHONE1"]),
            some(&["first_name", "last_name", "street", "street2", "city", "postcode", "", "email", "phone"])
        );
        for (header, field) in [
            ("addr", "street"),
            ("addr_line_1", "street"),
            ("Mailing Addr", "street"),
            ("Email Addr", "email"),
            ("Tel2", "phone"),
            ("Mobile1", "phone"),
            ("E-Mail2", "email"),
        ] {
            assert_eq!(fields(&[header]), some(&[field]), "{header}");
        }
        // A shop's orders and customers (WooCommerce): the billing name is the customer's, the shipping one a
        // second column for the notes.
        assert_eq!(
            fields(&[
                "billing_first_name",
                "billing_last_name",
                "shipping_first_name",
                "billing_email",
                "Customer Name"
            ]),
            some(&["first_name", "last_name", "", "email", "full_name"])
        );
        assert_eq!(fields(&["Customer Name", "Emergency Contact First Name"]), some(&["full_name", ""]));
        // Relatives' and a team's values are theirs; a suite is the second line, an ISO code the country.
        assert_eq!(
            fields(&["Email", "Mum-email", "Sister-phone", "Team Address 2", "Emergency Contact Phone", "Phone"]),
            some(&["email", "", "", "", "", "phone"])
        );
        assert_eq!(
            fields(&["Billing Street", "Billing Apt/Suite", "Addresses 1 Country ISO2 code"]),
            some(&["street", "street2", "country"])
        );
        // "Nombre" and "Nome" are the given name beside a surname, the whole name alone.
        assert_eq!(fields(&["nombre", "email", "telefono"]), some(&["full_name", "email", "phone"]));
        assert_eq!(fields(&["Nombre", "Apellidos", "Email"]), some(&["first_name", "last_name", "email"]));
        assert_eq!(fields(&["Nome", "E-mail"]), some(&["full_name", "email"]));
        // A title column of salutations is no job title: the position column is.
        let h: Vec<String> = ["title", "firstname", "lastname", "position"].map(String::from).to_vec();
        let rows = |title: &str| vec![vec![title.to_string(), "Ann".into(), "Lee".into(), "CFO".into()]];
        let seen = |title: &str| -> Vec<Option<String>> {
            suggest_mapping_seen(&h, &rows(title)).into_iter().map(|s| s.field).collect()
        };
        assert_eq!(seen("Mr."), some(&["", "first_name", "last_name", "job_title"]));
        assert_eq!(seen("Prof. Dr."), some(&["", "first_name", "last_name", "job_title"]));
        assert_eq!(seen("Director"), some(&["job_title", "first_name", "last_name", ""]));
        assert_eq!(
            seen(""),
            some(&["", "first_name", "last_name", "job_title"]),
            "an empty title leaves the field to the position that holds one"
        );
        // Outlook's contacts export in other languages (the headers Exchange reads them by): the business block
        // is the address, the email's kind and shown name are not addresses.
        assert_eq!(
            fields(&[
                "Nombre",
                "Apellidos",
                "Organización",
                "Calle del trabajo",
                "Provincia o estado de trabajo",
                "País o región del trabajo",
                "Teléfono del trabajo",
                "País o región del domicilio",
                "Nombre de pantalla de correo electrónico",
                "Tipo de correo electrónico"
            ]),
            some(&["first_name", "last_name", "company", "street", "region", "country", "phone", "", "", ""])
        );
        assert_eq!(
            fields(&[
                "Posizione",
                "Via (uff.)",
                "CAP (uff.)",
                "Tipo posta elettronica",
                "Nome visualizzato posta elettronica"
            ]),
            some(&["job_title", "street", "postcode", "", ""])
        );
        assert_eq!(
            fields(&["名", "姓", "番地 (会社)", "国 (会社)/地域", "会社電話", "電子メール アドレス"]),
            some(&["first_name", "last_name", "street", "country", "phone", "email"])
        );
        assert_eq!(
            fields(&["이름", "성", "전자 메일 주소", "근무지 구/군/시"]),
            some(&["first_name", "last_name", "email", "city"])
        );
        assert_eq!(
            fields(&["名字", "商務 - 市/鎮", "電子郵件地址", "商务地址 街道"]),
            some(&["first_name", "city", "email", "street"])
        );
        assert_eq!(
            fields(&["Último nome", "Rua comercial", "Região/País comercial", "Fone comercial", "Fone de casa"]),
            some(&["last_name", "street", "country", "phone", "other_phones"])
        );
        assert_eq!(
            fields(&["Ulica (biuro)", "Telefon służbowy", "Telefon domowy", "Адрес электронной почты"]),
            some(&["street", "phone", "other_phones", "email"])
        );
        // A business street's second line in German and French Outlook.
        assert_eq!(
            fields(&["Straße geschäftlich", "Straße geschäftlich 2", "Rue (bureau)", "Rue (bureau) 2"]),
            some(&["street", "street2", "", ""])
        );
        assert_eq!(fields(&["Rue (bureau)", "Rue (bureau) 2"]), some(&["street", "street2"]));
        // The second line numbered inside the header, the country beside "region", in Polish, Japanese, Korean
        // and Chinese; the phones Italian and Spanish name by their place alone.
        assert_eq!(
            fields(&["Ulica (biuro)", "Ulica 2 (biuro)", "Kraj/region (biuro)", "Ulica (dom)", "Kraj/region (dom)"]),
            some(&["street", "street2", "country", "", ""])
        );
        assert_eq!(fields(&["番地 (会社)", "住所 2 (会社)", "番地 (自宅)"]), some(&["street", "street2", ""]));
        // Google's second address is a whole other one, not the first one's second line.
        assert_eq!(
            fields(&[
                "Address 1 - Street",
                "Address 1 - City",
                "Address 1 - Postal Code",
                "Address 2 - Street",
                "Address 2 - City",
                "Address 2 - Postal Code"
            ]),
            some(&["street", "city", "postcode", "", "", ""])
        );
        assert_eq!(fields(&["근무지 주소 번지", "근무지 번지 2", "집 번지"]), some(&["street", "street2", ""]));
        assert_eq!(fields(&["商务地址 街道", "商务地址 街道 2", "住宅地址 街道"]), some(&["street", "street2", ""]));
        assert_eq!(fields(&["商務 - 街", "商務 - 街 2", "住家 - 街"]), some(&["street", "street2", ""]));
        assert_eq!(
            fields(&["Via (uff.)", "Fax (uff.)", "Ufficio", "Abitazione", "Cellulare"]),
            some(&["street", "", "phone", "other_phones", "other_phones"])
        );
        assert_eq!(
            fields(&["Abitazione", "Ufficio", "Via (uff.)"]),
            some(&["other_phones", "phone", "street"]),
            "the office phone is the one to call, wherever it stands"
        );
        assert_eq!(fields(&["Teléfono del trabajo", "Particular"]), some(&["phone", "other_phones"]));
        // Alone, the words are not phones: an office, a dwelling, a detail.
        assert_eq!(fields(&["Nome", "Cognome", "Ufficio", "Abitazione"]), some(&["first_name", "last_name", "", ""]));
        assert_eq!(fields(&["Kraj"]), some(&[""]), "Czech's region, Polish's country");
        assert_eq!(fields(&["Fonction", "Profession"]), some(&["job_title", ""]), "the job title before the trade");
        assert_eq!(fields(&["Nom", "Profession"]), some(&["last_name", "job_title"]));
        // French Outlook's "Titre" is a salutation, empty in most lists: the trade in "Profession" is the job.
        let headers: Vec<String> = ["Titre", "Prénom", "Nom", "Profession"].iter().map(|s| s.to_string()).collect();
        let seen = |rows: &[[&str; 4]]| -> Vec<Option<String>> {
            let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|v| v.to_string()).collect()).collect();
            suggest_mapping_seen(&headers, &rows).into_iter().map(|s| s.field).collect()
        };
        assert_eq!(
            seen(&[["", "François", "Lefèvre", "Directeur commercial"], ["", "Hélène", "Roux", ""]]),
            some(&["", "first_name", "last_name", "job_title"])
        );
        assert_eq!(
            seen(&[["", "François", "Lefèvre", ""]]),
            some(&["job_title", "first_name", "last_name", ""]),
            "neither holds a title: the header decides"
        );
        // Dynamics 365 by its columns' logical names.
        assert_eq!(
            fields(&[
                "fullname",
                "emailaddress1",
                "telephone1",
                "address1_line1",
                "address1_line2",
                "address1_city",
                "address1_stateorprovince",
                "address1_postalcode"
            ]),
            some(&["full_name", "email", "phone", "street", "street2", "city", "region", "postcode"])
        );
        // A number onto another field's word is no second value of it: a ZIP code's extension, a second city.
        assert_eq!(fields(&["ZIP4", "City2", "Company3"]), some(&["", "", ""]));
        assert_eq!(
            fields(&["fname_c1", "fname_c2", "lname_c1", "lname_c2", "by", "bm", "bd"]),
            some(&["first_name", "", "last_name", "", "", "", ""]),
            "a second name component is a note (a field takes one column)"
        );
    }

    #[test]
    fn a_kind_or_a_coding_after_the_fields_name() {
        // Pipedrive's people export.
        assert_eq!(
            fields(&[
                "Person - Name",
                "Person - Organization",
                "Person - Email - Work",
                "Person - Phone - Mobile",
                "Label"
            ]),
            some(&["full_name", "company", "email", "phone", "tags"])
        );
        // A voter register, as record-linkage studies use it.
        assert_eq!(
            fields(&[
                "voter_id",
                "first_name",
                "last_name",
                "res_street_address",
                "res_city_desc",
                "state_cd",
                "zip_code"
            ]),
            some(&["", "first_name", "last_name", "street", "city", "region", "postcode"])
        );
        // Only a qualifier comes off, and only at the end: these say something else of an email.
        assert_eq!(fields(&["Email Opt Out", "Home Email Bounced", "Area Code"]), some(&["", "", ""]));
        // Pipedrive names the record each column is about.
        assert_eq!(
            fields(&[
                "Person - ID",
                "Person - Name",
                "Person - Email - Work",
                "Organization - Name",
                "Person - Labels",
                "Tag",
                "Deal - Title",
                "Person - Owner"
            ]),
            some(&["external_ref", "full_name", "email", "company", "tags", "tags", "", ""]),
            "the person's owner there is a salesperson of theirs (its names are no users here): notes"
        );
        // HubSpot's contacts export: where the visitor's IP address was placed is not the person's address.
        assert_eq!(
            fields(&["IP Country", "IP State Code/Region Code", "IP City", "Country/Region", "State/Region", "City"]),
            some(&["", "", "", "country", "region", "city"])
        );
        // Flags about a field, and someone else's value, are not the person's.
        assert_eq!(
            fields(&[
                "Email",
                "HasOptedOutOfEmail",
                "Do Not Phone",
                "Phone",
                "Contact Owner Email",
                "Unsubscribed from all email",
                "Work Email"
            ]),
            some(&["email", "", "", "phone", "", "", "other_emails"])
        );
        // Outlook's columns for the people around the contact.
        assert_eq!(
            fields(&["Assistant's Phone", "Business Phone", "Manager's Name", "Spouse", "E-mail Address"]),
            some(&["", "phone", "", "", "email"])
        );
    }
}
