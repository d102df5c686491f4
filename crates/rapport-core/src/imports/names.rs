//! A whole name in one cell split into first and last name. `human_name` decides where the surname starts
//! (particles such as "van der", sort order "Smith, John", titles, "Jr."); the words themselves are taken
//! from the cell as typed, because the library re-cases and decomposes what it returns ("JOHN" becomes
//! "John", "ü" two code points) and a CRM keeps what the user wrote.
use human_name::Name;

use super::mapping::fold;

/// `(first, last)` of `full`. A name the library cannot read (one word, say) is all last name: nothing is
/// dropped but a leading title ("Dr.", "Herr", "Mme").
pub(crate) fn split_full_name(full: &str) -> (String, String) {
    split_after(full, false)
}

/// `(first, last)` of `full` from a column whose header says it holds two surnames, as Spanish lists do
/// ("Nombre y apellidos": the given name or names, then the father's and the mother's surname). Read as
/// one surname, "María García López" was María García, surname López. A name that already splits with a
/// surname of several words (a particle, "de la Fuente"), or a given name of one word, is left as read.
pub(crate) fn split_with_two_surnames(full: &str) -> (String, String) {
    let (first, last) = split_full_name(full);
    if full.contains(',') || last.split_whitespace().count() != 1 {
        return (first, last);
    }
    match first.rsplit_once(char::is_whitespace) {
        Some((given, surname)) if !given.trim().is_empty() => (given.trim().to_string(), format!("{surname} {last}")),
        _ => (first, last),
    }
}

/// Whether a whole-name column's header names two surnames (Spanish "apellidos").
pub(crate) fn names_two_surnames(header: &str) -> bool {
    fold(header).contains("apellidos")
}

/// Han, kana and Hangul: scripts whose names are written family name first.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}')
}

/// `after_title`: a title was taken off before `full` ("h.c." and "mult." follow one, never start a name).
fn split_after(full: &str, after_title: bool) -> (String, String) {
    let full = full.trim();
    // German and Austrian degrees written before the name ("Dipl.-Ing. Karl Meier", "Dr.-Ing.", "Mag. rer. nat."
    // aside): the name library knows "Dr." and "Prof." but took these for a first name.
    if let Some((first, rest)) = full.split_once(char::is_whitespace) {
        let word = fold(first);
        // And the titles that pile up before a German name ("Prof. Dr. Dr. h.c. Klaus Schwab"): the library
        // reads the first two, and took "h.c." for a first name.
        // Matched as written, points and all: Dutch and Danish initials ("D.R. de Boer", "H.C. van Dijk") fold to
        // the same letters and are a first name.
        let raw = first.to_lowercase();
        let piled = matches!(raw.as_str(), "prof." | "dr." | "dr.med." | "dr.rer.nat." | "dr.phil." | "dr.jur.")
            || (after_title && matches!(raw.as_str(), "h.c." | "mult."));
        let degree = piled || word.starts_with("dipl") || word == "dring" || (word == "ing" && first.ends_with('.'));
        if degree && rest.split_whitespace().count() >= 2 {
            return split_after(rest, true);
        }
    }
    let words: Vec<&str> = full.split_whitespace().collect();
    // The family name first: in Chinese, Japanese and Korean ("山田 太郎", "김 민수"), and where French and
    // Italian lists write it in capitals ("DUPONT Marie"). Read as given name first, every such lead was
    // reversed. A capitalised word of two letters may be initials ("JR Smith"), and a whole name in capitals
    // says nothing.
    if words.len() >= 2 && !full.contains(',') {
        let cjk = full.chars().any(is_cjk);
        let first = words[0];
        let capitals = first.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && first.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
            && words[1..].iter().any(|w| w.chars().any(char::is_lowercase));
        if cjk || capitals {
            return (words[1..].join(" "), first.to_string());
        }
    }
    let Some(parsed) = Name::parse(full) else {
        return (String::new(), words.join(" "));
    };
    let count = |s: &str| s.split_whitespace().count();
    let surname_words = count(parsed.surname());
    let suffix = parsed.generational_suffix();
    // A degree or an office after the name ("PhD", "MD", "Esq."): no part of either name. The cell, which then
    // holds a word the names do not, is kept whole in the notes by the caller.
    let honorific = parsed.honorific_suffix().unwrap_or_default();
    // "Smith, John": the surname is what comes before the comma, unless what follows is a suffix ("King, Jr.",
    // "Doe, PhD").
    if let Some((before, after)) = full.split_once(',') {
        let after_words: Vec<&str> = after.split_whitespace().collect();
        let after_is_suffix = suffix.is_some_and(|s| fold(s) == fold(after))
            || (!after_words.is_empty() && trailing_words_spelling(&after_words, honorific) == after_words.len());
        if !after_is_suffix && !before.trim().is_empty() && !after.trim().is_empty() {
            return (strip_title(after.trim(), &parsed).to_string(), before.trim().to_string());
        }
    }
    let title_words = parsed.honorific_prefix().map_or(0, count);
    let suffix_words = usize::from(suffix.is_some());
    let words: Vec<&str> = words.iter().map(|w| w.trim_end_matches(',')).filter(|w| !w.is_empty()).collect();
    let words = &words[..words.len() - trailing_words_spelling(&words, honorific)];
    if title_words + surname_words + suffix_words >= words.len() {
        // The library saw words the cell does not have as such (initials run together, say): first word first.
        return match words.split_first() {
            Some((first, rest)) if !rest.is_empty() => (first.to_string(), rest.join(" ")),
            _ => (String::new(), words.join(" ")),
        };
    }
    let given = &words[title_words..words.len() - surname_words - suffix_words];
    let last = &words[words.len() - surname_words - suffix_words..];
    (given.join(" "), last.join(" "))
}

/// How many of the last `words` spell `suffix`, letters and digits only and case aside ("PhD", "Ph.D." and
/// "Ph. D." alike, as the library may write it otherwise); none when they do not.
fn trailing_words_spelling(words: &[&str], suffix: &str) -> usize {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let want = key(suffix);
    if want.is_empty() {
        return 0;
    }
    let mut got = String::new();
    for (n, w) in words.iter().rev().enumerate() {
        got.insert_str(0, &key(w));
        if got == want {
            return n + 1;
        }
        if got.len() >= want.len() {
            break;
        }
    }
    0
}

/// `text` without the title the library found at its start.
fn strip_title<'a>(text: &'a str, parsed: &Name) -> &'a str {
    let Some(title) = parsed.honorific_prefix() else { return text };
    let n = title.split_whitespace().count();
    let mut rest = text;
    for _ in 0..n {
        rest = rest.trim_start();
        rest = rest.find(char::is_whitespace).map_or("", |i| &rest[i..]);
    }
    let rest = rest.trim();
    if rest.is_empty() {
        text
    } else {
        rest
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_spanish_whole_name_has_two_surnames() {
        let two = |s: &str| split_with_two_surnames(s);
        assert_eq!(two("María García López"), ("María".into(), "García López".into()));
        assert_eq!(two("María José García López"), ("María José".into(), "García López".into()));
        assert_eq!(two("Ana García"), ("Ana".into(), "García".into()), "one surname given");
        assert_eq!(two("García López, María"), ("María".into(), "García López".into()));
        assert_eq!(two("Dr. Pedro Ruiz Gómez"), ("Pedro".into(), "Ruiz Gómez".into()));
        assert!(names_two_surnames("Nombre y apellidos") && names_two_surnames("Nombre_Apellidos"));
        assert!(!names_two_surnames("Nombre completo") && !names_two_surnames("Full name"));
    }

    use super::*;

    fn split(s: &str) -> (String, String) {
        split_full_name(s)
    }

    fn pair(first: &str, last: &str) -> (String, String) {
        (first.to_string(), last.to_string())
    }

    #[test]
    fn given_names_then_surnames_with_their_particles() {
        assert_eq!(split("Anna van der Berg"), pair("Anna", "van der Berg"));
        assert_eq!(split("Jean de la Fontaine"), pair("Jean", "de la Fontaine"));
        assert_eq!(split("Martin Luther King Jr."), pair("Martin Luther", "King Jr."));
        assert_eq!(split("J. R. R. Tolkien"), pair("J. R. R.", "Tolkien"));
        assert_eq!(split("Anne-Marie O'Neil"), pair("Anne-Marie", "O'Neil"));
    }

    #[test]
    fn the_family_name_written_first_is_the_last_name() {
        assert_eq!(split("山田 太郎"), pair("太郎", "山田"));
        assert_eq!(split("李 小龙"), pair("小龙", "李"));
        assert_eq!(split("김 민수"), pair("민수", "김"));
        assert_eq!(split("DUPONT Marie"), pair("Marie", "DUPONT"));
        assert_eq!(split("ROSSI Maria Grazia"), pair("Maria Grazia", "ROSSI"));
        // Initials, and a whole name in capitals, are read as before.
        assert_eq!(split("JR Smith"), pair("JR", "Smith"));
        assert_eq!(split("JOHN SMITH"), pair("JOHN", "SMITH"));
    }

    #[test]
    fn the_text_is_kept_as_typed() {
        assert_eq!(split("JOHN SMITH"), pair("JOHN", "SMITH"));
        assert_eq!(split("Jürgen Müller"), pair("Jürgen", "Müller"));
        assert_eq!(split("  Chloé   Dubois "), pair("Chloé", "Dubois"));
    }

    #[test]
    fn titles_go_and_sort_order_is_read() {
        assert_eq!(split("Dr. Anna van der Berg"), pair("Anna", "van der Berg"));
        assert_eq!(split("Prof. Dr. Hans-Peter Schäfer"), pair("Hans-Peter", "Schäfer"));
        // The degrees of German-speaking lists the library does not know.
        assert_eq!(split("Dipl.-Ing. Karl Meier"), pair("Karl", "Meier"));
        assert_eq!(split("Dipl.-Kfm. Jens van der Berg"), pair("Jens", "van der Berg"));
        assert_eq!(split("Dr.-Ing. Eva Roth"), pair("Eva", "Roth"));
        assert_eq!(split("Prof. Dr. Dr. h.c. Klaus Schwab"), pair("Klaus", "Schwab"));
        assert_eq!(split("Prof. Dr. Dr. h.c. mult. Anna von Berg"), pair("Anna", "von Berg"));
        // Initials written with points are a first name, not the titles they fold to.
        assert_eq!(split("D.R. de Boer"), pair("D.R.", "de Boer"));
        assert_eq!(split("H.C. van Dijk"), pair("H.C.", "van Dijk"));
        // A name that is a title's word without its point stays a name.
        assert_eq!(split("Prof Smith"), pair("Prof", "Smith"));
        assert_eq!(split("Ing. Juan Pérez"), pair("Juan", "Pérez"));
        assert_eq!(split("Herr Thomas Weber"), pair("Thomas", "Weber"));
        assert_eq!(split("Smith, John"), pair("John", "Smith"));
        assert_eq!(split("O'BRIEN, sean"), pair("sean", "O'BRIEN"));
        assert_eq!(split("van Dijk, Dr. Lars"), pair("Lars", "van Dijk"));
        assert_eq!(split("Martin Luther King, Jr."), pair("Martin Luther", "King Jr."));
    }

    /// A degree or an office after the name is neither name (it was taken for the first name, or the surname).
    #[test]
    fn degrees_after_the_name_are_no_part_of_it() {
        assert_eq!(split("Jane Doe, PhD"), pair("Jane", "Doe"));
        assert_eq!(split("Jane Doe PhD"), pair("Jane", "Doe"));
        assert_eq!(split("John Smith MD"), pair("John", "Smith"));
        assert_eq!(split("Dr. Anna van der Berg, Ph.D."), pair("Anna", "van der Berg"));
        assert_eq!(split("Doe, Jane"), pair("Jane", "Doe"), "a comma before a given name is still sort order");
    }

    #[test]
    fn what_cannot_be_read_is_kept_whole_as_the_last_name() {
        assert_eq!(split("Madonna"), pair("", "Madonna"));
        assert_eq!(split(""), pair("", ""));
        assert_eq!(split(&"x".repeat(2000)), pair("", &"x".repeat(2000)));
    }

    proptest::proptest! {
        /// Whatever the cell, no panic, and nothing that is not in it: every word kept is the cell's, and
        /// no more letters come out than went in.
        #[test]
        fn no_panic_and_nothing_but_a_title_is_lost(s in "\\PC{0,60}") {
            let (first, last) = split_full_name(&s);
            let kept = format!("{first} {last}");
            for w in kept.split_whitespace() {
                proptest::prop_assert!(s.contains(w), "{w:?} is not in {s:?}");
            }
            let letters = |t: &str| t.chars().filter(|c| !c.is_whitespace() && *c != ',').count();
            proptest::prop_assert!(letters(&kept) <= letters(&s));
        }
    }
}
