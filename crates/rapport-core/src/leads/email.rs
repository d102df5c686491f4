//! Email addresses as the HTML standard defines a "valid email address" (the rule browsers apply to
//! `<input type=email>`), with internationalised domains accepted by converting them to their ASCII form first,
//! as browsers do; and, as mail to a customer is sent over the internet and a lead's address is checked when it
//! is entered (seed 2.1), a domain with its ending (".com", ".de") and a name without stray dots (RFC 5321).
use regex::Regex;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is empty")]
    Empty,
    #[error("needs exactly one @ between a name and a domain, e.g. jane@example.com")]
    Shape,
    #[error("has characters that are not allowed before the @")]
    LocalPart,
    #[error("has a domain that is not valid")]
    Domain,
    #[error("has a domain without its ending (like .com or .de)")]
    NoEnding,
    #[error("has a dot at the start or the end of the name before the @, or two dots in a row there")]
    Dots,
    #[error("holds more than one address: give each its own line")]
    Several,
    #[error("is longer than 254 characters")]
    TooLong,
}

fn local_part_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The literal comes from the HTML standard; it cannot fail to compile.
        #[allow(clippy::unwrap_used)]
        Regex::new(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+$").unwrap()
    })
}

fn domain_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
        )
        .unwrap()
    })
}

/// Validates `input` and returns its stored form: trimmed, domain lower-cased (domains are case-insensitive;
/// local parts are not, by the standard, so they are kept as typed).
pub fn normalize_email(input: &str) -> Result<String, EmailError> {
    let s = input.trim();
    // Pasted addresses often come as "Jane <jane@x.com>" or "mailto:jane@x.com"; both are unambiguous.
    let s = match s.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &s[7..],
        _ => s,
    };
    let s = match (s.rfind('<'), s.ends_with('>')) {
        (Some(i), true) => &s[i + 1..s.len() - 1],
        _ => s,
    };
    // The full stop of the sentence the address ended ("write to jane@example.com.") is no part of it.
    let s = s.strip_suffix('.').filter(|rest| !rest.ends_with('.')).unwrap_or(s);
    if s.is_empty() {
        return Err(EmailError::Empty);
    }
    // "ann@example.com, bob@example.com" pasted into one field: two addresses, not a malformed one.
    if s.matches('@').count() > 1 && s.contains([',', ';', ' ', '\n']) {
        return Err(EmailError::Several);
    }
    let (local, domain) = s.split_once('@').ok_or(EmailError::Shape)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(EmailError::Shape);
    }
    if !local_part_re().is_match(local) {
        return Err(EmailError::LocalPart);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::Dots);
    }
    let ascii_domain = if domain.is_ascii() {
        domain.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(domain).map_err(|_| EmailError::Domain)?
    };
    if !domain_re().is_match(&ascii_domain) {
        return Err(EmailError::Domain);
    }
    // "ann@gmail", "ann@hotmail": the ending forgotten. An ending is letters ("com", "de"), or an IDN's ASCII form.
    let ending = ascii_domain.rsplit_once('.').map(|(_, e)| e);
    if !ending.is_some_and(|e| (e.len() >= 2 && e.bytes().all(|b| b.is_ascii_alphabetic())) || e.starts_with("xn--")) {
        return Err(EmailError::NoEnding);
    }
    let out = format!("{local}@{ascii_domain}");
    if out.len() > 254 {
        return Err(EmailError::TooLong);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalizes_valid_addresses() {
        assert_eq!(normalize_email("  Jane.Doe@Example.COM ").as_deref(), Ok("Jane.Doe@example.com"));
        assert_eq!(normalize_email("a+tag@sub.example.co.uk").as_deref(), Ok("a+tag@sub.example.co.uk"));
        assert_eq!(normalize_email("Jane <jane@x.io>").as_deref(), Ok("jane@x.io"));
        assert_eq!(normalize_email("mailto:x@y.io").as_deref(), Ok("x@y.io"));
        // A link's scheme in any case, and the full stop of a sentence, are no part of the address.
        assert_eq!(normalize_email("MAILTO:Jane@X.com.").as_deref(), Ok("Jane@x.com"));
        assert_eq!(normalize_email("Mailto:jane@x.com").as_deref(), Ok("jane@x.com"));
        assert_eq!(normalize_email("hans@müller.de").as_deref(), Ok("hans@xn--mller-kva.de"));
        assert_eq!(normalize_email("info@例え.テスト").as_deref(), Ok("info@xn--r8jz45g.xn--zckzah"));
        assert_eq!(normalize_email("o'brien@example.ie").as_deref(), Ok("o'brien@example.ie"));
    }

    #[test]
    fn rejects_invalid_addresses_with_a_reason() {
        assert_eq!(normalize_email(""), Err(EmailError::Empty));
        assert_eq!(normalize_email("jane.example.com"), Err(EmailError::Shape));
        assert_eq!(normalize_email("a@b@c"), Err(EmailError::Shape));
        assert_eq!(normalize_email("jane doe@x.com"), Err(EmailError::LocalPart));
        assert_eq!(normalize_email("jane@-x.com"), Err(EmailError::Domain));
        assert_eq!(normalize_email("jane@x..com"), Err(EmailError::Domain));
        assert_eq!(normalize_email("jane@x.com.."), Err(EmailError::Domain));
        assert_eq!(normalize_email("jane@x_y.com"), Err(EmailError::Domain));
        let long = format!("{}@x.com", "a".repeat(250));
        assert_eq!(normalize_email(&long), Err(EmailError::TooLong));
        // Typed without the domain's ending, or its ending mistyped: no mail would reach them. The HTML standard
        // allows a dotless domain for intranet hosts; a lead is not one.
        for bad in ["ann@gmail", "ann@hotmail", "ann@123", "a@b", "root@localhost", "ann@gmail.c0m", "ann@1.2.3.4"] {
            assert_eq!(normalize_email(bad), Err(EmailError::NoEnding), "{bad}");
        }
        for bad in [".jane@example.com", "jane.@example.com", "ann..b@example.com"] {
            assert_eq!(normalize_email(bad), Err(EmailError::Dots), "{bad}");
        }
        for two in ["ann@example.com, bob@example.com", "ann@example.com;bob@example.com", "ann@x.com bob@y.com"] {
            assert_eq!(normalize_email(two), Err(EmailError::Several), "{two}");
        }
    }
}
