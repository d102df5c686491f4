//! Candidate pairs: the union of the pairs that share at least one blocking key. Each key is cheap and catches
//! what the others miss (a new email, a moved address, a typo in the last name), and the union keeps the work
//! near-linear.
//!
//! A key shared by many records (an office's street, a switchboard, "james smith") is not compared all with all:
//! its members are sorted by what the key does not say (the name for a place, the place for a name) and each is
//! paired with its [`WINDOW`] nearest neighbours (sorted-neighbourhood blocking). So the work per record is
//! bounded whatever the data, and a duplicate at a large office still meets its twin, who sorts next to it.
use crate::normalize::Prepared;

/// Blocks up to this size are compared all with all.
pub const SMALL_BLOCK: usize = 8;
/// In a larger block, each record is paired with this many neighbours on either side.
pub const WINDOW: usize = 4;

/// What a block's members are sorted by when the block is large: the key tells where, so sort by who; or it
/// tells who, so sort by where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Place,
}

/// A blocking key: its text (for the stored index and for debugging) and how its members are ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    pub sort: SortBy,
}

impl Key {
    /// The key's digest: the stored index keeps this, not the text.
    pub fn hash(&self) -> i64 {
        crate::model::digest(&[&self.text]) as i64
    }
}

/// The order of records inside a large block sorted by name.
pub fn name_signature(p: &Prepared) -> String {
    format!("{}|{}|{}", p.last_sound, p.first_canonical, p.postcode)
}

/// The order of records inside a large block sorted by place.
pub fn place_signature(p: &Prepared) -> String {
    format!("{}|{}|{}", p.postcode, p.street, p.first_canonical)
}

pub fn signature(p: &Prepared, sort: SortBy) -> String {
    match sort {
        SortBy::Name => name_signature(p),
        SortBy::Place => place_signature(p),
    }
}

/// Every pair `(a, b)`, `a < b`, sharing a key: all pairs of a small block, neighbours in a large one.
pub fn candidate_pairs(records: &[Prepared]) -> Vec<(u32, u32)> {
    let mut entries: Vec<(i64, bool, u32)> = Vec::with_capacity(records.len() * 16);
    for (i, p) in records.iter().enumerate() {
        for k in keys(p) {
            entries.push((k.hash(), k.sort == SortBy::Name, i as u32));
        }
    }
    entries.sort_unstable();
    entries.dedup();
    let signatures: [Vec<String>; 2] =
        [records.iter().map(place_signature).collect(), records.iter().map(name_signature).collect()];
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let (key, by_name, _) = entries[start];
        let end = start + entries[start..].iter().take_while(|e| e.0 == key && e.1 == by_name).count();
        let mut members: Vec<u32> = entries[start..end].iter().map(|e| e.2).collect();
        start = end;
        if members.len() <= SMALL_BLOCK {
            for (x, &a) in members.iter().enumerate() {
                for &b in &members[x + 1..] {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
            continue;
        }
        let sig = &signatures[usize::from(by_name)];
        members.sort_unstable_by(|a, b| sig[*a as usize].cmp(&sig[*b as usize]).then(a.cmp(b)));
        for (x, &a) in members.iter().enumerate() {
            for &b in members.iter().skip(x + 1).take(WINDOW) {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The blocking keys of a record.
pub fn keys(p: &Prepared) -> Vec<Key> {
    let mut k: Vec<String> = Vec::with_capacity(16);
    for (local, domain) in &p.emails {
        k.push(format!("e:{local}@{domain}"));
        // A role's mailbox (info@, sales@) at another domain is another company's: no key across domains.
        if local.len() >= 4 && !crate::normalize::is_role_mailbox(local) {
            k.push(format!("l:{local}"));
        }
        // A typo late in the local part keeps its start.
        if local.chars().count() >= 8 {
            k.push(format!("ls:{}@{domain}", local.chars().take(6).collect::<String>()));
        }
    }
    for phone in &p.phones {
        // The national part: a number typed with its country code and without it ("+61 4..", "04..") meets
        // itself; two numbers that share it are told apart when compared.
        let phone = crate::normalize::national_part(phone);
        k.push(format!("p:{phone}"));
        // A typo in the last digits keeps the start, and one in the start keeps the end.
        if phone.len() >= 8 {
            k.push(format!("ph:{}", &phone[..6]));
            k.push(format!("pt:{}", &phone[phone.len() - 6..]));
        }
    }
    let (first, last) = (&p.first_sound, &p.last_sound);
    let (postcode, city) = (&p.postcode, &p.city);
    let mut names = [first.as_str(), last.as_str()];
    names.sort_unstable();
    if !first.is_empty() && !last.is_empty() {
        // Sorted, so first and last names typed into each other's field still meet.
        k.push(format!("fl:{}|{}", names[0], names[1]));
    }
    for (tag, sound) in [("l", last), ("f", first)] {
        if sound.is_empty() {
            continue;
        }
        if !postcode.is_empty() {
            k.push(format!("{tag}p:{sound}|{postcode}"));
        }
        if !city.is_empty() {
            k.push(format!("{tag}c:{sound}|{city}"));
        }
    }
    // A lead with one name only ("Tanaka" at Sony), or none but a company, has none of the keys above that
    // need both names or a place: it is blocked by what it has, so it still meets its twin.
    match (first.is_empty(), last.is_empty()) {
        (true, false) | (false, true) => k.push(format!("n:{}{}", first, last)),
        (true, true) if !p.company.is_empty() => k.push(format!("c:{}", p.company)),
        _ => {}
    }
    if let Some(initial) = p.first.chars().next().filter(|_| !last.is_empty()) {
        k.push(format!("li:{last}|{initial}"));
    }
    if p.last.chars().count() >= 3 && !postcode.is_empty() {
        k.push(format!("l3:{}|{postcode}", p.last.chars().take(3).collect::<String>()));
    }
    // The house number with the street's first word, or with the postcode or the city: one typo elsewhere in
    // the address leaves one of them whole.
    let mut words = p.street.split(' ');
    if let Some(number) = words.next().filter(|w| w.chars().any(|c| c.is_ascii_digit())) {
        if let Some(name) = words.next() {
            k.push(format!("sn:{number}|{name}"));
        }
        if !postcode.is_empty() {
            k.push(format!("np:{number}|{postcode}"));
        }
        if !city.is_empty() {
            k.push(format!("nc:{number}|{city}"));
        }
    }
    k.into_iter()
        .map(|text| {
            // Name keys ("fl", "li", "lp", ...) sort their members by place; the others (email, phone, street)
            // by name.
            let tag = text.split(':').next().unwrap_or("");
            let sort = if matches!(tag, "fl" | "li" | "lp" | "lc" | "fp" | "fc" | "l3" | "n" | "c") {
                SortBy::Place
            } else {
                SortBy::Name
            };
            Key { text, sort }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{prepare, Record};

    /// A phone's keys are made of its national part: a number typed with its country code meets its spelling
    /// without, and the keys stay those of the time phones were matched by their last nine digits alone, so
    /// migration 021 need not write them again.
    #[test]
    fn a_number_with_or_without_its_country_code_has_the_same_keys() {
        let with = |phone: &str| {
            let p = prepare(&Record { last_name: "Smith".into(), phones: vec![phone.into()], ..Default::default() });
            keys(&p).into_iter().map(|k| k.text).collect::<Vec<_>>()
        };
        assert_eq!(with("+61 400 490 186"), with("0400 490 186"));
        let full = with("+44 20 7946 0018");
        for key in ["p:079460018", "ph:079460", "pt:460018"] {
            assert!(full.iter().any(|k| k == key), "{key} in {full:?}");
        }
    }

    /// Leads with one name, or only a company, and nothing else to go by are still compared with their twins.
    #[test]
    fn a_lead_with_one_name_or_only_a_company_meets_its_twin() {
        let one_name = |last: &str| Record { last_name: last.into(), company: "Sony".into(), ..Default::default() };
        let company = |c: &str| Record { company: c.into(), ..Default::default() };
        let records: Vec<_> = [one_name("Tanaka"), one_name("Tanaka"), company("Berg Bau GmbH"), company("Berg Bau")]
            .iter()
            .map(prepare)
            .collect();
        let pairs = candidate_pairs(&records);
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(2, 3)), "{pairs:?}");
        assert!(!pairs.contains(&(0, 2)), "{pairs:?}");
    }
}
