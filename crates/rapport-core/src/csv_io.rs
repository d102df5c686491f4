//! CSV in the canonical field names shared by import headers, export columns and the API.
use std::io::{Read, Write};

use crate::api::RowError;
use crate::domain::lead::{Address, Lead, LeadInput, SourceChannel};
use crate::error::FieldError;

pub const CANONICAL_FIELDS: [&str; 22] = [
    "first_name",
    "last_name",
    "company",
    "job_title",
    "email",
    "other_emails",
    "phone",
    "other_phones",
    "street",
    "street2",
    "city",
    "postcode",
    "region",
    "country",
    "source",
    "source_detail",
    "campaign",
    "owner",
    "stage",
    "tags",
    "notes",
    "external_ref",
];

/// Columns an export adds; an import of that export accepts and ignores them (they are not editable).
pub const READ_ONLY_FIELDS: [&str; 4] = ["id", "status", "created_at", "updated_at"];

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("unknown column(s) {0}: use the canonical names ({1})")]
    UnknownColumns(String, String),
    #[error("column \"{0}\" appears twice")]
    DuplicateColumn(String),
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
    #[error("could not write CSV: {0}")]
    Write(String),
}

fn split_list(s: &str) -> Vec<String> {
    s.split(';').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

/// Decodes bytes as UTF-8 (a BOM is dropped) or, failing that, as Windows-1252, what spreadsheet programs
/// on Windows write; a lossy decode is never done silently.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

#[derive(Debug)]
pub struct ParsedRows {
    pub rows: Vec<(u32, LeadInput)>,
    /// Rows that failed before validation (e.g. an owner who does not exist); raw text kept for a rejects file.
    pub rejected: Vec<RowError>,
    pub raw_lines: Vec<(u32, Vec<String>)>,
    pub headers: Vec<String>,
}

/// Reads lead rows. `owner_id` resolves a username in the `owner` column; `default_source` fills an empty
/// `source` (a file's rows came through bulk import unless the file says otherwise).
pub fn read_leads(
    mut input: impl Read,
    owner_id: &dyn Fn(&str) -> Option<i64>,
    default_source: Option<SourceChannel>,
) -> Result<ParsedRows, CsvError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text = decode_text(&bytes);
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Malformed { line: 1, message: e.to_string() })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let unknown: Vec<&str> = headers
        .iter()
        .map(String::as_str)
        .filter(|h| !CANONICAL_FIELDS.contains(h) && !READ_ONLY_FIELDS.contains(h))
        .collect();
    if !unknown.is_empty() {
        return Err(CsvError::UnknownColumns(unknown.join(", "), CANONICAL_FIELDS.join(", ")));
    }
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(CsvError::DuplicateColumn(h.clone()));
        }
    }
    let mut out = ParsedRows { rows: vec![], rejected: vec![], raw_lines: vec![], headers: headers.clone() };
    for record in reader.records() {
        let record = record.map_err(|e| CsvError::Malformed {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0) as u32;
        let get = |name: &str| -> String {
            headers.iter().position(|h| h == name).and_then(|i| record.get(i)).unwrap_or("").trim().to_string()
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue; // a blank line in a spreadsheet export
        }
        out.raw_lines.push((line, record.iter().map(String::from).collect()));
        let mut errors = Vec::new();
        let mut emails = vec![get("email")];
        emails.extend(split_list(&get("other_emails")));
        let mut phones = vec![get("phone")];
        phones.extend(split_list(&get("other_phones")));
        let source_text = get("source");
        let source = if source_text.is_empty() {
            default_source
        } else {
            let parsed = SourceChannel::parse(&source_text);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    "source",
                    format!("\"{source_text}\" is not a channel (direct_entry, web_form, bulk_import, partner)"),
                ));
            }
            parsed
        };
        let owner_name = get("owner");
        let owner = if owner_name.is_empty() {
            None
        } else {
            let id = owner_id(&owner_name);
            if id.is_none() {
                errors.push(FieldError::new("owner", format!("no user is named \"{owner_name}\"")));
            }
            id
        };
        if !errors.is_empty() {
            out.rejected.push(RowError { line, errors });
            continue;
        }
        out.rows.push((
            line,
            LeadInput {
                first_name: get("first_name"),
                last_name: get("last_name"),
                company: get("company"),
                job_title: get("job_title"),
                emails,
                phones,
                address: Address {
                    street: get("street"),
                    street2: get("street2"),
                    city: get("city"),
                    postcode: get("postcode"),
                    region: get("region"),
                    country: get("country"),
                },
                source,
                source_detail: get("source_detail"),
                campaign: get("campaign"),
                owner_id: owner,
                stage: get("stage"),
                tags: split_list(&get("tags")),
                notes: get("notes"),
                external_ref: get("external_ref"),
            },
        ));
    }
    Ok(out)
}

/// Maps a validation field name (`emails.0`) to the CSV column it came from.
pub fn csv_column(field: &str) -> &str {
    match field {
        "emails.0" => "email",
        f if f.starts_with("emails.") => "other_emails",
        "phones.0" => "phone",
        f if f.starts_with("phones.") => "other_phones",
        f => f,
    }
}

pub fn export_header() -> Vec<&'static str> {
    let mut h = vec!["id"];
    h.extend(CANONICAL_FIELDS);
    h.extend(["status", "created_at", "updated_at"]);
    h
}

pub fn export_row(l: &Lead, owner_username: &dyn Fn(i64) -> String) -> Vec<String> {
    let rest = |v: Vec<String>| v.into_iter().skip(1).collect::<Vec<_>>().join("; ");
    vec![
        l.id.to_string(),
        l.first_name.clone(),
        l.last_name.clone(),
        l.company.clone(),
        l.job_title.clone(),
        l.emails.first().map(|e| e.address.clone()).unwrap_or_default(),
        rest(l.emails.iter().map(|e| e.address.clone()).collect()),
        l.phones.first().map(|p| p.e164.clone()).unwrap_or_default(),
        rest(l.phones.iter().map(|p| p.e164.clone()).collect()),
        l.address.street.clone(),
        l.address.street2.clone(),
        l.address.city.clone(),
        l.address.postcode.clone(),
        l.address.region.clone(),
        l.address.country.clone(),
        l.source.map(|s| s.as_str().to_string()).unwrap_or_default(),
        l.source_detail.clone(),
        l.campaign.clone(),
        l.owner.as_ref().map(|o| owner_username(o.id)).unwrap_or_default(),
        l.stage.clone(),
        l.tags.join("; "),
        l.notes.clone(),
        l.external_ref.clone(),
        l.status.as_str().to_string(),
        l.created_at.clone(),
        l.updated_at.clone(),
    ]
}

pub fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::Writer::from_writer(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_canonical_columns_and_lists() {
        let data = "first_name,email,other_emails,phone,tags,owner,source\n\
                    Ann,a@x.com,b@x.com; c@x.com,+44 20 7946 0018,vip;fair,alice,partner\n\
                    ,,,,,,\n\
                    Bob,,,,,,\n";
        let owners = |u: &str| if u == "alice" { Some(7) } else { None };
        let parsed = read_leads(data.as_bytes(), &owners, Some(SourceChannel::BulkImport));
        let parsed = parsed.map_err(|e| e.to_string());
        let Ok(parsed) = parsed else { panic!("parse failed: {parsed:?}") };
        assert_eq!(parsed.rows.len(), 2, "the blank row is skipped, not imported");
        let ann = &parsed.rows[0].1;
        assert_eq!(ann.emails, vec!["a@x.com", "b@x.com", "c@x.com"]);
        assert_eq!(ann.tags, vec!["vip", "fair"]);
        assert_eq!(ann.owner_id, Some(7));
        assert_eq!(ann.source, Some(SourceChannel::Partner));
        assert_eq!(parsed.rows[1].1.source, Some(SourceChannel::BulkImport), "empty source takes the default");
        assert_eq!(parsed.rows[1].0, 4, "line numbers count the header as line 1");
    }

    #[test]
    fn unknown_columns_and_bad_rows_are_reported() {
        let r = read_leads("first_name,fax\nA,1\n".as_bytes(), &|_| None, None);
        assert!(matches!(r, Err(CsvError::UnknownColumns(ref c, _)) if c == "fax"));
        let r = read_leads("first_name,owner,source\nA,nobody,carrier pigeon\n".as_bytes(), &|_| None, None);
        let rejected = r.map(|p| p.rejected).unwrap_or_default();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["source", "owner"]);
        assert!(matches!(read_leads("".as_bytes(), &|_| None, None), Err(CsvError::Empty)));
    }

    #[test]
    fn windows_1252_files_decode() {
        assert_eq!(decode_text(b"Ren\xe9"), "René");
        assert_eq!(decode_text("\u{feff}Zoë".as_bytes()), "Zoë");
    }
}
