//! A seeded generator of CRM leads with the correlations real CRM data has, and the duplicates people type:
//! the data a matcher must not be fooled by.
//!
//! - Colleagues share their company's name, office address, switchboard number and email domain (each company
//!   writes its addresses one way: `first.last@`, `flast@` or `first@`). Company sizes are skewed: a few large.
//! - A household shares an address and a landline, and most of its members a last name; its first names differ.
//! - A duplicate is the same person typed again: nicknames, typos, initials, the other email (work or
//!   personal), the phone reformatted or replaced by the switchboard or a mobile, street types abbreviated,
//!   values left out.
//!
//! The same seed gives the same data on every machine.
use crate::model::SplitMix;
use crate::Record;

const FIRST: &[&str] = &[
    "james",
    "robert",
    "john",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "charles",
    "daniel",
    "matthew",
    "anthony",
    "andrew",
    "joshua",
    "kenneth",
    "steven",
    "edward",
    "samuel",
    "benjamin",
    "nicholas",
    "alexander",
    "patrick",
    "peter",
    "timothy",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "nancy",
    "margaret",
    "sandra",
    "ashley",
    "emily",
    "donna",
    "michelle",
    "katherine",
    "deborah",
    "victoria",
    "abigail",
    "olivia",
    "chloe",
    "grace",
    "zoe",
    "mia",
    "ava",
    "isla",
    "lachlan",
    "liam",
    "noah",
    "oliver",
    "jack",
    "harry",
    "lucas",
    "ethan",
    "mason",
    "hamish",
    "ruby",
    "sophie",
];

const LAST: &[&str] = &[
    "smith",
    "jones",
    "williams",
    "brown",
    "wilson",
    "taylor",
    "johnson",
    "white",
    "martin",
    "anderson",
    "thompson",
    "nguyen",
    "thomas",
    "walker",
    "harris",
    "lee",
    "ryan",
    "robinson",
    "kelly",
    "king",
    "davis",
    "wright",
    "evans",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "patel",
    "khan",
    "lewis",
    "james",
    "phillips",
    "mitchell",
    "turner",
    "campbell",
    "edwards",
    "baker",
    "young",
    "scott",
    "murphy",
    "cooper",
    "morris",
    "ward",
    "hughes",
    "hill",
    "clark",
    "moore",
    "cook",
    "bell",
    "kennedy",
    "cameron",
    "fraser",
    "henderson",
    "stewart",
    "morrison",
    "graham",
    "ross",
    "reid",
    "watson",
    "paterson",
    "murray",
    "macdonald",
    "mackenzie",
    "hamilton",
    "gallagher",
    "obrien",
    "doherty",
    "sullivan",
    "byrne",
    "nolan",
    "brennan",
    "quinn",
    "moran",
    "gill",
    "singh",
];

/// Endings that make more surnames of the common ones ("hill" → "hillford"): a real customer base has
/// thousands of surnames, a few of them very common.
const SURNAME_ENDINGS: &[&str] = &[
    "son", "ton", "ley", "man", "field", "wood", "well", "ford", "by", "er", "ham", "ridge", "worth", "stone", "land",
    "berg", "ini", "ova", "ski", "sen", "ing", "ett", "ard", "ow", "ins", "ers", "ock", "ell", "ington",
];

const STREETS: &[&str] = &[
    "george",
    "pitt",
    "collins",
    "bourke",
    "queen",
    "king",
    "elizabeth",
    "william",
    "victoria",
    "albert",
    "church",
    "high",
    "station",
    "park",
    "railway",
    "bridge",
    "mill",
    "river",
    "hill",
    "forest",
    "ocean",
    "beach",
    "lake",
    "spring",
    "market",
    "union",
    "oxford",
    "cambridge",
    "wattle",
    "banksia",
    "acacia",
    "jacaranda",
];

const STREET_TYPES: &[(&str, &str)] =
    &[("street", "st"), ("road", "rd"), ("avenue", "ave"), ("drive", "dr"), ("place", "pl"), ("crescent", "cres")];

const CITIES: &[(&str, &str, &str)] = &[
    ("sydney", "2000", "nsw"),
    ("parramatta", "2150", "nsw"),
    ("newcastle", "2300", "nsw"),
    ("wollongong", "2500", "nsw"),
    ("melbourne", "3000", "vic"),
    ("geelong", "3220", "vic"),
    ("ballarat", "3350", "vic"),
    ("bendigo", "3550", "vic"),
    ("brisbane", "4000", "qld"),
    ("gold coast", "4217", "qld"),
    ("cairns", "4870", "qld"),
    ("townsville", "4810", "qld"),
    ("perth", "6000", "wa"),
    ("fremantle", "6160", "wa"),
    ("adelaide", "5000", "sa"),
    ("hobart", "7000", "tas"),
    ("darwin", "0800", "nt"),
    ("canberra", "2600", "act"),
];

const COMPANY_WORDS: &[&str] = &[
    "acme",
    "summit",
    "harbour",
    "bluegum",
    "redgum",
    "southern",
    "pacific",
    "coastal",
    "northern",
    "eastern",
    "ironbark",
    "silver",
    "golden",
    "meridian",
    "horizon",
    "apex",
    "pinnacle",
    "keystone",
    "evergreen",
    "granite",
];

const COMPANY_KINDS: &[&str] = &["logistics", "health", "finance", "build", "media", "foods", "energy", "legal"];

const PROVIDERS: &[&str] = &["gmail.com", "outlook.com", "yahoo.com.au", "bigpond.com", "icloud.com"];

const NICK: &[(&str, &str)] = &[
    ("james", "jim"),
    ("robert", "bob"),
    ("william", "bill"),
    ("michael", "mike"),
    ("richard", "rick"),
    ("thomas", "tom"),
    ("daniel", "dan"),
    ("matthew", "matt"),
    ("andrew", "andy"),
    ("steven", "steve"),
    ("edward", "ed"),
    ("samuel", "sam"),
    ("benjamin", "ben"),
    ("nicholas", "nick"),
    ("alexander", "alex"),
    ("elizabeth", "liz"),
    ("katherine", "kate"),
    ("margaret", "maggie"),
    ("victoria", "vicky"),
    ("abigail", "abby"),
];

/// Generated leads and, for each, the person it is: two leads of one person are duplicates.
pub struct Synthetic {
    pub records: Vec<Record>,
    pub person: Vec<u32>,
}

impl Synthetic {
    /// The ground truth: every pair `(a, b)`, `a < b`, of records of one person.
    pub fn true_pairs(&self) -> std::collections::HashSet<(usize, usize)> {
        let mut by_person: std::collections::HashMap<u32, Vec<usize>> = Default::default();
        for (i, p) in self.person.iter().enumerate() {
            by_person.entry(*p).or_default().push(i);
        }
        let mut pairs = std::collections::HashSet::new();
        for members in by_person.values() {
            for (x, a) in members.iter().enumerate() {
                for b in &members[x + 1..] {
                    pairs.insert((*a.min(b), *a.max(b)));
                }
            }
        }
        pairs
    }
}

struct Rng(SplitMix);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        (self.0.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.0.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    /// A surname: a common one a third of the time, otherwise a common one with an ending.
    fn surname(&mut self) -> String {
        let base = self.pick(LAST);
        if self.chance(0.33) {
            base.to_string()
        } else {
            format!("{base}{}", self.pick(SURNAME_ENDINGS))
        }
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
    /// One typing mistake: a letter dropped, doubled, swapped with the next, or replaced.
    fn typo(&mut self, s: &str) -> String {
        let mut c: Vec<char> = s.chars().collect();
        if c.len() < 3 {
            return s.to_string();
        }
        let i = 1 + self.below(c.len() - 2);
        match self.below(4) {
            0 => {
                c.remove(i);
            }
            1 => c.insert(i, c[i]),
            2 => c.swap(i, i + 1),
            _ => c[i] = char::from(b'a' + self.below(26) as u8),
        }
        c.into_iter().collect()
    }
}

struct Company {
    name: String,
    domain: String,
    pattern: usize,
    switchboard: String,
    street: String,
    city: usize,
}

struct Household {
    last: String,
    street: String,
    city: usize,
    landline: String,
    /// Parents do not give two children one name: a household's first names differ.
    first_names: std::collections::HashSet<String>,
}

fn street(rng: &mut Rng) -> String {
    let (full, _) = STREET_TYPES[rng.below(STREET_TYPES.len())];
    format!("{} {} {}", 1 + rng.below(200), rng.pick(STREETS), full)
}

// Numbers in ranges that are allocated (libphonenumber accepts them), so the leads pass Rapport's validation.
fn mobile(rng: &mut Rng) -> String {
    format!("+614{}{}", rng.below(4), rng.digits(7))
}

fn landline(rng: &mut Rng, city: usize) -> String {
    let area = match CITIES[city].2 {
        "nsw" | "act" => "29",
        "vic" | "tas" => "39",
        "qld" => "73",
        _ => "87",
    };
    format!("+61{area}{}", rng.digits(7))
}

/// The same number written as a person might: national with spaces, or international.
fn reformat(rng: &mut Rng, e164: &str) -> String {
    let national = format!("0{}", e164.trim_start_matches("+61"));
    match rng.below(3) {
        0 => national,
        1 if national.len() == 10 => format!("{} {} {}", &national[..4], &national[4..7], &national[7..]),
        _ => format!("+61 {}", e164.trim_start_matches("+61")),
    }
}

/// `persons` people, of whom `duplicate_share` are entered more than once.
pub fn generate(persons: usize, duplicate_share: f64, seed: u64) -> Synthetic {
    let mut rng = Rng(SplitMix(seed));
    let companies: Vec<Company> = (0..(persons / 25).max(1))
        .map(|i| {
            let word = rng.pick(COMPANY_WORDS);
            let kind = rng.pick(COMPANY_KINDS);
            let city = rng.below(CITIES.len());
            Company {
                name: format!("{word} {kind} {}", ["pty ltd", "group", "co", "partners"][i % 4]),
                domain: format!("{word}{kind}{i}.com.au"),
                pattern: rng.below(3),
                switchboard: landline(&mut rng, city),
                street: street(&mut rng),
                city,
            }
        })
        .collect();
    let mut households: Vec<Household> = (0..(persons / 4).max(1))
        .map(|_| {
            let city = rng.below(CITIES.len());
            Household {
                last: rng.surname(),
                street: street(&mut rng),
                city,
                landline: landline(&mut rng, city),
                first_names: Default::default(),
            }
        })
        .collect();
    let mut out = Synthetic { records: Vec::new(), person: Vec::new() };
    // An email address belongs to one person: a company's second "jsmith" becomes "jsmith2", a namesake at a
    // provider picks another number.
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for p in 0..persons {
        let first = rng.pick(FIRST).to_string();
        let born = rng.digits(2); // people add a number to a personal address
        let (record, other_email) = if rng.chance(0.6) {
            // Skewed company sizes: a few large employers, many small ones.
            let c = &companies[(rng.below(companies.len()) * rng.below(companies.len())) / companies.len().max(1)];
            let last = rng.surname();
            let base = match c.pattern {
                0 => format!("{first}.{last}"),
                1 => format!("{}{last}", &first[..1]),
                _ => format!("{first}.{}", &last[..1]),
            };
            let mut local = base.clone();
            let mut n = 1;
            while !taken.insert(format!("{local}@{}", c.domain)) {
                n += 1;
                local = format!("{base}{n}");
            }
            let phone = if rng.chance(0.5) { c.switchboard.clone() } else { mobile(&mut rng) };
            let (city, postcode, region) = CITIES[c.city];
            let r = Record {
                first_name: first.clone(),
                last_name: last.clone(),
                company: c.name.clone(),
                emails: vec![format!("{local}@{}", c.domain)],
                phones: vec![phone],
                street: c.street.clone(),
                city: city.into(),
                postcode: postcode.into(),
                region: region.into(),
            };
            let provider = rng.pick(PROVIDERS);
            let mut other = format!("{first}.{last}{}@{provider}", rng.digits(2));
            let mut tries = 0;
            while !taken.insert(other.clone()) {
                tries += 1;
                other = format!("{first}.{last}{}@{provider}", rng.digits(2 + tries / 50));
            }
            (r, other)
        } else {
            let at = rng.below(households.len());
            let h = &mut households[at];
            let mut first = first.clone();
            for _ in 0..20 {
                if h.first_names.insert(first.clone()) {
                    break;
                }
                first = rng.pick(FIRST).to_string();
            }
            let h = &households[at];
            let last = if rng.chance(0.75) { h.last.clone() } else { rng.surname() };
            let phone = if rng.chance(0.4) { h.landline.clone() } else { mobile(&mut rng) };
            let (city, postcode, region) = CITIES[h.city];
            // A personal address belongs to one person: a namesake who drew the same number draws again.
            let provider = rng.pick(PROVIDERS);
            let mut email = format!("{first}.{last}{born}@{provider}");
            let mut tries = 0;
            while !taken.insert(email.clone()) {
                tries += 1;
                email = format!("{first}.{last}{}@{provider}", rng.digits(2 + tries / 50));
            }
            let r = Record {
                first_name: first.clone(),
                last_name: last.clone(),
                emails: vec![email],
                phones: vec![phone],
                street: h.street.clone(),
                city: city.into(),
                postcode: postcode.into(),
                region: region.into(),
                ..Default::default()
            };
            let provider = rng.pick(PROVIDERS);
            let mut other = format!("{}{last}@{provider}", &first[..1]);
            let mut tries = 0;
            while !taken.insert(other.clone()) {
                tries += 1;
                other = format!("{}{last}{}@{provider}", &first[..1], rng.digits(2 + tries / 50));
            }
            (r, other)
        };
        let copies = if rng.chance(duplicate_share) { 1 + usize::from(rng.chance(0.3)) } else { 0 };
        for _ in 0..copies {
            let mut d = record.clone();
            if let Some((_, nick)) = NICK.iter().find(|(full, _)| *full == d.first_name).filter(|_| rng.chance(0.25)) {
                d.first_name = nick.to_string();
            } else if rng.chance(0.15) {
                d.first_name = rng.typo(&d.first_name);
            } else if rng.chance(0.05) {
                d.first_name = d.first_name[..1].to_string();
            }
            if rng.chance(0.15) {
                d.last_name = rng.typo(&d.last_name);
            }
            if rng.chance(0.3) {
                d.emails = vec![other_email.clone()];
            } else if rng.chance(0.1) {
                d.emails = vec![rng.typo(&d.emails[0])];
            } else if rng.chance(0.1) {
                d.emails.clear();
            }
            if rng.chance(0.15) {
                d.phones = vec![mobile(&mut rng)];
            } else if rng.chance(0.1) {
                d.phones.clear();
            }
            d.phones = d.phones.iter().map(|p| reformat(&mut rng, p)).collect();
            if rng.chance(0.3) {
                for (full, short) in STREET_TYPES {
                    d.street = d.street.replace(full, short);
                }
            } else if rng.chance(0.1) {
                d.street = rng.typo(&d.street);
            } else if rng.chance(0.1) {
                d.street.clear();
            }
            if rng.chance(0.05) {
                d.city = rng.typo(&d.city);
            }
            if rng.chance(0.05) {
                d.postcode = rng.typo(&d.postcode);
            }
            out.records.push(d);
            out.person.push(p as u32);
        }
        let mut r = record;
        r.phones = r.phones.iter().map(|p| reformat(&mut rng, p)).collect();
        out.records.push(r);
        out.person.push(p as u32);
    }
    // Duplicates are not entered next to their originals.
    for i in (1..out.records.len()).rev() {
        let j = rng.below(i + 1);
        out.records.swap(i, j);
        out.person.swap(i, j);
    }
    out
}
