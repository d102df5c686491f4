//! The region a country field names, in any of the ways lists write it.

use super::phone::is_known_region;

/// The region a country field names: its code ("DE", "deu"), or its name as exports write it, in English or
/// in another language ("Germany", "Deutschland", "Allemagne"), or a common short form ("UK", "U.S.A.").
/// None when it names none: the default region applies.
pub(crate) fn region_of_country(country: &str) -> Option<String> {
    let country = country.trim();
    if is_known_region(country) {
        return Some(country.to_ascii_uppercase());
    }
    if country.is_empty() || country.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let lower = country.to_lowercase();
    // "U.S.A." and "U.K." are written with stops the names have not.
    let squeezed: String = lower.chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
    let by_name = |name: &str| if names_ready() { keshvar::find_by_name(name).ok() } else { None };
    if let Some((_, region)) = COUNTRY_ALIASES.iter().find(|(name, _)| *name == squeezed.trim()) {
        return Some((*region).to_string()).filter(|r| is_known_region(r));
    }
    let found = by_name(&lower)
        .or_else(|| by_name(squeezed.trim()))
        .or_else(|| keshvar::Alpha3::try_from(country).ok().map(|a| a.to_country()))?;
    Some(found.alpha2().to_string()).filter(|r| is_known_region(r))
}

/// Names lists give countries that the ISO names and their translations do not hold: the nations of the United
/// Kingdom, short forms ("UAE", "U.S."), older or informal names. Lower case, stops taken off.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("us", "US"),
    ("america", "US"),
    ("korea", "KR"),
    ("한국", "KR"),
    ("uae", "AE"),
    ("ksa", "SA"),
    ("kosovo", "XK"),
    ("czech rep", "CZ"),
    ("slovak republic", "SK"),
    ("lëtzebuerg", "LU"),
    ("brd", "DE"),
];

/// Whether keshvar's table of country names is built. It is built on first use from one array of some 34,000
/// names, on the stack of the thread that first asks: more than a test's or a worker's 2 MiB in a debug
/// build. So it is built once on a thread of its own with room for it; if that thread cannot start, names are
/// not read (codes still are).
fn names_ready() -> bool {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READY.get_or_init(|| {
        std::thread::Builder::new()
            .name("rapport-country-names".into())
            .stack_size(64 << 20)
            .spawn(|| keshvar::find_by_name("").is_err())
            .ok()
            .and_then(|t| t.join().ok())
            .is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes, names in English or the country's language, and the short forms lists write.
    #[test]
    fn a_country_is_read_however_a_list_writes_it() {
        assert_eq!(region_of_country("Atlantis"), None);
        assert_eq!(region_of_country("004"), None, "a number is no country here");
        // The nations of the United Kingdom, and the short forms and other names lists write.
        for (country, region) in [
            ("Scotland", "GB"),
            ("Wales", "GB"),
            ("Northern Ireland", "GB"),
            ("U.S.", "US"),
            ("America", "US"),
            ("Korea", "KR"),
            ("한국", "KR"),
            ("UAE", "AE"),
            ("KSA", "SA"),
            ("Kosovo", "XK"),
            ("Czech Rep.", "CZ"),
            ("Slovak Republic", "SK"),
            ("Lëtzebuerg", "LU"),
            ("BRD", "DE"),
        ] {
            assert_eq!(region_of_country(country).as_deref(), Some(region), "{country}");
        }
        assert_eq!(region_of_country(""), None);
    }
}
