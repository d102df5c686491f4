//! Evidence a person can read: one line per piece of evidence, with its weight, so a data steward sees why a
//! pair was flagged ("email: the same address", "company, address and phone: shared with 212 other leads").
use strsim::jaro_winkler;

use crate::compare::{Comparison, Evidence, Level, FIELDS};
use crate::model::Model;
use crate::normalize::Prepared;

/// One piece of evidence about a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub evidence: Evidence,
    pub level: Level,
    /// How much it moved the score, in bits (log2 of the likelihood ratio); 0 when it said nothing.
    pub weight: f64,
    /// The sentence shown to people, e.g. "last name: similar (94% alike in spelling)".
    pub text: String,
}

fn similarity(a: &Prepared, b: &Prepared, e: Evidence) -> Option<f64> {
    let (x, y) = match e {
        Evidence::FirstName => (&a.first, &b.first),
        Evidence::LastName => (&a.last, &b.last),
        Evidence::Address => (&a.street, &b.street),
        Evidence::Company => (&a.company, &b.company),
        Evidence::Email | Evidence::Phone => return None,
    };
    (!x.is_empty() && !y.is_empty()).then(|| jaro_winkler(x, y))
}

/// The notes of a scored pair, in the order of [`FIELDS`].
pub fn explain(model: &Model, a: &Prepared, b: &Prepared, c: &Comparison) -> Vec<Note> {
    // First and last names typed into each other's fields: the comparison crossed them, and so do the words.
    let swapped = crate::compare::name_levels(a, b).2;
    FIELDS
        .into_iter()
        .map(|e| {
            let level = c.level(e);
            let weight = model.weight(a, b, e, level);
            let mut text = match (e, level) {
                (_, Level::Missing) => "missing on one side, or says nothing either way".to_string(),
                (Evidence::FirstName | Evidence::LastName, Level::Exact | Level::Close | Level::Weak) if swapped => {
                    let how = match level {
                        Level::Exact => "the same",
                        Level::Close => "similar",
                        _ => "sounds alike, or an initial agrees",
                    };
                    format!("{how}, with first and last names swapped")
                }
                (Evidence::FirstName, Level::Exact) if a.first != b.first => {
                    let short = if a.first != a.first_canonical { &a.first } else { &b.first };
                    format!("the same name ({short} is a short form of {})", a.first_canonical)
                }
                (_, Level::Exact) => "the same after normalization".to_string(),
                (Evidence::Email, Level::Close) => "the same name before the @, at another provider".to_string(),
                (Evidence::Email, Level::Weak) => "a typing mistake or two apart".to_string(),
                (Evidence::Phone, Level::Close) => "one digit apart".to_string(),
                (_, Level::Close) => match similarity(a, b, e) {
                    // The measure (Jaro-Winkler) in words a steward reads, rounded down: 0.996 shown as "100%"
                    // would say the same where the values differ.
                    Some(s) => format!("similar ({:.0}% alike in spelling)", (s * 100.0).floor()),
                    None => "similar".to_string(),
                },
                (Evidence::FirstName | Evidence::LastName, Level::Weak) => {
                    "sounds alike, or an initial agrees".to_string()
                }
                (_, Level::Weak) => "partly the same".to_string(),
                (_, Level::Different) => "different".to_string(),
            };
            // How common a shared workplace or household value is: what tells a steward "these are colleagues".
            if level == Level::Exact && !matches!(e, Evidence::FirstName | Evidence::LastName) {
                if let Some(others) = model.holders(a, b, e).map(|n| n.saturating_sub(2)).filter(|n| *n > 0) {
                    text.push_str(&format!("; shared with {others} other lead{}", if others == 1 { "" } else { "s" }));
                }
            }
            Note { evidence: e, level, weight, text: format!("{}: {text}", e.name()) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{find_duplicates, prepare, Record, Thresholds};

    #[test]
    fn every_piece_of_evidence_is_told_in_words() {
        let a = Record {
            first_name: "Robert".into(),
            last_name: "Alves".into(),
            emails: vec!["robert.alves71@example.com".into()],
            ..Default::default()
        };
        let b = Record { first_name: "Bob".into(), last_name: "Alvez".into(), ..a.clone() };
        // Weights are learnt from a population: the two leads among 500 others.
        let mut records = crate::synthetic::generate(500, 0.2, 1).records;
        records.extend([a.clone(), b.clone()]);
        let (model, found) = find_duplicates(&records, &Thresholds::default());
        let (pa, pb) = (prepare(&a), prepare(&b));
        let pair = found.iter().find(|c| c.a == records.len() - 2 && c.b == records.len() - 1);
        let c = pair.map(|c| c.comparison).expect("the pair is found");
        let notes = explain(&model, &pa, &pb, &c);
        assert_eq!(notes.len(), FIELDS.len());
        assert_eq!(notes[0].text, "first name: the same name (bob is a short form of robert)");
        assert_eq!(notes[1].text, "last name: similar (92% alike in spelling)", "Alves and Alvez");
        assert_eq!(notes[3].text, "email: the same after normalization");
        assert_eq!(notes[4].text, "phone: missing on one side, or says nothing either way");
        assert!(notes[3].weight > 0.0 && notes[4].weight == 0.0);

        // Typed into each other's fields: said so, not compared name with name.
        let swapped = Record { first_name: "Alves".into(), last_name: "Robert".into(), ..a.clone() };
        let ps = prepare(&swapped);
        let notes = explain(&model, &pa, &ps, &crate::compare::compare(&pa, &ps));
        assert_eq!(notes[0].text, "first name: the same, with first and last names swapped");
        assert_eq!(notes[1].text, "last name: the same, with first and last names swapped");
    }
}
