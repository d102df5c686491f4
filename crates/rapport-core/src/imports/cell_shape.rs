//! What a cell looks like before any field reads it: loose tests for telling what a header-less column holds or
//! whether a lone line below a table could be a contact. Not validation: a value is validated as its field's
//! when its row is read, and a cell these take for an email may still be refused there, with its line.

/// An email address as written: something, an `@`, and a domain with a dot and no space.
pub(crate) fn looks_like_email(cell: &str) -> bool {
    let cell = cell.trim();
    cell.rsplit_once('@').is_some_and(|(local, domain)| {
        !local.trim().is_empty() && domain.contains('.') && !domain.contains(char::is_whitespace)
    })
}

/// A phone number as people write one: 7 to 20 digits, and only the signs numbers are written with.
pub(crate) fn looks_like_phone(cell: &str) -> bool {
    let cell = cell.trim();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&digits) && cell.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c))
}

/// A web address as lists write one: with its scheme or `www.`, and no space.
pub(crate) fn looks_like_website(cell: &str) -> bool {
    let c = cell.trim().to_ascii_lowercase();
    (c.starts_with("http://") || c.starts_with("https://") || c.starts_with("www.")) && !c.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_told_apart_by_their_shape() {
        for email in ["ann@acme.example", " Ann.Lee@mail.acme.co.uk ", "o'neil@x.ie"] {
            assert!(looks_like_email(email), "{email}");
        }
        for not in ["@acme.example", "ann@localhost", "ann@acme example", "Ann Lee", "+44 20 7946 0018"] {
            assert!(!looks_like_email(not), "{not}");
        }
        for phone in ["+44 20 7946 0018", "(415) 555-2671", "030/1234567", " 0400.490.186 ", "555-2671"] {
            assert!(looks_like_phone(phone), "{phone}");
        }
        for not in ["12-34", "12,500.00", "Room 101 ext 4567", "123456789012345678901", "ann@acme.example"] {
            assert!(!looks_like_phone(not), "{not}");
        }
        for site in ["https://acme.example", "www.acme.example", "HTTP://ACME.EXAMPLE/about"] {
            assert!(looks_like_website(site), "{site}");
        }
        for not in ["acme.example", "www.acme .example", "ann@acme.example"] {
            assert!(!looks_like_website(not), "{not}");
        }
    }
}
