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
    // The old European vehicle codes, as German and Austrian lists write the country ("Land: D", "A", "CH"):
    // "D" named no country, and the lead's phones were read as the default region's.
    let code = country.trim_end_matches('.').to_ascii_uppercase();
    if let Some((region, _)) = super::postcode::VEHICLE_CODES.iter().find(|(_, v)| *v == code) {
        return Some((*region).to_string());
    }
    let lower = country.to_lowercase();
    let found = by_name(&lower)
        .or_else(|| keshvar::Alpha3::try_from(country).ok().map(|a| a.to_country().alpha2().to_string()))
        .or_else(|| other_forms(&lower).iter().find_map(|form| by_name(form)))?;
    Some(found).filter(|r| is_known_region(r))
}

/// The region a lower-cased name gives, as written or with its stops taken off ("u.s.a."), from the aliases or
/// the ISO names and their translations.
fn by_name(lower: &str) -> Option<String> {
    let squeezed: String = lower.chars().filter(|c| c.is_alphanumeric() || *c == ' ').collect();
    let squeezed = squeezed.split_whitespace().collect::<Vec<_>>().join(" ");
    let alias = |name: &str| COUNTRY_ALIASES.iter().find(|(n, _)| *n == name).map(|(_, r)| (*r).to_string());
    let iso = |name: &str| {
        if names_ready() {
            keshvar::find_by_name(name).ok().map(|c| c.alpha2().to_string())
        } else {
            None
        }
    };
    alias(&squeezed).or_else(|| iso(lower)).or_else(|| iso(&squeezed))
}

/// A formal or ISO form said the everyday way: "Korea, Republic of" as "Republic of Korea", then without its
/// form of state ("Korea"); "Hong Kong SAR" as "Hong Kong". "Democratic Republic of …" keeps its words: the
/// Congo of Kinshasa is not the Congo of Brazzaville.
fn other_forms(lower: &str) -> Vec<String> {
    let mut forms = Vec::new();
    let named = match lower.split_once(", ") {
        Some((name, form)) => format!("{form} {name}"),
        None => lower.to_string(),
    };
    let named = named.trim().trim_start_matches("the ").to_string();
    forms.push(named.clone());
    for state in
        ["republic of ", "people's republic of ", "peoples republic of ", "federal republic of ", "kingdom of "]
    {
        if let Some(rest) = named.strip_prefix(state) {
            forms.push(rest.trim_start_matches("the ").to_string());
        }
    }
    for suffix in [" sar", " s.a.r."] {
        if let Some(rest) = named.strip_suffix(suffix) {
            forms.push(rest.to_string());
        }
    }
    forms
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
    ("eire", "IE"),
    ("éire", "IE"),
    ("britain", "GB"),
    ("bharat", "IN"),
    ("prc", "CN"),
    // Taiwan's formal name: without this, "republic of" taken off left "china".
    ("republic of china", "TW"),
    ("roc", "TW"),
    ("north korea", "KP"),
    ("democratic peoples republic of korea", "KP"),
    ("الإمارات", "AE"),
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
            // The old European vehicle codes German and Austrian lists write ("Land: D").
            ("D", "DE"),
            ("A", "AT"),
            ("F.", "FR"),
            ("I", "IT"),
            ("SLO", "SI"),
            ("CH", "CH"),
        ] {
            assert_eq!(region_of_country(country).as_deref(), Some(region), "{country}");
        }
        assert_eq!(region_of_country(""), None);
    }

    /// Formal and ISO forms, and the names people and other languages give countries: a name not read sent a
    /// lead's national phone number to the default region's plan ("Republic of Ireland" and "087 …" stored as a
    /// number in Bavaria).
    #[test]
    fn formal_iso_and_everyday_names_are_read() {
        let mut missed = Vec::new();
        for (country, region) in [
            ("Republic of Ireland", "IE"),
            ("Ireland", "IE"),
            ("Eire", "IE"),
            ("Éire", "IE"),
            ("Korea, Republic of", "KR"),
            ("Republic of Korea", "KR"),
            ("South Korea", "KR"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("Iran, Islamic Republic of", "IR"),
            ("Tanzania, United Republic of", "TZ"),
            ("Republic of India", "IN"),
            ("Bharat", "IN"),
            ("People's Republic of China", "CN"),
            ("PRC", "CN"),
            ("Hong Kong SAR", "HK"),
            ("Hong Kong", "HK"),
            ("Macao SAR", "MO"),
            ("Britain", "GB"),
            ("Great Britain", "GB"),
            ("England", "GB"),
            ("The Netherlands", "NL"),
            ("Holland", "NL"),
            ("Estados Unidos", "US"),
            ("États-Unis", "US"),
            ("Vereinigte Staaten", "US"),
            ("United States of America", "US"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Vietnam", "VN"),
            ("Viet Nam", "VN"),
            ("Czechia", "CZ"),
            ("Ivory Coast", "CI"),
            ("Côte d'Ivoire", "CI"),
            ("Democratic Republic of the Congo", "CD"),
            ("Congo, The Democratic Republic of the", "CD"),
            ("Federal Republic of Germany", "DE"),
            ("Kingdom of Saudi Arabia", "SA"),
            ("Swaziland", "SZ"),
            ("Burma", "MM"),
            ("Republic of China", "TW"),
            ("China, Republic of", "TW"),
            ("Taiwan", "TW"),
            ("الإمارات", "AE"),
        ] {
            if region_of_country(country).as_deref() != Some(region) {
                missed.push((country, region_of_country(country)));
            }
        }
        assert!(missed.is_empty(), "{missed:?}");
    }
}
