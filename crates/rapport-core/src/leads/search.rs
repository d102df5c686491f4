//! Search that ranks by what the words matched, each rank a bounded query on the index that serves it.
//!
//! Tiers, best first (newest first within a tier):
//! 0. whole-name prefix: the typed words start "first last" or "last first" (B-tree on folded names);
//! 1. company: every word starts a word of the company (FTS5, `company` column);
//! 2. email prefix: an address starts with what was typed (B-tree on addresses);
//! 3. reference: what was typed is the lead's reference in another system, whole (B-tree on references): the id
//!    a person pastes from the CRM or the form the lead came from;
//! 4. contact: every word starts a word of an email or a phone's digits (FTS5, `emails`/`phones`);
//! 5. notes: every word starts a word of the notes (FTS5, `notes` column);
//! 6. anywhere: every word starts a word of some field (FTS5, all columns).
//!
//! Words are split and folded once, here ([`tokens`]), for the index and the query alike: the index stores the
//! tokens this module produced, separated by spaces, under FTS5's `ascii` tokenizer, which splits only on
//! ASCII punctuation and spaces and so cannot split them differently. A lead is listed once, in the best tier
//! it belongs to: candidates of a tier are checked against the earlier tiers with [`best_tier`], the same rules
//! in Rust.
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::db::StoreError;

/// The combining marks people mean by "diacritics" (accents, umlauts, cedillas; the vowel points and hamza of
/// Hebrew and Arabic, which names are mostly typed without): dropped so that "Zoë" and "Zoe", "أحمد" and "احمد"
/// match, as the duplicate check compares them. Other marks, such as the vowel signs of Indic scripts, are part
/// of the word and kept.
fn is_diacritic(c: char) -> bool {
    rapport_match::normalize::decorative(c)
}

/// Splits text into search tokens: decomposed (full-width and other compatibility forms to their plain
/// letters), diacritics dropped, lower-cased, split at anything that is not a letter, digit or other combining
/// mark. What the index stores and what a query looks up.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    // Letters that decomposing leaves as they are (ø, ł, ß) as people type them: "Søren" is found by "soren".
    for c in text.nfkd().filter(|c| !is_diacritic(*c)).flat_map(char::to_lowercase) {
        match rapport_match::normalize::plain_letters(c) {
            Some(plain) => folded.push_str(plain),
            None => folded.push(c),
        }
    }
    folded
        .split(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The folded form of a name that B-tree prefix ranges run on: its tokens joined by single spaces.
pub(crate) fn name_key(first: &str, second: &str) -> String {
    let mut t = tokens(first);
    t.extend(tokens(second));
    t.join(" ")
}

/// Scripts written without spaces between words (Chinese, Japanese, Korean, Thai): a name in them is typed in
/// one piece, family name first or not.
fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'     // Thai
        | '\u{1100}'..='\u{11FF}'   // Hangul Jamo
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'   // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK Unified Ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'   // CJK Compatibility Ideographs
        | '\u{20000}'..='\u{2FA1F}' // CJK Extensions B and later
    )
}

/// A name's forms in one piece, besides its words, as people type them: "O'Brien" as "obrien", "van der Berg"
/// as "vanderberg", "Jean-Luc" as "jeanluc", and a name in a script written without spaces ("李" "小龙") as
/// "李小龙" and "小龙李": the index's name column, the name's words and then these, so that any of them finds
/// the lead. Its umlauts spelled out too ([`spelled_out`]).
fn name_column(first: &str, last: &str) -> String {
    let (f, l) = (tokens(first), tokens(last));
    let mut words: Vec<String> = f.iter().chain(&l).cloned().collect();
    words.extend([&f, &l].into_iter().filter(|part| part.len() > 1).map(|part| part.concat()));
    words.extend(spelled_out(first));
    words.extend(spelled_out(last));
    if !f.is_empty() && !l.is_empty() && first.chars().chain(last.chars()).any(written_without_spaces) {
        words.push(format!("{}{}", f.concat(), l.concat()));
        words.push(format!("{}{}", l.concat(), f.concat()));
    }
    words.join(" ")
}

/// The words of `text` with its umlauts and Nordic letters spelled out as people without them type them
/// ("Müller" as "mueller", "Ålborg" as "aalborg", "Søren" as "soeren"), where that differs from their plain
/// form ("muller", which [`tokens`] gives): either finds the lead.
fn spelled_out(text: &str) -> Vec<String> {
    let text: String = text.nfc().collect();
    if !text.chars().any(|c| "äöüÄÖÜåÅøØ".contains(c)) {
        return Vec::new();
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' | 'ø' | 'Ø' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'å' | 'Å' => out.push_str("aa"),
            other => out.push(other),
        }
    }
    let plain = tokens(&text);
    tokens(&out).into_iter().filter(|t| !plain.contains(t)).collect()
}

/// A company's words, then its forms in one piece as people type them: a word written with punctuation inside
/// ("L'Oréal" as "loreal", "AT&T" as "att", "E.ON" as "eon", "Coca-Cola" as "cocacola"), and its umlauts
/// spelled out ([`spelled_out`]). Split at the punctuation only, "loreal" found nothing, and a second lead was
/// made for a company that was there. Words apart stay apart ("Coca Cola" is not "cocacola"): every company of
/// two words would gain a form, and migration 031 would write the search row of nearly every stored lead again.
fn company_words(company: &str) -> Vec<String> {
    let mut words = tokens(company);
    let mut extra: Vec<String> =
        company.split_whitespace().map(tokens).filter(|t| t.len() > 1).map(|t| t.concat()).collect();
    extra.extend(spelled_out(company));
    for e in extra {
        if !words.contains(&e) {
            words.push(e);
        }
    }
    words
}

/// The text of each index column for one lead.
pub(crate) struct IndexRow {
    pub name: String,
    pub company: String,
    pub emails: String,
    pub phones: String,
    pub notes: String,
}

/// What the index and the tier rules read of a lead.
#[derive(Debug, Clone, Default)]
pub(crate) struct Searchable {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub emails: Vec<String>,
    /// E.164 and national significant number of each phone.
    pub phones: Vec<(String, String)>,
    pub notes: String,
    /// The lead's reference in another system (not in the word index: matched whole, on its own B-tree).
    pub external_ref: String,
}

impl Searchable {
    fn phone_tokens(&self) -> Vec<String> {
        self.phones
            .iter()
            .flat_map(|(e164, national)| [e164.trim_start_matches('+').to_string(), national.clone()])
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The words of the emails, with a domain stored in its ASCII form (xn--caf-dma.fr) also in its own
    /// letters (café.fr), as people type and read it.
    fn email_tokens(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in &self.emails {
            out.extend(tokens(e));
            if let Some((_, domain)) = e.rsplit_once('@').filter(|(_, d)| d.contains("xn--")) {
                let (unicode, read) = idna::domain_to_unicode(domain);
                if read.is_ok() {
                    out.extend(tokens(&unicode));
                }
            }
        }
        out
    }

    pub(crate) fn index_row(&self) -> IndexRow {
        IndexRow {
            name: name_column(&self.first_name, &self.last_name),
            company: company_words(&self.company).join(" "),
            emails: self.email_tokens().join(" "),
            phones: self.phone_tokens().join(" "),
            notes: tokens(&self.notes).join(" "),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    NamePrefix = 0,
    Company = 1,
    EmailPrefix = 2,
    Reference = 3,
    Contact = 4,
    Notes = 5,
    Anywhere = 6,
}

const TIERS: [Tier; 7] =
    [Tier::NamePrefix, Tier::Company, Tier::EmailPrefix, Tier::Reference, Tier::Contact, Tier::Notes, Tier::Anywhere];

impl Tier {
    fn from_index(i: u8) -> Option<Tier> {
        TIERS.get(usize::from(i)).copied()
    }
}

/// A search as typed, prepared once.
#[derive(Debug, Clone)]
pub(crate) struct SearchText {
    words: Vec<String>,
    /// `words` joined by spaces: a prefix of a name key.
    name_prefix: String,
    /// The trimmed text, lower-cased, when it can be the start of an email address (one word, no spaces).
    email_prefix: Option<String>,
    /// Digit prefixes when the text reads as a phone number ("+1 (415) 555", "030 901").
    phone_digits: Option<Vec<String>>,
    /// The trimmed text as typed: a reference in another system is matched whole, case and punctuation kept
    /// ("00Q5e000001AbCd" and "00Q5E000001ABCD" are two Salesforce records).
    reference: String,
}

impl SearchText {
    /// None when nothing searchable is left (only punctuation, say): nothing can match.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut words = tokens(text);
        // The last word is typed as far as the person got, which can end inside a letter's cluster of marks.
        // Canonical decomposition reorders a complete cluster's marks, so the start of the decomposed name is
        // not always the decomposition of its start: the last word's trailing marks are left to match anything.
        if let Some(last) = words.last_mut() {
            let kept = last.trim_end_matches(is_combining_mark).len();
            if kept > 0 {
                last.truncate(kept);
            }
        }
        if words.is_empty() {
            return None;
        }
        let trimmed = text.trim();
        // Digits as an input method types them (full-width, Arabic-Indic) are the digits a phone was entered with.
        let phone_digits = phone_digits(&crate::leads::phone::fold_digits(text));
        // A number typed as a phone ranks with the phones only, as for company words and notes: the list and
        // its count then read the same tiers.
        let email_prefix = (phone_digits.is_none()
            && !trimmed.chars().any(char::is_whitespace)
            && trimmed.chars().count() >= 2)
            .then(|| {
                // An address whose domain is written in its own letters ("anna@café.fr") is stored as the
                // ASCII form mail uses (xn--caf-dma.fr): a whole address typed is looked up that way.
                let ascii = (!trimmed.is_ascii() && trimmed.contains('@'))
                    .then(|| crate::leads::normalize_email(trimmed).ok())
                    .flatten();
                ascii.unwrap_or_else(|| trimmed.to_string()).to_lowercase()
            });
        Some(Self { name_prefix: words.join(" "), words, email_prefix, phone_digits, reference: trimmed.to_string() })
    }

    fn word_prefixes_match(&self, haystack: &[String]) -> bool {
        self.words.iter().all(|w| haystack.iter().any(|t| t.starts_with(w.as_str())))
    }

    fn matches(&self, tier: Tier, row: &Searchable) -> bool {
        match tier {
            Tier::NamePrefix => {
                name_key(&row.first_name, &row.last_name).starts_with(&self.name_prefix)
                    || name_key(&row.last_name, &row.first_name).starts_with(&self.name_prefix)
            }
            // Digits typed as a phone number rank with the phones, never with company words or notes: those
            // indexes hold every phone-like number as words, and would be scanned for nothing.
            Tier::Company => self.phone_digits.is_none() && self.word_prefixes_match(&company_words(&row.company)),
            Tier::EmailPrefix => match &self.email_prefix {
                Some(p) => row.emails.iter().any(|e| e.to_lowercase().starts_with(p.as_str())),
                None => false,
            },
            Tier::Reference => !row.external_ref.is_empty() && row.external_ref == self.reference,
            Tier::Contact => {
                let mut hay: Vec<String> = row.email_tokens();
                hay.extend(row.phone_tokens());
                self.contact_match(&hay, &row.phone_tokens())
            }
            Tier::Notes => self.phone_digits.is_none() && self.word_prefixes_match(&tokens(&row.notes)),
            Tier::Anywhere if self.phone_digits.is_some() => false,
            Tier::Anywhere => {
                let row_index = row.index_row();
                let hay: Vec<String> =
                    [row_index.name, row_index.company, row_index.emails, row_index.phones, row_index.notes]
                        .iter()
                        .flat_map(|c| c.split(' ').map(str::to_string).collect::<Vec<_>>())
                        .collect();
                self.contact_match(&hay, &row.phone_tokens())
            }
        }
    }

    /// Words, or for a phone-like search, one of its digit prefixes on a phone.
    fn contact_match(&self, hay: &[String], phones: &[String]) -> bool {
        match &self.phone_digits {
            Some(alternatives) => phones.iter().any(|t| alternatives.iter().any(|d| t.starts_with(d.as_str()))),
            None => self.word_prefixes_match(hay),
        }
    }
}

/// The best tier `row` belongs to for `q`, if any.
pub(crate) fn best_tier(q: &SearchText, row: &Searchable) -> Option<Tier> {
    TIERS.into_iter().find(|t| q.matches(*t, row))
}

/// A number typed with its extension ("+1 212 555 0100 ext. 204", "… x204", "…;ext=3"): the number, which is
/// what the index holds of it.
fn without_extension(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    for marker in [";ext=", "extension", "ext", "x", "#"] {
        let Some(at) = lower.find(marker) else { continue };
        let (number, rest) = (&text[..at], lower[at + marker.len()..].trim_start_matches(['.', ':', ' ', '=']));
        // A bare "x" is an extension after a whole number, or after a space ("… x204"): "100x200" is a size.
        let whole = number.chars().filter(char::is_ascii_digit).count() >= 7 || number.ends_with(' ');
        if (marker != "x" || whole)
            && number.chars().any(|c| c.is_ascii_digit())
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_digit())
        {
            return number.trim_end();
        }
    }
    text
}

fn phone_digits(text: &str) -> Option<Vec<String>> {
    // As entry reads a number: the marks a right-to-left app copies with it dropped, dashes of every kind
    // (hyphen, en dash, minus, the Japanese long mark "ー") read as dashes, the extension left off.
    let text: String = text
        .chars()
        .filter(|c| !crate::leads::phone::is_direction_mark(*c))
        .map(|c| if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FF0D}') { '-' } else { c })
        .collect();
    let text = without_extension(text.trim());
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    // "030/901820" is how numbers are written across German-speaking countries.
    let phone_like = digits.len() >= 3 && text.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    if !phone_like {
        return None;
    }
    let mut alternatives = vec![digits.clone()];
    // A national trunk prefix ("030 …", "020 …") is not part of the indexed national number.
    let national = digits.trim_start_matches('0').to_string();
    if national.len() != digits.len() && !national.is_empty() {
        alternatives.push(national);
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // A whole number dialled from abroad: "011 44 20 …" (North America's way out), "810 49 …" (Russia's older
    // one), when what follows is a valid number with its country code ("0117 496 0123" in Bristol, or Michigan's
    // area code 810, are not). Stored without its "+".
    // The region only reads a national number: these are international, with their "+".
    let valid = |international: &str| crate::leads::phone::parse_phone(international, "US").is_ok();
    if !compact.starts_with('+') {
        for way_out in ["011", "810"] {
            if let Some(rest) = digits.strip_prefix(way_out).filter(|r| valid(&format!("+{r}"))) {
                alternatives.push(rest.to_string());
            }
        }
        // Russia's (and Kazakhstan's) trunk prefix 8 before a whole ten-digit number, "8 (495) 123-45-67": the
        // national number indexed is what follows, when it is a valid +7 one.
        if let Some(rest) = digits.strip_prefix('8').filter(|r| r.len() == 10 && valid(&format!("+7{r}"))) {
            alternatives.push(rest.to_string());
        }
        // Another country's trunk prefix that is not zeros ("06" in Hungary, "8" in Lithuania and Belarus) before
        // a whole number of that country, "06 1 234 5678" as Hungarians write it: what follows, when valid there.
        for (prefix, region) in trunk_prefixes() {
            if let Some(rest) = digits.strip_prefix(prefix.as_str()) {
                if !alternatives.iter().any(|a| a == rest) && crate::leads::phone::parse_phone(rest, region).is_ok() {
                    alternatives.push(rest.to_string());
                }
            }
        }
    }
    // "+44 (0)20 …": the trunk prefix in brackets is not dialled after the country code.
    if compact.contains("(0)") {
        let without: String = compact.replace("(0)", "").chars().filter(|c| c.is_ascii_digit()).collect();
        if without.len() >= 3 {
            alternatives.push(without);
        }
    }
    Some(alternatives)
}

/// The national trunk prefixes that are not zeros alone, with a region that dials each ("06", "HU"), read once
/// from the phone library's metadata.
fn trunk_prefixes() -> &'static [(String, String)] {
    static PREFIXES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    PREFIXES.get_or_init(|| {
        let mut out: Vec<(String, String)> = phonenumber::metadata::DATABASE
            .iter()
            .filter_map(|m| {
                let prefix = m.national_prefix()?.trim();
                let plain = !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit());
                // Zeros are taken off already; a prefix of one digit other than 8 (North America's 1) is a
                // country code more often than a trunk prefix, and e.164's digits find those numbers anyway.
                (plain && !prefix.trim_start_matches('0').is_empty() && (prefix.len() > 1 || prefix == "8"))
                    .then(|| (prefix.to_string(), m.id().to_string()))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    })
}

/// Words of at most this many characters are served by the FTS prefix indexes (`prefix='1 2 3'`).
const INDEXED_PREFIX_CHARS: usize = 3;
/// A longer prefix is replaced by the whole terms it expands to when there are at most this many.
const MAX_EXPANSION: usize = 32;

fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The FTS5 expression for one typed word: a prefix term, or the OR of the few whole terms it expands to.
/// FTS5 answers a prefix without a prefix index by merging the doclists of every term with that prefix, while
/// an OR of a few whole terms streams in rowid order and stops at the page size.
fn word_expr(conn: &Connection, word: &str) -> Result<String, StoreError> {
    // The terms table holds the words of names, companies, emails and notes, not phone numbers: a word of
    // digits expanded through it would match an email of digits and no longer the phones it should find.
    if word.chars().count() <= INDEXED_PREFIX_CHARS || word.chars().all(|c| c.is_ascii_digit()) {
        return Ok(format!("{}*", quoted(word)));
    }
    let mut stmt =
        conn.prepare_cached("SELECT term FROM search_terms WHERE term >= ?1 AND term < ?2 ORDER BY term LIMIT ?3")?;
    let upper = format!("{word}{}", char::MAX);
    let terms: Vec<String> =
        stmt.query_map(params![word, upper, MAX_EXPANSION as i64 + 1], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(if terms.is_empty() || terms.len() > MAX_EXPANSION {
        format!("{}*", quoted(word))
    } else {
        format!("({})", terms.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(" OR "))
    })
}

/// The FTS5 expressions of a search's words, looked up once per search and shared by its tiers.
struct Expressions {
    words: String,
    digits: Option<String>,
}

impl Expressions {
    fn new(conn: &Connection, q: &SearchText) -> Result<Self, StoreError> {
        let parts: Vec<String> = q.words.iter().map(|w| word_expr(conn, w)).collect::<Result<_, _>>()?;
        let digits = q.phone_digits.as_ref().map(|alternatives| {
            alternatives.iter().map(|d| format!("{}*", quoted(d))).collect::<Vec<_>>().join(" OR ")
        });
        Ok(Self { words: parts.join(" AND "), digits })
    }

    /// The MATCH expression of an FTS tier, restricted to `columns` (None: all columns); `phones`: a phone-like
    /// search matches its digits there.
    fn tier(&self, columns: Option<&str>, phones: bool) -> String {
        let body = match (&self.digits, phones) {
            (Some(d), true) => d,
            _ => &self.words,
        };
        match columns {
            Some(c) => format!("{{{c}}} : ({body})"),
            None => body.clone(),
        }
    }
}

/// The page position of a search: the tier it stopped in and the last lead id it looked at there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SearchCursor {
    pub tier: u8,
    pub before: Option<i64>,
}

/// Range scans of a name or address prefix beyond this many rows are too wide to sort: they are served by the
/// FTS index in id order instead, which is cheap precisely when matches are that dense.
const SPARSE_RANGE: i64 = 1500;
/// Each tier looks at no more than this many candidates per page; a page that stopped there says where to go on.
const SCAN_PER_PAGE: usize = 4000;

fn range_ids(conn: &Connection, sql: &str, prefix: &str) -> Result<Vec<i64>, StoreError> {
    let upper = format!("{prefix}{}", char::MAX);
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![prefix, upper, SPARSE_RANGE + 1], |r| r.get(0))?;
    Ok(rows.collect::<Result<Vec<i64>, _>>()?)
}

/// A tier's candidate ids below `before`, newest first, at most `n`; None from a B-tree tier whose range is too
/// wide (the caller then reads the FTS fallback).
enum Source {
    /// Every matching id, already known (a sparse B-tree range), newest first.
    Known(Vec<i64>),
    /// An FTS expression to stream in id order.
    Fts(String),
    Empty,
}

fn source(conn: &Connection, q: &SearchText, x: &Expressions, tier: Tier) -> Result<Source, StoreError> {
    Ok(match tier {
        Tier::NamePrefix => {
            let mut ids = range_ids(
                conn,
                "SELECT id FROM leads WHERE name_key >= ?1 AND name_key < ?2 LIMIT ?3",
                &q.name_prefix,
            )?;
            let rev = range_ids(
                conn,
                "SELECT id FROM leads WHERE name_key_rev >= ?1 AND name_key_rev < ?2 LIMIT ?3",
                &q.name_prefix,
            )?;
            if ids.len() as i64 > SPARSE_RANGE || rev.len() as i64 > SPARSE_RANGE {
                Source::Fts(x.tier(Some("name"), false))
            } else {
                ids.extend(rev);
                ids.sort_unstable_by(|a, b| b.cmp(a));
                ids.dedup();
                Source::Known(ids)
            }
        }
        Tier::Company if q.phone_digits.is_some() => Source::Empty,
        Tier::Company => Source::Fts(x.tier(Some("company"), false)),
        Tier::EmailPrefix => match &q.email_prefix {
            None => Source::Empty,
            Some(p) => {
                let mut ids = range_ids(
                    conn,
                    "SELECT lead_id FROM lead_emails
                     WHERE address >= ?1 COLLATE NOCASE AND address < ?2 COLLATE NOCASE LIMIT ?3",
                    p,
                )?;
                if ids.len() as i64 > SPARSE_RANGE {
                    Source::Fts(x.tier(Some("emails"), false))
                } else {
                    ids.sort_unstable_by(|a, b| b.cmp(a));
                    ids.dedup();
                    Source::Known(ids)
                }
            }
        },
        // Leads share a reference only by mistake (or as two sources' numbers that happen to be alike): few.
        Tier::Reference => {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM leads WHERE external_ref = ?1 AND external_ref <> '' ORDER BY id DESC",
            )?;
            let ids = stmt.query_map([&q.reference], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
            Source::Known(ids)
        }
        Tier::Contact => match &q.phone_digits {
            Some(alternatives) => {
                // B-tree ranges on the national number and on the international digits, when they are few.
                let mut ids = Vec::new();
                for d in alternatives {
                    ids.extend(range_ids(
                        conn,
                        "SELECT lead_id FROM lead_phones WHERE national >= ?1 AND national < ?2 LIMIT ?3",
                        d,
                    )?);
                    ids.extend(range_ids(
                        conn,
                        "SELECT lead_id FROM lead_phones WHERE e164 >= ?1 AND e164 < ?2 LIMIT ?3",
                        &format!("+{d}"),
                    )?);
                }
                if ids.len() as i64 > SPARSE_RANGE {
                    Source::Fts(x.tier(Some("phones"), true))
                } else {
                    ids.sort_unstable_by(|a, b| b.cmp(a));
                    ids.dedup();
                    Source::Known(ids)
                }
            }
            None => Source::Fts(x.tier(Some("emails phones"), false)),
        },
        Tier::Notes => {
            if q.phone_digits.is_some() {
                Source::Empty // see `SearchText::matches`
            } else {
                Source::Fts(x.tier(Some("notes"), false))
            }
        }
        // A phone-like search's digits are only in the phones, which the contact tier has read already.
        Tier::Anywhere if q.phone_digits.is_some() => Source::Empty,
        Tier::Anywhere => Source::Fts(x.tier(None, false)),
    })
}

/// Reads what the tier rules need of `ids`, restricted to the leads that pass `filter` (status, owner, scope…).
/// Emails and phones are read only when `contacts` is set (only tiers after the email prefix need them).
fn searchables(
    conn: &Connection,
    ids: &[i64],
    filter_sql: &str,
    filter_args: &[Value],
    contacts: bool,
) -> Result<Vec<(i64, Searchable)>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT l.id, l.first_name, l.last_name, l.company, l.notes, l.external_ref FROM leads l
         WHERE l.id IN ({marks}){filter_sql}"
    );
    let mut args: Vec<Value> = ids.iter().map(|i| Value::Integer(*i)).collect();
    args.extend(filter_args.iter().cloned());
    let mut stmt = conn.prepare(&sql)?;
    let mut rows: Vec<(i64, Searchable)> = stmt
        .query_map(params_from_iter(args), |r| {
            Ok((
                r.get(0)?,
                Searchable {
                    first_name: r.get(1)?,
                    last_name: r.get(2)?,
                    company: r.get(3)?,
                    notes: r.get(4)?,
                    external_ref: r.get(5)?,
                    ..Default::default()
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    if contacts && !rows.is_empty() {
        let kept: Vec<Value> = rows.iter().map(|(id, _)| Value::Integer(*id)).collect();
        let marks = vec!["?"; kept.len()].join(", ");
        let sql =
            format!("SELECT lead_id, address FROM lead_emails WHERE lead_id IN ({marks}) ORDER BY lead_id, position");
        let mut stmt = conn.prepare(&sql)?;
        let emails =
            stmt.query_map(params_from_iter(kept.iter()), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for e in emails {
            let (id, address) = e?;
            if let Some((_, s)) = rows.iter_mut().find(|(rid, _)| *rid == id) {
                s.emails.push(address);
            }
        }
        let sql = format!(
            "SELECT lead_id, e164, national FROM lead_phones WHERE lead_id IN ({marks}) ORDER BY lead_id, position"
        );
        let mut stmt = conn.prepare(&sql)?;
        let phones = stmt.query_map(params_from_iter(kept.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for p in phones {
            let (id, e164, national) = p?;
            if let Some((_, s)) = rows.iter_mut().find(|(rid, _)| *rid == id) {
                s.phones.push((e164, national));
            }
        }
    }
    Ok(rows)
}

/// One page of search results: lead ids in rank order, and where the next page starts.
pub(crate) struct SearchPage {
    pub ids: Vec<i64>,
    pub next: Option<SearchCursor>,
}

/// Runs the tiers from `cursor` until `limit` leads are found, every tier reading at most [`SCAN_PER_PAGE`]
/// candidates. `filter_sql` (" AND l.… = ?" clauses) and its arguments narrow the leads.
pub(crate) fn search(
    conn: &Connection,
    q: &SearchText,
    cursor: Option<SearchCursor>,
    limit: usize,
    filter_sql: &str,
    filter_args: &[Value],
) -> Result<SearchPage, StoreError> {
    let start = cursor.unwrap_or(SearchCursor { tier: 0, before: None });
    let mut found: Vec<i64> = Vec::with_capacity(limit);
    let mut tier_index = start.tier;
    let mut before = start.before;
    let x = Expressions::new(conn, q)?;
    while let Some(tier) = Tier::from_index(tier_index) {
        let mut scanned = 0usize;
        let src = source(conn, q, &x, tier)?;
        loop {
            let want = limit - found.len();
            // Read a few more than needed: some candidates belong to earlier tiers or fail the filters.
            let batch_size = (want + want / 2 + 8).clamp(16, 1000);
            let batch: Vec<i64> = match &src {
                Source::Empty => vec![],
                Source::Known(ids) => {
                    ids.iter().copied().filter(|id| before.is_none_or(|b| *id < b)).take(batch_size).collect()
                }
                Source::Fts(expr) => {
                    let mut stmt = conn.prepare_cached(
                        "SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?1 AND rowid < ?2
                         ORDER BY rowid DESC LIMIT ?3",
                    )?;
                    let rows =
                        stmt.query_map(params![expr, before.unwrap_or(i64::MAX), batch_size as i64], |r| r.get(0))?;
                    rows.collect::<Result<Vec<i64>, _>>()?
                }
            };
            let mut exhausted = batch.len() < batch_size;
            scanned += batch.len();
            // The cursor moves past the ids looked at, and only those: a batch read beyond what fills the page
            // is read again by the next page.
            if tier == Tier::NamePrefix && matches!(src, Source::Known(_)) && filter_sql.is_empty() {
                // A sparse name range is exactly this tier, the first: nothing to check.
                for id in &batch {
                    if found.len() >= limit {
                        exhausted = false;
                        break;
                    }
                    found.push(*id);
                    before = Some(*id);
                }
            } else {
                let rows = searchables(conn, &batch, filter_sql, filter_args, tier >= Tier::EmailPrefix)?;
                // `searchables` keeps the leads that pass the filters; rank order is `batch`'s.
                for id in &batch {
                    if found.len() >= limit {
                        exhausted = false;
                        break;
                    }
                    before = Some(*id);
                    let Some((_, row)) = rows.iter().find(|(rid, _)| rid == id) else { continue };
                    if best_tier(q, row) == Some(tier) {
                        found.push(*id);
                    }
                }
            }
            if found.len() >= limit {
                // More may follow in this tier, from the last id looked at.
                let next = SearchCursor { tier: tier_index, before };
                return Ok(SearchPage { ids: found, next: Some(next) });
            }
            if exhausted {
                break;
            }
            if scanned >= SCAN_PER_PAGE {
                return Ok(SearchPage { ids: found, next: Some(SearchCursor { tier: tier_index, before }) });
            }
        }
        tier_index += 1;
        before = None;
    }
    Ok(SearchPage { ids: found, next: None })
}

/// The bare index lookup a kind of search could at best be served by: what the benchmark measures each search
/// kind against, in the same run on the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexFloor {
    /// A B-tree prefix range on the folded "first last" names.
    NamePrefix,
    /// A B-tree prefix range on the folded "last first" names.
    LastNamePrefix,
    /// A B-tree prefix range on email addresses.
    EmailPrefix,
    /// A B-tree prefix range on company names.
    CompanyPrefix,
    /// A B-tree prefix range on phones' national numbers.
    PhonePrefix,
    /// An unranked FTS5 prefix match of the typed words (or digits), in index order.
    FtsPrefix,
}

/// The company floor: a range of the folded company the list sorts by (migration 028), on its index.
const COMPANY_FLOOR: &str = "SELECT id FROM leads WHERE company_key >= ?1 AND company_key < ?2 LIMIT ?3";

/// Runs `floor` for `text` and returns how many ids it read (at most `limit`).
pub(crate) fn floor_lookup(conn: &Connection, floor: IndexFloor, text: &str, limit: u32) -> Result<usize, StoreError> {
    let Some(q) = SearchText::parse(text) else { return Ok(0) };
    let range = |sql: &str, prefix: &str| -> Result<usize, StoreError> {
        let upper = format!("{prefix}{}", char::MAX);
        let mut stmt = conn.prepare_cached(sql)?;
        let n = stmt.query_map(params![prefix, upper, limit], |r| r.get::<_, i64>(0))?.count();
        Ok(n)
    };
    match floor {
        IndexFloor::NamePrefix => {
            range("SELECT id FROM leads WHERE name_key >= ?1 AND name_key < ?2 LIMIT ?3", &q.name_prefix)
        }
        IndexFloor::LastNamePrefix => {
            range("SELECT id FROM leads WHERE name_key_rev >= ?1 AND name_key_rev < ?2 LIMIT ?3", &q.name_prefix)
        }
        IndexFloor::EmailPrefix => range(
            "SELECT lead_id FROM lead_emails WHERE address >= ?1 COLLATE NOCASE AND address < ?2 COLLATE NOCASE LIMIT ?3",
            q.email_prefix.as_deref().unwrap_or(&q.name_prefix),
        ),
        IndexFloor::CompanyPrefix => range(COMPANY_FLOOR, &name_key(text, "")),
        IndexFloor::PhonePrefix => range(
            "SELECT lead_id FROM lead_phones WHERE national >= ?1 AND national < ?2 LIMIT ?3",
            q.phone_digits.as_ref().and_then(|d| d.last()).map(String::as_str).unwrap_or(""),
        ),
        IndexFloor::FtsPrefix => {
            let expr = match &q.phone_digits {
                Some(d) => d.iter().map(|d| format!("{}*", quoted(d))).collect::<Vec<_>>().join(" OR "),
                None => q.words.iter().map(|w| format!("{}*", quoted(w))).collect::<Vec<_>>().join(" AND "),
            };
            let mut stmt = conn.prepare_cached("SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?1 LIMIT ?2")?;
            let n = stmt.query_map(params![expr, limit], |r| r.get::<_, i64>(0))?.count();
            Ok(n)
        }
    }
}

/// What a search looks a reference up by (the [`Tier::Reference`] tier).
pub(crate) fn reference(q: &SearchText) -> &str {
    &q.reference
}

/// The MATCH expression every search result besides those found by their reference satisfies (tier 6, "anywhere"): what a count of matches counts.
/// Digits typed as a phone number are listed from the phones (see `SearchText::matches`; a name or an address
/// that starts with them is rarer than a year in notes or an email), so they are counted there: a year in a
/// lead's notes or email is not one more result.
pub(crate) fn anywhere_expr(conn: &Connection, q: &SearchText) -> Result<String, StoreError> {
    let x = Expressions::new(conn, q)?;
    Ok(match q.phone_digits {
        Some(_) => x.tier(Some("phones"), true),
        None => x.tier(None, false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bench's company floor is a B-tree range, as it says: it read the table once migration 028 took the
    /// index on the company as typed away.
    #[test]
    fn the_company_floor_is_a_range_of_its_index() {
        let plan: Vec<String> = crate::test_support::query_plan(COMPANY_FLOOR, params!["emile", "emilf", 50])
            .into_iter()
            .map(|(_, step)| step)
            .collect();
        assert!(plan.iter().any(|p| p.contains("INDEX leads_by_company_key (company_key>")), "{plan:?}");
    }

    fn row(first: &str, last: &str, company: &str, email: &str, notes: &str) -> Searchable {
        Searchable {
            first_name: first.into(),
            last_name: last.into(),
            company: company.into(),
            emails: if email.is_empty() { vec![] } else { vec![email.into()] },
            phones: vec![("+14155552671".into(), "4155552671".into())],
            notes: notes.into(),
            external_ref: String::new(),
        }
    }

    fn tier(text: &str, r: &Searchable) -> Option<Tier> {
        SearchText::parse(text).and_then(|q| best_tier(&q, r))
    }

    #[test]
    fn tokens_fold_case_and_diacritics_and_split_at_punctuation() {
        assert_eq!(tokens("Zoë O'Brien-Smith"), vec!["zoe", "o", "brien", "smith"]);
        assert_eq!(tokens("ann.lee@Example.COM"), vec!["ann", "lee", "example", "com"]);
        assert_eq!(tokens("  --  "), Vec::<String>::new());
        // Letters without a decomposition, and full-width forms, as typed on a keyboard without them.
        assert_eq!(
            tokens("Søren Łukasz Straße ÆBLE Œuvre Þór Đorđe"),
            ["soren", "lukasz", "strasse", "aeble", "oeuvre", "thor", "dorde"]
        );
        assert_eq!(tokens("ＡＢＣ　Ｌｔｄ"), ["abc", "ltd"]);
    }

    /// Found by the search fuzz test: a name whose letter carries marks of different classes, typed up to the
    /// middle of that cluster, found nothing (decomposition reorders the marks of the whole cluster).
    #[test]
    fn a_name_typed_to_the_middle_of_a_letters_marks_is_found() {
        let full = "a\u{11200}\u{1f20}\u{1e08f}\u{ec8}";
        let typed: String = full.chars().take(4).collect();
        let row = Searchable { first_name: full.into(), last_name: "A".into(), ..Default::default() };
        let q = SearchText::parse(&typed).map(|q| q.matches(Tier::NamePrefix, &row));
        assert_eq!(q, Some(true));
        assert_eq!(name_key("Ann", "Lee Smith"), "ann lee smith");
    }

    #[test]
    fn a_name_ranks_above_a_company_above_contact_above_notes() {
        let ann = row("Ann", "Smith", "Acme", "a.s@acme.com", "");
        let worker = row("Bo", "Lee", "Smith & Sons", "bo@smithsons.com", "");
        let mailer = row("Cy", "Ng", "Globex", "smith.cy@globex.com", "");
        let noted = row("Di", "Wu", "Initech", "di@initech.com", "referred by Ann Smith");
        assert_eq!(tier("smith", &ann), Some(Tier::NamePrefix));
        assert_eq!(tier("smi", &worker), Some(Tier::Company));
        assert_eq!(tier("smith", &mailer), Some(Tier::EmailPrefix));
        assert_eq!(tier("cy@glob", &mailer), Some(Tier::Contact), "words of the address, not its start");
        assert_eq!(tier("ng globex", &mailer), Some(Tier::Anywhere), "a name word and a company word");
        assert_eq!(tier("smith", &noted), Some(Tier::Notes));
        assert_eq!(tier("ann sm", &ann), Some(Tier::NamePrefix));
        assert_eq!(tier("smith ann", &ann), Some(Tier::NamePrefix), "last name first");
        assert_eq!(tier("ann acme", &ann), Some(Tier::Anywhere), "words across fields");
        assert_eq!(tier("415 555", &ann), Some(Tier::Contact));
        let referenced = Searchable { external_ref: "4155".into(), ..ann.clone() };
        assert_eq!(tier("4155", &referenced), Some(Tier::Reference), "a reference whole, before a phone's start");
        assert_eq!(tier("415", &referenced), Some(Tier::Contact), "a reference is not matched by its start");
        assert_eq!(tier("zzz", &ann), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

        /// What the index stores for a text is exactly the set of words the query side splits it into.
        #[test]
        fn the_index_and_the_query_split_words_alike(text in "\\PC{0,40}") {
            let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
            crate::db::migrations::migrations().to_latest(&mut conn).unwrap_or_else(|e| panic!("{e}"));
            conn.execute_batch("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, leads_fts, 'row')")
                .unwrap_or_else(|e| panic!("{e}"));
            let row = Searchable { notes: text.clone(), ..Default::default() };
            crate::leads::store::write_index_row(&conn, 1, &row).unwrap_or_else(|e| panic!("{e}"));
            let mut indexed: Vec<String> = conn
                .prepare("SELECT term FROM temp.v")
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .unwrap_or_else(|e| panic!("{e}"));
            indexed.sort();
            let mut expected = tokens(&text);
            expected.sort();
            expected.dedup();
            proptest::prop_assert_eq!(indexed, expected, "text {:?}", text);
        }
    }

    /// A number searched as `leads show` prints it, with its extension, copied from a right-to-left app, or
    /// written with another dash: found as entered (entry reads all of these).
    #[test]
    fn phone_searches_read_extensions_marks_and_dashes_as_entry_does() {
        let first = |t: &str| phone_digits(t).and_then(|d| d.first().cloned());
        for typed in
            ["+1 212-555-0100 ext. 204", "+1 212 555 0100 x204", "+1 212.555.0100;ext=3", "+1 212 555 0100 #12"]
        {
            assert_eq!(first(typed).as_deref(), Some("12125550100"), "{typed}");
        }
        assert_eq!(first("\u{200E}+972 50-123-4567\u{200E}").as_deref(), Some("972501234567"));
        for typed in
            ["03\u{2010}1234\u{2010}5678", "030 \u{2013} 1234567", "03\u{2212}1234", "090\u{30FC}1234\u{30FC}5678"]
        {
            assert!(phone_digits(typed).is_some(), "{typed}");
        }
        assert_eq!(phone_digits("box 12"), None, "words stay words");
        assert_eq!(phone_digits("100x200"), None, "a size, not a number and its extension");
        assert_eq!(phone_digits("4711x2"), None);
    }

    #[test]
    fn phone_searches_use_digits_and_drop_a_trunk_zero() {
        assert_eq!(phone_digits("+1 (415) 555"), Some(vec!["1415555".to_string()]));
        assert_eq!(phone_digits("030 901"), Some(vec!["030901".to_string(), "30901".to_string()]));
        assert_eq!(phone_digits("Ann"), None);
        assert_eq!(phone_digits("030/901"), Some(vec!["030901".to_string(), "30901".to_string()]));
        assert_eq!(phone_digits("+44 (0)20 79"), Some(vec!["4402079".to_string(), "442079".to_string()]));
    }

    #[test]
    fn phone_searches_drop_a_way_out_of_the_country_and_russias_trunk_eight() {
        let alts = |t: &str| phone_digits(t).unwrap_or_default();
        assert!(alts("011 44 20 7946 0018").contains(&"442079460018".to_string()), "{:?}", alts("011 44 20 7946 0018"));
        assert!(alts("810 49 30 901820").contains(&"4930901820".to_string()));
        assert!(alts("8 (495) 123-45-67").contains(&"4951234567".to_string()), "{:?}", alts("8 (495) 123-45-67"));
        assert!(alts("84951234567").contains(&"4951234567".to_string()));
        // What only looks like it is not cut: Michigan's area code 810, Bristol's 0117, Tokyo written without "+",
        // a toll-free number.
        let plain = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(alts("(810) 229-4567"), plain(&["8102294567"]));
        assert_eq!(alts("0117 496 0123"), plain(&["01174960123", "1174960123"]));
        assert_eq!(alts("81 3 1234 5678"), plain(&["81312345678"]));
        assert_eq!(alts("800 555"), plain(&["800555"]));
        // Hungary's trunk prefix 06, Lithuania's 8, before a whole number of theirs.
        assert!(alts("06 1 234 5678").contains(&"12345678".to_string()), "{:?}", alts("06 1 234 5678"));
        assert!(alts("06 30 123 4567").contains(&"301234567".to_string()), "{:?}", alts("06 30 123 4567"));
        assert!(alts("8 612 34567").contains(&"61234567".to_string()), "{:?}", alts("8 612 34567"));
    }
}
