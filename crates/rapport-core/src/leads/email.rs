//! Email addresses as the HTML standard defines a "valid email address" (the rule browsers apply to
//! `<input type=email>`), with internationalised domains accepted by converting them to their ASCII form first,
//! as browsers do.
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
    let (local, domain) = s.split_once('@').ok_or(EmailError::Shape)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(EmailError::Shape);
    }
    if !local_part_re().is_match(local) {
        return Err(EmailError::LocalPart);
    }
    let ascii_domain = if domain.is_ascii() {
        domain.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(domain).map_err(|_| EmailError::Domain)?
    };
    if !domain_re().is_match(&ascii_domain) {
        return Err(EmailError::Domain);
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
        assert_eq!(normalize_email("mailto:x@y.z").as_deref(), Ok("x@y.z"));
        // A link's scheme in any case, and the full stop of a sentence, are no part of the address.
        assert_eq!(normalize_email("MAILTO:Jane@X.com.").as_deref(), Ok("Jane@x.com"));
        assert_eq!(normalize_email("Mailto:jane@x.com").as_deref(), Ok("jane@x.com"));
        // The HTML standard allows a dotless domain (intranet hosts).
        assert_eq!(normalize_email("root@localhost").as_deref(), Ok("root@localhost"));
        assert_eq!(normalize_email("hans@müller.de").as_deref(), Ok("hans@xn--mller-kva.de"));
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
    }
}
