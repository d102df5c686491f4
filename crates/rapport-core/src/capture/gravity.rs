//! Gravity Forms (WordPress) names a form's fields by their numbers: "1.3" and "1.6" in what its Webhooks
//! add-on sends, "input_1.3" in the form as the page posts it. The numbers say nothing to the mapping, so a
//! submission came in as a lead without a name or address, or was refused for naming no one. Its two compound
//! fields number their parts the same way on every site: a Name's first part is .3 and its last .6, an
//! Address's street .1 and its town .3. Those parts are named here as a header would name them, an email or
//! a phone sent under a bare number is named by its value, and the plugin's own plumbing is left out; every
//! other number stays as sent, for the notes.
use crate::imports::{looks_like_email, looks_like_phone};

/// The parts of a Name field, by their number after the dot.
const NAME_PARTS: [(&str, &str); 5] =
    [("2", "Prefix"), ("3", "First name"), ("4", "Middle name"), ("6", "Last name"), ("8", "Suffix")];
/// The parts of an Address field.
const ADDRESS_PARTS: [(&str, &str); 6] = [
    ("1", "Street address"),
    ("2", "Address line 2"),
    ("3", "City"),
    ("4", "State / Province / Region"),
    ("5", "ZIP / Postal code"),
    ("6", "Country"),
];

/// A field's number and its part's ("1.3" is field 1, part 3; "2" is field 2, no part), from "N.P" or
/// "input_N.P".
fn numbered(name: &str) -> Option<(&str, Option<&str>)> {
    let name = name.strip_prefix("input_").unwrap_or(name);
    let (field, part) = match name.split_once('.') {
        Some((f, p)) => (f, Some(p)),
        None => (name, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(field) && part.is_none_or(digits)).then_some((field, part))
}

/// The plugin's own fields of a posted form: its page numbers, its state, its submit flags.
fn plumbing(name: &str) -> bool {
    name.starts_with("gform_") || name.starts_with("is_submit_") || name.starts_with("state_")
}

/// Names Gravity Forms' numbered fields in `fields` as headers would name them (see the module), unless the
/// source's own map names them (`mapped`). Nothing changes in a body that is not Gravity Forms': its own
/// fields ("form_id", "gform_submit") and at least two numbered ones, one of them a compound's part, say so.
pub(super) fn name_fields(fields: &mut Vec<(String, String)>, mapped: impl Fn(&str) -> bool) {
    let numbers = fields.iter().filter(|(k, _)| numbered(k).is_some()).count();
    let parts = fields.iter().any(|(k, _)| numbered(k).is_some_and(|(_, p)| p.is_some()));
    let its_own = fields.iter().any(|(k, _)| k == "form_id" || plumbing(k));
    if numbers < 2 || !parts || !its_own {
        return;
    }
    fields.retain(|(k, _)| !plumbing(k) || mapped(k));
    // Which numbers are addresses: a street (.1) or a postcode (.5) is only ever an address's.
    let addresses: Vec<String> = fields
        .iter()
        .filter_map(|(k, _)| numbered(k))
        .filter(|(_, p)| matches!(p, Some("1" | "5")))
        .map(|(f, _)| f.to_string())
        .collect();
    for (name, value) in fields.iter_mut() {
        if mapped(name) {
            continue;
        }
        let Some((field, part)) = numbered(name) else { continue };
        let header = match part {
            Some(p) if addresses.iter().any(|a| a == field) => ADDRESS_PARTS.iter().find(|(n, _)| *n == p),
            Some(p) => NAME_PARTS.iter().find(|(n, _)| *n == p),
            None => None,
        }
        .map(|(_, h)| h.to_string())
        .or_else(|| {
            let v = value.trim();
            if part.is_some() {
                None
            } else if looks_like_email(v) {
                Some("Email".to_string())
            } else if looks_like_phone(v) {
                Some("Phone".to_string())
            } else {
                None
            }
        });
        if let Some(h) = header {
            *name = h;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn names(f: &[(String, String)]) -> Vec<&str> {
        f.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn a_webhook_and_a_posted_form_name_their_parts() {
        let mut hook = fields(&[
            ("id", "12"),
            ("form_id", "1"),
            ("1.3", "John"),
            ("1.6", "Gravitas"),
            ("2", "john@gf-example.com"),
            ("3", "(555) 555-1234"),
            ("4.1", "123 Main St"),
            ("4.2", "Apt 4"),
            ("4.3", "Springfield"),
            ("4.4", "IL"),
            ("4.5", "62701"),
            ("4.6", "United States"),
            ("5", "Gravity Co"),
        ]);
        name_fields(&mut hook, |_| false);
        assert_eq!(
            names(&hook),
            [
                "id",
                "form_id",
                "First name",
                "Last name",
                "Email",
                "Phone",
                "Street address",
                "Address line 2",
                "City",
                "State / Province / Region",
                "ZIP / Postal code",
                "Country",
                "5"
            ]
        );
        let mut posted = fields(&[
            ("input_1.3", "John"),
            ("input_1.6", "Postman"),
            ("input_2", "john@gf-example.com"),
            ("is_submit_1", "1"),
            ("gform_submit", "1"),
            ("state_1", "WyJbXSIsIjZkOGRmZjE5In0="),
        ]);
        name_fields(&mut posted, |_| false);
        assert_eq!(names(&posted), ["First name", "Last name", "Email"]);
    }

    #[test]
    fn other_bodies_and_mapped_names_are_left_as_sent() {
        // Numbers without the plugin's own fields: someone else's form.
        let mut other = fields(&[("1.3", "a"), ("1.6", "b"), ("2", "c@d.io")]);
        name_fields(&mut other, |_| false);
        assert_eq!(names(&other), ["1.3", "1.6", "2"]);
        // A partner's map that names a number keeps it.
        let mut mapped = fields(&[("form_id", "1"), ("1.3", "Jo"), ("1.6", "Lee")]);
        name_fields(&mut mapped, |k| k == "1.3");
        assert_eq!(names(&mapped), ["form_id", "1.3", "Last name"]);
    }
}
