//! Postcodes as a country writes them: the leading zeros a spreadsheet took, the old European country letters
//! in front ("D-80331"), and the one layout of the countries that have one ("SW1A 1AA").

/// Countries whose postcodes are all digits, all of one length, some of them beginning with 0.
const POSTCODE_DIGITS: &[(&str, usize)] = &[
    ("US", 5),
    ("DE", 5),
    ("FR", 5),
    ("IT", 5),
    ("ES", 5),
    ("FI", 5),
    ("MX", 5),
    ("MY", 5),
    ("TR", 5),
    ("KR", 5),
    ("TH", 5),
    ("UA", 5),
    ("HR", 5),
    ("EE", 5),
    ("DZ", 5),
    ("MA", 5),
    ("ID", 5),
    ("SA", 5),
    ("NO", 4),
    ("AU", 4),
    ("ZA", 4),
    ("SG", 6),
    ("CN", 6),
];

/// Countries whose postcodes are all digits, all of one length, none beginning with 0: a zero in front was
/// added by a cell format, and none was ever lost.
const POSTCODE_DIGITS_NO_ZERO: &[(&str, usize)] =
    &[("AT", 4), ("CH", 4), ("LI", 4), ("BE", 4), ("DK", 4), ("HU", 4), ("LU", 4), ("NZ", 4), ("PH", 4)];

/// A postcode of digits shorter than its country's (`region`) has lost its leading zeros to a spreadsheet, which
/// keeps 01067 as the number 1067: they are put back. One longer by leading zeros only was padded by a cell
/// format meant for another country's (a column formatted "00000" holding Oslo's 0150 shows 00150): they are
/// taken off. Anything else stays as typed.
pub(crate) fn with_leading_zeros(postcode: &str, region: &str) -> String {
    let digits = postcode.trim();
    let of_region = |list: &[(&str, usize)]| list.iter().find(|(r, _)| r.eq_ignore_ascii_case(region)).map(|(_, n)| *n);
    let (length, may_lose_zeros) = match of_region(POSTCODE_DIGITS) {
        Some(n) => (Some(n), true),
        None => (of_region(POSTCODE_DIGITS_NO_ZERO), false),
    };
    match length {
        Some(n) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            if digits.len() < n && may_lose_zeros {
                format!("{digits:0>n$}")
            } else if digits.len() > n && digits[..digits.len() - n].bytes().all(|b| b == b'0') {
                digits[digits.len() - n..].to_string()
            } else {
                postcode.to_string()
            }
        }
        _ => postcode.to_string(),
    }
}

/// The letters an address may write before a postcode for its country, where they are not its ISO code: the
/// international vehicle codes of the old European convention ("D-80331", "A-1010", "F-75001"), which German and
/// Austrian lists also write as the country itself ("Land: D").
pub(crate) const VEHICLE_CODES: &[(&str, &str)] = &[
    ("DE", "D"),
    ("AT", "A"),
    ("FR", "F"),
    ("BE", "B"),
    ("LU", "L"),
    ("IT", "I"),
    ("ES", "E"),
    ("PT", "P"),
    ("SE", "S"),
    ("NO", "N"),
    ("FI", "FIN"),
    ("FI", "SF"),
    ("HU", "H"),
    ("SI", "SLO"),
];

/// A file's postcode for the row's country (`region`): without that country's letters in front ("D-80331"),
/// with the leading zeros a spreadsheet took ([`with_leading_zeros`]), and laid out as the country writes its
/// postcodes when it has one layout ("sw1a1aa" is "SW1A 1AA", "00950" in Poland "00-950"). Anything else
/// stays as typed.
pub(crate) fn postcode_of_country(postcode: &str, region: &str) -> String {
    let region = region.trim().to_ascii_uppercase();
    if let Some(rest) = without_country_prefix(postcode.trim(), &region) {
        return laid_out(rest, &region).unwrap_or_else(|| rest.to_string());
    }
    let zeros = with_leading_zeros(postcode, &region);
    laid_out(&zeros, &region).unwrap_or(zeros)
}

/// What follows the country's letters at the start of `typed`, when that is a whole postcode of the country.
fn without_country_prefix<'a>(typed: &'a str, region: &str) -> Option<&'a str> {
    let letters_end = typed.find(|c: char| !c.is_ascii_alphabetic())?;
    let (letters, rest) = typed.split_at(letters_end);
    let rest = rest.strip_prefix(['-', ' ']).unwrap_or(rest);
    if letters.is_empty() || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let letters = letters.to_ascii_uppercase();
    let ours = letters == region || VEHICLE_CODES.iter().any(|(r, p)| *r == region && *p == letters);
    let digits_of_length = |n: usize| rest.len() == n && rest.bytes().all(|b| b.is_ascii_digit());
    let whole = match POSTCODE_DIGITS.iter().chain(POSTCODE_DIGITS_NO_ZERO).find(|(r, _)| *r == region) {
        Some((_, n)) => digits_of_length(*n),
        None => laid_out(rest, region).is_some(),
    };
    (ours && whole).then_some(rest)
}

/// `text` in the one layout its country writes postcodes in, when it is such a postcode; `None` otherwise (a
/// country with several layouts or none known, or a text that is not one of its postcodes).
fn laid_out(text: &str, region: &str) -> Option<String> {
    if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-') {
        return None;
    }
    let compact: String = text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    let c: Vec<char> = compact.chars().collect();
    let digit = |i: usize| c[i].is_ascii_digit();
    let letter = |i: usize| c[i].is_ascii_alphabetic();
    let digits = |n: usize| c.len() == n && (0..n).all(digit);
    let split = |at: usize, sep: &str| format!("{}{sep}{}", &compact[..at], &compact[at..]);
    match region {
        // Outward code (A9, A99, AA9, AA99, A9A, AA9A), then the inward code, digit and two letters.
        "GB" | "IM" | "JE" | "GG" => {
            let n = c.len();
            let inward = n >= 5 && digit(n - 3) && letter(n - 2) && letter(n - 1);
            let outward = (2..=4).contains(&(n.saturating_sub(3)))
                && letter(0)
                && (digit(1) || (letter(1) && n >= 6 && digit(2)))
                && c[..n - 3].iter().all(char::is_ascii_alphanumeric);
            (inward && outward).then(|| split(n - 3, " "))
        }
        "CA" => (c.len() == 6 && (0..6).all(|i| if i % 2 == 0 { letter(i) } else { digit(i) })).then(|| split(3, " ")),
        "NL" => (c.len() == 6 && (0..4).all(digit) && c[0] != '0' && letter(4) && letter(5)).then(|| split(4, " ")),
        // Eircode: a routing key (a letter and two digits, or Dublin's D6W), then four letters and digits.
        "IE" => (c.len() == 7 && letter(0) && (digit(1) && digit(2) || &compact[..3] == "D6W")).then(|| split(3, " ")),
        "PL" => digits(5).then(|| split(2, "-")),
        "SE" | "CZ" | "SK" | "GR" => digits(5).then(|| split(3, " ")),
        "BR" => digits(8).then(|| split(5, "-")),
        "JP" => digits(7).then(|| split(3, "-")),
        "PT" => digits(7).then(|| split(4, "-")),
        "US" if digits(9) => Some(split(5, "-")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postcode_is_brought_to_its_country_s_length_by_leading_zeros_only() {
        assert_eq!(with_leading_zeros("1067", "DE"), "01067");
        assert_eq!(with_leading_zeros("00150", "NO"), "0150", "zeros a format for five digits added");
        assert_eq!(with_leading_zeros("0001010", "at"), "1010");
        assert_eq!(with_leading_zeros("10150", "NO"), "10150", "a digit that is not a zero is kept");
        assert_eq!(with_leading_zeros("01067", "DE"), "01067");
        assert_eq!(with_leading_zeros("SW1A 1AA", "GB"), "SW1A 1AA");
        assert_eq!(with_leading_zeros("00150", "XX"), "00150", "no length known");
        assert_eq!(with_leading_zeros("101", "AT"), "101", "no Austrian postcode begins with 0");
    }

    /// The old European country prefix ("D-80331", "CH-8001") goes when it is the row's country's, and
    /// postcodes whose country writes them one way are laid out so ("sw1a1aa" is "SW1A 1AA"): the same
    /// postcode written two ways is one for the duplicate check and the list's sort.
    #[test]
    fn a_file_s_postcode_loses_its_country_prefix_and_takes_its_country_s_layout() {
        let cases = [
            ("D-80331", "DE", "80331"),
            ("D 80331", "DE", "80331"),
            ("DE-80331", "DE", "80331"),
            ("A-1010", "AT", "1010"),
            ("CH-8001", "CH", "8001"),
            ("F-75001", "FR", "75001"),
            ("B-1000", "BE", "1000"),
            ("NL-1012 AB", "NL", "1012 AB"),
            ("PL-00-950", "PL", "00-950"),
            ("S-111 22", "SE", "111 22"),
            ("sw1a1aa", "GB", "SW1A 1AA"),
            ("ec1a 1bb", "GB", "EC1A 1BB"),
            ("M11AE", "GB", "M1 1AE"),
            ("k1a0b1", "CA", "K1A 0B1"),
            ("1012ab", "NL", "1012 AB"),
            ("d02x285", "IE", "D02 X285"),
            ("00950", "PL", "00-950"),
            ("11122", "SE", "111 22"),
            ("11000", "CZ", "110 00"),
            ("01310100", "BR", "01310-100"),
            ("1000001", "JP", "100-0001"),
            ("1000001", "PT", "1000-001"),
            ("941051234", "US", "94105-1234"),
        ];
        for (typed, region, want) in cases {
            assert_eq!(postcode_of_country(typed, region), want, "{typed} in {region}");
        }
        // Not the country's letters, or not its postcode after them: kept as typed.
        for (typed, region) in [
            ("D-80331", "AT"),
            ("D-8033", "DE"), // a German postcode of before 1993, four digits: not one of today's
            ("A-1010", "DE"),
            ("DE 1", "DE"),
            ("SW1A", "GB"),
            ("sw1a1aa", "US"),
            ("K1A0B", "CA"),
            ("9410512", "US"),
            ("CA-94105", "US"),
            ("", "DE"),
        ] {
            assert_eq!(postcode_of_country(typed, region), typed, "{typed} in {region}");
        }
        // What the leading zeros did stays.
        assert_eq!(postcode_of_country("1067", "DE"), "01067");
        assert_eq!(postcode_of_country("00150", "NO"), "0150");
    }

    proptest::proptest! {
        /// Whatever a file holds: no panic, and nothing but the country's letters, leading zeros, case and
        /// separators changes.
        #[test]
        fn a_postcode_is_only_tidied(typed in "[0-9]{3,9}|[A-Za-z]{1,3}[- ]?[0-9]{4,8}|[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]|[0-9]{4} ?[A-Za-z]{2}|[A-Za-z0-9 Ö-]{0,12}|\\PC{0,12}", region in "(DE|AT|GB|CA|NL|IE|PL|SE|US|BR|JP|PT|NO|XX)") {
            let out = postcode_of_country(&typed, &region);
            let norm = |t: &str| t.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect::<String>().trim_start_matches('0').to_string();
            proptest::prop_assert!(norm(&typed).ends_with(&norm(&out)), "{typed:?} -> {out:?}");
            proptest::prop_assert!(out.chars().all(|c| c == ' ' || c == '-' || c == '0' || typed.to_uppercase().contains(c.to_ascii_uppercase()) || typed.contains(c)), "{typed:?} -> {out:?}");
        }
    }
}
