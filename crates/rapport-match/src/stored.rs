//! A prepared record as one line of text, so a store can keep each record's prepared fields and score a
//! candidate with one read instead of reading its raw fields and preparing them again.
//!
//! Fields are separated by U+001F, list items by U+001E, an email's local part and domain by U+001D. Prepared
//! text is folded and never holds those controls; should one arrive anyway it becomes a space, which is what
//! folding makes of punctuation.
use crate::normalize::Prepared;

const FIELD: char = '\u{1f}';
const ITEM: char = '\u{1e}';
const AT: char = '\u{1d}';
/// Fields in a stored line: a line with another count is not one (a later format, or damage).
const FIELDS: usize = 12;

fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([FIELD, ITEM, AT]) {
        s.replace([FIELD, ITEM, AT], " ").into()
    } else {
        s.into()
    }
}

impl Prepared {
    /// The record as one line (see the module's notes); [`Prepared::decode`] reads it back.
    pub fn encode(&self) -> String {
        let emails: Vec<String> = self.emails.iter().map(|(l, d)| format!("{}{AT}{}", clean(l), clean(d))).collect();
        let phones: Vec<String> = self.phones.iter().map(|p| clean(p).into_owned()).collect();
        let (emails, phones) = (emails.join(&ITEM.to_string()), phones.join(&ITEM.to_string()));
        let fields: [&str; FIELDS] = [
            &clean(&self.first),
            &clean(&self.first_canonical),
            &clean(&self.last),
            &clean(&self.company),
            &emails,
            &phones,
            &clean(&self.street),
            &clean(&self.city),
            &clean(&self.postcode),
            &clean(&self.region),
            &clean(&self.first_sound),
            &clean(&self.last_sound),
        ];
        fields.join(&FIELD.to_string())
    }

    /// A line written by [`Prepared::encode`]; `None` for anything else.
    pub fn decode(line: &str) -> Option<Prepared> {
        let f: Vec<&str> = line.split(FIELD).collect();
        if f.len() != FIELDS {
            return None;
        }
        let items = |s: &str| -> Vec<String> {
            if s.is_empty() {
                vec![]
            } else {
                s.split(ITEM).map(str::to_string).collect()
            }
        };
        let mut emails = Vec::new();
        for e in items(f[4]) {
            let (local, domain) = e.split_once(AT)?;
            emails.push((local.to_string(), domain.to_string()));
        }
        Some(Prepared {
            first: f[0].into(),
            first_canonical: f[1].into(),
            last: f[2].into(),
            company: f[3].into(),
            emails,
            phones: items(f[5]),
            street: f[6].into(),
            city: f[7].into(),
            postcode: f[8].into(),
            region: f[9].into(),
            first_sound: f[10].into(),
            last_sound: f[11].into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::prepare;
    use crate::Record;
    use proptest::prelude::*;

    #[test]
    fn a_prepared_record_reads_back_as_it_was() {
        let p = prepare(&Record {
            first_name: "Zoë".into(),
            last_name: "O'Brien".into(),
            company: "Acme GmbH".into(),
            emails: vec!["zoe.obrien@acme.de".into(), "zoe@example.org".into()],
            phones: vec!["+4930123456".into()],
            street: "12 Just Pl.".into(),
            city: "Berlin".into(),
            postcode: "10115".into(),
            region: "BE".into(),
        });
        assert_eq!(Prepared::decode(&p.encode()), Some(p.clone()));
        assert_eq!(Prepared::decode(&Prepared::default().encode()), Some(Prepared::default()));
    }

    #[test]
    fn other_text_is_not_a_record() {
        assert_eq!(Prepared::decode(""), None);
        assert_eq!(Prepared::decode("a\u{1f}b"), None);
        // An email without its separator is damage, not an address.
        let line = Prepared::default().encode();
        let mut broken: Vec<String> = line.split(FIELD).map(str::to_string).collect();
        broken[4] = "no-separator".into();
        assert_eq!(Prepared::decode(&broken.join("\u{1f}")), None);
    }

    proptest! {
        /// Whatever the raw fields, what prepare makes of them survives the store.
        #[test]
        fn every_prepared_record_survives(
            first in "\\PC{0,12}", last in "\\PC{0,12}", company in "\\PC{0,16}",
            emails in proptest::collection::vec("[a-z.]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}", 0..3),
            phones in proptest::collection::vec("\\+?[0-9 ]{4,14}", 0..3),
            street in "\\PC{0,16}", city in "\\PC{0,10}", postcode in "[A-Z0-9 ]{0,8}",
        ) {
            let p = prepare(&Record {
                first_name: first, last_name: last, company, emails, phones, street, city, postcode,
                region: String::new(),
            });
            prop_assert_eq!(Prepared::decode(&p.encode()), Some(p));
        }

        /// Separators inside a field cannot shift the others: they become spaces, and the line still reads.
        #[test]
        fn separators_inside_a_field_do_not_break_the_line(text in "[a-z\u{1d}\u{1e}\u{1f}]{0,12}") {
            let p = Prepared { first: text.clone(), emails: vec![(text.clone(), text.clone())], phones: vec![text], ..Default::default() };
            let back = Prepared::decode(&p.encode());
            prop_assert!(back.is_some());
        }
    }
}
