//! A file row made a lead input by the user's mapping: every column goes to its field, to the notes, or is
//! ignored on purpose; a row that cannot be read (ragged, an unknown owner or channel, undecodable text) is an
//! error with the column's name, never a silent gap.
use std::collections::{HashMap, HashSet};

use super::error::ImportError;
use super::model::{ColumnMapping, TargetInfo, FULL_NAME, IGNORE, TO_NOTES};
use super::reader::RawRow;
use crate::error::FieldError;
use crate::leads::csv::{canonical_columns, unguard_cell};
use crate::leads::deal::DateOrder;
use crate::leads::fields::{LeadFieldKind, FIELDS};
use crate::leads::{LeadInput, SourceChannel};

/// The choices of a column's destination, in the field table's order.
pub fn targets() -> Vec<TargetInfo> {
    let mut out = Vec::new();
    for f in FIELDS.iter().filter(|f| f.info.editable) {
        for (i, col) in f.info.csv.iter().enumerate() {
            let label = match (f.info.kind, i) {
                (LeadFieldKind::EmailList, 0) => "Email".to_string(),
                (LeadFieldKind::EmailList, _) => "Other emails".to_string(),
                (LeadFieldKind::PhoneList, 0) => "Phone".to_string(),
                (LeadFieldKind::PhoneList, _) => "Other phones".to_string(),
                (LeadFieldKind::LongText, _) if *col == TO_NOTES => "Notes (added as \"Column: value\")".to_string(),
                _ => f.info.label.to_string(),
            };
            out.push(TargetInfo { target: col.to_string(), label });
            if *col == "last_name" {
                let label = "Full name (split into first and last)".to_string();
                out.push(TargetInfo { target: FULL_NAME.to_string(), label });
            }
        }
    }
    out.push(TargetInfo { target: IGNORE.to_string(), label: "Ignore".to_string() });
    out
}

/// Targets that take one value: two columns cannot both fill one.
pub(crate) fn single_valued(target: &str) -> bool {
    !matches!(target, "email" | "other_emails" | "phone" | "other_phones" | "tags" | "street" | TO_NOTES | IGNORE)
}

/// A field of one value that a file may give in parts, joined in column order: a surname's (Dutch
/// "Tussenvoegsel" and "Achternaam"). A web form's two last names are still two values of one field. And the
/// stage, from a deal's stage and its status (Pipedrive's): a closed status is the stage, the other kept in the
/// notes (see `to_input`).
fn joins_columns(target: &str) -> bool {
    matches!(target, "last_name" | "stage")
}

pub(crate) struct Mapper {
    headers: Vec<String>,
    targets: Vec<String>,
    /// Columns whose own header says "notes": their value goes in as it is, not as "Header: value".
    plain_notes: Vec<bool>,
    owners: HashMap<String, i64>,
    default_source: SourceChannel,
    default_detail: String,
    /// The file's text came through a decoder that replaces bytes it cannot read: such a row is refused.
    check_replacement: bool,
    /// The order of day and month the file's dates show (see [`date_order_of`]): a date that could be read
    /// both ways is read so.
    date_order: Option<DateOrder>,
    /// Columns sent to the notes that name a part of an address (the file's other address block: Outlook's
    /// Home beside the Business one it maps), with that part.
    other_address: Vec<(usize, &'static str)>,
    /// The pipeline's stages (key, label, outcome), for a stage column: empty, its values go in as written.
    stages: Vec<(String, String, crate::pipeline::config::StageOutcome)>,
    /// The configured lost reasons (key, label), for a lost-reason column: empty, its values go in as written.
    lost_reasons: Vec<(String, String)>,
    /// Email and phone columns with the column that says each value's kind ("Phone 1 - Value" beside "Phone 1 -
    /// Label", as Google Contacts exports them): (value column, kind column).
    kinds: Vec<(usize, usize)>,
    /// Columns sent to the notes that hold an address written whole beside its parts (Google Contacts'
    /// "Address 1 - Formatted").
    whole_addresses: Vec<usize>,
    /// A column that says whether a row is a company or a person (Odoo's "Is a Company", "Company Type"), sent
    /// to the notes: a company's row has its name in the whole-name column.
    company_flag: Option<usize>,
}

/// Whether a header names a column saying whether the row is a company ("Is a Company", "is_company",
/// "Company Type", as Odoo's contacts export has them).
fn is_company_flag(header: &str) -> bool {
    matches!(super::mapping::fold(header).as_str(), "isacompany" | "iscompany" | "companytype")
}

/// Whether such a column's cell says the row is a company.
fn says_company(cell: &str) -> bool {
    matches!(cell.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "company" | "wahr" | "vrai" | "ja")
}

/// A whole name with the person's address after it, as HubSpot's deals export names a deal's contact ("Ann Lee
/// (ann@acme.example)") and mail programs write a recipient ("Ann Lee <ann@acme.example>"): the name, and the
/// address. Anything else is all name.
fn name_and_address(cell: &str) -> (&str, Option<&str>) {
    let cell = cell.trim();
    for (open, close) in [('(', ')'), ('<', '>')] {
        let Some(inner) = cell.strip_suffix(close) else { continue };
        let Some((name, address)) = inner.rsplit_once(open) else { continue };
        let address = address.trim();
        let plain = address.contains('@') && !address.contains(char::is_whitespace);
        if plain && !name.trim().is_empty() {
            return (name.trim(), Some(address));
        }
    }
    (cell, None)
}

/// The columns of `targets` that go to a date field.
pub(crate) fn date_columns(targets: &[String]) -> Vec<usize> {
    let is_date = |t: &str| FIELDS.iter().any(|f| f.info.kind == LeadFieldKind::Date && f.info.csv.first() == Some(&t));
    targets.iter().enumerate().filter(|(_, t)| is_date(t)).map(|(i, _)| i).collect()
}

/// The open stages of other CRMs' default pipelines (folded), by the key of this pipeline's stage that is the same
/// step: HubSpot's lead statuses and deal stages, Salesforce's opportunity stages, Pipedrive's, Zoho's and
/// Dynamics'. A step another CRM has and this one lacks ("Prospecting", "Needs Analysis") is none of them.
const OTHER_CRMS_STAGES: &[(&str, &[&str])] = &[
    ("qualification", &["qualified", "qualify", "qualifiedtobuy", "salesqualifiedlead", "qualifiziert", "qualifie"]),
    (
        "engagement",
        &[
            "proposalmade",
            "proposalsent",
            "proposal",
            "proposalpricequote",
            "proposeprice",
            "quote",
            "negotiation",
            "negotiationreview",
            "negotiationsstarted",
            "contractsent",
            "decisionmakerboughtin",
            "presentationscheduled",
            "indiscussion",
            "angebotgesendet",
            "verhandlung",
        ],
    ),
    ("nurture", &["nurture", "nurturing"]),
];

/// The order of day and month a file's dates show when it writes them D/M/YYYY or M/D/YYYY: "25/12/2026" says day
/// first, "12/25/2026" month first, and the file's "03/04/2026" is then read the same way. None when no date
/// tells, or when some say one order and some the other (a file that writes both ways says nothing of a date
/// that could be either: it is refused, saying so, as without the file).
pub(crate) fn date_order_of<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Option<DateOrder> {
    let mut shown = None;
    for v in values {
        match (shown, crate::leads::deal::date_order_shown(v.as_ref())) {
            (_, None) => {}
            (None, Some(order)) => shown = Some(order),
            (Some(a), Some(b)) if a != b => return None,
            _ => {}
        }
    }
    shown
}

/// A whole address in the street's column, its parts two spaces apart, as Mailchimp exports (and imports) its
/// ADDRESS field: "512 Means St.  Suite 400  Atlanta  GA  30318  USA" is street, second line, city, region,
/// postcode and country. Read so only when it has five or six parts and the row gave no other part of the
/// address: a street typed with a double space ("Main St  5") stays as it is.
fn split_whole_address(address: &mut crate::leads::Address) {
    let a = &*address;
    let only_street = [&a.street2, &a.city, &a.postcode, &a.region, &a.country].iter().all(|v| v.is_empty());
    if !only_street || !a.street.contains("  ") {
        return;
    }
    let parts: Vec<String> = a.street.split("  ").map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect();
    let (street, street2, rest) = match parts.len() {
        5 => (&parts[0], "", &parts[1..]),
        6 => (&parts[0], parts[1].as_str(), &parts[2..]),
        _ => return,
    };
    let [city, region, postcode, country] = rest else { return };
    // The postcode holds a digit in every country that has one in an address.
    if !postcode.chars().any(|c| c.is_ascii_digit()) {
        return;
    }
    *address = crate::leads::Address {
        street: street.clone(),
        street2: street2.to_string(),
        city: city.clone(),
        region: region.clone(),
        postcode: postcode.clone(),
        country: country.clone(),
    };
}

/// The column each of a row's emails and phones came from, in the order the lead input lists them.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    emails: Vec<usize>,
    phones: Vec<usize>,
}

/// A formula's error as a spreadsheet shows it, in a workbook's cell or in the CSV it saved: no one's name or
/// company, so the row is refused rather than a lead made of "#N/A".
fn is_spreadsheet_error(value: &str) -> bool {
    // Excel's, then those Google Sheets and LibreOffice add (a failed import, a loading cell, a circular formula).
    // LibreOffice numbers its own, Err:501 to Err:539 ("Err:508" a missing bracket, "Err:511" an argument).
    let libreoffice = value.strip_prefix("Err:").is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()));
    const ERRORS: [&str; 12] = [
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#GETTING_DATA",
        "#SPILL!",
        "#ERROR!",
        "#CALC!",
        "#BUSY!",
    ];
    libreoffice || ERRORS.iter().any(|e| value.eq_ignore_ascii_case(e))
}

impl Mapper {
    /// `mapping` names columns by header; a header the mapping does not name is refused (a column is never
    /// dropped without being told). `owners`: usernames, lower-cased, to ids.
    pub(crate) fn new(
        headers: &[String],
        mapping: &[ColumnMapping],
        owners: HashMap<String, i64>,
        default_source: SourceChannel,
        default_detail: String,
        check_replacement: bool,
    ) -> Result<Self, ImportError> {
        let known: Vec<String> = targets().into_iter().map(|t| t.target).collect();
        let mut targets = Vec::with_capacity(headers.len());
        let mut used: Vec<usize> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            // The n-th column of this header (a header may repeat) takes the n-th mapping entry with its name.
            let nth = headers[..i].iter().filter(|x| *x == h).count();
            let Some((j, m)) = mapping.iter().enumerate().filter(|(_, m)| &m.column == h).nth(nth) else {
                return Err(ImportError::Mapping(format!(
                    "column \"{}\" has no destination: map it to a field, to notes, or ignore it",
                    if h.is_empty() { format!("#{}", i + 1) } else { h.clone() }
                )));
            };
            used.push(j);
            if !known.contains(&m.target) {
                return Err(ImportError::Mapping(format!("\"{}\" is not a lead field (column \"{h}\")", m.target)));
            }
            if single_valued(&m.target) && !joins_columns(&m.target) {
                if let Some(k) = targets.iter().position(|t: &String| *t == m.target) {
                    return Err(ImportError::Mapping(format!(
                        "columns \"{}\" and \"{h}\" both go to {}: a field takes one column",
                        headers[k], m.target
                    )));
                }
            }
            targets.push(m.target.clone());
        }
        if let Some((_, m)) = mapping.iter().enumerate().find(|(j, _)| !used.contains(j)) {
            return Err(ImportError::Mapping(format!("the file has no column \"{}\"", m.column)));
        }
        let suggested = super::suggest_mapping(headers);
        let plain_notes = suggested.iter().map(|s| s.field.as_deref() == Some(TO_NOTES)).collect();
        let mut other_address: Vec<(usize, &'static str)> =
            if targets.iter().any(|t| super::mapping::is_address_part(t)) {
                targets
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| *t == TO_NOTES)
                    .filter_map(|(i, _)| super::mapping::address_part_of(&headers[i]).map(|part| (i, part)))
                    .collect()
            } else {
                Vec::new()
            };
        // A block has a street or a city: a lone region or country sent to the notes is something else's
        // (Mailchimp's REGION and CC, guessed from an IP address).
        if !other_address.iter().any(|(_, part)| matches!(*part, "street" | "city")) {
            other_address.clear();
        }
        let kinds = kind_columns(headers, &targets);
        let whole_addresses =
            (0..headers.len()).filter(|&i| targets[i] == TO_NOTES && is_whole_address(&headers[i])).collect();
        let company_flag = (0..headers.len()).find(|&i| targets[i] == TO_NOTES && is_company_flag(&headers[i]));
        Ok(Self {
            kinds,
            whole_addresses,
            company_flag,
            headers: headers.to_vec(),
            targets,
            plain_notes,
            other_address,
            owners,
            default_source,
            default_detail,
            check_replacement,
            date_order: None,
            stages: Vec::new(),
            lost_reasons: Vec::new(),
        })
    }

    /// The row's emails (or phones) with the work ones first, where the file says each value's kind: Google
    /// Contacts' export gives a person's addresses in the order they were typed, a home one as often first; the
    /// first is the one a confirmation goes to. The kinds stay in the notes, as any column sent there.
    fn work_first(&self, cells: &[String], values: &mut Vec<String>, origins: &mut Vec<usize>) {
        if self.kinds.is_empty() || values.len() < 2 || values.len() != origins.len() {
            return;
        }
        let rank = |column: usize| {
            let kind = self.kinds.iter().find(|(v, _)| *v == column).and_then(|(_, k)| cells.get(*k));
            kind.map_or(1, |k| rank_of_kind(k))
        };
        let mut pairs: Vec<(String, usize)> = values.drain(..).zip(origins.drain(..)).collect();
        pairs.sort_by_key(|(_, column)| rank(*column));
        (*values, *origins) = pairs.into_iter().unzip();
    }

    /// A stage column's values are read as the pipeline's stages (by key or label) and the closed stages as other
    /// CRMs name them; another CRM's own stages ("Prospecting", "Needs Analysis") go to the notes.
    pub(crate) fn reading_stages(
        mut self,
        stages: Vec<(String, String, crate::pipeline::config::StageOutcome)>,
    ) -> Self {
        self.stages = stages;
        self
    }

    /// The key of the stage `value` names: a stage's key or label (any case; a label two pipelines share names
    /// neither), or won and lost as CRMs write them ("Closed Won", "Gewonnen").
    fn stage_of(&self, value: &str) -> Option<String> {
        use crate::pipeline::config::StageOutcome;
        let v = value.trim();
        if let Some((key, ..)) = self.stages.iter().find(|(key, ..)| key.eq_ignore_ascii_case(v)) {
            return Some(key.clone());
        }
        let lower = v.to_lowercase();
        let labelled: Vec<&String> =
            self.stages.iter().filter(|(_, label, _)| label.to_lowercase() == lower).map(|(key, ..)| key).collect();
        if let [key] = labelled[..] {
            return Some(key.clone());
        }
        let folded = super::mapping::fold(v);
        let outcome = match folded.as_str() {
            "closedwon" | "won" | "gewonnen" | "gagne" | "ganado" | "vinto" | "ganho" => StageOutcome::Won,
            "closedlost" | "lost" | "verloren" | "perdu" | "perdido" | "perso" => StageOutcome::Lost,
            // Zoho's "Closed Lost to Competition", Dynamics' "Closed - Won".
            f if f.starts_with("closedlost") => StageOutcome::Lost,
            f if f.starts_with("closedwon") => StageOutcome::Won,
            f => {
                // The open stages other CRMs ship with, as the stage of this pipeline that is the same step: a
                // "Qualified" lead has been qualified, a "Proposal Made" is in discussion. Only to a stage of
                // the default pipeline's keys that is still there; any other goes to the notes.
                let key = OTHER_CRMS_STAGES.iter().find(|(_, names)| names.contains(&f)).map(|(key, _)| *key)?;
                return self.stages.iter().find(|(k, ..)| k == key).map(|(k, ..)| k.clone());
            }
        };
        self.stages.iter().find(|(.., o)| *o == outcome).map(|(key, ..)| key.clone())
    }

    /// Who a row names, from its cells as they are: a row refused before it could be read whole (an owner no
    /// user is, a cell no field takes) is said to be whose, not a blank.
    pub(crate) fn name_of(&self, row: &RawRow) -> String {
        let cell = |target: &str| {
            let i = self.targets.iter().position(|t| t == target);
            i.and_then(|i| row.cells.get(i)).map_or("", |v| v.trim())
        };
        let name = format!("{} {}", cell("first_name"), cell("last_name")).trim().to_string();
        if !name.is_empty() {
            return name;
        }
        match cell(FULL_NAME) {
            "" => cell("company").to_string(),
            whole => name_and_address(whole.split(';').next().unwrap_or(whole)).0.to_string(),
        }
    }

    /// Whether stage `key` closes a deal (won or lost).
    fn closes(&self, key: &str) -> bool {
        use crate::pipeline::config::StageOutcome;
        self.stages.iter().any(|(k, .., o)| k == key && *o != StageOutcome::Open)
    }

    /// A lost-reason column's values are read as the configured reasons (by key or label); another CRM's own
    /// ("Price too high") goes to the notes, so the row is refused for a reason missing, which an
    /// Administrator's override passes, rather than for one no override could bring in.
    pub(crate) fn reading_lost_reasons(mut self, reasons: Vec<(String, String)>) -> Self {
        self.lost_reasons = reasons;
        self
    }

    /// Dates that could be read both ways are read in `order`, the order the file's other dates show.
    pub(crate) fn reading_dates(mut self, order: Option<DateOrder>) -> Self {
        self.date_order = order;
        self
    }

    pub(crate) fn targets(&self) -> &[String] {
        &self.targets
    }

    /// Names a validation error's field (`emails.0`, `company`) by the column its value came from, so a user
    /// fixing the file knows which cell to look at: an email or phone by where [`Self::read`] took it (several
    /// columns fill them, "Mobile Phone" the first when "Business Phone" is empty).
    pub(crate) fn name_columns(&self, errors: &mut [FieldError], origins: &Origins) {
        for e in errors {
            let listed = e.field.split_once('.').and_then(|(list, n)| {
                let n: usize = n.parse().ok()?;
                match list {
                    "emails" => origins.emails.get(n),
                    "phones" => origins.phones.get(n),
                    _ => None,
                }
            });
            if let Some(&i) = listed {
                e.field = self.headers[i].clone();
                continue;
            }
            let target = crate::leads::csv::csv_column(&e.field);
            // A field several columns fill (the notes, from every column no field takes) is no one column's
            // fault: named after the first, the sender would be told to shorten a value that is not too long.
            if self.targets.iter().filter(|x| x.as_str() == target).count() > 1 {
                continue;
            }
            let from = |t: &str| self.targets.iter().position(|x| x == t);
            let column = from(target)
                .or_else(|| matches!(target, "first_name" | "last_name").then(|| from(FULL_NAME)).flatten());
            if let Some(i) = column {
                e.field = self.headers[i].clone();
            }
        }
    }

    /// Columns whose values go nowhere.
    pub(crate) fn ignored(&self) -> Vec<String> {
        self.headers.iter().zip(&self.targets).filter(|(_, t)| *t == IGNORE).map(|(h, _)| h.clone()).collect()
    }

    /// [`Self::read`] without where the values came from.
    #[cfg(test)]
    pub(crate) fn to_input(&self, row: &RawRow) -> Result<LeadInput, Vec<FieldError>> {
        self.read(row).0
    }

    /// [`Self::to_input`], with the column each email and phone came from (see [`Self::name_columns`]).
    pub(crate) fn read(&self, row: &RawRow) -> (Result<LeadInput, Vec<FieldError>>, Origins) {
        let mut origins = Origins::default();
        let width = self.headers.len();
        // A header line ending with a separator names no column past its last name: a row that stops there is
        // whole, as in an export that ends its header line (and only it) with a separator.
        let named = self.headers.iter().rposition(|h| !h.trim().is_empty()).map_or(0, |i| i + 1);
        let extra_filled = row.cells.iter().skip(width).any(|c| !c.trim().is_empty());
        if row.cells.len() < named || extra_filled {
            let mut message = format!("has {} cells where the header has {width}", row.cells.len());
            // `Ann, "Lee, Jr."`: a quote after a space opens no quoted value, so its comma splits it.
            if row.cells.iter().any(|c| c.trim_start() != c && c.trim_start().starts_with('"')) {
                message.push_str(
                    ": a quote after a space (, \") opens no quoted value; remove the space before the quote",
                );
            }
            return (Err(vec![FieldError::new("row", message)]), origins);
        }
        if let Some(word) = totals_row(&row.cells) {
            let message = format!("a totals line (“{word}”), {}", super::footers::LEFT_OUT);
            return (Err(vec![FieldError::new("row", message)]), origins);
        }
        let mut errors = Vec::new();
        let mut input = LeadInput::default();
        let (mut other_email_origins, mut other_phone_origins) = (Vec::new(), Vec::new());
        // Columns mapped to the email (phone) field come first, in column order: the first is the primary.
        let (mut emails, mut other_emails, mut phones, mut other_phones) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut notes = Vec::new();
        // The column the row's stage was read from, and its value: a later column's won or lost replaces it.
        let mut stage_read: Option<(usize, String)> = None;
        let mut source_text = String::new();
        let mut full_name = (String::new(), String::new());
        // Addresses written beside a whole name ("Ann Lee (ann@acme.example)"), with their column.
        let mut named_emails: Vec<(usize, String)> = Vec::new();
        let mut other_address: Vec<(usize, String)> = Vec::new();
        let mut whole_addresses: Vec<(usize, String)> = Vec::new();
        for (i, target) in self.targets.iter().enumerate() {
            // FileMaker exports a line break inside a field as a vertical tab.
            let cell = row.cells.get(i).map_or("", String::as_str);
            // A guarded cell (Rapport's export, and the rejects file, put an apostrophe before what a
            // spreadsheet would run) is text as it stands: `'="ABC"` is the company `="ABC"`, not the formula's
            // value, nor a link to follow.
            let trimmed = cell.trim();
            let unguarded = unguard_cell(trimmed);
            let (value, link) = if unguarded.len() < trimmed.len() {
                (std::borrow::Cow::Borrowed(unguarded), None)
            } else {
                cell_value(trimmed, target)
            };
            let value = value.replace('\u{b}', "\n");
            if let Some(link) = link.filter(|_| target != IGNORE) {
                notes.push(labelled(&self.headers[i], &link));
            }
            if self.check_replacement && value.contains('\u{fffd}') {
                let message = "holds bytes that are not text in the file's encoding (the file mixes encodings)";
                errors.push(FieldError::new(self.headers[i].clone(), message));
                continue;
            }
            if value.is_empty() || is_missing_mark(&value, target) {
                continue;
            }
            // A formula's error where a field's value should be is refused; in the notes (a helper column the
            // file carries along, a failed lookup) it is kept as the spreadsheet shows it, and the row imports.
            if target != IGNORE && target != TO_NOTES && is_spreadsheet_error(&value) {
                let message =
                    format!("the spreadsheet shows an error here ({value}): fix the formula, or clear the cell");
                errors.push(FieldError::new(self.headers[i].clone(), message));
                continue;
            }
            // Kept in the notes as the file has it, nothing lost; the row is not refused for it.
            let contact = matches!(target.as_str(), "email" | "other_emails" | "phone" | "other_phones");
            // Outlook gives a colleague on the same Exchange server an X.500 address ("/o=ExchangeLabs/ou=…"),
            // no address mail can go to: kept in the notes, the row is not refused for it.
            let exchange = matches!(target.as_str(), "email" | "other_emails")
                && value.get(..3).is_some_and(|h| h.eq_ignore_ascii_case("/o="));
            if contact && (no_value(&value) || exchange) {
                notes.push(labelled(&self.headers[i], &value));
                continue;
            }
            match target.as_str() {
                IGNORE => {}
                "email" | "other_emails" | "phone" | "other_phones" => {
                    let email = matches!(target.as_str(), "email" | "other_emails");
                    let values = cell_values(&value, if email { Separators::Addresses } else { Separators::Phones });
                    let (list, from) = match target.as_str() {
                        "email" => (&mut emails, &mut origins.emails),
                        "other_emails" => (&mut other_emails, &mut other_email_origins),
                        "phone" => (&mut phones, &mut origins.phones),
                        _ => (&mut other_phones, &mut other_phone_origins),
                    };
                    from.extend(std::iter::repeat_n(i, values.len()));
                    list.extend(values);
                }
                "tags" => input.tags.extend(tag_values(&value)),
                TO_NOTES if self.plain_notes[i] => notes.push(value),
                TO_NOTES if self.other_address.iter().any(|(c, _)| *c == i) => other_address.push((i, value)),
                TO_NOTES if self.whole_addresses.contains(&i) => whole_addresses.push((i, value)),
                TO_NOTES if self.headers[i].trim().is_empty() => {
                    notes.push(labelled(&format!("Column {}", i + 1), &value))
                }
                // Outlook writes its defaults in every row ("Gender: Unspecified", "Anniversary: 0/0/00"): they
                // say nothing of the person, and would bury the notes that do.
                TO_NOTES if is_outlook_default(&self.headers[i], &value) => {}
                TO_NOTES => notes.push(labelled(&self.headers[i], &value)),
                // Exports that keep the house number apart ("Straße", "Hausnummer"; FEBRL's "street_number",
                // "address_1") give the street in two columns: joined in column order, as each country writes it.
                "street" if !input.address.street.is_empty() => {
                    input.address.street = format!("{} {value}", input.address.street);
                }
                // A surname in parts ("van der" "Berg", "García" "López"), joined in column order.
                "last_name" if !input.last_name.is_empty() => {
                    input.last_name = format!("{} {value}", input.last_name);
                }
                "source" => source_text = value,
                // Another CRM's stage this pipeline does not have is kept in the notes; the lead starts where a new
                // lead does. Refused, every row of a Salesforce export was.
                // Several stage columns (Pipedrive's stage, then its status): a deal won or lost is so whatever
                // stage it closed from, which is kept in the notes; an open stage beside it is only where it was.
                "stage" if !self.stages.is_empty() => match self.stage_of(&value) {
                    Some(key) if stage_read.is_some() && key == input.stage => {}
                    Some(key) if stage_read.is_none() || !self.closes(&input.stage) && self.closes(&key) => {
                        if let Some((j, earlier)) = stage_read.replace((i, value.clone())) {
                            notes.push(labelled(&self.headers[j], &earlier));
                        }
                        input.stage = key;
                    }
                    _ => notes.push(labelled(&self.headers[i], &value)),
                },
                "lost_reason" if !self.lost_reasons.is_empty() => {
                    match crate::leads::deal::match_lost_reason(&value, &self.lost_reasons) {
                        Ok(key) => input.deal.lost_reason = key,
                        Err(_) => notes.push(labelled(&self.headers[i], &value)),
                    }
                }
                // Written as a decimal by a spreadsheet or a data tool ("2110.0"): the ".0" is no part of it.
                "postcode" => input.address.postcode = crate::leads::phone::without_float_tail(&value).to_string(),
                FULL_NAME => {
                    // A deal's several contacts in one cell (HubSpot's "Associated Contact": "Ann Lee (ann@…);Ben
                    // Ray (ben@…)"): the first is the lead, the others other people, kept in the notes; their
                    // name and address ran together into one name.
                    let contacts: Vec<&str> = value.split(';').map(str::trim).filter(|c| !c.is_empty()).collect();
                    let each_addressed = contacts.len() > 1 && contacts.iter().all(|c| name_and_address(c).1.is_some());
                    let value = if each_addressed {
                        for other in &contacts[1..] {
                            notes.push(labelled(&self.headers[i], other));
                        }
                        contacts[0].to_string()
                    } else {
                        value
                    };
                    let (name, address) = name_and_address(&value);
                    if let Some(address) = address {
                        named_emails.push((i, address.to_string()));
                    }
                    full_name = (self.headers[i].clone(), name.to_string());
                }
                "owner" => match self.owners.get(&value.to_lowercase()) {
                    Some(id) => input.owner_id = Some(*id),
                    None => errors.push(FieldError::new("owner", format!("no user is named \"{value}\""))),
                },
                other => {
                    if let Some(f) = FIELDS.iter().find(|f| f.info.csv.first() == Some(&other)) {
                        // Put as YYYY-MM-DD only when the order reads it: anything else is validated as written,
                        // and refused with why.
                        let date = (f.info.kind == LeadFieldKind::Date && self.date_order.is_some())
                            .then(|| crate::leads::deal::normalize_date_in(&value, self.date_order).ok())
                            .flatten();
                        (f.set)(&mut input, date.as_deref().unwrap_or(&value));
                    }
                }
            }
        }
        // Columns of their own name the first and last name; a full name fills only what they left empty.
        let (full_name_column, full_name) = full_name;
        // A whole name typed into the first-name column, beside an empty last name and a column of the whole
        // name (Wave's contact_first_name "Jessica Jones" beside customer_name "Jessica Jones"): the whole name
        // column says how it splits; it was all a first name.
        if input.last_name.is_empty()
            && full_name.split_whitespace().count() > 1
            && input.first_name.trim().eq_ignore_ascii_case(full_name.trim())
        {
            input.first_name.clear();
        }
        // A whole name that says no more than the name columns ("Pieter" beside a first name "Pieter" and no
        // surname, as Google's and Pipedrive's exports write a one-word name) fills nothing: "Pieter Pieter".
        let held = |name: &str| {
            let given: Vec<&str> =
                input.first_name.split_whitespace().chain(input.last_name.split_whitespace()).collect();
            name.split_whitespace().all(|w| given.contains(&w.trim_end_matches(',')))
        };
        // A customer list's name column holds the company's name when the customer is a company (QuickBooks and
        // Odoo write it there as well as in the company column; "1616 Investments, LLC"): it was split into a
        // person's first and last name ("LLC", "1616 Investments").
        let same_as_company = full_name.trim().eq_ignore_ascii_case(input.company.trim());
        let flagged = self.company_flag.and_then(|i| row.cells.get(i)).is_some_and(|c| says_company(c));
        if !full_name.is_empty()
            && (same_as_company || (input.company.is_empty() && (flagged || names_a_company(&full_name))))
        {
            if input.company.is_empty() {
                input.company.clone_from(&full_name);
            }
        } else if !full_name.is_empty() && !held(&full_name) {
            let (first, last) = if super::names::names_two_surnames(&full_name_column) {
                super::names::split_with_two_surnames(&full_name)
            } else {
                super::names::split_full_name(&full_name)
            };
            if input.first_name.is_empty() && input.last_name.is_empty() {
                (input.first_name, input.last_name) = (first, last);
            } else if input.last_name.is_empty() {
                // Beside a first-name column and no last-name one, a name column is the surname.
                let surname_column = !self.targets.iter().any(|t| t == "last_name");
                let surname = surname_column.then(|| surname_beside(&input.first_name, &full_name)).flatten();
                input.last_name = surname.unwrap_or(last);
            } else if input.first_name.is_empty() {
                // A cell the library could not split is all "last name": here it is the name still missing.
                input.first_name = if first.is_empty() { last } else { first };
            }
            // Nothing of the cell vanishes: a word the names do not hold (a title, or a name the file's own
            // columns give otherwise) keeps the whole cell in the notes.
            // Whole words: "Chris" is not held by "Christopher", nor "Li" by "Lin".
            let kept = format!("{} {}", input.first_name, input.last_name);
            let kept: Vec<&str> = kept.split_whitespace().collect();
            let mut words = full_name.split_whitespace().map(|w| w.trim_end_matches(',')).filter(|w| !w.is_empty());
            if words.any(|w| !kept.contains(&w)) {
                notes.push(format!("{full_name_column}: {full_name}"));
            }
        }
        for (i, address) in named_emails {
            if !emails.iter().chain(&other_emails).any(|e: &String| e.eq_ignore_ascii_case(&address)) {
                other_emails.push(address);
                other_email_origins.push(i);
            }
        }
        emails.extend(other_emails);
        phones.extend(other_phones);
        origins.emails.extend(other_email_origins);
        origins.phones.extend(other_phone_origins);
        self.work_first(&row.cells, &mut emails, &mut origins.emails);
        self.work_first(&row.cells, &mut phones, &mut origins.phones);
        input.emails = emails;
        input.phones = phones;
        // A channel by name ("web form", "partner") is the lead's channel. Another CRM's lead source ("LinkedIn",
        // "Trade show") says in words where the lead came from: it is the detail of the channel it came through
        // (this import's), or a note when the file also has a detail column. Refusing it refused every row.
        let parsed = SourceChannel::parse(&source_text);
        input.source = Some(parsed.unwrap_or(self.default_source));
        if parsed.is_none() && !source_text.is_empty() {
            if input.source_detail.is_empty() {
                input.source_detail = source_text.clone();
            } else {
                notes.push(format!("Source: {source_text}"));
            }
        }
        // A row whose mapped address is empty takes the file's other address block (a personal contact's Home
        // address in Outlook's export, which maps the Business one): its country then reads its phone numbers
        // too. Otherwise that block stays in the notes, as any column sent there.
        // No street and no city: the mapped block holds no address (a part of the other block may have been
        // mapped, where the mapped block has no such column).
        let no_address = input.address.street.is_empty() && input.address.city.is_empty();
        for (i, value) in other_address {
            let part = self.other_address.iter().find(|(c, _)| *c == i).map(|(_, p)| *p);
            let field = match (no_address, part) {
                (true, Some("street")) => &mut input.address.street,
                (true, Some("street2")) => &mut input.address.street2,
                (true, Some("city")) => &mut input.address.city,
                (true, Some("postcode")) => &mut input.address.postcode,
                (true, Some("region")) => &mut input.address.region,
                (true, Some("country")) => &mut input.address.country,
                _ => {
                    notes.push(labelled(&self.headers[i], &value));
                    continue;
                }
            };
            if field.is_empty() {
                *field = value;
            } else {
                // The same part again (a third block, Outlook's "Other City"): kept apart, in the notes.
                notes.push(labelled(&self.headers[i], &value));
            }
        }
        // An address written whole that the lead's address already holds, word for word, is not repeated in the
        // notes: Google's "Address 1 - Formatted" beside the street, city and postcode it was made of. Any other
        // (the home address's, one with a word the parts lack) is kept there.
        let a = &input.address;
        let held: HashSet<String> = [&a.street, &a.street2, &a.city, &a.region, &a.postcode, &a.country]
            .into_iter()
            .flat_map(|part| super::mapping::words_of(part))
            .collect();
        for (i, value) in whole_addresses {
            if held.is_empty() || !super::mapping::words_of(&value).iter().all(|w| held.contains(w)) {
                notes.push(labelled(&self.headers[i], &value));
            }
        }
        input.notes = notes.join("\n");
        // The file (or the source named for the run) stays the detail of a row that names its channel only: a
        // lead is traceable to the import it came in by.
        if input.source_detail.is_empty() && (source_text.is_empty() || parsed.is_some()) {
            input.source_detail = self.default_detail.clone();
        }
        split_whole_address(&mut input.address);
        // A spreadsheet keeps a postcode as a number (Dresden's 01067 as 1067): the row's country says how many
        // digits it had, and how its postcodes are written ("D-80331" and "sw1a1aa" are another system's or a
        // hurried hand's). Only a file's, and only with the country given: a postcode typed in the form, or one of
        // a lead whose country is unknown, stays as it is.
        if let Some(region) = crate::leads::region_of_country(&input.address.country) {
            input.address.postcode = crate::leads::postcode_of_country(&input.address.postcode, &region);
        }
        // A row that names no one and no way to reach anyone (LinkedIn's connection who hid everything but the
        // date, a line of a report's layout) is no lead: saved, it is an "(unnamed lead)" Draft, and another at
        // every import of the file.
        // Another system's reference is someone too: that system's record.
        let anonymous = [&input.first_name, &input.last_name, &input.company, &input.external_ref]
            .iter()
            .all(|v| v.trim().is_empty())
            && input.emails.iter().chain(&input.phones).all(|v| v.trim().is_empty());
        if anonymous && errors.is_empty() {
            let message = "names no one (no name, company, email or phone): nothing to make a lead of";
            errors.push(FieldError::new("row", message));
        }
        (if errors.is_empty() { Ok(input) } else { Err(errors) }, origins)
    }
}

/// The surname a name column holds beside a first-name column of its own, as German and Dutch lists give them
/// ("Name;Vorname", "Naam;Voornaam"): the whole cell, particles and all ("von Goethe", "van der Berg"), when it
/// holds no word of the first name. None when it does ("Anna van der Berg", "Dr. Anna Berg", "John A. Smith":
/// a full name, which the split reads) or is written "Last, First". Split as a full name, "von Goethe" lost its
/// "von".
fn surname_beside(first: &str, cell: &str) -> Option<String> {
    let cell = cell.trim();
    let given: Vec<String> = first.split_whitespace().map(str::to_lowercase).collect();
    let shares_a_word = cell.split_whitespace().any(|w| given.contains(&w.trim_end_matches(',').to_lowercase()));
    let whole = !cell.is_empty() && !cell.contains(',') && !shares_a_word;
    whole.then(|| cell.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The mapping a file gets without being told: the suggestion per header, notes for the rest (a column is
/// never dropped unless the user says so).
pub fn default_mapping(headers: &[String]) -> Vec<ColumnMapping> {
    default_mapping_seen(headers, &[])
}

/// [`default_mapping`], told by the file's first rows what the headers leave open (see
/// [`super::mapping::suggest_mapping_seen`]).
pub fn default_mapping_seen(headers: &[String], sample: &[Vec<String>]) -> Vec<ColumnMapping> {
    let canonical = canonical_columns();
    // Rapport's own export, told by the columns only it writes together: its id, status and times are not
    // imported (an id is not a reference). Another system's "ID" is its reference, and its "Status" ("Open -
    // Not Contacted") goes to the notes, as any column would.
    let read_only = crate::leads::csv::READ_ONLY_COLUMNS;
    let own_export = read_only.iter().all(|c| headers.iter().any(|h| h.trim().eq_ignore_ascii_case(c)));
    super::mapping::suggest_mapping_seen(headers, sample)
        .into_iter()
        .map(|s| {
            let own_export_only = own_export && read_only.contains(&s.column.trim().to_lowercase().as_str());
            let target = match s.field {
                _ if own_export_only || s.column == super::model::ERROR_COLUMN => IGNORE.to_string(),
                Some(f) => f,
                // A column without a header too (named by its place there): an export's trailing empty column
                // adds nothing, one a person typed into keeps what they typed.
                None => TO_NOTES.to_string(),
            };
            debug_assert!(
                target == IGNORE || target == TO_NOTES || target == FULL_NAME || canonical.contains(&target.as_str())
            );
            ColumnMapping { column: s.column, target }
        })
        .collect()
}

/// What may separate several values in one email, phone or tags cell.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Separators {
    /// Email addresses: ";", ",", a line break, or Google Contacts' " ::: ".
    Addresses,
    /// Tags: the same but ",", which some write inside a tag ("Berlin, Mitte" beside a ";").
    Items,
    /// Phone numbers: as tags ("," is written inside numbers), and a number's parameter after ";"
    /// (`+14155552671;ext=12`, RFC 3966, as Rapport's export writes an extension) stays on its number.
    Phones,
}

/// The values of one email, phone or tags cell: exports put several in one ("a@x.de; b@y.de", "a@x.de ::: b@y.de"
/// from Google Contacts, one per line). The first of the lead's first email (phone) column is its primary one.
pub(crate) fn cell_values(value: &str, separators: Separators) -> Vec<String> {
    let splits = |c: char| c == ';' || c == '\n' || c == '\r' || (c == ',' && separators == Separators::Addresses);
    // A comma is no separator of phones (dial strings pause with it: "555 0100,,12"), but before a "+" it
    // starts another number in its international form: "+31 20 123 4567, +31 6 12345678" is two. So does a
    // comma and a space between two whole numbers, as an address book's "Phones (,)" column lists them
    // ("66870851776, 89053579666"); a short tail ("555 0100, 12") stays the number's.
    let digits = |text: &str| text.chars().filter(char::is_ascii_digit).count();
    let value = if separators == Separators::Phones && value.contains(',') {
        let mut joined = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(at) = rest.find(',') {
            let before = &rest[..at];
            joined.push_str(before);
            let after = &rest[at + 1..];
            let next = after.split([',', ';']).next().unwrap_or_default();
            let listed = after.starts_with(char::is_whitespace)
                && next.trim_start().starts_with(|c: char| c.is_ascii_digit() || c == '(')
                && digits(before.rsplit(';').next().unwrap_or_default()) >= 7
                && digits(next) >= 7;
            joined.push(if after.trim_start().starts_with('+') || listed { ';' } else { ',' });
            rest = after;
        }
        joined.push_str(rest);
        std::borrow::Cow::Owned(joined)
    } else {
        std::borrow::Cow::Borrowed(value)
    };
    let mut values: Vec<String> = Vec::new();
    for part in value.split(":::") {
        let mut after_semicolon = false;
        let mut rest = part;
        loop {
            // A display name in quotes ("Lee, Ann" <ann@lee.io>, as mail programs copy an address) holds its comma.
            let outside_quotes = |text: &str| {
                let mut quoted = false;
                text.char_indices().find(|&(_, c)| {
                    if c == '"' && separators == Separators::Addresses {
                        quoted = !quoted;
                    }
                    !quoted && splits(c)
                })
            };
            let (piece, separator) = match outside_quotes(rest).map(|(at, _)| at) {
                Some(at) => (&rest[..at], rest[at..].chars().next()),
                None => (rest, None),
            };
            let trimmed = piece.trim();
            match values.last_mut() {
                Some(number) if separators == Separators::Phones && after_semicolon && is_phone_parameter(trimmed) => {
                    number.push(';');
                    number.push_str(trimmed);
                }
                _ if trimmed.is_empty() => {}
                // Addresses one after another with only spaces or slashes between ("ann@x.io / ann@y.io"): an
                // address holds neither, and the row was refused for a cell of several.
                _ if separators == Separators::Addresses && several_addresses(trimmed) => values.extend(
                    trimmed.split(|c: char| c.is_whitespace() || c == '/').filter(|a| !a.is_empty()).map(String::from),
                ),
                _ => values.push(trimmed.to_string()),
            }
            let Some(c) = separator else { break };
            after_semicolon = c == ';';
            rest = &rest[piece.len() + c.len_utf8()..];
        }
    }
    values
}

/// Whether `piece` is addresses with only spaces or slashes between them: each word of it holds an "@", and
/// there are two words at least. A display name ("Ann Lee <ann@lee.io>") has words without one.
fn several_addresses(piece: &str) -> bool {
    let mut words = piece.split(|c: char| c.is_whitespace() || c == '/').filter(|w| !w.is_empty());
    let mut count = 0;
    words.all(|w| {
        count += 1;
        w.matches('@').count() == 1 && !w.contains(['<', '>', '"'])
    }) && count >= 2
}

/// `ext=12`: a phone number's parameter (RFC 3966), not a number.
fn is_phone_parameter(piece: &str) -> bool {
    piece.split_once('=').is_some_and(|(key, _)| {
        key.starts_with(|c: char| c.is_ascii_alphabetic()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The tags of one cell. Google Contacts marks its own groups with "* " ("* starred", "* myContacts"): the
/// marker comes off, and the group every contact of the account is in ("myContacts", "My Contacts" in older
/// exports) is no tag at all: it would be on every lead and say nothing.
pub(crate) fn tag_values(value: &str) -> Vec<String> {
    // Mailchimp writes a contact's tags quoted, comma-separated, in one cell: "VIP","Blog".
    let trimmed = value.trim();
    if trimmed.len() > 1 && trimmed.starts_with('"') && trimmed.ends_with('"') && trimmed.contains("\",\"") {
        let inner = &trimmed[1..trimmed.len() - 1];
        return inner.split("\",\"").flat_map(tag_values).collect();
    }
    // A cell with no other separator lists its tags with commas: Pipedrive's labels and Zoho's tags ("Hot lead,
    // Customer") were one tag each.
    let separators = if value.contains([';', '\n', '\r']) || value.contains(":::") {
        Separators::Items
    } else {
        Separators::Addresses
    };
    cell_values(value, separators)
        .into_iter()
        .filter_map(|tag| match tag.strip_prefix("* ") {
            Some(group) if group.eq_ignore_ascii_case("mycontacts") || group.eq_ignore_ascii_case("my contacts") => {
                None
            }
            Some(group) => Some(group.trim().to_string()).filter(|g| !g.is_empty()),
            None => Some(tag),
        })
        .collect()
}

/// The text of a cell written as an Excel text formula (`="01067"`): exports write postcodes, phone numbers and
/// ids so, to keep a spreadsheet from dropping their leading zeros. Taken as the formula's text, a postcode would
/// be refused or stored with `="` around it.
/// A cell's value for column `target`, and a link's address the value does not hold (the caller keeps it in the
/// notes). A link saved as its formula is its address in an email or phone column (a `mailto:` or `tel:` link,
/// whatever it shows); in the notes, the text it shows with where it leads; in another field (a name, a company),
/// the text it shows: "Acme (https://acme.example)" is no company's name, and would not match "Acme" for
/// duplicates. A text formula is its text.
fn cell_value<'a>(cell: &'a str, target: &str) -> (std::borrow::Cow<'a, str>, Option<String>) {
    use std::borrow::Cow::Owned;
    let Some(link) = hyperlink(cell) else { return (text_formula_value(cell), None) };
    let address = link.target.get(link.scheme.len()..).unwrap_or_default().trim().to_string();
    let contact = match target {
        "email" | "other_emails" => link.scheme.eq_ignore_ascii_case("mailto:"),
        "phone" | "other_phones" => link.scheme.eq_ignore_ascii_case("tel:"),
        _ => false,
    };
    if contact && !address.is_empty() {
        return (Owned(address), None);
    }
    match link.shown.filter(|text| !text.trim().is_empty()) {
        None => (Owned(address), None),
        Some(text) if address.is_empty() || text.trim() == address || text.trim() == link.target => (Owned(text), None),
        Some(text) if target == TO_NOTES => (Owned(format!("{text} ({address})")), None),
        Some(text) => (Owned(text), Some(address)),
    }
}

fn text_formula_value(cell: &str) -> std::borrow::Cow<'_, str> {
    let inner = cell.strip_prefix("=\"").and_then(|rest| rest.strip_suffix('"'));
    match inner {
        Some(text) if !text.replace("\"\"", "").contains('"') => std::borrow::Cow::Owned(text.replace("\"\"", "\"")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// A link cell saved as its formula (`=HYPERLINK("mailto:ann@lee.io","ann@lee.io")`, Excel's and Google
/// Sheets' links, with `;` between the arguments in some locales): where it leads and what it shows. Taken as
/// written, the cell's comma split it into two broken addresses.
struct Hyperlink {
    /// As written, its scheme included.
    target: String,
    /// `mailto:` or `tel:` as written in front of the target (any case), else empty.
    scheme: String,
    shown: Option<String>,
}

fn hyperlink(cell: &str) -> Option<Hyperlink> {
    let t = cell.trim();
    let head = t.get(..11)?;
    if !head.eq_ignore_ascii_case("=HYPERLINK(") || !t.ends_with(')') {
        return None;
    }
    // The arguments: quoted strings, "" inside one a quote, separated by , or ;.
    let mut args: Vec<String> = Vec::new();
    let mut chars = t[11..t.len() - 1].chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next()? != '"' {
            return None;
        }
        let mut arg = String::new();
        loop {
            match chars.next()? {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    arg.push('"');
                }
                '"' => break,
                c => arg.push(c),
            }
        }
        args.push(arg);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some(',' | ';') if args.len() < 2 => continue,
            Some(_) => return None,
        }
    }
    let target = args.first()?.trim().to_string();
    let scheme = ["mailto:", "tel:"]
        .iter()
        .find_map(|p| target.get(..p.len()).filter(|h| h.eq_ignore_ascii_case(p)).map(str::to_string))
        .unwrap_or_default();
    let shown = args.get(1).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Some(Hyperlink { target, scheme, shown })
}

/// Whether a whole name is a company's, by the legal form it ends with ("Coastal Build Pty Ltd", "3JO Services
/// Inc.", "Müller GmbH"), as the matcher reads legal forms; not by one of two letters, which are people's surnames
/// too ("Maria Sa", "Bo Ag").
fn names_a_company(name: &str) -> bool {
    let folded = rapport_match::normalize::fold(name);
    let last_is_long = folded.split_whitespace().last().is_some_and(|w| w.chars().count() >= 3);
    last_is_long && super::sniff::ends_with_legal_form(name)
}

/// What data tools write for a value they do not have, case and all: R (`NA`, `<NA>`), SQL dumps (`NULL`,
/// `null`, MySQL's `\N`), pandas and NumPy (`NaN`). Not "nan" or "Null", which are people's names in a file
/// written in one case, nor a person's "n/a" or "none" (see [`no_value`]).
const MISSING_MARKS: [&str; 6] = ["NA", "<NA>", "NULL", "null", "\\N", "NaN"];

/// Whether a cell is a data tool's mark of a missing value: no value, in any column (a company "NA" or a town
/// "NULL" on every lead of an R or SQL export would pair them all as alike). "NA" in a country column is
/// Namibia's code.
fn is_missing_mark(value: &str, target: &str) -> bool {
    MISSING_MARKS.contains(&value) && !(value == "NA" && target == "country")
}

/// What people write where they have no email or phone to give, folded (letters and digits only).
/// A yes or no is a flag about the address ("verified_email": true, as Shopify sends it), not one.
const NO_VALUE: &[&str] = &[
    "",
    "na",
    "0",
    "none",
    "null",
    "nil",
    "tbd",
    "unknown",
    "keine",
    "ka",
    "unbekannt",
    "aucun",
    "nd",
    "true",
    "false",
    "yes",
    "no",
];

/// Whether a cell of an email or phone column says there is none ("n/a", "-", "0", "keine", "?").
fn no_value(cell: &str) -> bool {
    NO_VALUE.contains(&super::mapping::fold(cell).as_str())
}

/// Words a sheet's totals line starts with, folded.
const TOTALS: &[&str] = &[
    "total",
    "totals",
    "grandtotal",
    "subtotal",
    "sum",
    "summe",
    "gesamt",
    "gesamtsumme",
    "insgesamt",
    "zwischensumme",
    "somme",
    "totale",
    "totaal",
    "suma",
    "soma",
];

/// The word a totals line starts with (its first filled cell, "Summe" or "Total:"), when every other filled cell
/// is a number, an amount or a count: no person's row looks so, since a name comes with an address or a phone.
fn totals_row(cells: &[String]) -> Option<String> {
    let mut filled = cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let first = filled.next()?;
    let word = super::mapping::fold(first);
    let amount = |c: &str| {
        c.chars().any(|ch| ch.is_ascii_digit())
            && c.chars().all(|ch| {
                ch.is_ascii_digit() || " .,'-+%()€$£¥".contains(ch) || ch.is_alphabetic() && ch.is_uppercase()
            })
    };
    (TOTALS.contains(&word.as_str()) && filled.all(amount)).then(|| first.to_string())
}

/// Whether a header names an address written whole, beside its parts ("Address 1 - Formatted").
fn is_whole_address(header: &str) -> bool {
    let words = super::mapping::words_of(header);
    words.iter().any(|w| w == "formatted") && words.iter().any(|w| w == "address")
}

/// A column's value in the notes under its name, on one line per column: a header's line breaks (a
/// spreadsheet's "Phone\n(mobile)") become spaces, and the lines of a multi-line value after its first are
/// indented, so that a comment typed as "…\nEmail: x@y.z" never reads as a line of another column.
/// Columns Outlook's contacts export fills in every row with a default, in the languages it writes them, and
/// their defaults (folded): "Gender" "Unspecified", "Priority" "Normal", "Private" "False", "E-mail Type" "SMTP".
const OUTLOOK_DEFAULTS: &[(&[&str], &[&str])] = &[
    (
        &["gender", "geschlecht", "sexe", "genere", "genero", "geslacht"],
        &["unspecified", "nichtangegeben", "nonspecifie", "nonspecificato", "noespecificado", "nietopgegeven"],
    ),
    (&["priority", "prioritat", "priorite", "priorita", "prioridad", "prioriteit"], &["normal", "normale", "normaal"]),
    (
        &[
            "sensitivity",
            "vertraulichkeit",
            "criteredediffusion",
            "riservatezza",
            "confidencialidad",
            "vertrouwelijkheid",
        ],
        &["normal", "normale", "normaal"],
    ),
    (
        &["private", "privat", "prive", "privato", "privado", "priveacute", "persoonlijk"],
        &["false", "aus", "faux", "falso", "onwaar", "no", "nein", "non"],
    ),
    (&["emailtype", "email2type", "email3type", "emailtyp", "email2typ", "email3typ"], &["smtp"]),
];

/// Whether a column going to the notes holds only Outlook's default for it; or a date of zeros ("0/0/00",
/// "0.0.00"), which is no date in any column.
fn is_outlook_default(header: &str, value: &str) -> bool {
    let v = value.trim();
    let separators = v.chars().filter(|c| matches!(c, '/' | '.' | '-')).count();
    if separators == 2 && v.contains('0') && v.chars().all(|c| c == '0' || matches!(c, '/' | '.' | '-' | ' ')) {
        return true;
    }
    let (h, v) = (super::mapping::fold(header), super::mapping::fold(v));
    OUTLOOK_DEFAULTS.iter().any(|(headers, defaults)| headers.contains(&h.as_str()) && defaults.contains(&v.as_str()))
}

fn labelled(name: &str, value: &str) -> String {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines: Vec<&str> = value.lines().collect();
    format!("{name}: {}", lines.join("\n  "))
}

/// Each email or phone column with the column beside it that says its values' kind: "Phone 1 - Label" (or
/// "- Type", Google's older export) for "Phone 1 - Value".
fn kind_columns(headers: &[String], targets: &[String]) -> Vec<(usize, usize)> {
    let part =
        |h: &str| h.rsplit_once('-').map(|(item, what)| (item.trim().to_lowercase(), what.trim().to_lowercase()));
    let mut out = Vec::new();
    for (v, target) in targets.iter().enumerate() {
        if !matches!(target.as_str(), "email" | "other_emails" | "phone" | "other_phones") {
            continue;
        }
        let Some((item, "value")) = part(&headers[v]).as_ref().map(|(i, w)| (i.clone(), w.as_str())) else { continue };
        if !item.ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let kind = headers
            .iter()
            .position(|h| part(h).is_some_and(|(i, w)| i == item && matches!(w.as_str(), "label" | "type")));
        if let Some(k) = kind {
            out.push((v, k));
        }
    }
    out
}

/// How early a value of this kind comes: a work one first, a home or personal one last, any other between.
fn rank_of_kind(kind: &str) -> u8 {
    const WORK: &[&str] = &[
        "work",
        "business",
        "office",
        "arbeit",
        "geschaftlich",
        "dienstlich",
        "buro",
        "travail",
        "bureau",
        "trabajo",
        "lavoro",
        "trabalho",
        "werk",
    ];
    let words = super::mapping::words_of(kind);
    if words.iter().any(|w| WORK.contains(&w.as_str())) {
        0
    } else if words.iter().any(|w| super::mapping::HOME.contains(&w.as_str())) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_cell_is_its_address_in_a_contact_column_and_its_text_with_where_it_leads_elsewhere() {
        let value = |cell: &str, target: &str| cell_value(cell, target).0.into_owned();
        let mail = r#"=HYPERLINK("mailto:ann.lee@example.com","Ann Lee")"#;
        assert_eq!(cell_value(mail, "email"), ("ann.lee@example.com".into(), None));
        // In the notes the text and where it leads; in a name, the name, the address kept apart for the notes.
        assert_eq!(value(mail, TO_NOTES), "Ann Lee (ann.lee@example.com)");
        assert_eq!(cell_value(mail, FULL_NAME), ("Ann Lee".into(), Some("ann.lee@example.com".into())));
        assert_eq!(value(r#"=hyperlink("MAILTO:Bo@Ito.io")"#, "other_emails"), "Bo@Ito.io");
        assert_eq!(value(r#"=HYPERLINK("tel:+4930901820"; "030 901820")"#, "phone"), "+4930901820");
        let web = r#"=HYPERLINK("https://www.linkedin.com/in/annlee","Profile")"#;
        assert_eq!(value(web, TO_NOTES), "Profile (https://www.linkedin.com/in/annlee)");
        assert_eq!(
            cell_value(r#"=HYPERLINK("https://acme.example")"#, "company"),
            ("https://acme.example".into(), None)
        );
        assert_eq!(
            cell_value(r#"=HYPERLINK("https://acme.example","Acme ""Labs""")"#, "company"),
            ("Acme \"Labs\"".into(), Some("https://acme.example".into()))
        );
        // A link that shows its own address is that address alone.
        assert_eq!(cell_value(r#"=HYPERLINK("https://acme.example","https://acme.example")"#, "company").1, None);
        // Not a link formula as written: kept as it is.
        for other in [r#"=HYPERLINK(A2,"x")"#, r#"=HYPERLINK("a","b","c")"#, "=HYPERLINK(", "=HYPERLINK()"] {
            assert_eq!(cell_value(other, "email"), (other.into(), None), "{other}");
        }
        assert_eq!(value(r#"="01067""#, "postcode"), "01067");
        // Through a row: the name is the name, and the profile it linked to is in the notes.
        let m = mapper(&["Name", "Firma"], &[FULL_NAME, "company"]).unwrap_or_else(|e| panic!("{e}"));
        let linked = r#"=HYPERLINK("https://www.linkedin.com/in/annlee","Ann Lee")"#;
        let input = m.to_input(&row(&[linked, "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Ann", "Lee"));
        assert_eq!(input.notes, "Name: https://www.linkedin.com/in/annlee");
    }

    /// HubSpot's deals export names each deal's contact with the address after the name: the name is the
    /// lead's, the address its email (after an email column's own, and once).
    #[test]
    fn a_whole_name_with_its_address_gives_both() {
        let m = mapper(&["Deal Name", "Associated Contact"], &[TO_NOTES, FULL_NAME]).unwrap_or_else(|e| panic!("{e}"));
        let input =
            m.to_input(&row(&["Renewal", "Ann Lee (ann.lee@acme.example)"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Ann", "Lee"));
        assert_eq!(input.emails, ["ann.lee@acme.example"]);
        assert_eq!(input.notes, "Deal Name: Renewal", "nothing of the name cell goes to the notes");
        // A deal's several contacts: the first is the lead, the others are kept in the notes, their addresses
        // not this lead's.
        let cell = "Alice Abernathy (alice@umbrella.example);Carlos Oliveira (carlos@umbrella.example)";
        let input = m.to_input(&row(&["Renewal", cell])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Alice", "Abernathy"));
        assert_eq!(input.emails, ["alice@umbrella.example"]);
        assert_eq!(input.notes, "Deal Name: Renewal\nAssociated Contact: Carlos Oliveira (carlos@umbrella.example)");
        let m = mapper(&["Name", "Email"], &[FULL_NAME, "email"]).unwrap_or_else(|e| panic!("{e}"));
        let input =
            m.to_input(&row(&["Ann Lee <ANN@acme.example>", "ann@acme.example"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.emails, ["ann@acme.example"], "the same address once");
        let input = m.to_input(&row(&["Ann Lee (Sales)", "ann@acme.example"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.emails, ["ann@acme.example"], "a bracket that is no address adds none");
        assert_eq!(name_and_address("Ann Lee (Sales)"), ("Ann Lee (Sales)", None));
        assert_eq!(name_and_address("(ann@acme.example)"), ("(ann@acme.example)", None), "no name before it");
    }

    /// A Spanish list's whole name holds two surnames, and nothing goes to the notes for it.
    #[test]
    fn a_spanish_whole_name_column_gives_both_surnames() {
        let m = mapper(&["Nombre y apellidos", "Empresa"], &[FULL_NAME, "company"]).unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["María García López", "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (input.first_name.as_str(), input.last_name.as_str(), input.notes.as_str()),
            ("María", "García López", "")
        );
        let m = mapper(&["Name", "Firma"], &[FULL_NAME, "company"]).unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Mary Ann Smith", "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (input.first_name.as_str(), input.last_name.as_str()),
            ("Mary Ann", "Smith"),
            "one surname elsewhere"
        );
    }

    #[test]
    fn a_stage_is_read_by_key_label_or_a_crms_closed_words_and_another_crms_own_goes_to_the_notes() {
        use crate::pipeline::config::StageOutcome::{Lost, Open, Won};
        let stages = [
            ("new", "New lead", Open),
            ("engagement", "In discussion", Open),
            ("won", "Won", Won),
            ("lost", "Lost", Lost),
        ]
        .map(|(k, l, o)| (k.to_string(), l.to_string(), o))
        .to_vec();
        let m = mapper(&["Name", "Stage"], &["last_name", "stage"])
            .unwrap_or_else(|e| panic!("{e}"))
            .reading_stages(stages);
        let read = |stage: &str| {
            let input = m.to_input(&row(&["Lee", stage])).unwrap_or_else(|e| panic!("{e:?}"));
            (input.stage, input.notes)
        };
        assert_eq!(read("ENGAGEMENT"), ("engagement".into(), String::new()));
        assert_eq!(read("in discussion"), ("engagement".into(), String::new()));
        assert_eq!(read("Closed Won"), ("won".into(), String::new()));
        assert_eq!(read("Gewonnen"), ("won".into(), String::new()));
        assert_eq!(read("Closed Lost"), ("lost".into(), String::new()));
        assert_eq!(read("Prospecting"), (String::new(), "Stage: Prospecting".into()));
        // Other CRMs' own open steps that are this pipeline's, and their closed ones with words after.
        assert_eq!(read("Proposal Made"), ("engagement".into(), String::new()));
        assert_eq!(read("Negotiation/Review"), ("engagement".into(), String::new()));
        assert_eq!(read("Contract Sent"), ("engagement".into(), String::new()));
        assert_eq!(read("Closed Lost to Competition"), ("lost".into(), String::new()));
        assert_eq!(read("Closed - Won"), ("won".into(), String::new()));
        // "Qualified" is a step this pipeline lacks here: kept in the notes, not sent to another stage.
        assert_eq!(read("Qualified"), (String::new(), "Stage: Qualified".into()));
        let m = m.reading_stages(vec![
            ("new".into(), "New lead".into(), Open),
            ("qualification".into(), "Qualification".into(), Open),
        ]);
        let input = m.to_input(&row(&["Lee", "Qualified"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.stage, "qualification");
    }

    /// A lost reason the configuration has is read by its key or label; another CRM's own is kept in the notes,
    /// so that the row lacks a reason (which an Administrator's override passes) rather than holding a wrong one.
    #[test]
    fn a_lost_reason_is_read_as_a_configured_one_and_another_crms_goes_to_the_notes() {
        let m = mapper(&["Name", "Deal - Lost reason"], &["last_name", "lost_reason"])
            .unwrap_or_else(|e| panic!("{e}"))
            .reading_lost_reasons(vec![("price".into(), "Price".into()), ("timing".into(), "Timing".into())]);
        let read = |reason: &str| {
            let input = m.to_input(&row(&["Lee", reason])).unwrap_or_else(|e| panic!("{e:?}"));
            (input.deal.lost_reason, input.notes)
        };
        assert_eq!(read("price"), ("price".into(), String::new()));
        assert_eq!(read("Timing"), ("timing".into(), String::new()));
        assert_eq!(read("Price too high"), (String::new(), "Deal - Lost reason: Price too high".into()));
    }

    #[test]
    fn a_row_without_the_mapped_address_takes_the_files_other_address_block() {
        let headers = [
            "First Name",
            "Business Street",
            "Business City",
            "Business Country/Region",
            "Business Postal Code",
            "Home Street",
            "Home City",
            "Home Postal Code",
            "Home Country/Region",
        ];
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let mapping: Vec<ColumnMapping> = super::super::suggest_mapping(&h)
            .into_iter()
            .map(|s| ColumnMapping { column: s.column, target: s.field.unwrap_or_else(|| TO_NOTES.to_string()) })
            .collect();
        let targets: Vec<&str> = mapping.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(
            &targets[..5],
            ["first_name", "street", "city", "country", "postcode"],
            "the Business block is mapped"
        );
        let m = Mapper::new(&h, &mapping, HashMap::new(), SourceChannel::BulkImport, "outlook.csv".into(), true)
            .unwrap_or_else(|e| panic!("{e}"));
        // A personal contact: the Home block is the address, its country reads the phones.
        let home = ["Ann", "", "", "", "", "Bahnhofstrasse 1", "Zürich", "8001", "Schweiz"];
        let input = m.to_input(&row(&home)).unwrap_or_else(|e| panic!("{e:?}"));
        let a = &input.address;
        assert_eq!(
            [&a.street, &a.city, &a.postcode, &a.country].map(String::as_str),
            ["Bahnhofstrasse 1", "Zürich", "8001", "Schweiz"]
        );
        assert_eq!(input.notes, "");
        // A business contact keeps its Business address; the Home block stays in the notes.
        let both = ["Bo", "Main St 1", "Leeds", "UK", "LS1", "Elm Rd 2", "York", "YO1", "UK"];
        let input = m.to_input(&row(&both)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.address.street.as_str(), input.address.city.as_str()), ("Main St 1", "Leeds"));
        assert!(
            input.notes.contains("Home Street: Elm Rd 2") && input.notes.contains("Home City: York"),
            "{}",
            input.notes
        );
        // A lone region and country sent to the notes are no address block: Mailchimp's, guessed from an IP.
        let h: Vec<String> =
            ["Email Address", "Address", "MEMBER_RATING", "CC", "REGION"].iter().map(|s| s.to_string()).collect();
        let mapping: Vec<ColumnMapping> = super::super::suggest_mapping(&h)
            .into_iter()
            .map(|s| ColumnMapping { column: s.column, target: s.field.unwrap_or_else(|| TO_NOTES.to_string()) })
            .collect();
        let m = Mapper::new(&h, &mapping, HashMap::new(), SourceChannel::BulkImport, "audience.csv".into(), true)
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["lea@web.de", "", "2", "DE", "BE"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.address.region.as_str(), input.address.country.as_str()), ("", ""));
    }

    #[test]
    fn a_surname_in_parts_is_joined_in_column_order() {
        let m = mapper(&["Voornaam", "Tussenvoegsel", "Achternaam"], &["first_name", "last_name", "last_name"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Jan", "van der", "Berg"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Jan", "van der Berg"));
        let input = m.to_input(&row(&["Piet", "", "Jansen"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.last_name, "Jansen", "an empty part adds nothing");
    }

    #[test]
    fn a_row_that_names_no_one_is_refused_saying_so() {
        let m = mapper(
            &["First Name", "Last Name", "Email", "Connected On"],
            &["first_name", "last_name", "email", TO_NOTES],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let errors = m.to_input(&row(&["", "", "", "12 Dec 2021"])).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("names no one"), "{errors:?}");
        assert!(m.to_input(&row(&["", "", "ann@lee.io", "12 Dec 2021"])).is_ok(), "an email is someone");
    }

    #[test]
    fn a_whole_name_that_says_no_more_than_the_name_columns_fills_nothing() {
        let m = mapper(&["Name", "Given Name", "Family Name"], &[FULL_NAME, "first_name", "last_name"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Pieter", "Pieter", ""])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str(), input.notes.as_str()), ("Pieter", "", ""));
        // One that says more still fills the gap.
        let input = m.to_input(&row(&["Pieter de Vries", "Pieter", ""])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Pieter", "de Vries"));
    }

    #[test]
    fn a_whole_address_two_spaces_apart_is_split_into_its_parts() {
        let m = mapper(&["Email", "Address"], &["email", "street"]).unwrap_or_else(|e| panic!("{e}"));
        let address = |cell: &str| m.to_input(&row(&["ann@x.io", cell])).unwrap_or_else(|e| panic!("{e:?}")).address;
        let a = address("512 Means St.  Suite 400  Atlanta  GA  30318  USA");
        assert_eq!(
            [a.street, a.street2, a.city, a.region, a.postcode, a.country],
            ["512 Means St.", "Suite 400", "Atlanta", "GA", "30318", "USA"]
        );
        let a = address("1701 Bristol Ave.  Barrington  Rhode Island  02806  US");
        assert_eq!(
            [a.street, a.city, a.region, a.postcode],
            ["1701 Bristol Ave.", "Barrington", "Rhode Island", "02806"]
        );
        // A street typed with a double space, or parts that are no address, stay as typed.
        for typed in ["Main St  5", "a  b  c  d  e", "1  2  3  4  5  6  7"] {
            let a = address(typed);
            assert_eq!((a.street.as_str(), a.city.as_str()), (typed, ""), "{typed}");
        }
        // Beside a city column the street is the street.
        let m = mapper(&["Name", "Street", "City"], &["last_name", "street", "city"]).unwrap_or_else(|e| panic!("{e}"));
        let typed = ["Lee", "Hauptstr.  5  Hof  BY  95028  DE", "Hof"];
        let a = m.to_input(&row(&typed)).unwrap_or_else(|e| panic!("{e:?}")).address;
        assert_eq!(a.street, "Hauptstr.  5  Hof  BY  95028  DE");
    }

    #[test]
    fn outlooks_defaults_are_no_notes() {
        for (h, v) in [
            ("Gender", "Unspecified"),
            ("Geschlecht", "Nicht angegeben"),
            ("Priority", "Normal"),
            ("Sensitivity", "Normal"),
            ("Private", "False"),
            ("Privat", "Aus"),
            ("E-mail Type", "SMTP"),
            ("E-Mail 2: Typ", "SMTP"),
            ("Anniversary", "0/0/00"),
            ("Jahrestag", "0.0.00"),
        ] {
            assert!(is_outlook_default(h, v), "{h}: {v}");
        }
        for (h, v) in [
            ("Gender", "Female"),
            ("Priority", "High"),
            ("Private", "True"),
            ("Anniversary", "5/6/99"),
            ("Notes", "Normal"),
            ("Mileage", "0"),
            ("Billing", "0.00"),
        ] {
            assert!(!is_outlook_default(h, v), "{h}: {v}");
        }
    }

    #[test]
    fn google_contacts_groups_lose_their_marker_and_my_contacts_is_no_tag() {
        assert_eq!(tag_values("* myContacts ::: * starred ::: Trade fair"), ["starred", "Trade fair"]);
        assert_eq!(tag_values("* My Contacts ::: Friends"), ["Friends"]);
        assert_eq!(tag_values("*VIP; Berlin"), ["*VIP", "Berlin"], "a tag that only starts with a star is kept");
        assert_eq!(tag_values("\"VIP\",\"Blog readers\""), ["VIP", "Blog readers"], "Mailchimp's quoted list");
        assert_eq!(tag_values("Hot lead, Customer"), ["Hot lead", "Customer"], "Pipedrive's labels");
        assert_eq!(tag_values("Trade Show,VIP"), ["Trade Show", "VIP"], "Zoho's tags");
    }

    fn mapper(headers: &[&str], targets: &[&str]) -> Result<Mapper, ImportError> {
        let h: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let m: Vec<ColumnMapping> =
            h.iter().zip(targets).map(|(c, t)| ColumnMapping { column: c.clone(), target: t.to_string() }).collect();
        let owners = HashMap::from([("alice".to_string(), 7)]);
        Mapper::new(&h, &m, owners, SourceChannel::BulkImport, "fair.csv".into(), true)
    }

    fn row(cells: &[&str]) -> RawRow {
        RawRow { line: 2, cells: cells.iter().map(|s| s.to_string()).collect() }
    }

    /// A refusal of a field one column fills names that column; of one several columns fill (the notes, from
    /// every column no field takes), the field: naming the first told a sender to shorten a value that was not
    /// too long.
    #[test]
    fn a_refusal_names_the_column_only_when_one_column_fills_the_field() {
        let m = mapper(&["Name", "Message"], &["last_name", "notes"]).unwrap_or_else(|e| panic!("{e}"));
        let mut errors = vec![FieldError::new("notes", "is too long"), FieldError::new("last_name", "is too long")];
        m.name_columns(&mut errors, &Origins::default());
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["Message", "Name"]);
        let m = mapper(&["Name", "a", "b"], &["last_name", "notes", "notes"]).unwrap_or_else(|e| panic!("{e}"));
        let mut errors = vec![FieldError::new("notes", "is too long")];
        m.name_columns(&mut errors, &Origins::default());
        assert_eq!(errors[0].field, "notes");
    }

    /// An email or phone refused is named by the column it came from, whichever of several columns: the first
    /// phone is the mobile's when the business phone is empty.
    #[test]
    fn a_refused_email_or_phone_names_the_column_it_came_from() {
        let m = mapper(
            &["Name", "Business Phone", "Mobile Phone", "Home Phone", "E-mail", "E-mail 2"],
            &["last_name", "phone", "other_phones", "other_phones", "email", "other_emails"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (input, origins) = m.read(&row(&["Lee", "", "12345", "999", "ann@lee.io", "ben@ho"]));
        let input = input.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.phones, ["12345", "999"]);
        let mut errors = vec![
            FieldError::new("phones.0", "bad"),
            FieldError::new("phones.1", "bad"),
            FieldError::new("emails.1", "bad"),
        ];
        m.name_columns(&mut errors, &origins);
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["Mobile Phone", "Home Phone", "E-mail 2"]
        );
    }

    /// Google Contacts writes each address whole beside its parts: the lead's address holds it, and the notes do
    /// not repeat it. A whole address with anything the parts lack, or a second address's, stays in the notes.
    #[test]
    fn an_address_written_whole_beside_its_parts_is_not_repeated_in_the_notes() {
        let headers = [
            "Last Name",
            "Address 1 - Formatted",
            "Address 1 - Street",
            "Address 1 - City",
            "Address 1 - Postal Code",
            "Address 1 - Country",
            "Address 2 - Formatted",
        ];
        let targets = ["last_name", TO_NOTES, "street", "city", "postcode", "country", TO_NOTES];
        let m = mapper(&headers, &targets).unwrap_or_else(|e| panic!("{e}"));
        let read = |cells: &[&str]| m.read(&row(cells)).0.unwrap_or_else(|e| panic!("{e:?}"));
        let whole = "12 St James's Sq\nLondon SW1Y 4JH\nGB";
        let input = read(&["Lee", whole, "12 St James's Sq", "London", "SW1Y 4JH", "GB", ""]);
        assert_eq!((input.address.street.as_str(), input.address.city.as_str()), ("12 St James's Sq", "London"));
        assert_eq!(input.notes, "");

        let input = read(&["Lee", whole, "12 St James's Sq", "London", "SW1Y 4JH", "", "9 Elm Rd\nYork"]);
        assert_eq!(
            input.notes,
            format!("Address 1 - Formatted: {}\nAddress 2 - Formatted: 9 Elm Rd\n  York", whole.replace('\n', "\n  ")),
            "the country is in the whole address only, and the second address is another"
        );
        let input = read(&["Lee", whole, "", "", "", "", ""]);
        assert!(input.notes.starts_with("Address 1 - Formatted: 12 St James's Sq"), "{}", input.notes);
    }

    /// Google Contacts' export gives each address and number with its kind in the column before it: the work
    /// ones come first (the primary, where a confirmation goes), the home ones last, the rest as they stand; the
    /// kinds stay in the notes, and a refused value still names its own column.
    #[test]
    fn the_work_email_and_phone_come_first_where_the_file_says_each_ones_kind() {
        let m = mapper(
            &[
                "Name",
                "E-mail 1 - Label",
                "E-mail 1 - Value",
                "E-mail 2 - Label",
                "E-mail 2 - Value",
                "Phone 1 - Label",
                "Phone 1 - Value",
                "Phone 2 - Label",
                "Phone 2 - Value",
                "Phone 3 - Label",
                "Phone 3 - Value",
            ],
            &[
                "last_name",
                TO_NOTES,
                "email",
                TO_NOTES,
                "other_emails",
                TO_NOTES,
                "phone",
                TO_NOTES,
                "other_phones",
                TO_NOTES,
                "other_phones",
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let cells = [
            "Lee",
            "* Home",
            "ann@home.example",
            "Work",
            "ann@acme.example",
            "Home",
            "111",
            "Mobile",
            "222",
            "Arbeit",
            "333",
        ];
        let (input, origins) = m.read(&row(&cells));
        let input = input.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.emails, ["ann@acme.example", "ann@home.example"]);
        assert_eq!(input.phones, ["333", "222", "111"]);
        assert!(input.notes.contains("E-mail 1 - Label: * Home") && input.notes.contains("Phone 3 - Label: Arbeit"));
        let mut errors = vec![FieldError::new("phones.0", "bad"), FieldError::new("emails.1", "bad")];
        m.name_columns(&mut errors, &origins);
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["Phone 3 - Value", "E-mail 1 - Value"]
        );

        // Without kinds, or kinds that say nothing of work or home, the file's order stands.
        let (input, _) =
            m.read(&row(&["Lee", "", "a@x.example", "", "b@x.example", "Other", "1", "", "2", "Mobile", "3"]));
        let input = input.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.emails, ["a@x.example", "b@x.example"]);
        assert_eq!(input.phones, ["1", "2", "3"]);
    }

    /// A formula's error, from a workbook or the CSV it saved, refuses the row with the column named; an
    /// ignored column's does not.
    #[test]
    fn a_spreadsheet_error_in_a_cell_refuses_the_row() {
        let m = mapper(&["Firma", "Name", "Calc"], &["company", "last_name", IGNORE]).unwrap_or_else(|e| panic!("{e}"));
        let errors = m.to_input(&row(&["#DIV/0!", "Lee", "#REF!"])).err().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "Firma");
        assert!(errors[0].message.contains("#DIV/0!"), "{errors:?}");
        assert!(m.to_input(&row(&["Acme", "Lee", "#REF!"])).is_ok());
        // Google Sheets' and LibreOffice's own.
        for error in ["#ERROR!", "#CALC!", "Err:502", "Err:508", "Err:532"] {
            let errors = m.to_input(&row(&[error, "Lee", ""])).err().unwrap_or_default();
            assert!(errors.len() == 1 && errors[0].message.contains(error), "{error}: {errors:?}");
        }
        let m = mapper(&["Name", "Lookup"], &["last_name", TO_NOTES]).unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Lee", "#N/A"])).unwrap_or_else(|e| panic!("a column for the notes: {e:?}"));
        assert_eq!(input.notes, "Lookup: #N/A");
    }

    /// A value quoted after a space (`Ann, "Lee, Jr."`) is split at its comma: the row is refused saying why.
    #[test]
    fn a_quote_after_a_space_is_named_when_a_row_is_too_wide() {
        let m = mapper(&["First", "Last", "Email"], &["first_name", "last_name", "email"])
            .unwrap_or_else(|e| panic!("{e}"));
        let errors = m.to_input(&row(&["Ann", " \"Lee", " Jr.\"", " ann@lee.io"])).err().unwrap_or_default();
        assert!(errors[0].message.contains("a quote after a space"), "{errors:?}");
        let errors = m.to_input(&row(&["Ann", "Lee", "a@b.c", "x"])).err().unwrap_or_default();
        assert!(!errors[0].message.contains("quote"), "{errors:?}");
    }

    /// A placeholder where an email or a phone would be ("n/a", "-", "0", "keine") says there is none: the row
    /// imports without it, the placeholder in the notes, where it was refused (and with it, by default, the whole
    /// file). Elsewhere it is a value.
    #[test]
    fn a_placeholder_in_a_contact_column_is_no_value() {
        let m = mapper(&["Name", "E-Mail", "Telefon", "Firma"], &["last_name", "email", "phone", "company"])
            .unwrap_or_else(|e| panic!("{e}"));
        for placeholder in ["n/a", "N/A", "-", "--", "0", "none", "keine", "k.A.", "?", "true", "No"] {
            let input = m
                .to_input(&row(&["Lee", "ann@lee.io", placeholder, placeholder]))
                .unwrap_or_else(|e| panic!("{placeholder}: {e:?}"));
            assert!(input.phones.is_empty(), "{placeholder}: {input:?}");
            assert_eq!(input.notes, format!("Telefon: {placeholder}"), "kept, nothing lost");
            assert_eq!(input.company, placeholder, "not a contact column: as written");
            let input = m.to_input(&row(&["Lee", placeholder, "+49 30 123456", ""])).unwrap_or_default();
            assert!(input.emails.is_empty(), "{placeholder}: {input:?}");
        }
    }

    /// A name column holding a company's name (QuickBooks writes it there and in the company column; a legal
    /// form says so where there is no company column) is the company, not a person's first and last name.
    #[test]
    fn a_company_in_the_name_column_is_no_person() {
        let m = mapper(&["Name", "CompanyName", "Email"], &["full_name", "company", "email"])
            .unwrap_or_else(|e| panic!("{e}"));
        let read = |cells: &[&str]| {
            let i = m.to_input(&row(cells)).unwrap_or_else(|e| panic!("{cells:?}: {e:?}"));
            (i.first_name, i.last_name, i.company, i.notes)
        };
        let empty = String::new;
        assert_eq!(
            read(&["1616 Investments, LLC", "1616 Investments, LLC", "ap@1616.example"]),
            (empty(), empty(), "1616 Investments, LLC".to_string(), empty())
        );
        assert_eq!(
            read(&["3JO Services Inc.", "", "x@3jo.example"]),
            (empty(), empty(), "3JO Services Inc.".to_string(), empty())
        );
        assert_eq!(
            read(&["National Parts & Supplies", "national parts & supplies", ""]).2,
            "national parts & supplies"
        );
        // A person at a company, and people whose surnames look like a legal form elsewhere, are people.
        assert_eq!(
            read(&["Ann Lee", "Acme LLC", "ann@acme.example"]),
            ("Ann".to_string(), "Lee".to_string(), "Acme LLC".to_string(), empty())
        );
        assert_eq!(read(&["Maria Sa", "", "maria@sa.example"]).1, "Sa");
        // A row a column marks as a company's (Odoo's contacts export) has the company's name in the name column.
        let m = mapper(&["Name", "Is a Company", "Email"], &["full_name", "notes", "email"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m
            .to_input(&row(&["House Sales Direct", "True", "sales@house.example"]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (input.first_name.as_str(), input.last_name.as_str(), input.company.as_str()),
            ("", "", "House Sales Direct")
        );
        let input = m.to_input(&row(&["Ann Lee", "False", "ann@house.example"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str(), input.company.as_str()), ("Ann", "Lee", ""));
        // A whole name typed into the first-name column beside the whole-name column splits as that one does.
        let m = mapper(
            &["customer_name", "contact_first_name", "contact_last_name"],
            &["full_name", "first_name", "last_name"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Jessica Jones", "Jessica Jones", ""])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Jessica", "Jones"));
        let input = m.to_input(&row(&["Mary Ann Lee", "Mary Ann", ""])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (input.first_name.as_str(), input.last_name.as_str()),
            ("Mary Ann", "Lee"),
            "a first name of two words"
        );
        assert_eq!(read(&["Bo Ag", "", "bo@ag.example"]).1, "Ag");
    }

    /// A data tool's mark of a missing value (R's NA, SQL's NULL and \N, pandas' NaN) is no value in any column:
    /// it was a company "NA" and a town "NULL" on every lead of such an export, alike for the duplicate check.
    #[test]
    fn a_data_tools_mark_of_a_missing_value_is_no_value() {
        let m = mapper(
            &["Vorname", "Nachname", "Firma", "Ort", "E-Mail", "Telefon", "Land", "Info"],
            &["first_name", "last_name", "company", "city", "email", "phone", "country", "notes"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for mark in MISSING_MARKS {
            let input = m
                .to_input(&row(&["Ann", "Lee", mark, mark, "ann@lee.io", mark, "", mark]))
                .unwrap_or_else(|e| panic!("{mark}: {e:?}"));
            assert_eq!(
                (input.company.as_str(), input.address.city.as_str(), input.notes.as_str()),
                ("", "", ""),
                "{mark}"
            );
            assert!(input.phones.is_empty(), "{mark}: {input:?}");
            let input = m
                .to_input(&row(&[mark, "Lee", "", "", "ann@lee.io", "", "", ""]))
                .unwrap_or_else(|e| panic!("{mark}: {e:?}"));
            assert_eq!(input.first_name, "", "{mark}");
        }
        let input = m
            .to_input(&row(&["Ann", "Lee", "", "Windhoek", "ann@lee.io", "", "NA", ""]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_ne!(input.address.country, "", "Namibia's code: {input:?}");
        // Names that look like one in a file of one case, and a person's placeholder, stay as written.
        let input = m
            .to_input(&row(&["nan", "Null", "n/a", "Na", "ann@lee.io", "", "", "nan"]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (input.first_name.as_str(), input.last_name.as_str(), input.company.as_str(), input.address.city.as_str()),
            ("nan", "Null", "n/a", "Na")
        );
        assert_eq!(input.notes, "Info: nan");
    }

    /// A sheet's totals line ("Summe", "Total:", a count beside it) is no person: refused, saying so, where it
    /// was a Draft lead named "Summe". A person whose name is a word like it, with contact details, is not.
    #[test]
    fn a_totals_row_is_no_lead() {
        let m =
            mapper(&["Name", "E-Mail", "Umsatz"], &["full_name", "email", TO_NOTES]).unwrap_or_else(|e| panic!("{e}"));
        for cells in [["Summe", "", "12.345,00 €"], ["Total:", "", "42"], ["GESAMT", "", ""], ["Grand total", "", "7"]]
        {
            let errors = m.to_input(&row(&cells)).err().unwrap_or_default();
            assert_eq!(errors.len(), 1, "{cells:?}: {errors:?}");
            assert!(errors[0].message.contains("totals"), "{errors:?}");
        }
        assert!(m.to_input(&row(&["Summe", "summe@example.de", ""])).is_ok(), "a person named so, with an address");
        assert!(m.to_input(&row(&["Ann Total", "", "3"])).is_ok());
    }

    #[test]
    fn a_cell_written_as_a_text_formula_is_its_text() {
        let m = mapper(&["PLZ", "Telefon", "Name", "Notiz"], &["postcode", "phone", "last_name", "notes"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m
            .to_input(&row(&["=\"01067\"", "=\"+49 351 1234567\"", "=\"Say \"\"hi\"\"\"", "=SUM(A1:A2)"]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.address.postcode, "01067");
        assert_eq!(input.phones, vec!["+49 351 1234567"]);
        assert_eq!(input.last_name, "Say \"hi\"");
        assert_eq!(input.notes, "Notiz: =SUM(A1:A2)", "another formula is left as written");
        assert_eq!(text_formula_value("=\"a\"b\""), "=\"a\"b\"", "a lone quote inside: not one text");
    }

    #[test]
    fn a_filemaker_line_break_in_a_field_is_a_line_break() {
        let m = mapper(&["Name", "Notiz"], &["last_name", "notes"]).unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Lee", "call back\u{b}Monday"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.notes, "Notiz: call back\n  Monday", "its second line indented under the column's");
    }

    #[test]
    fn columns_go_to_fields_notes_or_nowhere_as_told() {
        let m = mapper(
            &["Vorname", "E-Mail", "E-Mail 2", "Bemerkung", "Stand", "Farbe", "owner"],
            &["first_name", "email", "other_emails", "notes", "notes", "ignore", "owner"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let input = m
            .to_input(&row(&["Jürgen", "j@x.de", "j2@x.de; j3@x.de", "rief an", "Halle 3", "blau", "Alice"]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.first_name, "Jürgen");
        assert_eq!(input.emails, vec!["j@x.de", "j2@x.de", "j3@x.de"]);
        assert_eq!(input.notes, "rief an\nStand: Halle 3");
        assert_eq!(input.owner_id, Some(7));
        assert_eq!(input.source, Some(SourceChannel::BulkImport));
        assert_eq!(input.source_detail, "fair.csv");
        assert_eq!(m.ignored(), vec!["Farbe"]);
    }

    #[test]
    fn a_full_name_fills_the_names_its_own_columns_leave_empty() {
        let whole = mapper(&["Name", "Firma"], &["full_name", "company"]).unwrap_or_else(|e| panic!("{e}"));
        let input = whole.to_input(&row(&["Dr. Anna van der Berg", "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str()), ("Anna", "van der Berg"));
        let both = mapper(&["first", "Name", "last"], &["first_name", "full_name", "last_name"])
            .unwrap_or_else(|e| panic!("{e}"));
        let names = |cells: &[&str]| {
            let input = both.to_input(&row(cells)).unwrap_or_else(|e| panic!("{e:?}"));
            (input.first_name, input.last_name)
        };
        assert_eq!(names(&["Ann", "Anne Smith", "Smyth"]), ("Ann".to_string(), "Smyth".to_string()));
        assert_eq!(names(&["Anne", "Anne Smith", ""]), ("Anne".to_string(), "Smith".to_string()));
        assert_eq!(names(&["", "Anne Smith", "Smith"]), ("Anne".to_string(), "Smith".to_string()));
        assert_eq!(names(&["", "Madonna", "Ciccone"]), ("Madonna".to_string(), "Ciccone".to_string()));
        assert!(targets().iter().any(|t| t.target == FULL_NAME), "the wizard offers it");
        // What the names do not hold stays in the notes (found by the fuzz test below: "3" was dropped).
        let input = both.to_input(&row(&["A", "3", "0"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.first_name.as_str(), input.last_name.as_str(), input.notes.as_str()), ("A", "0", "Name: 3"));
        let input = whole.to_input(&row(&["Dr. Anna Berg", "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.notes, "Name: Dr. Anna Berg", "the title is kept there");
        let input = whole.to_input(&row(&["Anna Berg", "Acme"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.notes, "", "nothing lost, nothing added");
        // A word of the cell inside a longer name is not that name: the cell stays in the notes.
        let notes = |cells: &[&str]| both.to_input(&row(cells)).unwrap_or_else(|e| panic!("{e:?}")).notes;
        assert_eq!(notes(&["Christopher", "Chris Lee", "Lee"]), "Name: Chris Lee");
        assert_eq!(notes(&["Lin", "Li Lin", ""]), "Name: Li Lin");
        assert_eq!(notes(&["Chris", "Chris Lee", "Lee"]), "");
    }

    /// Addresses with only a slash or spaces between them are several (the row was refused for a cell of
    /// several); a display name's words are not.
    #[test]
    fn addresses_between_slashes_or_spaces_are_several() {
        let addresses = |v: &str| cell_values(v, Separators::Addresses);
        assert_eq!(addresses("b3@x.io / b3@y.io"), ["b3@x.io", "b3@y.io"]);
        assert_eq!(addresses("e5@x.io e5@y.io"), ["e5@x.io", "e5@y.io"]);
        assert_eq!(addresses("Ann Lee <ann@lee.io>"), ["Ann Lee <ann@lee.io>"], "a display name stays");
        assert_eq!(addresses("ann@lee.io"), ["ann@lee.io"]);
        assert_eq!(addresses("ann@@lee.io bo@x.io"), ["ann@@lee.io bo@x.io"], "no guess: refused as it is");
    }

    /// A display name in quotes keeps its comma: "Lee, Ann" <ann@lee.io> is one address, not two broken ones.
    #[test]
    fn an_address_with_a_quoted_display_name_is_one_address() {
        let addresses = |v: &str| cell_values(v, Separators::Addresses);
        assert_eq!(addresses("\"Lee, Ann\" <ann@lee.io>"), ["\"Lee, Ann\" <ann@lee.io>"]);
        assert_eq!(
            addresses("\"Lee, Ann\" <ann@lee.io>, bo@ray.io; \"Ray, Bo\" <bo@x.io>"),
            ["\"Lee, Ann\" <ann@lee.io>", "bo@ray.io", "\"Ray, Bo\" <bo@x.io>"]
        );
        assert_eq!(addresses("a@x.de, b@y.de"), ["a@x.de", "b@y.de"]);
        // A quote never closed does not swallow the cell's other addresses into one.
        assert_eq!(addresses("\"Lee <ann@lee.io>"), ["\"Lee <ann@lee.io>"]);
    }

    /// Two numbers in one cell, each in its international form after a comma, are two; a comma elsewhere (a
    /// dial string's pause) stays in its number.
    #[test]
    fn phones_after_a_comma_in_international_form_are_two() {
        let phones = |v: &str| cell_values(v, Separators::Phones);
        assert_eq!(phones("+31 20 123 4567, +31 6 12345678"), ["+31 20 123 4567", "+31 6 12345678"]);
        assert_eq!(phones("+31 20 123 4567,+31 6 12345678"), ["+31 20 123 4567", "+31 6 12345678"]);
        assert_eq!(phones("555 0100,,12"), ["555 0100,,12"]);
        assert_eq!(phones("+14155552671;ext=12"), ["+14155552671;ext=12"]);
    }

    /// German and Dutch lists give the surname as "Name" beside "Vorname" ("Naam" beside "Voornaam"): it is the
    /// surname whole, particles and all. Split as a full name, "von Goethe" lost its "von" and "van der Berg"
    /// became "der Berg".
    #[test]
    fn a_name_column_beside_a_first_name_column_is_the_surname() {
        let h: Vec<String> = ["Name", "Vorname", "Firma"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            default_mapping(&h).iter().map(|m| m.target.as_str()).collect::<Vec<_>>(),
            [FULL_NAME, "first_name", "company"]
        );
        let h: Vec<String> = ["Naam", "Voornaam"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            default_mapping(&h).iter().map(|m| m.target.as_str()).collect::<Vec<_>>(),
            [FULL_NAME, "first_name"]
        );
        let m = mapper(&["Name", "Vorname"], &["full_name", "first_name"]).unwrap_or_else(|e| panic!("{e}"));
        let names = |cells: &[&str]| {
            let input = m.to_input(&row(cells)).unwrap_or_else(|e| panic!("{e:?}"));
            (input.first_name, input.last_name, input.notes)
        };
        let own = |first: &str, last: &str| (first.to_string(), last.to_string(), String::new());
        assert_eq!(names(&["von Goethe", "Johann Wolfgang"]), own("Johann Wolfgang", "von Goethe"));
        assert_eq!(names(&["van der Berg", "Anna"]), own("Anna", "van der Berg"));
        assert_eq!(names(&["De La Cruz", "Maria"]), own("Maria", "De La Cruz"));
        assert_eq!(names(&["Anna van der Berg", "Anna"]), own("Anna", "van der Berg"), "both in the cell");
        assert_eq!(names(&["Berg, Anna", "Anna"]), own("Anna", "Berg"), "last, first");
        // An English file's full "Name" beside its "First Name" is still read as a full name.
        assert_eq!(names(&["Dr. Anna Berg", "Anna"]).1, "Berg");
        assert_eq!(names(&["John A. Smith", "John"]).1, "Smith");
    }

    #[test]
    fn bad_rows_and_bad_mappings_are_named() {
        let m = mapper(&["first_name", "owner", "source"], &["first_name", "owner", "source"])
            .unwrap_or_else(|e| panic!("{e}"));
        let errs = m.to_input(&row(&["A", "nobody", "pigeon"])).err().unwrap_or_default();
        assert_eq!(errs.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["owner"]);
        // A source that names no channel says where the lead came from: the detail of the import's channel.
        let input = m.to_input(&row(&["A", "", "Trade show"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.source, input.source_detail.as_str()), (Some(SourceChannel::BulkImport), "Trade show"));
        let input = m.to_input(&row(&["A", "", "partner"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.source, input.source_detail.as_str()), (Some(SourceChannel::Partner), "fair.csv"));
        let errs = m.to_input(&row(&["A", ""])).err().unwrap_or_default();
        assert!(errs[0].message.contains("2 cells where the header has 3"), "{errs:?}");
        assert!(m.to_input(&row(&["A", "", "", "", ""])).is_ok(), "empty trailing cells are no data");
        let errs = m.to_input(&row(&["A\u{fffd}", "", ""])).err().unwrap_or_default();
        assert_eq!(errs[0].field, "first_name");
        assert!(matches!(mapper(&["a", "b"], &["company", "company"]), Err(ImportError::Mapping(_))));
        assert!(matches!(mapper(&["a", "b"], &["company", "fax"]), Err(ImportError::Mapping(_))));
        assert!(matches!(mapper(&["a", "b"], &["company"]), Err(ImportError::Mapping(_))));
    }

    #[test]
    fn several_addresses_or_numbers_in_one_cell_are_each_kept() {
        // Google Contacts joins a type's values with " ::: "; other exports with ";" or "," or a line break.
        let m = mapper(
            &["E-mail 1 - Value", "E-mail 2 - Value", "Phone 1 - Value", "Phone 2 - Value", "Labels"],
            &["email", "other_emails", "phone", "other_phones", "tags"],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let input = m
            .to_input(&row(&[
                "jo@x.com ::: jo@y.org",
                "j.o@z.net, jo@w.io\nj@v.de",
                "+1 415-555-0134 ::: +1 415-555-0199",
                "+49 30 1234,5; 0171 2345678",
                "Trade fair ::: VIP; Berlin, Mitte",
            ]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            input.emails,
            ["jo@x.com", "jo@y.org", "j.o@z.net", "jo@w.io", "j@v.de"],
            "the first is the primary"
        );
        assert_eq!(
            input.phones,
            ["+1 415-555-0134", "+1 415-555-0199", "+49 30 1234,5", "0171 2345678"],
            "a comma is part of a number"
        );
        assert_eq!(input.tags, ["Trade fair", "VIP", "Berlin, Mitte"]);
    }

    /// An address book's "Phones (,)" column lists whole numbers with a comma and a space between them: two
    /// numbers (the cell was refused as no phone number). A dial string's pause and a short tail stay one number.
    #[test]
    fn whole_numbers_listed_with_commas_are_several() {
        let phones = |cell: &str| cell_values(cell, Separators::Phones);
        assert_eq!(phones("66870851776, 89053579666"), ["66870851776", "89053579666"]);
        assert_eq!(phones("(415) 555-0134, (415) 555-0199"), ["(415) 555-0134", "(415) 555-0199"]);
        assert_eq!(phones("+31 20 123 4567, 020 765 4321"), ["+31 20 123 4567", "020 765 4321"]);
        assert_eq!(phones("555 0100,,12"), ["555 0100,,12"]);
        assert_eq!(phones("555 0100, 12"), ["555 0100, 12"]);
        assert_eq!(phones("+49 30 1234,5"), ["+49 30 1234,5"]);
    }

    #[test]
    fn the_formula_guard_of_an_export_comes_off() {
        let m = mapper(&["first_name", "phone", "notes"], &["first_name", "phone", "notes"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Ann", "'+14155552671", "'=1+1"])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((input.phones, input.notes), (vec!["+14155552671".to_string()], "=1+1".to_string()));
    }

    #[test]
    fn without_a_mapping_unknown_columns_go_to_notes() {
        let h: Vec<String> = ["Vorname", "Lieblingsfarbe", "", "ID", "Status"].iter().map(|s| s.to_string()).collect();
        let m = default_mapping(&h);
        assert_eq!(
            m.iter().map(|m| m.target.as_str()).collect::<Vec<_>>(),
            vec!["first_name", "notes", "notes", "external_ref", "notes"],
            "another system's id is its reference, its status a note"
        );
        // Rapport's own export: the columns it adds are left out, as the export says they are not editable.
        let own: Vec<String> = crate::leads::csv::export_header().iter().map(|s| s.to_string()).collect();
        let m = default_mapping(&own);
        let ignored: Vec<&str> = m.iter().filter(|m| m.target == IGNORE).map(|m| m.column.as_str()).collect();
        assert_eq!(ignored, ["id", "status", "created_at", "updated_at"]);
        let m = mapper(&["first_name", "", ""], &["first_name", "notes", "notes"]).unwrap_or_else(|e| panic!("{e}"));
        let input = m.to_input(&row(&["Ann", "Met at booth 12", ""])).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.notes, "Column 2: Met at booth 12", "named by its place, the empty one adds nothing");
    }

    #[test]
    fn a_multi_line_value_in_the_notes_never_reads_as_another_column() {
        let m = mapper(&["first_name", "Stand", "Phone\r\n(mobile)"], &["first_name", "notes", "notes"])
            .unwrap_or_else(|e| panic!("{e}"));
        let input = m
            .to_input(&row(&["Ann", "Call after 5\r\nEmail: boss@rival.example", "0171 2345678"]))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(input.notes, "Stand: Call after 5\n  Email: boss@rival.example\nPhone (mobile): 0171 2345678");
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig { cases: 800, ..ProptestConfig::default() })]

            /// Any headers with any destinations: a mapping is taken or refused with a reason; a taken one reads
            /// any row into an input or into errors naming columns, and a value is never silently lost: every
            /// non-empty cell of a mapped column shows up in the input or in an error.
            #[test]
            fn any_mapping_and_row_is_read_or_refused(
                headers in proptest::collection::vec("[A-Za-zäé _-]{0,8}", 1..8),
                picks in proptest::collection::vec(0..40usize, 8),
                cells in proptest::collection::vec("[ -~é]{0,12}", 0..10),
            ) {
                let all = targets();
                let h: Vec<String> = headers.clone();
                let mapping: Vec<ColumnMapping> = h.iter().enumerate()
                    .map(|(i, c)| ColumnMapping { column: c.clone(), target: all[picks[i] % all.len()].target.clone() })
                    .collect();
                match Mapper::new(&h, &mapping, HashMap::new(), SourceChannel::BulkImport, "f".into(), true) {
                    Err(ImportError::Mapping(m)) => prop_assert!(!m.is_empty()),
                    Err(e) => prop_assert!(false, "unexpected error {e}"),
                    Ok(m) => {
                        let row = RawRow { line: 2, cells: cells.clone() };
                        if let Ok(input) = m.to_input(&row) {
                            let text = format!("{input:?}");
                            for (i, c) in cells.iter().enumerate().take(h.len()) {
                                let value = crate::leads::csv::unguard_cell(c.trim());
                                let missing = is_missing_mark(value, &mapping[i].target);
                                if mapping[i].target != IGNORE && !value.is_empty() && !missing && !value.contains([';', ',', '\\', '"']) {
                                    // A whole name is split: each of its words is kept, if not the cell; so is each
                                    // of several addresses or numbers in one cell.
                                    let parts: Vec<String> = match mapping[i].target.as_str() {
                                        FULL_NAME => value.split_whitespace().map(String::from).collect(),
                                        "email" | "other_emails" => cell_values(value, Separators::Addresses),
                                        "phone" | "other_phones" => cell_values(value, Separators::Phones),
                                        "tags" => tag_values(value),
                                        // A spreadsheet's "7.0" is postcode 7: its ".0" is no character of it.
                                        "postcode" => vec![crate::leads::phone::without_float_tail(value).to_string()],
                                        _ => vec![value.to_string()],
                                    };
                                    for part in parts {
                                        prop_assert!(text.contains(&format!("{part:?}").trim_matches('"').to_string()), "{part:?} of {value:?} lost: {text}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
