//! CSV in the canonical column names of the field table: the export's columns, which an import of it maps back
//! (imports themselves read any file: see `imports/`).

use super::fields::{split_list, LeadFieldKind, FIELDS};
use super::model::Lead;

/// Columns an export adds; an import of that export accepts and ignores them (they are not editable).
pub const READ_ONLY_COLUMNS: [&str; 4] = ["id", "status", "created_at", "updated_at"];

/// The editable columns, in the field table's order: what an import header may name.
pub fn canonical_columns() -> Vec<&'static str> {
    FIELDS.iter().filter(|f| f.info.editable).flat_map(|f| f.info.csv.iter().copied()).collect()
}

/// Cells that spreadsheet programs would run as formulas, guarded on export by a leading apostrophe (OWASP's
/// advice against CSV injection); an import takes the guard off again.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A value a spreadsheet would run, or one an import would take for a guarded one ("'=see above", typed so):
/// both get the guard, so every value comes back from export and import as it was.
fn needs_guard(value: &str) -> bool {
    let apostrophes = value.len() - value.trim_start_matches('\'').len();
    value[apostrophes..].starts_with(FORMULA_STARTS)
}

pub fn guard_cell(value: String) -> String {
    if needs_guard(&value) {
        format!("'{value}")
    } else {
        value
    }
}

pub(crate) fn unguard_cell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => value,
    }
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
                let mut values = if f.info.kind == LeadFieldKind::PhoneList {
                    l.phones.iter().map(exported_phone).collect()
                } else {
                    split_list(&(f.get)(l))
                };
                // Values kept as typed because they were invalid (a Draft's "bob@") go with the others: an
                // import with "keep invalid" keeps them again, one without it names them among its rejects.
                values.extend(l.invalid.iter().filter(|v| v.field == f.info.name).map(|v| v.value.clone()));
                row.push(values.first().cloned().unwrap_or_default());
                row.push(values.iter().skip(1).cloned().collect::<Vec<_>>().join("; "));
            }
            LeadFieldKind::Owner => row.push(l.owner.as_ref().map(|o| owner_username(o.id)).unwrap_or_default()),
            // One tag with a comma in it ("vip, gold") is written with the list's separator after it: alone in
            // its cell, an import reads commas as separators (Pipedrive's and Zoho's tags), and it came back as
            // two tags.
            LeadFieldKind::TagList if l.tags.len() == 1 && l.tags[0].contains(',') => {
                row.push(format!("{};", l.tags[0]));
            }
            _ if f.info.csv.is_empty() => {}
            _ => row.push((f.get)(l)),
        }
    }
    row.extend([l.status.as_str().to_string(), l.created_at.clone(), l.updated_at.clone()]);
    row.into_iter().map(guard_cell).collect()
}

/// A phone as exported: its E.164 form (read the same in any region), with the extension it was typed with
/// ("+1 415 555 2671 ext. 12", "…;ext=12"), which E.164 cannot hold, as the parameter an import reads back.
fn exported_phone(p: &super::model::PhoneEntry) -> String {
    let original = p.original.trim();
    if let Some((_, params)) = original.split_once(';').filter(|(_, params)| params.contains('=')) {
        return format!("{};{}", p.e164, params.trim());
    }
    let lower = original.to_ascii_lowercase();
    let marked = ["extension", "ext.", "ext", "x", "#"].iter().find_map(|m| {
        let at = lower.rfind(m)?;
        let digits = lower[at + m.len()..].trim();
        (!digits.is_empty() && digits.len() <= 8 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
    });
    match marked {
        Some(ext) => format!("{};ext={ext}", p.e164),
        None => p.e164.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_guard_formulas_and_imports_take_the_guard_off() {
        assert_eq!(guard_cell("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_cell("+14155552671".into()), "'+14155552671");
        assert_eq!(guard_cell("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(guard_cell("-2+3".into()), "'-2+3");
        assert_eq!(guard_cell("Ann".into()), "Ann");
        assert_eq!(unguard_cell("'=1+1"), "=1+1");
        assert_eq!(unguard_cell("'tis"), "'tis", "an apostrophe that guards nothing is the user's");
        // A note typed "'=see above" looks guarded: it is guarded once more, and comes back as typed.
        assert_eq!(guard_cell("'=see above".into()), "''=see above");
        assert_eq!(unguard_cell("''=see above"), "'=see above");
    }

    proptest::proptest! {
        /// Whatever a cell holds, export then import gives it back.
        #[test]
        fn a_cell_comes_back_from_export_and_import_as_it_was(value in "['=+@ a-z-]{0,6}") {
            let exported = guard_cell(value.clone());
            proptest::prop_assert_eq!(unguard_cell(&exported), value.as_str());
        }
    }

    #[test]
    fn a_phone_is_exported_with_the_extension_it_was_typed_with() {
        let phone = |original: &str| super::super::model::PhoneEntry {
            e164: "+14155552671".into(),
            display: "+1 415-555-2671".into(),
            original: original.into(),
        };
        for typed in ["+1 415 555 2671 ext. 12", "+1 415 555 2671;ext=12", "(415) 555-2671 x12", "415 555 2671 #12"] {
            assert_eq!(exported_phone(&phone(typed)), "+14155552671;ext=12", "{typed}");
        }
        assert_eq!(exported_phone(&phone("+1 415 555 2671")), "+14155552671");
        assert_eq!(exported_phone(&phone("tel:+1-415-555-2671")), "+14155552671");
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
