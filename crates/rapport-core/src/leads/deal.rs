//! The deal fields' spellings: each value people type or files carry ("12.500,00 €", "eur", "31.12.2026") has
//! one stored form, so the board can sum values, criteria can test for them, and two spellings never differ.
use chrono::{Datelike, NaiveDate};

/// A non-negative amount as a plain decimal with two places. Accepts thousands separators of either kind
/// ("12,500.50", "12.500,50", "12 500"), a currency sign or code around it, and a decimal comma.
pub fn normalize_amount(raw: &str) -> Result<String, String> {
    // Accounts write a loss in brackets: "(1,000.00)" is minus a thousand, not a deal of a thousand.
    let t = raw.trim();
    if t.starts_with('(') && t.ends_with(')') && t.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!("\"{t}\" is a negative amount (in brackets, as accounts write one): cannot be negative"));
    }
    // The Swiss group thousands with an apostrophe, straight or typographic ("8'000", "8’000").
    let compact: Vec<char> =
        raw.chars().filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '’' | 'ʼ' | '_')).collect();
    let mut start = compact.iter().position(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | ',')).unwrap_or(0);
    // The full stop of an abbreviated currency before the number ("Rs. 50", "Fr. 90") is not a decimal point.
    if start > 0 && matches!(compact[start], '.' | ',') && compact[start - 1].is_alphabetic() {
        start += 1;
    }
    let kept: String = if compact.iter().any(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | ',')) {
        compact[start..].iter().collect()
    } else {
        String::new()
    };
    let body = kept.trim_end_matches(|c: char| !c.is_ascii_digit());
    if body.is_empty() {
        return Err("is not an amount (write it like 12500 or 12,500.00)".into());
    }
    // After the number may come its currency ("12,500 €", "12500 EUR"), not its magnitude: "12k" or "1,5 Mio"
    // read as 12 and 1.50 would put a deal a thousand times too small in the forecast.
    let after: String = kept[body.len()..].chars().filter(|c| c.is_alphabetic()).collect::<String>().to_lowercase();
    const MAGNITUDES: [&str; 24] = [
        "k",
        "m",
        "mm",
        "b",
        "bn",
        "mn",
        "mln",
        "mld",
        "mio",
        "mrd",
        "tsd",
        "t",
        "thousand",
        "million",
        "millions",
        "billion",
        "tausend",
        "millionen",
        "lakh",
        "lac",
        "lakhs",
        "crore",
        "crores",
        "cr",
    ];
    // Only a currency may follow: a code ("EUR") or a short word ("Fr."). Anything else is refused rather than
    // dropped: "1.5M USD" read as 1.50 hid a magnitude behind the code.
    let currency_word = after.is_empty()
        || after.chars().count() == 3
        || matches!(after.as_str(), "fr" | "rs" | "kr" | "zł" | "zl" | "kč" | "kc" | "ft" | "kn" | "lv");
    // A share is no amount: "100%" read as 100.00 would be a deal of a hundred.
    if kept[body.len()..].contains('%') {
        return Err(format!("\"{}\" is a percentage, not an amount", raw.trim()));
    }
    if MAGNITUDES.contains(&after.as_str()) || !currency_word {
        return Err(format!(
            "\"{}\": write the amount in full, like 12000 for 12k, and the currency in its own field",
            raw.trim()
        ));
    }
    if body.starts_with('-') {
        return Err("cannot be negative".into());
    }
    if !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(format!("\"{}\" is not an amount (write it like 12500 or 12,500.00)", raw.trim()));
    }
    // The last separator is the decimal one when one or two digits follow it, or when it is the only
    // separator of its kind and not followed by exactly three digits (which a thousands separator would be).
    let last = body.rfind(['.', ',']);
    let (whole, fraction) = match last {
        Some(i) => {
            let sep = body.as_bytes()[i] as char;
            let after = &body[i + 1..];
            let same_kind = body.matches(sep).count();
            // "0,500" is half of one, never five hundred: no grouped number starts with a zero group.
            let zero_before = body[..i].trim_start_matches('0').is_empty();
            let decimal = after.len() <= 2 || (same_kind == 1 && (after.len() != 3 || zero_before));
            // "1,234,56" or "1.000.00": the decimal separator also groups the thousands before it, so one of
            // them is a slip ("1,234.56"? "123,456"?) and any reading of it is a guess.
            if decimal && body[..i].contains(sep) {
                return Err(format!(
                    "\"{}\" uses {sep:?} both to group thousands and before the decimals: write it like 1234.56",
                    raw.trim()
                ));
            }
            if decimal {
                (&body[..i], after)
            } else {
                (body, "")
            }
        }
        None => (body, ""),
    };
    // Thousands separators group by three, and one number uses one kind of them. In India and its neighbours,
    // the last three digits make a group and the others go by two, in commas: "1,00,000" (a lakh), "12,34,567".
    let mut kinds = whole.chars().filter(|c| matches!(c, '.' | ','));
    if let Some(sep) = kinds.next() {
        let groups: Vec<&str> = whole.split(sep).collect();
        let same_kind = kinds.all(|c| c == sep);
        let western = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        let indian = sep == ','
            && groups.len() >= 3
            && (1..=2).contains(&groups[0].len())
            && groups[1..groups.len() - 1].iter().all(|g| g.len() == 2)
            && groups.last().is_some_and(|g| g.len() == 3);
        let grouped = same_kind && (western || indian) && !groups[0].starts_with('0');
        if !grouped {
            return Err(format!("\"{}\" is not an amount (write it like 12500 or 12,500.00)", raw.trim()));
        }
    }
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    if fraction.len() > 2 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("\"{}\" has more than two decimal places", raw.trim()));
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 15 {
        return Err("is too large".into());
    }
    let whole = if digits.is_empty() { "0" } else { digits };
    Ok(format!("{whole}.{fraction:0<2}"))
}

/// Currencies written with the dollar sign, and with the yen's: "$5,000" of a deal in CAD is in CAD.
const DOLLARS: [&str; 16] =
    ["USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "TWD", "ARS", "CLP", "COP", "UYU", "JMD", "BSD", "FJD", "LRD"];
const YENS: [&str; 2] = ["JPY", "CNY"];

/// Whether the currency written with an amount (see [`written_currency`]) agrees with the deal's `currency`: its
/// code, or a sign several currencies share ("$", "¥") for one of them.
pub fn agrees_with(written: &str, raw: &str, currency: &str) -> bool {
    if written == currency {
        return true;
    }
    let sign =
        raw.chars().filter(|c| !c.is_ascii_digit() && !c.is_whitespace() && !".,'-–—".contains(*c)).collect::<String>();
    match written {
        "USD" if sign == "$" => DOLLARS.contains(&currency),
        "JPY" if sign == "¥" => YENS.contains(&currency),
        _ => false,
    }
}

/// The currency written with an amount ("12,500 €", "USD 900", "R$ 1.234,56", "₹1,00,000"), as its ISO code,
/// when its sign or code names one; None when none is written, or the sign is shared ("kr" is three countries').
/// "$" and "¥" read as the currency field reads them (USD, JPY), and agree with the others that write them.
pub fn written_currency(raw: &str) -> Option<String> {
    let t = raw.trim();
    let (first, last) = (t.find(|c: char| c.is_ascii_digit())?, t.rfind(|c: char| c.is_ascii_digit())?);
    let clean = |s: &str| {
        s.trim().trim_matches(|c: char| matches!(c, '.' | ',' | '-' | '–' | '—') || c.is_whitespace()).to_string()
    };
    let (before, after) = (clean(&t[..first]), clean(&t[last + 1..]));
    let sign = match (before.is_empty(), after.is_empty()) {
        (false, true) => before,
        (true, false) => after,
        _ => return None,
    };
    let code = match sign.to_lowercase().as_str() {
        "₹" | "rs" | "rs." => "INR",
        "r$" => "BRL",
        "fr" | "sfr" | "chf" => "CHF",
        "zł" | "zl" => "PLN",
        "c$" | "ca$" | "can$" => "CAD",
        "a$" | "au$" => "AUD",
        "hk$" => "HKD",
        "₩" => "KRW",
        "₽" => "RUB",
        "₺" => "TRY",
        _ => return normalize_currency(&sign).ok(),
    };
    Some(code.to_string())
}

/// An ISO 4217 code, upper-cased. Three letters are not enough: "EUT" or "UDS" is a typo, and a deal in it
/// could be neither converted nor summed with the others.
pub fn normalize_currency(raw: &str) -> Result<String, String> {
    let t = raw.trim();
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let code = t.to_ascii_uppercase();
        // XTS is reserved for testing and XXX means "no currency": neither is what a deal is worth in.
        return match iso_currency::Currency::from_code(&code) {
            Some(_) if code != "XTS" && code != "XXX" => Ok(code),
            _ => currency_named(t).ok_or_else(|| format!("\"{t}\" is not an ISO 4217 currency code (like EUR or USD)")),
        };
    }
    // The signs people type for the common ones.
    match t {
        "€" => Ok("EUR".into()),
        "$" | "US$" => Ok("USD".into()),
        "£" => Ok("GBP".into()),
        "¥" => Ok("JPY".into()),
        _ => {
            currency_named(t).ok_or_else(|| format!("\"{t}\" is not a currency code (three letters, like EUR or USD)"))
        }
    }
}

/// The code of a currency written by its name, as Dynamics 365 and some ERPs export it: ISO 4217's English name
/// ("Euro", "US Dollar", "Pound Sterling", "Swiss Franc"), and the names people use beside it ("British Pound",
/// "Japanese Yen"). Funds and the codes of no money (gold, testing) are not a deal's currency.
fn currency_named(name: &str) -> Option<String> {
    use iso_currency::IntoEnumIterator;
    let folded = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let wanted = folded(name);
    let alias = match wanted.as_str() {
        "britishpound" | "britishpoundsterling" | "gbpound" | "poundsterling" => Some("GBP"),
        "euros" => Some("EUR"),
        "unitedstatesdollar" | "usdollars" | "usdollar" => Some("USD"),
        "japaneseyen" | "yen" => Some("JPY"),
        "chineseyuan" | "renminbi" | "chineseyuanrenminbi" => Some("CNY"),
        "polishzloty" => Some("PLN"),
        "czechkoruna" => Some("CZK"),
        "indianrupee" => Some("INR"),
        _ => None,
    };
    if let Some(code) = alias {
        return Some(code.to_string());
    }
    iso_currency::Currency::iter()
        .filter(|c| !c.is_fund() && !c.is_special() && c.is_superseded().is_none())
        .find(|c| folded(c.name()) == wanted)
        .map(|c| c.code().to_string())
}

/// A date as YYYY-MM-DD; also read as 31.12.2026 (day first, as written across Europe, with or without a space
/// after each point), 2026/12/31, and with the month in English words ("31 Dec 2026", "December 31, 2026",
/// "31-Dec-2026"). A date with slashes and the year last is read only when it can be read one way: 31/12/2026
/// and 12/31/2026 are the same day everywhere, 01/02/2026 is January in one country and February in another.
pub fn normalize_date(raw: &str) -> Result<String, String> {
    normalize_date_in(raw, None)
}

/// Which number comes first in a date of the shape 03/04/2026, as a file writes its dates: a US export puts the
/// month first, a British or French one the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
}

/// [`normalize_date`], reading a date that could be either day or month first in `order` when one is given (the
/// order the file's other dates show: see [`date_order_shown`]).
pub fn normalize_date_in(raw: &str, order: Option<DateOrder>) -> Result<String, String> {
    let t = without_time_of_day(raw.trim());
    let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let formats = ["%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d-%B-%Y", "%d %B, %Y"];
    let parsed = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&squeezed, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y/%m/%d"))
        .ok()
        .or_else(|| formats.iter().find_map(|f| NaiveDate::parse_from_str(t, f).ok()))
        .or_else(|| with_month_in_words(t));
    let parsed = match parsed {
        Some(d) => Ok(d),
        None => {
            slashed_year_last(t, order).unwrap_or_else(|| Err(format!("\"{t}\" is not a date: write it as YYYY-MM-DD")))
        }
    };
    match parsed {
        // "31.12.26" reads as the year 26: the year is asked for in full rather than guessed.
        Ok(d) if d.year() < 1000 => Err(format!("\"{t}\": write the year in full (YYYY-MM-DD)")),
        Ok(d) => Ok(d.format("%Y-%m-%d").to_string()),
        Err(why) => Err(why),
    }
}

/// The months as Europe's CRMs and spreadsheets write them in words, in full and abbreviated (English, German,
/// French, Spanish, Italian, Dutch, Portuguese; lower case, with and without accents): "31. Dez. 2026",
/// "31 déc. 2026", "31 de diciembre de 2026". chrono reads English names only.
const MONTH_WORDS: [&[&str]; 12] = [
    &[
        "january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene", "gennaio", "gen",
        "januari", "janeiro",
    ],
    &[
        "february",
        "feb",
        "februar",
        "feber",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "fév",
        "fev",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
    ],
    &["march", "mar", "märz", "maerz", "mrz", "mär", "mars", "marzo", "maart", "mrt", "março", "marco"],
    &["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
    &["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
    &["june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho"],
    &["july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"],
    &["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
    &["september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro"],
    &["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"],
    &["november", "nov", "novembre", "noviembre", "novembro"],
    &["december", "dec", "dezember", "dez", "décembre", "déc", "decembre", "diciembre", "dic", "dicembre", "dezembro"],
];

/// A date of a day, a month in words and a year in full, in either order of day and month ("31. Dezember
/// 2026", "Dec. 31, 2026", "31 de diciembre de 2026"), in any of [`MONTH_WORDS`]' languages.
fn with_month_in_words(t: &str) -> Option<NaiveDate> {
    let lower = t.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, '.' | ',' | '-' | '/'))
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "del" | "van"))
        .collect();
    let month_of = |w: &str| MONTH_WORDS.iter().position(|names| names.contains(&w)).map(|i| i as u32 + 1);
    let number = |w: &str, most: usize| {
        (w.len() <= most && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse::<u32>().ok()).flatten()
    };
    let read = |d: &str, m: &str, y: &str| Some((number(d, 2)?, month_of(m)?, number(y, 4)?));
    let (day, month, year) = match words[..] {
        [a, b, y] if y.len() == 4 => read(a, b, y).or_else(|| read(b, a, y))?,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A date with the time of day after it, as CRMs export a close date ("2024-05-10 14:03", "2024-05-10T14:03:00Z",
/// "31.12.2026 09:00", "12/31/2026 2:03 PM"): the date. A time alone, or anything else, is left as written.
fn without_time_of_day(t: &str) -> &str {
    let cut = t.find('T').filter(|&at| at == 10 && t[..10].bytes().filter(|b| *b == b'-').count() == 2).or_else(|| {
        t.char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(at, _)| at)
            .find(|&at| is_time_of_day(t[at..].trim()) && t[..at].chars().any(|c| c.is_ascii_digit()))
    });
    cut.map_or(t, |at| t[..at].trim_end())
}

/// "14:03", "14:03:00", "2:03 PM", "09:00:00Z", "14:03:00.000+02:00".
fn is_time_of_day(t: &str) -> bool {
    let t = t.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c.is_whitespace());
    let core: &str = t.split(['+', 'Z']).next().unwrap_or(t);
    let core = core.rsplit_once('-').map_or(core, |(left, _)| left);
    let parts: Vec<&str> = core.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| {
            let p = p.split('.').next().unwrap_or(p);
            !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit())
        })
}

/// The numbers of a date written D/M/YYYY or M/D/YYYY (or with dashes, 31-12-2026), in the order written.
fn year_last_parts(t: &str) -> Option<(u32, u32, i32)> {
    let separator = if t.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = t.split(separator).map(str::trim).collect();
    let [a, b, year] = parts[..] else { return None };
    let number = |s: &str, most: usize| {
        (!s.is_empty() && s.len() <= most && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    Some((number(a, 2)?, number(b, 2)?, i32::try_from(number(year, 4)?).ok()?))
}

/// The order a date of the shape D/M/YYYY or M/D/YYYY shows by itself: day first when its first number cannot
/// be a month (31/12/2026), month first when its second cannot (12/31/2026); none when both could be, or it is
/// not of that shape. A file's dates, read together, tell the order of those that do not show it.
pub fn date_order_shown(raw: &str) -> Option<DateOrder> {
    let (a, b, _) = year_last_parts(without_time_of_day(raw.trim()))?;
    match (a > 12, b > 12) {
        (true, false) if b >= 1 => Some(DateOrder::DayFirst),
        (false, true) if a >= 1 => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// A date written D/M/YYYY or M/D/YYYY: the day it can only be (or is in `order`), or why it cannot be told.
/// None: not of that shape.
fn slashed_year_last(t: &str, order: Option<DateOrder>) -> Option<Result<NaiveDate, String>> {
    let (a, b, year) = year_last_parts(t)?;
    let not_a_date = || Err(format!("\"{t}\" is not a date: write it as YYYY-MM-DD"));
    let on = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    Some(match (a > 12, b > 12) {
        (true, false) => on(b, a).map_or_else(not_a_date, Ok),
        (false, true) => on(a, b).map_or_else(not_a_date, Ok),
        (false, false) if a == b => on(a, b).map_or_else(not_a_date, Ok),
        (false, false) if order == Some(DateOrder::DayFirst) => on(b, a).map_or_else(not_a_date, Ok),
        (false, false) if order == Some(DateOrder::MonthFirst) => on(a, b).map_or_else(not_a_date, Ok),
        (false, false) => match (on(b, a), on(a, b)) {
            (Some(day_first), Some(month_first)) => Err(format!(
                "\"{t}\" is {} in some countries and {} in others: write it as YYYY-MM-DD",
                day_first.format("%Y-%m-%d"),
                month_first.format("%Y-%m-%d")
            )),
            _ => not_a_date(),
        },
        (true, true) => not_a_date(),
    })
}

/// The configured reason `raw` names, by key or by label (any case): its key.
pub fn match_lost_reason(raw: &str, reasons: &[(String, String)]) -> Result<String, String> {
    let t = raw.trim();
    reasons
        .iter()
        .find(|(key, label)| key.eq_ignore_ascii_case(t) || label.eq_ignore_ascii_case(t))
        .map(|(key, _)| key.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = reasons.iter().map(|(_, l)| l.as_str()).collect();
            format!("\"{t}\" is not a lost reason; use one of: {}", names.join(", "))
        })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_magnitude_or_a_short_year_is_refused_not_misread() {
        for raw in ["12k", "12 K", "1,5 Mio", "2.5M", "3 Mrd", "40 Tsd"] {
            assert!(normalize_amount(raw).is_err(), "{raw}");
        }
        // A magnitude followed by a currency, or one of the words other languages use.
        for raw in ["1.5M USD", "1,5 Mio. EUR", "12k EUR", "3 mln", "Rs. 50 lakh", "2 crore", "12 apples"] {
            assert!(normalize_amount(raw).is_err(), "{raw}: {:?}", normalize_amount(raw));
        }
        for (raw, amount) in [
            ("12,500 €", "12500.00"),
            ("12500 EUR", "12500.00"),
            ("$12,500.50", "12500.50"),
            // The abbreviation's full stop is not a decimal point.
            ("Rs. 75", "75.00"),
            ("Fr. 90.50", "90.50"),
            ("90 Fr.", "90.00"),
            ("$.50", "0.50"),
            // The Swiss apostrophe, straight or typographic; the currencies of Central Europe after the number.
            ("CHF 8’000.00", "8000.00"),
            ("8'000.50", "8000.50"),
            ("1 234,5 zł", "1234.50"),
            ("12 500 Kč", "12500.00"),
        ] {
            assert_eq!(normalize_amount(raw).as_deref(), Ok(amount), "{raw}");
        }
        let why = normalize_amount("(1,000.00)").unwrap_err();
        assert!(why.contains("negative"), "{why}");
        for raw in ["31.12.26", "26-12-31"] {
            assert!(normalize_date(raw).is_err(), "{raw}");
        }
        assert_eq!(normalize_date("31.12.2026").as_deref(), Ok("2026-12-31"));
    }

    #[test]
    fn amounts_take_one_spelling_whatever_the_locale() {
        for (typed, stored) in [
            ("12500", "12500.00"),
            ("12,500.50", "12500.50"),
            ("12.500,50", "12500.50"),
            ("12 500", "12500.00"),
            ("12,500", "12500.00"),
            ("12.5", "12.50"),
            ("12,5", "12.50"),
            ("€ 1.234.567,89", "1234567.89"),
            ("1,234,567", "1234567.00"),
            ("USD 900", "900.00"),
            ("900 EUR", "900.00"),
            ("0", "0.00"),
            ("0.5", "0.50"),
            ("007", "7.00"),
        ] {
            assert_eq!(normalize_amount(typed).as_deref(), Ok(stored), "{typed}");
        }
        // A zero before three digits is a decimal with one place too many, never a thousands group: "0,500" is
        // not five hundred.
        for bad in
            ["", "abc", "-5", "12.345.6789", "1.2.3,456", "1e5", "12,3456", "0,500", "0.125", "00,500", "0.125.000"]
                .into_iter()
                // One separator both grouping and before the decimals, and a share.
                .chain(["1,234,56", "1.000.00", "1,000,0", "1.234.5", "100%", "12,5 %"])
        {
            assert!(normalize_amount(bad).is_err(), "{bad} should be refused");
        }
    }

    /// Lakhs and crores as India writes them; and the currency written with an amount, read.
    /// Dynamics 365 exports a deal's currency by its name: read as its code, and a name of no money refused.
    #[test]
    fn a_currency_written_by_its_name_is_its_code() {
        for (name, code) in [
            ("Euro", "EUR"),
            ("US Dollar", "USD"),
            ("Pound Sterling", "GBP"),
            ("British Pound", "GBP"),
            ("swiss franc", "CHF"),
            ("Yen", "JPY"),
            ("Japanese Yen", "JPY"),
            ("Norwegian Krone", "NOK"),
        ] {
            assert_eq!(normalize_currency(name).as_deref(), Ok(code), "{name}");
        }
        for name in ["Gold", "Testing", "Euro Dollars", "Bitcoin"] {
            assert!(normalize_currency(name).is_err(), "{name}");
        }
    }

    #[test]
    fn indian_grouping_and_the_currency_written_with_an_amount() {
        for (typed, stored) in
            [("1,00,000", "100000.00"), ("12,34,567.50", "1234567.50"), ("Rs. 1,50,000", "150000.00")]
        {
            assert_eq!(normalize_amount(typed).as_deref(), Ok(stored), "{typed}");
        }
        for bad in ["1,00,00", "1,000,00,000", "1.00.000", "01,00,000"] {
            assert!(normalize_amount(bad).is_err(), "{bad} should be refused");
        }
        for (typed, code) in [
            ("12,500 €", Some("EUR")),
            ("5,000 USD", Some("USD")),
            ("£5,000", Some("GBP")),
            ("R$ 1.234,56", Some("BRL")),
            ("₹1,00,000", Some("INR")),
            ("Rs. 75", Some("INR")),
            ("CHF 25'000.–", Some("CHF")),
            ("$.50", Some("USD")),
            ("12500", None),
            ("500 kr", None),
            ("$ 5 EUR", None),
        ] {
            assert_eq!(written_currency(typed).as_deref(), code, "{typed}");
        }
        // A sign several currencies write agrees with each of them; a code only with itself.
        assert!(agrees_with("USD", "$5,000", "CAD") && agrees_with("JPY", "¥5000", "CNY"));
        assert!(!agrees_with("USD", "5,000 USD", "CAD") && !agrees_with("GBP", "£5,000", "EUR"));
    }

    #[test]
    fn currencies_and_dates_have_one_spelling() {
        assert_eq!(normalize_currency(" eur ").as_deref(), Ok("EUR"));
        assert_eq!(normalize_currency("€").as_deref(), Ok("EUR"));
        assert_eq!(normalize_currency("euro").as_deref(), Ok("EUR"), "by its name");
        assert!(normalize_currency("eur0").is_err());
        assert_eq!(normalize_currency("chf").as_deref(), Ok("CHF"));
        assert_eq!(normalize_currency("INR").as_deref(), Ok("INR"));
        for typo in ["EUT", "UDS", "ABC", "XXX", "XTS"] {
            let why = normalize_currency(typo).expect_err(typo);
            assert!(why.contains("ISO 4217"), "{typo}: {why}");
        }
        assert_eq!(normalize_date("2026-12-31").as_deref(), Ok("2026-12-31"));
        assert_eq!(normalize_date("31.12.2026").as_deref(), Ok("2026-12-31"));
        assert!(normalize_date("2026-02-30").is_err());
    }

    /// Dates as people write them, read when they can be read one way only; the message of one that cannot
    /// says why, not that it is too long or not a date at all.
    /// A file's dates tell the order of those that could be read both ways: "03/04/2026" beside "25/12/2026" is
    /// the 3rd of April.
    #[test]
    fn a_date_either_way_is_read_in_the_order_the_files_other_dates_show() {
        assert_eq!(date_order_shown("25/12/2026"), Some(DateOrder::DayFirst));
        assert_eq!(date_order_shown("12/25/2026 3:00 PM"), Some(DateOrder::MonthFirst));
        for told_nothing in ["03/04/2026", "2026-12-25", "25.12.2026", "31/31/2026", "0/13/2026", "soon"] {
            assert_eq!(date_order_shown(told_nothing), None, "{told_nothing}");
        }
        assert_eq!(normalize_date_in("03/04/2026", Some(DateOrder::DayFirst)).as_deref(), Ok("2026-04-03"));
        assert_eq!(normalize_date_in("03/04/2026", Some(DateOrder::MonthFirst)).as_deref(), Ok("2026-03-04"));
        // An order never makes a date of what is none, nor reads against what a date shows by itself.
        assert!(normalize_date_in("02/30/2026", Some(DateOrder::MonthFirst)).is_err());
        assert_eq!(normalize_date_in("25/12/2026", Some(DateOrder::MonthFirst)).as_deref(), Ok("2026-12-25"));
    }

    #[test]
    fn a_date_is_read_as_written_when_it_can_only_be_one_day() {
        for (raw, day) in [
            ("31. 12. 2026", "2026-12-31"),
            ("1.2.2026", "2026-02-01"),
            ("2026/12/31", "2026-12-31"),
            ("31/12/2026", "2026-12-31"),
            ("12/31/2026", "2026-12-31"),
            ("05/05/2026", "2026-05-05"),
            ("31 Dec 2026", "2026-12-31"),
            ("31 December 2026", "2026-12-31"),
            ("December 31, 2026", "2026-12-31"),
            ("dec 31 2026", "2026-12-31"),
            ("31-Dec-2026", "2026-12-31"),
        ] {
            assert_eq!(normalize_date(raw).as_deref(), Ok(day), "{raw}");
        }
        let why = normalize_date("01/02/2026").unwrap_err();
        assert_eq!(
            why,
            "\"01/02/2026\" is 2026-02-01 in some countries and 2026-01-02 in others: write it as YYYY-MM-DD"
        );
        for raw in
            ["31/31/2026", "13/13/2026", "02/30/2026", "30.02.2026", "next friday", "31 Smarch 2026", "1/2/3/2026"]
        {
            let why = normalize_date(raw).unwrap_err();
            assert_eq!(why, format!("\"{raw}\" is not a date: write it as YYYY-MM-DD"), "{raw}");
        }
        assert!(normalize_date("31/12/26").unwrap_err().contains("year in full"));
        // The month in words in the languages of Europe's exports, full or abbreviated, either side of the day.
        for raw in [
            "31. Dezember 2026",
            "31. Dez. 2026",
            "31 déc. 2026",
            "31 décembre 2026",
            "31 de diciembre de 2026",
            "31 dicembre 2026",
            "31 december 2026",
            "Dec. 31, 2026",
            "31-dez-2026",
            "31 Dezember 2026 14:00",
        ] {
            assert_eq!(normalize_date(raw).as_deref(), Ok("2026-12-31"), "{raw}");
        }
        assert_eq!(normalize_date("1. März 2026").as_deref(), Ok("2026-03-01"));
        assert!(normalize_date("30 février 2026").is_err());
        // Dashes as slashes.
        assert_eq!(normalize_date("31-12-2026").as_deref(), Ok("2026-12-31"));
        assert!(normalize_date("03-04-2026").unwrap_err().contains("in some countries"));
        // A close date exported with its time of day is its date.
        for (raw, day) in [
            ("2024-05-10 14:03", "2024-05-10"),
            ("2024-05-10T14:03:00Z", "2024-05-10"),
            ("2024-05-10T14:03:00.000+02:00", "2024-05-10"),
            ("31.12.2026 09:00", "2026-12-31"),
            ("12/31/2026 2:03 PM", "2026-12-31"),
            ("31 Dec 2026 09:00:00", "2026-12-31"),
        ] {
            assert_eq!(normalize_date(raw).as_deref(), Ok(day), "{raw}");
        }
        assert!(normalize_date("14:03").is_err());
        assert!(normalize_date("2024-05-10 at noon").is_err());
        let reasons = vec![("price".to_string(), "Price".to_string()), ("other".into(), "Other".into())];
        assert_eq!(match_lost_reason("PRICE", &reasons).as_deref(), Ok("price"));
        assert!(match_lost_reason("weather", &reasons).unwrap_err().contains("Price, Other"));
    }

    proptest! {
        /// Whatever is typed, an amount is refused or stored in the one form, which reads back as itself.
        #[test]
        fn an_amount_is_refused_or_stored_in_its_one_form(raw in "[-€$ 0-9.,a-zA-Z]{0,20}") {
            if let Ok(stored) = normalize_amount(&raw) {
                prop_assert_eq!(normalize_amount(&stored), Ok(stored.clone()));
                let (whole, fraction) = stored.split_once('.').unwrap_or_default();
                prop_assert!(!whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(fraction.len(), 2);
            }
        }
    }
}
