//! Candidate pairs: the union of the pairs that share at least one blocking key. Each key is cheap and catches
//! what the others miss (a new email, a moved address, a typo in the last name), and the union keeps the work
//! near-linear. A key shared by very many records (a switchboard, a company's domain) is not a block: it would
//! pair everyone with everyone and says little anyway.
use std::collections::{HashMap, HashSet};

use crate::normalize::Prepared;

/// Blocks larger than this are skipped: they are shared values, not identities.
pub const MAX_BLOCK: usize = 60;

fn keys(p: &Prepared) -> Vec<String> {
    let mut k = Vec::with_capacity(16);
    for (local, domain) in &p.emails {
        k.push(format!("e:{local}@{domain}"));
        if local.len() >= 4 {
            k.push(format!("l:{local}"));
        }
        // A typo late in the local part keeps its start.
        if local.chars().count() >= 8 {
            k.push(format!("ls:{}@{domain}", local.chars().take(6).collect::<String>()));
        }
    }
    for phone in &p.phones {
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
    k
}

/// Every pair `(a, b)`, `a < b`, sharing a key of a block no larger than [`MAX_BLOCK`].
pub fn candidate_pairs(records: &[Prepared]) -> Vec<(usize, usize)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in records.iter().enumerate() {
        for k in keys(p) {
            blocks.entry(k).or_default().push(i);
        }
    }
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    for members in blocks.values().filter(|m| m.len() > 1 && m.len() <= MAX_BLOCK) {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if a != b {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    let mut out: Vec<(usize, usize)> = pairs.into_iter().collect();
    out.sort_unstable();
    out
}
