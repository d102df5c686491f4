//! The country a file's phone numbers are written for, when they carry no country code and the file no
//! country: an Australian list ("0459 024 058") imported where Settings say US had every such row refused. The
//! numbers themselves tell: the region most of them are valid in, when the default region is not.
use crate::leads::phone::parse_phone;

/// Numbers looked at, at most: enough to tell a region, few enough to try every region quickly.
const SAMPLE: usize = 40;
/// Fewer numbers than this tell nothing.
const AT_LEAST: usize = 5;
/// As few as this tell when every one of them is valid in one region and none in the default: a list of three
/// Japanese contacts was refused whole as American.
const FEW: usize = 3;
/// Country domains used the world over for what they spell (.io, .ai, .co, .me, .tv): no sign of a country.
const SOLD_FOR_THEIR_LETTERS: [&str; 14] =
    ["IO", "AI", "CO", "ME", "TV", "LY", "FM", "GG", "SH", "AC", "TO", "WS", "CC", "NU"];
/// Share of the numbers (in tenths) that must be valid in a region for it to be the file's.
const MOST_TENTHS: usize = 8;

/// The region the national numbers among `phones` are written for, when most of them are not valid in
/// `default` and one region holds most of them; `None` otherwise: the default region stays. Numbers of one
/// shape are valid in many regions (ten digits from a 0 are Australian, French and Italian alike): among the
/// regions that hold most of them, the one whose top-level domain most of the file's `emails` use decides
/// ("yahoo.com.au"), and of regions sharing a country code, its main one (Australia before Christmas Island).
pub fn likely_region<'a>(
    phones: impl IntoIterator<Item = &'a str>,
    emails: impl IntoIterator<Item = &'a str>,
    default: &str,
) -> Option<String> {
    let emails: Vec<&str> = emails.into_iter().take(SAMPLE * 5).collect();
    let (mut national, mut international): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for p in phones.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let written_with_code = p.starts_with('+') || p.starts_with("00");
        match (written_with_code, national.len() < SAMPLE) {
            (true, _) if international.len() < SAMPLE => international.push(p),
            (false, true) => national.push(p),
            _ => {}
        }
        if national.len() == SAMPLE && international.len() == SAMPLE {
            break;
        }
    }
    let n = national.len();
    if n == 0 || valid_in(default, &national) * 2 >= n {
        return None;
    }
    by_the_numbers(&national, &emails, default)
        .or_else(|| named_by_the_rest(&national, &international, &emails, default))
}

/// The region most of the `national` numbers are valid in (see [`likely_region`]), telling apart by the emails'
/// domains regions whose rules read the same numbers.
fn by_the_numbers(national: &[&str], emails: &[&str], default: &str) -> Option<String> {
    let n = national.len();
    if n < FEW {
        return None;
    }
    // Below AT_LEAST numbers, every one must agree.
    let few = n < AT_LEAST;
    // Regions that read most of the first few numbers (all of them when there are few), then the whole sample in
    // those only. Two of the first five may be typed wrong or unallocated: a tenth of a real list is.
    let first = &national[..AT_LEAST.min(n)];
    let slack = if few { 0 } else { 2 };
    let mut holding: Vec<(&str, u16)> = Vec::new();
    // Numbers written as North America writes them ("502-710-6094", "(502) 710-6094") are North American, valid
    // or not: fictional ones (invalid at home) were read as German or Luxembourgish, whose rules take nearly any
    // ten digits, and the valid American numbers among them with them.
    let american = national.iter().filter(|p| written_as_north_america(p)).count() * 2 >= n;
    for meta in phonenumber::metadata::DATABASE.iter() {
        let region = meta.id();
        if region.len() != 2 || valid_in(region, first) + slack < first.len() {
            continue;
        }
        if american && meta.country_code() != 1 {
            continue;
        }
        let count = valid_in(region, national);
        if count * 10 >= n * MOST_TENTHS && (!few || count == n) {
            holding.push((region, meta.country_code()));
        }
    }
    // Every region holding most of the numbers is a candidate, not only the one holding the most: some regions'
    // rules read nearly any number of a length (Saint-Pierre-et-Miquelon's held every national number of an
    // Australian list, one in ten of which Australia does not allocate, and the list was read as +508). Among
    // them the emails' domains decide; without a word from them, candidates of several country codes say
    // nothing.
    let code = holding.first()?.1;
    let best = if holding.iter().any(|(_, c)| *c != code) {
        by_email_domain(&holding, emails.iter().copied())
    } else {
        holding
    };
    let code = best.first()?.1;
    if best.iter().any(|(_, c)| *c != code) {
        return None;
    }
    // Regions of one country code: its main country when it is among them.
    let main = phonenumber::metadata::DATABASE.region(&code).and_then(|r| r.first().map(|m| m.to_string()));
    let chosen = main.filter(|m| best.iter().any(|(r, _)| r == m)).or_else(|| {
        let mut regions: Vec<&str> = best.iter().map(|(r, _)| *r).collect();
        regions.sort_unstable();
        regions.first().map(|r| (*r).to_string())
    })?;
    (chosen != default.to_ascii_uppercase()).then_some(chosen)
}

/// Whether a number is written in North America's groups: three digits (in brackets or not), three, four.
fn written_as_north_america(number: &str) -> bool {
    let groups: Vec<&str> = number.split(['-', '.', ' ', '(', ')']).filter(|g| !g.is_empty()).collect();
    groups.len() == 3
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && groups.iter().map(|g| g.len()).eq([3, 3, 4])
}

/// How many of `numbers` are valid numbers of `region` written without its country code.
fn valid_in(region: &str, numbers: &[&str]) -> usize {
    numbers.iter().filter(|p| parse_phone(p, region).is_ok()).count()
}

/// The country the rest of a file names, for national numbers too few to tell by themselves (or telling
/// nothing): the one most of its numbers written with their country code and of its emails' country domains
/// name, when more than half of them do and the national numbers are valid there. A German fair's list with one
/// Munich number ("089 12345678") among "+49" ones and ".de" addresses was read as American, and that row refused.
fn named_by_the_rest(national: &[&str], international: &[&str], emails: &[&str], default: &str) -> Option<String> {
    let mut named: Vec<String> = international
        .iter()
        .filter_map(|p| {
            let text = p.strip_prefix("00").map_or_else(|| p.to_string(), |rest| format!("+{rest}"));
            let number = phonenumber::parse(None, text).ok()?;
            number.metadata(&phonenumber::metadata::DATABASE).map(|m| m.id().to_string())
        })
        .collect();
    // Country domains sold for their letters (a startup's .io) name no country.
    named.extend(
        emails
            .iter()
            .filter_map(|e| domain_region(e))
            .filter(|r| !SOLD_FOR_THEIR_LETTERS.contains(&r.as_str()) && crate::leads::is_known_region(r)),
    );
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in &named {
        *counts.entry(r.as_str()).or_default() += 1;
    }
    let (region, votes) = counts.into_iter().max_by_key(|(r, votes)| (*votes, std::cmp::Reverse(*r)))?;
    let valid = valid_in(region, national);
    let holds = if national.len() < FEW { valid == national.len() } else { valid * 10 >= national.len() * MOST_TENTHS };
    (votes >= 2 && votes * 2 > named.len() && holds && !region.eq_ignore_ascii_case(default))
        .then(|| region.to_string())
}

/// The region an email's country-code domain names, as an ISO code ("anna@firma.de" DE, ".co.uk" GB: the United
/// Kingdom's domain is not its ISO code); none for a generic domain (.com, .org).
fn domain_region(email: &str) -> Option<String> {
    let tld = email.trim().rsplit_once('@')?.1.rsplit('.').next()?.to_ascii_uppercase();
    let region = if tld == "UK" { "GB".to_string() } else { tld };
    (region.len() == 2).then_some(region)
}

/// Of `regions`, those whose country-code top-level domain the most `emails` end with (".au", ".co.uk" is
/// ".uk"), when any do; none when no email names one of them.
fn by_email_domain<'a, 'e>(
    regions: &[(&'a str, u16)],
    emails: impl IntoIterator<Item = &'e str>,
) -> Vec<(&'a str, u16)> {
    let mut counts = vec![0usize; regions.len()];
    for email in emails {
        let Some(tld) = domain_region(email) else { continue };
        if let Some(i) = regions.iter().position(|(r, _)| *r == tld) {
            counts[i] += 1;
        }
    }
    let most = counts.iter().copied().max().unwrap_or(0);
    if most == 0 {
        return Vec::new();
    }
    regions.iter().zip(counts).filter(|(_, c)| *c == most).map(|(r, _)| *r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUSTRALIAN: &[&str] = &[
        "0459 024 058",
        "02 9374 4000",
        "0412 345 678",
        "03 9123 4567",
        "0491 570 156",
        "07 3123 4567",
        "08 9123 4567",
    ];

    #[test]
    fn numbers_most_of_which_another_region_holds_are_that_region_s() {
        let emails = ["webbk@yahoo.com.au", "b.cannell@internode.on.net", "j@example.com", "k@bigpond.com.au"];
        assert_eq!(likely_region(AUSTRALIAN.iter().copied(), emails, "US").as_deref(), Some("AU"));
        // The same numbers are French too: French addresses make them French.
        assert_eq!(
            likely_region(AUSTRALIAN.iter().copied(), ["a@orange.fr", "b@free.fr"], "US").as_deref(),
            Some("FR")
        );
        let british =
            ["020 7123 4567", "07911 123456", "0161 234 5678", "0113 234 5678", "0117 234 5678", "01223 456789"];
        assert_eq!(likely_region(british.iter().copied(), ["a@example.co.uk"], "US").as_deref(), Some("GB"));
    }

    /// A list whose numbers Australia holds nine in ten of (a tenth typed into ranges not allocated), and a
    /// region whose rules read them all (Saint-Pierre-et-Miquelon, +508): the emails' .au makes it Australian;
    /// without them, nothing is said, rather than every number read as +508.
    #[test]
    fn a_region_that_reads_any_number_does_not_take_a_list_another_region_holds_most_of() {
        let phones = [
            "0458 336 095",
            "0418 544 709",
            "0425 913 906",
            "0415 393 967",
            "0897066522",
            "0482015572",
            "02 2055 0124",
            "0274601893",
            "02 7217 4674",
            "0412 345 678",
            "0768847483",
        ];
        assert!(parse_phone("0768847483", "AU").is_err() && parse_phone("0768847483", "PM").is_ok(), "the premise");
        let emails = ["webbk@yahoo.com.au", "j@gmail.com", "k@bigpond.com.au", "l@hotmail.com"];
        assert_eq!(likely_region(phones.iter().copied(), emails, "US").as_deref(), Some("AU"));
        // Two of the first five not Australian: still read through the whole sample.
        let late = ["0768847483", "0495 540 509"].into_iter().chain(phones.into_iter().filter(|p| *p != "0768847483"));
        assert_eq!(likely_region(late, emails, "US").as_deref(), Some("AU"));
        assert_eq!(likely_region(phones.iter().copied(), ["j@gmail.com"], "US"), None);
    }

    /// One national number among numbers written with "+49" and ".de" addresses: too few to tell alone, the rest
    /// of the file names Germany. Split votes, generic or sold-for-their-letters domains, or a number not valid
    /// in the country named, say nothing.
    #[test]
    fn a_few_national_numbers_are_read_in_the_country_the_rest_of_the_file_names() {
        let phones = ["089 12345678", "+49 30 9876543", "+49 761 1234567"];
        let emails = ["k.schaefer@beispiel.de", "monika.braeuer@beispiel.de", "anne@firma.de"];
        assert!(parse_phone("089 12345678", "US").is_err(), "the premise");
        assert_eq!(likely_region(phones, emails, "US").as_deref(), Some("DE"));
        assert_eq!(likely_region(phones, [], "US").as_deref(), Some("DE"), "the two +49 numbers alone");
        assert_eq!(likely_region(["089 12345678", "0049 30 9876543"], ["a@b.de"], "US").as_deref(), Some("DE"));
        assert_eq!(likely_region(phones, emails, "DE"), None, "already the default");
        assert_eq!(likely_region(["089 12345678", "+49 30 9876543"], [], "US"), None, "one vote is no majority");
        let split = ["089 12345678", "+49 30 9876543", "+33 1 42 68 53 00", "+44 20 7946 0018"];
        assert_eq!(likely_region(split, ["a@b.fr"], "US"), None);
        assert_eq!(likely_region(["089 12345678"], ["a@acme.io", "b@acme.io", "c@acme.com"], "US"), None);
        assert_eq!(likely_region(["(415) 555-2671", "+49 30 9876543", "+49 761 1234567"], [], "US"), None);
        assert_eq!(likely_region(["1234", "+49 30 9876543", "+49 761 1234567"], [], "US"), None, "not German either");
    }

    #[test]
    fn the_default_region_stays_when_it_holds_the_numbers_or_nothing_is_clear() {
        assert_eq!(likely_region(AUSTRALIAN.iter().copied(), ["a@b.com.au"], "AU"), None, "already the default");
        assert_eq!(likely_region(AUSTRALIAN.iter().copied(), ["a@b.com"], "US"), None, "as French as Australian");
        let american = ["(415) 555-2671", "212-555-0100", "415 555 0134", "(202) 555-0173", "312 555 0199"];
        assert_eq!(likely_region(american.iter().copied(), [], "US"), None);
        // International numbers say their own country; too few national ones say nothing.
        let international = ["+61 459 024 058", "+44 20 7946 0018", "0049 30 901820", "0412 345 678", "02 9374 4000"];
        assert_eq!(likely_region(international.iter().copied(), ["a@b.com.au"], "US"), None);
        assert_eq!(likely_region(["not a number"; 10].iter().copied(), [], "US"), None);
        assert_eq!(likely_region(std::iter::empty(), [], "US"), None);
        // Three that all agree tell; three of which one does not, nothing.
        let japanese = ["03-1234-5678", "090-1234-5678", "06-6123-4567"];
        assert_eq!(likely_region(japanese.iter().copied(), ["a@example.co.jp"], "US").as_deref(), Some("JP"));
        let mixed = ["03-1234-5678", "090-1234-5678", "(415) 555-2671"];
        assert_eq!(likely_region(mixed.iter().copied(), [], "US"), None);
        // Numbers written the American way, most of them fictional (Snipe-IT's sample users): no country that
        // dials from a 0 (Germany took nearly all of them, and valid American ones with them).
        let fictional = [
            "895-137-2034",
            "198-980-1723",
            "502-710-6094",
            "381-382-8857",
            "266-409-9118",
            "429-401-0847",
            "464-815-6024",
            "344-665-1217",
            "626-888-4072",
            "926-526-1742",
            "338-830-8647",
        ];
        let emails = ["a@ft.com", "b@gmx.de", "c@ucoz.ru", "d@scribd.com"];
        assert_eq!(likely_region(fictional.iter().copied(), emails, "US"), None);
    }
}
