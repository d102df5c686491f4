#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! The matcher reads what users, files and forms typed: any text at all is prepared, blocked, compared and
//! explained without a panic. (A name in the Syriac script once panicked inside the phonetic encoder.)
use proptest::prelude::*;
use rapport_match::{blocking, compare, explain, find_duplicates, prepare, Model, Record, Thresholds};

fn record() -> impl Strategy<Value = Record> {
    (
        "\\PC{0,12}",
        "\\PC{0,12}",
        "\\PC{0,12}",
        prop::collection::vec("\\PC{0,20}", 0..2),
        prop::collection::vec("[+0-9 ()\\-٠-٩]{0,16}", 0..2),
        "\\PC{0,20}",
        "\\PC{0,8}",
    )
        .prop_map(|(first_name, last_name, company, emails, phones, street, postcode)| Record {
            first_name,
            last_name,
            company,
            emails,
            phones,
            street,
            postcode,
            city: "Leeds".into(),
            region: String::new(),
        })
}

proptest! {
    #[test]
    fn any_text_is_matched_without_a_panic(a in record(), b in record()) {
        let (pa, pb) = (prepare(&a), prepare(&b));
        let _ = blocking::keys(&pa);
        let c = compare::compare(&pa, &pb);
        let notes = explain(&Model::defaults(), &pa, &pb, &c);
        prop_assert_eq!(notes.len(), 6);
        let (_, found) = find_duplicates(&[a.clone(), b, a], &Thresholds::default());
        // Typed twice with a full name and an email: found, whatever the script.
        if !pa.first.is_empty() && !pa.last.is_empty() && !pa.emails.is_empty() {
            prop_assert!(found.iter().any(|p| p.a == 0 && p.b == 2), "a record typed twice is found");
        }
    }
}

#[test]
fn a_name_in_another_script_is_its_own_phonetic_key() {
    let r = Record { first_name: "A".into(), last_name: "𝔻ܒ".into(), ..Default::default() };
    let p = prepare(&r);
    assert!(!p.last_sound.is_empty());
}
