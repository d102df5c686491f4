//! CSV in the canonical column names of the field table, shared by import headers and export columns.
use std::io::{Read, Write};

use super::fields::{split_list, LeadFieldKind, FIELDS};
use super::import::RowError;
use super::model::{Lead, LeadInput, SourceChannel};
use crate::error::FieldError;

/// Columns an export adds; an import of that export accepts and ignores them (they are not editable).
pub const READ_ONLY_COLUMNS: [&str; 4] = ["id", "status", "created_at", "updated_at"];

/// The editable columns, in the field table's order: what an import header may name.
pub fn canonical_columns() -> Vec<&'static str> {
    FIELDS.iter().filter(|f| f.info.editable).flat_map(|f| f.info.csv.iter().copied()).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error(
        "the file is not text in a supported encoding (UTF-8, UTF-16 or Windows-1252); save it as CSV UTF-8 and try again"
    )]
    UnsupportedEncoding,
    #[error("unknown column(s) {0}: use the canonical names ({1})")]
    UnknownColumns(String, String),
    #[error("column \"{0}\" appears twice")]
    DuplicateColumn(String),
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

/// Bytes that Windows-1252 leaves undefined: a file holding them is not in that encoding.
const UNDEFINED_IN_1252: [u8; 5] = [0x81, 0x8D, 0x8F, 0x90, 0x9D];

fn decode_utf16(bytes: &[u8], little_endian: bool) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|p| {
        if little_endian {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units).collect::<Result<String, _>>().ok()
}

/// UTF-16 without a byte-order mark: text of mostly ASCII has a zero in every other byte.
fn looks_like_utf16(bytes: &[u8]) -> Option<bool> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zeros_at = |odd: usize| sample.iter().skip(odd).step_by(2).filter(|b| **b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 9 && even == 0 {
        Some(true) // little-endian: "A\0B\0"
    } else if even * 10 >= pairs * 9 && odd == 0 {
        Some(false)
    } else {
        None
    }
}

/// Decodes a file's bytes: UTF-8 (a BOM is dropped), UTF-16 (Excel's "Unicode text", with or without a BOM),
/// or Windows-1252, what spreadsheet programs on Windows write. Anything else is refused rather than decoded
/// lossily: a silently mangled name is worse than an error.
pub fn decode_text(bytes: &[u8]) -> Result<String, CsvError> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, true).ok_or(CsvError::UnsupportedEncoding);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, false).ok_or(CsvError::UnsupportedEncoding);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(le) = looks_like_utf16(bytes) {
        return decode_utf16(bytes, le).ok_or(CsvError::UnsupportedEncoding);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        if s.contains('\0') {
            return Err(CsvError::UnsupportedEncoding);
        }
        return Ok(s.to_string());
    }
    let binary = bytes.iter().any(|b| UNDEFINED_IN_1252.contains(b) || (*b < 0x20 && !b"\t\r\n".contains(b)));
    if binary {
        return Err(CsvError::UnsupportedEncoding);
    }
    Ok(encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned())
}

#[derive(Debug)]
pub struct ParsedRows {
    pub rows: Vec<(u32, LeadInput)>,
    /// Rows that failed before validation (a ragged row, an owner who does not exist); raw text kept for a
    /// rejects file.
    pub rejected: Vec<RowError>,
    pub raw_lines: Vec<(u32, Vec<String>)>,
    pub headers: Vec<String>,
}

/// Cells that spreadsheet programs would run as formulas, guarded on export by a leading apostrophe (OWASP's
/// advice against CSV injection); an import takes the guard off again.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn guard_cell(value: String) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value
    }
}

pub(crate) fn unguard_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
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
    // Line endings as one "\n": the CSV reader numbers the rows of a Windows (CRLF) file one line short
    // otherwise, and a rejects file must point at the right line.
    let text = decode_text(&bytes)?.replace("\r\n", "\n").replace('\r', "\n");
    if text.trim().is_empty() {
        return Err(CsvError::Empty);
    }
    // The file's own shape: its separator (European exports use semicolons) and where its header is (title
    // lines may come first).
    let layout = crate::imports::sniff(&text);
    let delimiter = layout.delimiter.bytes().next().unwrap_or(b',');
    // Flexible: a row with too few or too many cells is a rejected row with its line number, not the end of
    // the whole import.
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).has_headers(false).delimiter(delimiter).from_reader(text.as_bytes());
    let mut records = reader.records();
    for _ in 0..layout.header_row {
        records.next();
    }
    let header_record = match records.next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(CsvError::Malformed { line: 1, message: e.to_string() }),
        None => return Err(CsvError::Empty),
    };
    let canonical = canonical_columns();
    let raw_headers: Vec<String> = header_record.iter().map(|h| h.trim().to_owned()).collect();
    // Canonical names as they are; other headers ("Vorname", "E-Mail", "Firma") by the suggested field.
    let suggested = crate::imports::suggest_mapping(&raw_headers);
    let headers: Vec<String> = raw_headers
        .iter()
        .zip(suggested)
        .map(|(h, s)| {
            let lower = h.to_ascii_lowercase();
            if canonical.contains(&lower.as_str()) || READ_ONLY_COLUMNS.contains(&lower.as_str()) {
                lower
            } else {
                s.field.unwrap_or(lower)
            }
        })
        .collect();
    let unknown: Vec<&str> = headers
        .iter()
        .map(String::as_str)
        .filter(|h| !canonical.contains(h) && !READ_ONLY_COLUMNS.contains(h))
        .collect();
    if !unknown.is_empty() {
        return Err(CsvError::UnknownColumns(unknown.join(", "), canonical.join(", ")));
    }
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(CsvError::DuplicateColumn(h.clone()));
        }
    }
    let mut out = ParsedRows { rows: vec![], rejected: vec![], raw_lines: vec![], headers: headers.clone() };
    for record in records {
        let record = record.map_err(|e| CsvError::Malformed {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0) as u32;
        if record.iter().all(|v| v.trim().is_empty()) {
            continue; // a blank line in a spreadsheet export
        }
        out.raw_lines.push((line, record.iter().map(String::from).collect()));
        if record.len() != headers.len() {
            let message = format!("has {} cells where the header has {}", record.len(), headers.len());
            out.rejected.push(RowError { line, errors: vec![FieldError::new("row", message)] });
            continue;
        }
        let get = |name: &str| -> String {
            let cell = headers.iter().position(|h| h == name).and_then(|i| record.get(i)).unwrap_or("");
            unguard_cell(cell.trim()).to_string()
        };
        let mut errors = Vec::new();
        let mut input = LeadInput::default();
        for f in FIELDS.iter().filter(|f| f.info.editable) {
            match f.info.kind {
                LeadFieldKind::EmailList | LeadFieldKind::PhoneList => {
                    // The first column holds the primary value, kept even when empty so that errors about
                    // `emails.N` point at the right cell.
                    let mut values = vec![get(f.info.csv[0])];
                    if let Some(others) = f.info.csv.get(1) {
                        values.extend(split_list(&get(others)));
                    }
                    if f.info.kind == LeadFieldKind::EmailList {
                        input.emails = values;
                    } else {
                        input.phones = values;
                    }
                }
                LeadFieldKind::Source => {
                    let text = get("source");
                    input.source = if text.is_empty() {
                        default_source
                    } else {
                        let parsed = SourceChannel::parse(&text);
                        if parsed.is_none() {
                            errors.push(FieldError::new(
                                "source",
                                format!("\"{text}\" is not a channel (direct_entry, web_form, bulk_import, partner)"),
                            ));
                        }
                        parsed
                    };
                }
                LeadFieldKind::Owner => {
                    let name = get("owner");
                    if !name.is_empty() {
                        input.owner_id = owner_id(&name);
                        if input.owner_id.is_none() {
                            errors.push(FieldError::new("owner", format!("no user is named \"{name}\"")));
                        }
                    }
                }
                _ => {
                    if let Some(col) = f.info.csv.first() {
                        (f.set)(&mut input, &get(col));
                    }
                }
            }
        }
        if !errors.is_empty() {
            out.rejected.push(RowError { line, errors });
            continue;
        }
        out.rows.push((line, input));
    }
    Ok(out)
}

/// Maps a validation field name (`emails.0`) to the CSV column it came from.
pub fn csv_column(field: &str) -> &str {
    let (list, index) = field.split_once('.').unwrap_or((field, ""));
    match FIELDS.iter().find(|f| f.info.name == list) {
        Some(f) if !index.is_empty() && f.info.csv.len() == 2 => f.info.csv[usize::from(index != "0")],
        Some(f) => f.info.csv.first().copied().unwrap_or(field),
        None => field,
    }
}

pub fn export_header() -> Vec<&'static str> {
    let mut h = vec!["id"];
    h.extend(canonical_columns());
    h.extend(["status", "created_at", "updated_at"]);
    h
}

pub fn export_row(l: &Lead, owner_username: &dyn Fn(i64) -> String) -> Vec<String> {
    let mut row = vec![l.id.to_string()];
    for f in FIELDS.iter().filter(|f| f.info.editable) {
        match f.info.kind {
            LeadFieldKind::EmailList | LeadFieldKind::PhoneList => {
                let values = split_list(&(f.get)(l));
                row.push(values.first().cloned().unwrap_or_default());
                row.push(values.iter().skip(1).cloned().collect::<Vec<_>>().join("; "));
            }
            LeadFieldKind::Owner => row.push(l.owner.as_ref().map(|o| owner_username(o.id)).unwrap_or_default()),
            _ if f.info.csv.is_empty() => {}
            _ => row.push((f.get)(l)),
        }
    }
    row.extend([l.status.as_str().to_string(), l.created_at.clone(), l.updated_at.clone()]);
    row.into_iter().map(guard_cell).collect()
}

pub fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::Writer::from_writer(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(data: &[u8]) -> ParsedRows {
        let owners = |u: &str| if u == "alice" { Some(7) } else { None };
        match read_leads(data, &owners, Some(SourceChannel::BulkImport)) {
            Ok(p) => p,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    #[test]
    fn reads_canonical_columns_and_lists() {
        let parsed = parse(
            b"first_name,email,other_emails,phone,tags,owner,source\n\
              Ann,a@x.com,b@x.com; c@x.com,+44 20 7946 0018,vip;fair,alice,partner\n\
              ,,,,,,\n\
              Bob,,,,,,\n",
        );
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
    fn line_numbers_are_right_whatever_the_line_endings() {
        for data in ["first_name,email\r\nAnn,a@x.io\r\nBo,\r\n", "first_name,email\rAnn,a@x.io\rBo,\r"] {
            let parsed = parse(data.as_bytes());
            assert_eq!(parsed.rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 3], "{data:?}");
        }
    }

    #[test]
    fn a_ragged_row_is_one_rejected_row_not_the_end_of_the_import() {
        let parsed = parse(b"first_name,last_name\nAnn,Lee\nBob\nCy,Ng,extra\nDi,Wu\n");
        assert_eq!(parsed.rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(parsed.rejected.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 4]);
        assert!(parsed.rejected[0].errors[0].message.contains("1 cells where the header has 2"));
    }

    #[test]
    fn encodings_are_detected_and_unknown_ones_refused() {
        assert_eq!(decode_text(b"Ren\xe9").ok().as_deref(), Some("René"));
        assert_eq!(decode_text("\u{feff}Zoë".as_bytes()).ok().as_deref(), Some("Zoë"));
        let utf16le: Vec<u8> = "first_name\nZoë\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let with_bom: Vec<u8> = [&[0xFF, 0xFE][..], &utf16le].concat();
        assert_eq!(decode_text(&with_bom).ok().as_deref(), Some("first_name\nZoë\n"));
        assert_eq!(decode_text(&utf16le).ok().as_deref(), Some("first_name\nZoë\n"), "no BOM");
        let utf16be: Vec<u8> = "first_name\nZoë\n".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode_text(&[&[0xFE, 0xFF][..], &utf16be].concat()).ok().as_deref(), Some("first_name\nZoë\n"));
        assert!(matches!(
            decode_text(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x81\x9d"),
            Err(CsvError::UnsupportedEncoding)
        ));
        let parsed = parse(
            &[
                &[0xFF, 0xFE][..],
                &"first_name,last_name\r\nZoë,Ng\r\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect::<Vec<u8>>(),
            ]
            .concat(),
        );
        assert_eq!(parsed.rows[0].1.first_name, "Zoë");
    }

    #[test]
    fn exports_guard_formulas_and_imports_take_the_guard_off() {
        assert_eq!(guard_cell("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_cell("+14155552671".into()), "'+14155552671");
        assert_eq!(guard_cell("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(guard_cell("-2+3".into()), "'-2+3");
        assert_eq!(guard_cell("Ann".into()), "Ann");
        assert_eq!(unguard_cell("'=1+1"), "=1+1");
        assert_eq!(unguard_cell("'tis"), "'tis", "an apostrophe that guards nothing is the user's");
        let parsed = parse(b"first_name,phone,notes\nAnn,'+14155552671,'=1+1\n");
        assert_eq!(parsed.rows[0].1.phones, vec!["+14155552671"]);
        assert_eq!(parsed.rows[0].1.notes, "=1+1");
    }

    #[test]
    fn error_fields_map_to_their_columns() {
        assert_eq!(csv_column("emails.0"), "email");
        assert_eq!(csv_column("emails.2"), "other_emails");
        assert_eq!(csv_column("phones.0"), "phone");
        assert_eq!(csv_column("phones.1"), "other_phones");
        assert_eq!(csv_column("first_name"), "first_name");
        assert_eq!(csv_column("owner"), "owner");
    }
}
