#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Files as other programs export them: a German trade-fair list (Windows-1252, semicolons, a title line,
//! German headers) is read into the right fields; a column nothing matches is refused by name, not dropped.
mod common;

use common::fixture;
use rapport_core::leads::{ImportMode, LeadQuery};

#[test]
fn a_german_trade_fair_export_is_read_into_the_right_fields() {
    let f = fixture();
    let text = "Messe Berlin 2026 – Besucherliste\r\nVorname;Nachname;E-Mail;Telefon;Firma;PLZ;Ort;Quelle\r\n\
                Jürgen;Müller;jm@mueller-gmbh.de;+49 30 1234567;Müller GmbH;10115;Berlin;Stand 4\r\n\
                Anna;Schmidt;anna@schmidt.de;;\"Schmidt; Söhne KG\";80331;München;Vortrag\r\n";
    let (bytes, _, _) = encoding_rs_like_1252(text);
    let report = f.core.import_csv(&f.admin, "besucher.csv", &bytes, ImportMode::AllOrNothing, &mut |_| {}).unwrap();
    assert_eq!(report.outcome.created.len(), 2, "{report:?}");
    let q = LeadQuery { text: "müller".into(), limit: 5, ..Default::default() };
    let l = &f.core.list_leads(&f.admin, &q).unwrap().items[0];
    let lead = f.core.get_lead(&f.admin, l.id).unwrap();
    assert_eq!(
        (lead.first_name.as_str(), lead.last_name.as_str(), lead.company.as_str()),
        ("Jürgen", "Müller", "Müller GmbH")
    );
    assert_eq!(lead.emails[0].address, "jm@mueller-gmbh.de");
    assert_eq!(lead.phones[0].e164, "+49301234567");
    assert_eq!((lead.address.postcode.as_str(), lead.address.city.as_str()), ("10115", "Berlin"));
    assert_eq!(lead.source_detail, "Stand 4", "a free-text origin is the source's detail");
    let q = LeadQuery { text: "schmidt".into(), limit: 5, ..Default::default() };
    let anna = f.core.get_lead(&f.admin, f.core.list_leads(&f.admin, &q).unwrap().items[0].id).unwrap();
    assert_eq!(anna.company, "Schmidt; Söhne KG", "a quoted semicolon stays in its cell");
}

#[test]
fn a_column_nothing_matches_is_named_not_dropped() {
    let f = fixture();
    let before = f.dump();
    let err = f
        .core
        .import_csv(
            &f.admin,
            "x.csv",
            b"Vorname;Nachname;Lieblingsfarbe\nAnn;Lee;blau\n",
            ImportMode::AllOrNothing,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(err.to_string().contains("lieblingsfarbe"), "{err}");
    assert_eq!(f.dump(), before);
}

/// The text as Windows-1252 bytes (what Excel on a German Windows writes), by hand for the few letters used.
fn encoding_rs_like_1252(text: &str) -> (Vec<u8>, (), ()) {
    let bytes = text
        .chars()
        .map(|c| match c {
            'ü' => 0xFC,
            'Ü' => 0xDC,
            'ö' => 0xF6,
            'ä' => 0xE4,
            '–' => 0x96,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's table: {other}"),
        })
        .collect();
    (bytes, (), ())
}
