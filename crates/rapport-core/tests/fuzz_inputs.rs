#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed unwrap is a failed test
//! Property tests over outside input: files, typed text and search boxes never crash the core, and what
//! is accepted is stable. Failing cases are kept by proptest under proptest-regressions/.
use proptest::prelude::*;
use rapport_core::csv_io::read_leads;
use rapport_core::domain::email::normalize_email;
use rapport_core::domain::lead::SourceChannel;
use rapport_core::domain::phone::parse_phone;
use rapport_core::store::leads::fts_query;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_a_csv_file_give_rows_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_leads(bytes.as_slice(), &|_| None, Some(SourceChannel::BulkImport));
    }

    #[test]
    fn csv_with_canonical_header_and_random_cells_keeps_every_nonblank_row(
        cells in proptest::collection::vec(proptest::collection::vec("[ -~éü\u{0660}-\u{0669};\"\n]{0,12}", 3), 0..20)
    ) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["first_name", "email", "phone"]).unwrap();
        for row in &cells { w.write_record(row).unwrap(); }
        let data = w.into_inner().unwrap();
        let parsed = read_leads(data.as_slice(), &|_| None, None).unwrap();
        let nonblank = cells.iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).count();
        prop_assert_eq!(parsed.rows.len() + parsed.rejected.len(), nonblank, "no row is dropped silently");
    }

    #[test]
    fn accepted_emails_are_already_normal(s in "\\PC{0,40}") {
        if let Ok(n) = normalize_email(&s) {
            prop_assert_eq!(normalize_email(&n), Ok(n.clone()));
            prop_assert!(n.is_ascii() && n.contains('@'));
        }
    }

    #[test]
    fn phone_parsing_never_panics_and_e164_reparses(s in "[+0-9 ()\\-.xext٠-٩０-９]{0,24}", region in "(US|GB|FR|DE|AU|JP|IN|BR|ZZ)") {
        if let Ok(p) = parse_phone(&s, &region) {
            prop_assert!(p.e164.starts_with('+'));
            let again = parse_phone(&p.e164, "US").map(|q| q.e164);
            prop_assert_eq!(again, Ok(p.e164.clone()));
        }
    }

    #[test]
    fn any_search_text_is_a_valid_fts_query(s in "\\PC{0,30}") {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'unicode61 remove_diacritics 2')").unwrap();
        if let Some(q) = fts_query(&s) {
            let r: rusqlite::Result<i64> = conn.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
            prop_assert!(r.is_ok(), "query {:?} from {:?} was rejected: {:?}", q, s, r.err());
        }
    }
}
