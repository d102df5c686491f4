//! Normal forms: what two spellings of the same thing have in common.
use rphonetic::{DoubleMetaphone, Encoder};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::Record;

/// Marks that only decorate a letter (accents of the Latin, Greek and Cyrillic scripts; Hebrew and Arabic
/// vowel points, which names are mostly written without). Marks that are letters' vowels or voicing (Indic and
/// Thai vowel signs, the virama, Japanese dakuten) tell names apart and stay.
pub fn decorative(c: char) -> bool {
    is_combining_mark(c)
        && matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}' | '\u{0591}'..='\u{05C7}'
            | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Letters one writer types and another spells out or leaves plain, with no decomposition to fold them
/// ("Weiß" and "WEISS", "Łukasz" and "Lukasz", the Greek final sigma), of a lower-cased text. Search folds
/// with it too, so that a name is found as the duplicate check compares it.
pub fn plain_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'ł' => "l",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'æ' => "ae",
        'œ' => "oe",
        'ı' => "i",
        'ς' => "σ",
        _ => return None,
    })
}

/// Lower case, accents dropped, anything but letters and digits turned into single spaces.
pub fn fold(s: &str) -> String {
    let decomposed: String = s.nfkd().filter(|c| !decorative(*c)).collect();
    let mut folded = String::with_capacity(decomposed.len());
    // The whole text at once: a capital sigma lowers to the final form at a word's end.
    for c in decomposed.to_lowercase().chars() {
        match plain_letters(c) {
            Some(plain) => folded.push_str(plain),
            None => folded.push(c),
        }
    }
    // The marks left are letters' own (a dakuten, a virama): a word goes on through them, "ごとう" is one word.
    let breaks = |c: char| !(c.is_alphanumeric() || is_combining_mark(c));
    folded.split(breaks).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Legal forms that end company names and say nothing about which company it is ("Acme GmbH" and "ACME
/// Ltd." are one company as far as people typing it are concerned).
const LEGAL_FORMS: &[&str] = &[
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "pty",
    "pte",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "mbh",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "kk",
    "pvt",
    "sl",
    "se",
];

/// The company name folded, with its trailing legal forms dropped ("Coastal Build Pty Ltd" → "coastal build"),
/// unless nothing else would be left.
pub fn company_key(name: &str) -> String {
    let folded = fold(name);
    // Initials written with full stops ("L.L.C.", "S.A.", "A.B. Dick") fold to single letters: joined again,
    // they are the word they spell, as written without the stops.
    let mut words: Vec<String> = Vec::new();
    let mut initials = false;
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        let single = w.chars().count() == 1;
        match words.last_mut() {
            Some(last) if single && initials => last.push_str(w),
            _ => words.push(w.to_string()),
        }
        initials = single;
    }
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(&w.as_str())) {
        words.pop();
    }
    words.join(" ")
}

/// Short forms of given names and the name they stand for (our own table, MIT like the rest of Rapport).
const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("al", "alan"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("annie", "anne"),
    ("ben", "benjamin"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("cathy", "catherine"),
    ("charlie", "charles"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("deb", "deborah"),
    ("debbie", "deborah"),
    ("dick", "richard"),
    ("don", "donald"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("fred", "frederick"),
    ("greg", "gregory"),
    ("harry", "henry"),
    ("jack", "john"),
    ("jake", "jacob"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("ken", "kenneth"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("maggie", "margaret"),
    ("matt", "matthew"),
    ("meg", "margaret"),
    ("mike", "michael"),
    ("nick", "nicholas"),
    ("pat", "patrick"),
    ("peggy", "margaret"),
    ("pete", "peter"),
    ("phil", "philip"),
    ("rich", "richard"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("sandy", "sandra"),
    ("steve", "stephen"),
    ("sue", "susan"),
    ("ted", "edward"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("vicky", "victoria"),
    ("will", "william"),
];

/// The full form of a given name, when it is a known short form.
pub fn canonical_given_name(name: &str) -> &str {
    NICKNAMES.iter().find(|(short, _)| *short == name).map(|(_, full)| *full).unwrap_or(name)
}

/// Street-type abbreviations and their full words.
const STREET_WORDS: &[(&str, &str)] = &[
    ("st", "street"),
    ("str", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("dr", "drive"),
    ("ct", "court"),
    ("crt", "court"),
    ("cres", "crescent"),
    ("cr", "crescent"),
    ("pl", "place"),
    ("ln", "lane"),
    ("hwy", "highway"),
    ("pde", "parade"),
    ("tce", "terrace"),
    ("cct", "circuit"),
    ("cl", "close"),
    ("blvd", "boulevard"),
    ("sq", "square"),
    ("mt", "mount"),
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
];

/// Words that say what kind of street a line names, not which street, and the little words around a name: two
/// lines that share only these and a house number ("1 goodman street", "1 doonkuna street") name two streets.
const STREET_TYPES: &[&str] = &[
    "street",
    "road",
    "avenue",
    "drive",
    "court",
    "crescent",
    "place",
    "lane",
    "highway",
    "parade",
    "terrace",
    "circuit",
    "close",
    "boulevard",
    "square",
    "way",
    "grove",
    "walk",
    "row",
    "mews",
    "rise",
    "loop",
    "esplanade",
    "promenade",
    "alley",
    "trail",
    "plaza",
    "gardens",
    "circle",
    // Where the kind comes first: French, Spanish, Italian, Portuguese ("12 rue de la paix", "calle mayor 5").
    "rue",
    "chemin",
    "impasse",
    "allee",
    "quai",
    "calle",
    "avenida",
    "via",
    "viale",
    "rua",
    // The little words around the name ("rue de la paix", "avenida dos aliados"), shared by streets of any name.
    "de",
    "la",
    "le",
    "les",
    "du",
    "des",
    "del",
    "della",
    "di",
    "da",
    "do",
    "dos",
    "das",
    "of",
    "the",
];

/// The words of a street line (as [`Prepared::street`] holds it) that name its street: without house or unit
/// numbers and without the street's kind ("goodman" of "1 goodman street"). Empty when nothing else is left.
pub(crate) fn street_name(line: &str) -> String {
    line.split(' ')
        .filter(|w| !w.is_empty() && !w.chars().any(|c| c.is_ascii_digit()) && !STREET_TYPES.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn expand_street(s: &str) -> String {
    fold(s)
        .split(' ')
        .map(|w| STREET_WORDS.iter().find(|(abbr, _)| *abbr == w).map(|(_, full)| *full).unwrap_or(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that begin family names and are as often left out ("van der Berg", "Berg"; "de la Cruz", "Cruz").
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "la", "le", "da", "das", "do", "dos", "di", "du", "ten", "ter",
    "al", "el", "bin", "ibn", "mac", "st",
];

/// A folded family name without the particles it begins with: the name itself, when something is left.
pub fn without_particles(last: &str) -> &str {
    let mut rest = last;
    while let Some((word, tail)) = rest.split_once(' ') {
        if !PARTICLES.contains(&word) || tail.is_empty() {
            break;
        }
        rest = tail;
    }
    rest
}

/// Local parts of mailboxes that belong to a role, not a person: shared by everyone at a company, and the same
/// at every company.
const ROLE_MAILBOXES: &[&str] = &[
    "info",
    "contact",
    "office",
    "sales",
    "support",
    "hello",
    "admin",
    "mail",
    "team",
    "service",
    "kontakt",
    "buero",
    "bureau",
    "enquiries",
    "inquiries",
    "marketing",
    "billing",
    "accounts",
    "hr",
    "jobs",
    "post",
    "noreply",
    "no-reply",
];

/// Whether `local` (canonical, lower case) is a role's mailbox.
pub fn is_role_mailbox(local: &str) -> bool {
    ROLE_MAILBOXES.contains(&local)
}

/// An address in canonical form: lower case, abbreviations of the local part kept, `+tags` dropped, dots of
/// Gmail local parts dropped (Gmail ignores them).
pub fn canonical_email(email: &str) -> Option<(String, String)> {
    let e = email.trim().to_lowercase();
    let (local, domain) = e.rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    // Checked once the tag is off: "+1@acme.com" and "+2@acme.com" are two mailboxes, not one with no name.
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    // Google's two domains are one mailbox ("googlemail.com" where "gmail" was taken), which ignores dots.
    if domain == "gmail.com" || domain == "googlemail.com" {
        return Some((local.replace('.', ""), "gmail.com".to_string()));
    }
    Some((local.to_string(), domain.to_string()))
}

/// A phone number as matched: "+" and every digit when it is written with its country code ("+1 212 555 0123",
/// as the CRM stores every phone), else its digits ("0400 490 186", as record-linkage files hold them). The
/// country code and area code are kept: (212) 555-0123 and (312) 555-0123 are two numbers, though their last
/// nine digits agree. None below six digits.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let international = phone.trim_start().starts_with('+');
    (digits.len() >= 6).then(|| if international { format!("+{digits}") } else { digits })
}

/// The national part of a matched phone (see [`phone_key`]): its last nine digits, which every spelling of one
/// number shares (country code and trunk prefix dropped). Blocking keys are made of it, so two spellings meet.
pub fn national_part(key: &str) -> &str {
    let digits = key.trim_start_matches('+');
    &digits[digits.len().saturating_sub(9)..]
}

/// Whether two matched phones (see [`phone_key`]) are one number: both written in full, all their digits
/// agree; otherwise (one or both without a country code) their national parts do.
pub fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = comparable(a, b);
    a == b
}

/// The forms two matched phones (see [`phone_key`]) are compared in: whole when both are written in full,
/// otherwise their national parts.
pub fn comparable<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a.starts_with('+') && b.starts_with('+') {
        (a, b)
    } else {
        (national_part(a), national_part(b))
    }
}

/// A record prepared once for blocking and comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    pub first: String,
    /// The first name's full form when it is a nickname.
    pub first_canonical: String,
    pub last: String,
    pub company: String,
    pub emails: Vec<(String, String)>,
    pub phones: Vec<String>,
    pub street: String,
    pub city: String,
    pub postcode: String,
    pub region: String,
    /// Double Metaphone of the first and last names ("" when empty).
    pub first_sound: String,
    pub last_sound: String,
}

pub fn prepare(r: &Record) -> Prepared {
    let encoder = DoubleMetaphone::default();
    let first = fold(&r.first_name);
    let last = fold(&r.last_name);
    // Double Metaphone is defined for Latin letters (and rphonetic slices its input by bytes, so other scripts
    // would panic): a name in another script is its own key.
    let sound = |s: &str| {
        let squeezed = s.replace(' ', "");
        if squeezed.is_empty() {
            String::new()
        } else if squeezed.chars().all(|c| c.is_ascii_alphabetic()) {
            encoder.encode(&squeezed)
        } else {
            squeezed
        }
    };
    Prepared {
        first_canonical: canonical_given_name(&first).to_string(),
        first_sound: sound(&first),
        // With its particles, run together: "van Aardt" typed as "vanAardt" keeps its blocks.
        last_sound: sound(&last),
        first,
        last,
        company: company_key(&r.company),
        emails: r.emails.iter().filter_map(|e| canonical_email(e)).collect(),
        phones: r.phones.iter().filter_map(|p| phone_key(p)).collect(),
        street: expand_street(&r.street),
        city: fold(&r.city),
        postcode: fold(&r.postcode).replace(' ', ""),
        region: fold(&r.region),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("  Zoë O'Brien-Smith "), "zoe o brien smith");
        // One person's spellings meet; different names stay apart, whatever the script.
        assert_eq!(fold("Weiß"), fold("WEISS"));
        assert_eq!(fold("Łukasz Søren Đặng"), fold("Lukasz Soren Dang"));
        assert_eq!(fold("ΠΑΠΑΔΟΠΟΥΛΟΣ"), fold("Παπαδόπουλος"));
        assert_ne!(fold("सुनील"), fold("सोनल"), "Sunil and Sonal: vowel signs are letters");
        assert_ne!(fold("கமல்"), fold("கமலா"), "Kamal and Kamala");
        assert_ne!(fold("ごとう"), fold("ことう"), "Gotō and Kotō");
        // A voicing mark or a virama is inside its word, not a break in it.
        for word in ["ごとう", "पद्मा", "கமல்"] {
            assert!(!fold(word).contains(' '), "{word}: {:?}", fold(word));
        }
        assert_eq!(fold("מֹשֶׁה"), fold("משה"), "Hebrew vowel points are optional");
        assert_eq!(canonical_email("+1@acme.com"), None);
        assert_eq!(without_particles("van der berg"), "berg");
        assert_eq!(without_particles("de la cruz"), "cruz");
        assert_eq!(without_particles("van"), "van", "a name that is only a particle stays");
        assert_eq!(without_particles("garcia marquez"), "garcia marquez");
        assert_eq!(canonical_email("Ann+news@acme.com"), Some(("ann".into(), "acme.com".into())));
        assert_eq!(expand_street("12 Just Pl."), "12 just place");
        assert_eq!(canonical_given_name("bob"), "robert");
    }

    #[test]
    fn legal_forms_do_not_tell_companies_apart() {
        assert_eq!(company_key("Acme GmbH"), "acme");
        assert_eq!(company_key("ACME Ltd."), "acme");
        assert_eq!(company_key("Coastal Build Pty Ltd"), "coastal build");
        assert_eq!(company_key("Co"), "co", "a name that is only a legal form stays");
        assert_eq!(company_key("Smith & Co"), "smith");
        // Initials with full stops are the word they spell.
        assert_eq!(company_key("Acme L.L.C."), company_key("Acme LLC"));
        assert_eq!(company_key("Acme, S.A."), "acme");
        assert_eq!(company_key("A.B. Dick Company"), company_key("AB Dick Company"));
        assert_eq!(company_key("Plan B Labs"), "plan b labs", "one letter alone is a word of its own");
    }

    #[test]
    fn emails_and_phones_reduce_to_what_spellings_share() {
        assert_eq!(canonical_email("John.Smith+crm@Gmail.com"), Some(("johnsmith".into(), "gmail.com".into())));
        assert_eq!(canonical_email("no-at-sign"), None);
        assert_eq!(canonical_email("john.smith@googlemail.com"), canonical_email("johnsmith@gmail.com"));
        // Two spellings of one number, with and without its country code, are one number...
        let (full, national) = (phone_key("+61 400 490 186"), phone_key("0400 490 186"));
        assert_eq!((full.as_deref(), national.as_deref()), (Some("+61400490186"), Some("0400490186")));
        assert!(same_number(&full.unwrap_or_default(), &national.unwrap_or_default()));
        assert_eq!(national_part("+61400490186"), national_part("0400490186"));
        // ...and two numbers written in full that differ only before their last nine digits are two.
        let (new_york, chicago) = (phone_key("+1 212 555 0123"), phone_key("+1 (312) 555-0123"));
        let (new_york, chicago) = (new_york.unwrap_or_default(), chicago.unwrap_or_default());
        assert_eq!(national_part(&new_york), national_part(&chicago), "their last nine digits agree");
        assert!(!same_number(&new_york, &chicago));
        assert!(same_number(&new_york, "+12125550123"));
        assert_eq!(phone_key("12"), None);
        assert_eq!(phone_key("+1 2"), None);
    }
}
