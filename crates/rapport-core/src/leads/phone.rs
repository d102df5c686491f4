//! Phone numbers parsed with `phonenumber` (a port of Google's libphonenumber) to E.164, the original text
//! kept beside it.
//!
//! Two workarounds, both checked against libphonenumber on this project's platform:
//! - a number written in international form (`+…`, or the region's international call prefix) is parsed
//!   without a default region, because `phonenumber` otherwise applies that region's national prefix rules to
//!   a foreign number and can return a valid but wrong number;
//! - digits from other scripts (full-width, Arabic-Indic, Devanagari, …) are folded to ASCII first, since the
//!   crate only reads ASCII digits.
use phonenumber::{country, Mode, PhoneNumber};
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("is empty")]
    Empty,
    #[error("is not a phone number")]
    Unparsable,
    /// "4.91761E+12": a spreadsheet showed the number in scientific notation and saved it so; its last digits
    /// are gone, and only the source can give them back.
    #[error("was shortened by a spreadsheet to scientific notation, and its last digits are lost: format the column as text in the spreadsheet and export it again")]
    ScientificNotation,
    #[error("is not a valid number for {0}; if it is from another country, add its country code (e.g. +44 …)")]
    Invalid(String),
    /// "491712345678": nothing in the default region, a number with a "+" before it.
    #[error("is not a valid number for {0}; if it is {1}, write the + before it")]
    PlusMissing(String, String),
    /// The number carried its country code already: suggesting to add one would be wrong.
    #[error("is not a valid number for country code +{0}")]
    InvalidInternational(u16),
    #[error("default region {0} is not a known country code")]
    UnknownRegion(String),
    /// "+1 415 555 2671; +44 20 7946 0018": the second would be dropped with the parameters after a ";".
    #[error("holds more than one number: give each its own line")]
    Several,
    #[error("is longer than 64 characters")]
    TooLong,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    pub e164: String,
    /// National significant number: what people type without the country code; indexed for search.
    pub national: String,
    pub international: String,
}

/// Zero code points of the decimal-digit blocks people actually type numbers in, besides ASCII and full-width
/// (which NFKC folds). Each block holds the ten digits in order.
const DIGIT_ZEROS: &[u32] = &[
    0x0660, // Arabic-Indic
    0x06F0, // Extended Arabic-Indic (Persian, Urdu)
    0x0966, // Devanagari
    0x09E6, // Bengali
    0x0A66, // Gurmukhi
    0x0AE6, // Gujarati
    0x0B66, // Oriya
    0x0BE6, // Tamil
    0x0C66, // Telugu
    0x0CE6, // Kannada
    0x0D66, // Malayalam
    0x0E50, // Thai
    0x0ED0, // Lao
    0x0F20, // Tibetan
    0x1040, // Myanmar
    0x17E0, // Khmer
    0x1810, // Mongolian
];

pub fn fold_digits(input: &str) -> String {
    input
        .nfkc()
        .map(|c| {
            let cp = c as u32;
            DIGIT_ZEROS
                .iter()
                .find(|&&zero| cp >= zero && cp < zero + 10)
                .and_then(|&zero| char::from_digit(cp - zero, 10))
                .unwrap_or(c)
        })
        .collect()
}

/// Whether `c` only steers the direction text is shown in (U+200E/U+200F, the Arabic letter mark, embeddings,
/// overrides and isolates): what right-to-left apps (WhatsApp, an Arabic or Hebrew address book) put around a
/// number copied from them. No digit of the number.
pub(crate) fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `input` without the direction marks around or inside it ([`is_direction_mark`]).
pub(crate) fn without_direction_marks(input: &str) -> std::borrow::Cow<'_, str> {
    if input.chars().any(is_direction_mark) {
        std::borrow::Cow::Owned(input.chars().filter(|c| !is_direction_mark(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(input)
    }
}

pub fn is_known_region(code: &str) -> bool {
    code.len() == 2 && country::Id::from_str(&code.to_ascii_uppercase()).is_ok()
}

/// International call prefix used in `region` to dial abroad, when it is one of the common ones.
fn international_prefix(region: &str) -> &'static str {
    // The North American Numbering Plan dials out with 011; Japan with 010; Australia with 0011; most other
    // places with 00.
    const NANP: &[&str] = &[
        "US", "CA", "AG", "AI", "AS", "BB", "BM", "BS", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC", "MP", "MS",
        "PR", "SX", "TC", "TT", "VC", "VG", "VI",
    ];
    if NANP.contains(&region) {
        "011"
    } else if region == "JP" {
        "010"
    } else if region == "AU" {
        // Read as 00 and a country code 11…, an Australian's "0011 44 …" was refused.
        "0011"
    } else {
        "00"
    }
}

/// The number a `tel:` URI (RFC 3966, what web pages link) carries, as dialable text: `tel:+1-201-555-0123`,
/// `tel:863-1234;phone-context=+1-914-555` (a local number and the global prefix it belongs to),
/// `tel:+1-201-555-0123;ext=1234`. None when `input` is not a `tel:` URI.
fn from_tel_uri(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let rest = trimmed.get(..4).filter(|p| p.eq_ignore_ascii_case("tel:")).map(|_| &trimmed[4..])?;
    let rest = percent_decode(rest);
    let mut parts = rest.split(';');
    let number = parts.next().unwrap_or("").to_string();
    let mut context = None;
    let mut extension = None;
    for param in parts {
        if let Some((k, v)) = param.split_once('=') {
            if k.eq_ignore_ascii_case("phone-context") {
                context = Some(v.to_string());
            } else if k.eq_ignore_ascii_case("ext") && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                extension = Some(v.to_string());
            }
        }
    }
    // A local number is dialled within its context; a context that is a global number prefix completes it
    // (a domain name as context names no country and is ignored).
    let number = match context.filter(|c| c.starts_with('+')) {
        Some(prefix) if !number.starts_with('+') => format!("{prefix}{number}"),
        _ => number,
    };
    Some(match extension {
        Some(ext) => format!("{number} ext. {ext}"),
        None => number,
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A number a spreadsheet or a data tool wrote as a decimal ("4155552671.0", what pandas writes for a column
/// with blanks): the ".0" is no digit of it. Only digits (after an optional "+") then "." and zeros.
pub(crate) fn without_float_tail(text: &str) -> &str {
    match text.split_once('.') {
        Some((whole, zeros))
            if !zeros.is_empty()
                && zeros.chars().all(|c| c == '0')
                && !whole.strip_prefix('+').unwrap_or(whole).is_empty()
                && whole.strip_prefix('+').unwrap_or(whole).chars().all(|c| c.is_ascii_digit()) =>
        {
            whole
        }
        _ => text,
    }
}

/// `text` without a word in brackets at its end that says which line the number is ("… (Zentrale)",
/// "… [mobile]"): words only, no digits, after a number.
fn without_label(text: &str) -> &str {
    let Some(close) = text.chars().last().filter(|c| matches!(c, ')' | ']')) else { return text };
    let open = if close == ')' { '(' } else { '[' };
    let Some(at) = text.rfind(open) else { return text };
    let (before, label) = (text[..at].trim_end(), &text[at + 1..text.len() - 1]);
    if label.chars().any(char::is_alphabetic)
        && !label.chars().any(|c| c.is_ascii_digit())
        && before.chars().any(|c| c.is_ascii_digit())
    {
        before
    } else {
        text
    }
}

/// The extension RFC 3966 parameters name (`ext=5` in "…;ext=5"), if any.
fn rfc3966_extension(params: &str) -> Option<&str> {
    params.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim();
        (k.trim().eq_ignore_ascii_case("ext") && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then_some(v)
    })
}

/// Words the exports people bring write an extension with: German "App."/"DW"/"Nst.", French "poste", Italian
/// "interno", Spanish "anexo", Portuguese "ramal", Dutch "toestel", Polish "wew.", besides "ext" and "x".
const EXTENSION_WORDS: &[&str] = &[
    "ext",
    "extn",
    "extension",
    "x",
    "app",
    "apparat",
    "dw",
    "durchwahl",
    "nst",
    "nebenstelle",
    "poste",
    "int",
    "interno",
    "anexo",
    "ramal",
    "tst",
    "toestel",
    "wew",
];

/// Whether `token` (trailing dot or colon aside) is a word [`EXTENSION_WORDS`] names.
fn is_extension_word(token: &str) -> bool {
    let word = token.trim_end_matches(['.', ':']).to_ascii_lowercase();
    EXTENSION_WORDS.contains(&word.as_str())
}

/// `text` with an extension written in words ("… App 15", "… DW 15", "… Nst.15") spelled as the parser reads
/// one ("… ext. 15"); None when it has none. Only after the number's digits, and only before digits.
fn extension_words(text: &str) -> Option<String> {
    if !text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut changed = false;
    let mut seen_digits = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        let letters_end = token.find(|c: char| c.is_ascii_digit()).unwrap_or(token.len());
        let (word, rest) = token.split_at(letters_end);
        if seen_digits && !word.is_empty() && word != "ext." && is_extension_word(word) {
            if digits(rest) {
                out.push(format!("ext. {rest}"));
                changed = true;
                i += 1;
                continue;
            }
            if rest.is_empty() && tokens.get(i + 1).is_some_and(|next| digits(next)) {
                out.push(format!("ext. {}", tokens[i + 1]));
                changed = true;
                i += 2;
                continue;
            }
        }
        seen_digits |= token.bytes().any(|b| b.is_ascii_digit());
        out.push(token.to_string());
        i += 1;
    }
    changed.then(|| out.join(" "))
}

/// `text` without the words before and after its number (a token with a letter that is no extension's "ext."),
/// when it has some and keeps digits; None otherwise.
fn words_beside_number(text: &str) -> Option<String> {
    if !text.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let is_word = |i: usize| {
        let t = tokens[i];
        t.chars().any(char::is_alphabetic)
            && !(t == "ext." && tokens.get(i + 1).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
    };
    let first = (0..tokens.len()).find(|&i| !is_word(i))?;
    let last = (0..tokens.len()).rev().find(|&i| !is_word(i))?;
    let kept = &tokens[first..=last];
    if kept.len() == tokens.len() || (first..=last).any(is_word) {
        return None;
    }
    Some(kept.join(" "))
}

/// "4.91761E+12", "4,91761E+12" (a comma where the spreadsheet's locale writes one), "1E+10".
fn is_scientific_notation(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else { return false };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(whole) && digits(fraction) && digits(exponent)
}

/// "+49 30 901820 / 901821" or "… 901820/21": a number, then after a slash no longer than its last group of
/// digits, the next line's number or its last digits; or a whole second number ("(415) 555-2671 / (415)
/// 555-2672"). Many also write a slash after the area code ("030 / 901820"), but what stands before that slash
/// is no number on its own.
fn second_after_slash(text: &str, region: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
    text.match_indices('/').any(|(at, _)| {
        let (before, after) = (&text[..at], &text[at + 1..]);
        let last_group = before.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next().map_or(0, str::len);
        let its_last_digits = after.chars().all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '-')
            && (1..=last_group).contains(&digits(after));
        // A whole second number only beside one slash: read on either side of each of many, every side read
        // again in turn, a cell of slashes took minutes.
        let whole = text.matches('/').count() == 1 && digits(after) >= 6;
        (its_last_digits || (whole && parse_phone(after, region).is_ok())) && parse_phone(before, region).is_ok()
    })
}

pub fn parse_phone(input: &str, default_region: &str) -> Result<ParsedPhone, PhoneError> {
    let from_uri = from_tel_uri(input);
    let text = from_uri.as_deref().unwrap_or(input);
    if text.trim().chars().count() > 64 {
        return Err(PhoneError::TooLong);
    }
    // RFC 3966 parameters (";ext=12", ";isub=…") written after a plain number, as libphonenumber accepts them;
    // digits after a ";" that name no parameter are another number, which would be lost without a word.
    if let Some((_, after)) = text.split_once(';') {
        if !after.contains('=') && after.chars().any(|c| c.is_ascii_digit()) {
            return Err(PhoneError::Several);
        }
    }
    let with_ext: String;
    let text = match text.split_once(';') {
        // Its extension is kept (Rapport's own export writes "+14155550102;ext=5"): cut with the rest, it was
        // gone from the number shown.
        Some((number, params)) => match rfc3966_extension(params) {
            Some(ext) => {
                with_ext = format!("{} ext. {ext}", number.trim_end());
                &with_ext
            }
            None => number,
        },
        None => text,
    };
    let folded = fold_digits(text);
    let text = without_float_tail(without_label(folded.trim()));
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    let spelled = extension_words(text);
    let text = spelled.as_deref().unwrap_or(text);
    // A word beside the number ("… Tel", "… Fax", "… Hr. Meier", "… Mo-Fr") is no part of it: the parser read its
    // letters as keypad digits and made up a longer number, valid in a country of numbers of any length. The
    // number without them is taken when it is one on its own (the entry keeps the words as typed); letters inside
    // the number ("1-800-FLOWERS") are read as before.
    if let Some(bare) = words_beside_number(text) {
        if let Ok(parsed) = parse_phone(&bare, default_region) {
            return Ok(parsed);
        }
    }
    if !text.chars().any(|c| c.is_ascii_digit()) {
        return Err(PhoneError::Unparsable);
    }
    if is_scientific_notation(text) {
        return Err(PhoneError::ScientificNotation);
    }
    if text.contains('/') && second_after_slash(text, default_region) {
        return Err(PhoneError::Several);
    }
    let region_code = default_region.trim().to_ascii_uppercase();
    let region = country::Id::from_str(&region_code).map_err(|_| PhoneError::UnknownRegion(region_code.clone()))?;

    let intl_prefix = international_prefix(&region_code);
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && !"-.()/".contains(*c)).collect();
    let parsed: Result<PhoneNumber, _> = if compact.starts_with('+') {
        phonenumber::parse(None, text)
    } else if let Some(rest) = compact.strip_prefix(intl_prefix) {
        phonenumber::parse(None, format!("+{rest}"))
    } else {
        phonenumber::parse(Some(region), text)
    };
    let international = compact.starts_with('+') || compact.starts_with(intl_prefix);
    let number = match parsed {
        Ok(n) if phonenumber::is_valid(&n) => n,
        // Most of the world dials out with 00, and exports from there write "0049 …" whatever the reader's
        // region: a number that is nothing in the default region is read that way too (never one it holds).
        failed if !international && compact.starts_with("00") => {
            match phonenumber::parse(None, format!("+{}", &compact[2..])) {
                Ok(n) if phonenumber::is_valid(&n) => n,
                _ => return Err(failed.map_or(PhoneError::Unparsable, |_| PhoneError::Invalid(region_code))),
            }
        }
        // A spreadsheet keeps "+49 171 2345678" typed as a number, 491712345678: its "+" is gone. Read so, a
        // national number of another country (a Chinese mobile, a Brazilian one) became an American or a French
        // one: the number is refused, saying how it reads with the "+" (a cell of digits only, as a
        // spreadsheet's number is).
        Ok(_)
            if !international
                && compact.len() >= 11
                && !compact.starts_with('0')
                && text.trim().bytes().all(|b| b.is_ascii_digit())
                && phonenumber::parse(None, format!("+{compact}")).is_ok_and(|n| phonenumber::is_valid(&n)) =>
        {
            return Err(PhoneError::PlusMissing(region_code, format!("+{compact}")))
        }
        Ok(n) if international => return Err(PhoneError::InvalidInternational(n.code().value())),
        Ok(_) => return Err(PhoneError::Invalid(region_code)),
        Err(_) => return Err(PhoneError::Unparsable),
    };
    let e164 = number.format().mode(Mode::E164).to_string();
    // Letters make the parser lenient (keypad letters as digits, words around the number): "t+78030x00e00" was
    // read as +7 803 090-03-00 and taken as valid, which the same number read back from what is stored is not.
    // What is stored must be a number on its own. (Only then: a second parse of every number slows imports.)
    if text.chars().any(|c| c.is_ascii_alphabetic())
        && !phonenumber::parse(None, &e164).is_ok_and(|n| phonenumber::is_valid(&n))
    {
        return Err(if international || compact.contains('+') {
            PhoneError::InvalidInternational(number.code().value())
        } else {
            PhoneError::Invalid(region_code)
        });
    }
    Ok(ParsedPhone {
        e164,
        national: number.national().value().to_string(),
        international: number.format().mode(Mode::International).to_string(),
    })
}

/// A stored number (E.164) as a person reads it, grouped the international way ("+49 30 901820"); anything that
/// is not one stays as it is.
pub(crate) fn readable(e164: &str) -> String {
    match phonenumber::parse(None, e164) {
        Ok(n) if e164.starts_with('+') => n.format().mode(Mode::International).to_string(),
        _ => e164.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_numbers_read_grouped_and_other_text_as_it_is() {
        assert_eq!(readable("+493090182000"), "+49 30 90182000");
        assert_eq!(readable("+14155552671"), "+1 415-555-2671");
        assert_eq!(readable("12 (not a number)"), "12 (not a number)");
        assert_eq!(readable(""), "");
    }

    fn e164(input: &str, region: &str) -> String {
        match parse_phone(input, region) {
            Ok(p) => p.e164,
            Err(e) => format!("error: {e}"),
        }
    }

    /// Found by the property test (fuzz_inputs): letters around a number made the parser read it leniently and
    /// call valid a number that, read back from its stored E.164 form, is not. Refused; an extension written
    /// with letters is still read.
    #[test]
    fn a_number_read_through_letters_is_valid_only_if_its_stored_form_is() {
        assert_eq!(parse_phone("t+7٨٠٣０x００e０٠", "US").map(|p| p.e164), Err(PhoneError::InvalidInternational(7)));
        assert_eq!(parse_phone("t+78030x00e00", "US").map(|p| p.e164), Err(PhoneError::InvalidInternational(7)));
        assert_eq!(e164("+1 212 555 0100 ext. 12", "US"), "+12125550100");
    }

    /// Words beside a number were read as keypad digits, and in a country whose numbers have any length (Germany,
    /// Austria) the made-up number passed as valid: "+49 30 901820 Tel" was stored as +49 30 901820835. The
    /// number without the words is taken when it is one; an extension in words is read as one; letters inside a
    /// number are still a vanity number's.
    #[test]
    fn words_beside_a_number_are_no_digits_of_it() {
        let shown = |input: &str| parse_phone(input, "DE").map(|p| p.international).unwrap_or_else(|e| e.to_string());
        for (input, stored) in [
            ("+49 30 901820 Tel", "+4930901820"),
            ("+49 89 123456 Fax", "+4989123456"),
            ("+49 30 9018-20 Hr. Meier", "+4930901820"),
            ("+49 30 901820 Mo-Fr", "+4930901820"),
            ("Tel.: +49 30 901820", "+4930901820"),
            ("+49 30 901820 App 15", "+4930901820"),
            ("+49 30 901820 Nst. 15", "+4930901820"),
            ("+43 1 58890 DW 15", "+43158890"),
        ] {
            assert_eq!(e164(input, "DE"), stored, "{input}");
        }
        assert_eq!(shown("+49 30 901820 App 15"), "+49 30 901820 ext. 15");
        assert_eq!(shown("+43 1 58890 DW15"), "+43 1 58890 ext. 15");
        assert_eq!(shown("+49 30 901820 Nst. 15 Zentrale"), "+49 30 901820 ext. 15");
        // Rapport's own export, and RFC 3966 typed: the extension stays.
        assert_eq!(shown("+14155550102;ext=5"), "+1 415-555-0102 ext. 5");
        assert_eq!(shown("tel:+1-650-555-0100;ext=45"), "+1 650-555-0100 ext. 45");
        // A vanity number's letters are its digits.
        assert_eq!(e164("1-800-FLOWERS", "US"), "+18003569377");
        // "x" inside a word is no extension, nor is one before the number.
        assert_eq!(e164("x 030 901820", "DE"), "+4930901820");
    }

    /// A word in brackets after the number says which line it is ("(Zentrale)", "[mobile]"): the number is
    /// read without it (the entry is kept as typed beside it). Was "not a phone number".
    #[test]
    fn a_label_in_brackets_after_the_number_is_no_part_of_it() {
        assert_eq!(e164("+49 89 1234567 (Zentrale)", "US"), "+49891234567");
        assert_eq!(e164("020 7946 0018 (office)", "GB"), "+442079460018");
        assert_eq!(e164("+1 415 555 2671 [mobile]", "US"), "+14155552671");
        assert_eq!(e164("+49 (0)89 1234567 (Büro, direkt)", "DE"), "+49891234567");
        // Digits in the brackets are part of a number, or another one: not a label.
        assert_eq!(e164("+49 89 1234567 (Zentrale 2)", "DE"), "error: is not a phone number");
        assert_eq!(e164("(Zentrale)", "DE"), "error: is not a phone number");
    }

    #[test]
    fn two_numbers_in_one_entry_or_a_long_one_are_refused_and_parameters_are_not() {
        assert!(matches!(parse_phone("+1 415 555 2671; +44 20 7946 0018", "US"), Err(PhoneError::Several)));
        assert!(matches!(parse_phone(&"4".repeat(65), "US"), Err(PhoneError::TooLong)));
        // A second line's number after a slash, whole or as its last digits: read as one, the two made one
        // long number that exists in a country with numbers of many lengths.
        for two in [
            "+49 30 901820 / 901821",
            "+49 30 901820/21",
            "030 901820 / 901821",
            "+1 415 555 2671 / 2672",
            "030 901820 / 040 2280 4300",
            "+49 30 901820 / +44 20 7946 0018",
        ] {
            assert_eq!(parse_phone(two, "DE").map(|p| p.e164), Err(PhoneError::Several), "{two}");
        }
        // The slash many write after an area code is not a second number.
        for one in ["030 / 901820", "030/901820", "+49 (0)30 / 901820", "0 30 / 90 18 20"] {
            assert_eq!(e164(one, "DE"), "+4930901820", "{one}");
        }
        assert_eq!(e164("+1 415 555 2671;ext=12", "US"), "+14155552671");
        assert_eq!(e164("tel:+1-415-555-2671;phone-context=example.com", "US"), "+14155552671");
        // A number a spreadsheet kept as a number lost its "+": said so, not read as another country's (a
        // Chinese mobile is a valid American number with a "+"); one the default region holds stays its own.
        let plus = |typed: &str, region: &str| parse_phone(typed, region).map(|p| p.e164).map_err(|e| e.to_string());
        assert_eq!(
            plus("491712345678", "US"),
            Err("is not a valid number for US; if it is +491712345678, write the + before it".into())
        );
        assert!(plus("(33) 99876-5432", "US").is_err_and(|e| !e.contains("write the +")));
        assert_eq!(plus("14155552671", "US").as_deref(), Ok("+14155552671"));
        assert_eq!(plus("4930901820", "DE").as_deref(), Ok("+4930901820"));
        // Slashes are read once each, not every side again: a cell of them is refused at once.
        // Not a timing: read every side again, 31 slashes take hours; the check gives up on it after a minute
        // instead of hanging the test run.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(parse_phone(&vec!["1"; 31].join("/"), "US").is_err());
        });
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(60)), Ok(true), "a cell of slashes is read at once");
        // Two whole numbers in a country's own way of writing them: said to be two, not "not a phone number".
        assert_eq!(parse_phone("(415) 555-2671 / (415) 555-2672", "US").map(|p| p.e164), Err(PhoneError::Several));
    }

    /// A number written as a decimal by a spreadsheet or a data tool reads as the number; dots inside a number
    /// are still its own punctuation.
    #[test]
    fn a_number_written_as_a_decimal_reads_as_the_number() {
        assert_eq!(e164("4155552671.0", "US"), "+14155552671");
        assert_eq!(e164("+61437792975.00", "AU"), "+61437792975");
        assert_eq!(e164("415.555.2671", "US"), "+14155552671");
        assert_eq!(without_float_tail("030.12345"), "030.12345");
        assert_eq!(without_float_tail(".0"), ".0");
    }

    #[test]
    fn a_number_a_spreadsheet_shortened_says_so() {
        for shortened in ["4.91761E+12", "4,91761E+12", "1E+10", "4.4207946e+11"] {
            assert_eq!(parse_phone(shortened, "DE"), Err(PhoneError::ScientificNotation), "{shortened}");
        }
        // Extensions and words with an E are not.
        assert_eq!(e164("+49 30 1234567", "DE"), "+49301234567");
        assert_eq!(parse_phone("E+12", "DE"), Err(PhoneError::Unparsable));
        assert_ne!(parse_phone("030 1234 ext 5", "DE"), Err(PhoneError::ScientificNotation));
    }

    #[test]
    fn national_numbers_use_the_default_region() {
        assert_eq!(e164("(415) 555-2671", "US"), "+14155552671");
        assert_eq!(e164("020 7946 0018", "GB"), "+442079460018");
        assert_eq!(e164("01 23 45 67 89", "FR"), "+33123456789");
        assert_eq!(e164("030 901820", "DE"), "+4930901820");
        assert_eq!(e164("0412 345 678", "AU"), "+61412345678");
        assert_eq!(e164("090-1234-5678", "JP"), "+819012345678");
    }

    #[test]
    fn international_numbers_ignore_the_default_region() {
        // With region US the crate would wrongly strip the French trunk digit; parsed without region it does not.
        assert_eq!(e164("+33 1 23 45 67 89", "US"), "+33123456789");
        assert_eq!(e164("+880 1812-345678", "US"), "+8801812345678");
        assert_eq!(e164("0044 20 7946 0018", "FR"), "+442079460018");
        assert_eq!(e164("011 44 20 7946 0018", "US"), "+442079460018");
        assert_eq!(e164("0011 44 20 7946 0018", "AU"), "+442079460018");
        assert_eq!(e164("0044 20 7946 0018", "AU"), "+442079460018");
        assert_eq!(e164("02 9374 4000", "AU"), "+61293744000");
        // Written with Europe's 00 where the region dials out otherwise: read so only when it is nothing there.
        assert_eq!(e164("0049 30 1234567", "US"), "+49301234567");
        assert_eq!(e164("0041 44 668 18 00", "JP"), "+41446681800");
        assert!(e164("0049 1", "US").starts_with("error: is not a valid number for US"), "{}", e164("0049 1", "US"));
    }

    #[test]
    fn digits_of_other_scripts_are_folded() {
        assert_eq!(e164("＋４４ ２０ ７９４６ ００１８", "US"), "+442079460018");
        assert_eq!(fold_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(fold_digits("۰۱۲"), "012");
        assert_eq!(fold_digits("०१२"), "012");
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(parse_phone("", "US"), Err(PhoneError::Empty));
        assert_eq!(parse_phone("call me", "US"), Err(PhoneError::Unparsable));
        assert_eq!(parse_phone("123", "US"), Err(PhoneError::Invalid("US".into())));
        assert_eq!(parse_phone("555", "ZZ"), Err(PhoneError::UnknownRegion("ZZ".into())));
    }

    #[test]
    fn a_number_typed_with_its_country_code_is_never_told_to_add_one() {
        let err = parse_phone("+44 20 7946", "US").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err, "is not a valid number for country code +44");
        let err = parse_phone("0044 20 7946", "FR").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("add"), "{err}");
        let err = parse_phone("020 7946", "GB").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("add its country code"), "a national number may be foreign: {err}");
    }

    #[test]
    fn tel_uris_are_read_as_the_number_they_carry() {
        assert_eq!(e164("tel:+1-201-555-0123", "GB"), "+12015550123");
        assert_eq!(e164("TEL:+44-20-7946-0018", "US"), "+442079460018");
        assert_eq!(e164("tel:+1-201-555-0123;ext=1234", "US"), "+12015550123");
        assert_eq!(e164("tel:7946-0018;phone-context=+44-20", "US"), "+442079460018");
        assert_eq!(e164("tel:020%207946%200018", "GB"), "+442079460018");
        assert_eq!(e164("tel:020-7946-0018;phone-context=example.com", "GB"), "+442079460018");
        assert!(parse_phone("tel:", "US").is_err());
        assert_eq!(e164("+1 (201) 555-0123;ext=5", "US"), "+12015550123");
    }

    #[test]
    fn keeps_national_and_international_forms() {
        let p = parse_phone("+44 20 7946 0018", "US").map_err(|e| e.to_string());
        let p = p.as_ref().map(|p| (p.national.as_str(), p.international.as_str()));
        assert_eq!(p, Ok(("2079460018", "+44 20 7946 0018")));
    }
}
