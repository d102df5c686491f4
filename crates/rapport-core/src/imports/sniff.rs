//! The shape of a delimited text file: which of comma, semicolon, tab or pipe separates its fields (the one
//! that splits the first records into the same number of fields, quotes respected), and which of its
//! first lines is the header (exports often start with a title line or two).
use serde::Serialize;

use super::cell_shape::{looks_like_email, looks_like_phone, looks_like_website};

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Records looked at to decide.
const SAMPLE: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sniffed {
    /// As a character: ",", ";", "\t" or "|".
    pub delimiter: String,
    /// 0-based record index of the header row; of the first data row when the file has none (`headerless`).
    pub header_row: u32,
    /// The file has no header row: its first filled row already holds values (a list of addresses pasted
    /// into a file), and `columns` are named after what they hold (see [`headerless_columns`]).
    pub headerless: bool,
    pub columns: Vec<String>,
}

fn records(text: &str, delimiter: u8, limit: usize) -> Vec<Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader
        .records()
        .take(limit)
        .filter_map(Result::ok)
        .map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
        .collect()
}

/// How well `delimiter` explains the sample: the share of records (among those after a possible preamble)
/// that have the most common field count, times that count's reach (one field explains nothing); and how many
/// records have that count.
fn score(rows: &[Vec<String>]) -> (f64, usize, usize) {
    let counts: Vec<usize> = rows.iter().map(Vec::len).filter(|n| *n > 1).collect();
    if counts.is_empty() {
        return (0.0, 1, 0);
    }
    let mut best = (0, 0);
    for &n in &counts {
        let k = counts.iter().filter(|&&c| c == n).count();
        if (k, n) > best {
            best = (k, n);
        }
    }
    let share = best.0 as f64 / rows.len().max(1) as f64;
    (share * (1.0 + (best.1 as f64).ln()), best.1, best.0)
}

/// How many cells a row has up to its last one that is not empty.
fn filled_width(row: &[String]) -> usize {
    row.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1)
}

/// Whether a cell reads as a column's name: words, perhaps with a short number ("Address 1", "E-mail 2
/// Address"), not an address, a postcode, a date or a phone.
fn names_a_column(cell: &str) -> bool {
    cell.chars().any(char::is_alphabetic)
        && !cell.contains('@')
        && !cell.split(|ch: char| !ch.is_ascii_digit()).any(|digits| digits.len() >= 3)
}

/// How well a row reads as a header: none if it does not (mostly empty, or mostly values), else how many of its
/// cells name a known field. A data row may pass ("Bo Ray, Kansas City, MO" reads as words, and "Kansas City"
/// as a city): the header is the row that names the most fields, not the first that passes.
pub(crate) fn header_score(row: &[String]) -> Option<usize> {
    let filled: Vec<&String> = row.iter().filter(|c| !c.is_empty()).collect();
    if filled.len() < row.len().div_ceil(2) || filled.is_empty() {
        return None;
    }
    let texty = filled.iter().filter(|c| names_a_column(c)).count();
    let known = super::mapping::suggest_mapping(row).iter().filter(|s| s.field.is_some()).count();
    (texty * 10 >= filled.len() * 8 && known > 0).then_some(known)
}

/// How many words a cell holds when it reads as a person's name (capitalised words of letters), else 0.
fn name_words(cell: &str) -> usize {
    let words: Vec<&str> = cell.split_whitespace().collect();
    let wordlike = |w: &&str| {
        w.chars().next().is_some_and(char::is_uppercase) && w.chars().all(|c| c.is_alphabetic() || "'-.".contains(c))
    };
    if words.len() <= 4 && words.iter().all(wordlike) {
        words.len()
    } else {
        0
    }
}

/// A firm's name: words ending with a legal form ("Acme Ltd", "Weber GmbH & Co. KG").
pub(crate) fn ends_with_legal_form(cell: &str) -> bool {
    let words = |s: &str| s.split_whitespace().count();
    let folded = rapport_match::normalize::fold(cell);
    words(&folded) >= 2 && words(&rapport_match::normalize::company_key(cell)) < words(&folded)
}

#[derive(Clone, Copy, PartialEq)]
enum Holds {
    Email,
    Phone,
    Website,
    Company,
    OneWord,
    LowerWord,
    WholeName,
    Other,
}

/// A bare number too short to be a phone number with its area code, and not dialled from a 0 (a record's id,
/// "5521985"), or a date written as digits ("19491217"): record-linkage files hold both beside the phone.
fn a_number_but_no_phone(cell: &str) -> bool {
    let cell = cell.trim();
    if cell.is_empty() || !cell.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let date = cell.len() == 8
        && chrono::NaiveDate::parse_from_str(cell, "%Y%m%d")
            .is_ok_and(|d| (1850..=2100).contains(&chrono::Datelike::year(&d)));
    date || (cell.len() < 9 && !cell.starts_with('0'))
}

/// A single word of lower-case letters ("jacqueline"): names as some systems keep them, read as a name only
/// beside another such column when no capitalised ones are found.
fn lower_case_word(cell: &str) -> bool {
    !cell.is_empty()
        && cell.chars().all(|c| c.is_lowercase() || "'-".contains(c))
        && cell.chars().any(char::is_alphabetic)
}

fn holds(cell: &str) -> Holds {
    if looks_like_email(cell) {
        Holds::Email
    } else if a_number_but_no_phone(cell) {
        Holds::Other
    } else if looks_like_phone(cell) {
        Holds::Phone
    } else if looks_like_website(cell) {
        Holds::Website
    } else if ends_with_legal_form(cell) {
        Holds::Company
    } else {
        match name_words(cell) {
            1 => Holds::OneWord,
            0 if lower_case_word(cell) => Holds::LowerWord,
            2..=4 => Holds::WholeName,
            _ => Holds::Other,
        }
    }
}

/// Names for the columns of a file that has no header row, or None when it has one. A file has none when its
/// first row (no header, by [`header_score`]) holds an email address or a phone number, and each such value
/// has values of its kind below it: a header names what a column holds and never holds an address itself,
/// while a title line above the table ("Export for ann@example.com") stands alone. Read with its first row
/// taken for the header, such a list lost that row and sent every value to the notes. The columns are named
/// in the words the mapping knows ("Email", "Phone 2", "First name"), so it maps them as it maps any header;
/// what cannot be told is "Column N", for the notes until the importer says otherwise.
pub(crate) fn headerless_columns(rows: &[Vec<String>]) -> Option<Vec<String>> {
    let first = rows.first()?;
    if header_score(first).is_some() {
        return None;
    }
    let mut values = 0;
    for (j, cell) in first.iter().enumerate() {
        let kind = holds(cell);
        if !matches!(kind, Holds::Email | Holds::Phone) {
            continue;
        }
        values += 1;
        let below: Vec<&String> = rows[1..].iter().filter_map(|r| r.get(j)).filter(|c| !c.is_empty()).collect();
        if below.iter().filter(|c| holds(c) == kind).count() * 2 < below.len() {
            return None;
        }
    }
    // Without an email or a phone, numbers of a record over numbers of their kind (a postcode, an id, a date
    // written as digits) say the same: a header never holds a bare number of three digits or more, and a
    // record-linkage file of names and places alone lost its first person to the header.
    let bare_number = |c: &str| {
        let t = c.trim();
        t.len() >= 3 && t.bytes().all(|b| b.is_ascii_digit())
    };
    let numbers = first
        .iter()
        .enumerate()
        .filter(|(_, cell)| bare_number(cell))
        .filter(|&(j, _)| {
            let below: Vec<&String> = rows[1..].iter().filter_map(|r| r.get(j)).filter(|c| !c.is_empty()).collect();
            !below.is_empty() && below.iter().filter(|c| bare_number(c)).count() * 2 > below.len()
        })
        .count();
    if values == 0 && numbers < 2 {
        return None;
    }
    let width = rows.iter().map(|r| filled_width(r)).max().unwrap_or(0);
    let column_holds: Vec<Holds> = (0..width)
        .map(|j| {
            let cells: Vec<Holds> =
                rows.iter().filter_map(|r| r.get(j)).filter(|c| !c.is_empty()).map(|c| holds(c)).collect();
            let most = [
                Holds::Email,
                Holds::Phone,
                Holds::Website,
                Holds::Company,
                Holds::OneWord,
                Holds::LowerWord,
                Holds::WholeName,
            ]
            .into_iter()
            .max_by_key(|h| cells.iter().filter(|c| *c == h).count());
            match most {
                Some(h) if cells.iter().filter(|c| **c == h).count() * 2 > cells.len() => h,
                _ => Holds::Other,
            }
        })
        .collect();
    // Two columns of single capitalised words side by side are a first and a last name ("Ann", "Lee").
    let split_name = column_holds
        .windows(2)
        .position(|w| w == [Holds::OneWord, Holds::OneWord])
        .or_else(|| column_holds.windows(2).position(|w| w == [Holds::LowerWord, Holds::LowerWord]));
    let (mut emails, mut phones, mut website, mut company, mut whole_name) = (0, 0, false, false, false);
    let numbered = |name: &str, n: usize| if n == 1 { name.to_string() } else { format!("{name} {n}") };
    Some(
        column_holds
            .iter()
            .enumerate()
            .map(|(j, h)| match h {
                Holds::Email => {
                    emails += 1;
                    numbered("Email", emails)
                }
                Holds::Phone => {
                    phones += 1;
                    numbered("Phone", phones)
                }
                Holds::Website if !website => {
                    website = true;
                    "Website".to_string()
                }
                Holds::Company if !company => {
                    company = true;
                    "Company".to_string()
                }
                Holds::OneWord | Holds::LowerWord if split_name == Some(j) => "First name".to_string(),
                Holds::OneWord | Holds::LowerWord if split_name.is_some_and(|k| k + 1 == j) => "Last name".to_string(),
                Holds::WholeName if !whole_name && split_name.is_none() => {
                    whole_name = true;
                    "Name".to_string()
                }
                _ => format!("Column {}", j + 1),
            })
            .collect(),
    )
}

/// Excel's own hint, a first line `sep=;` that names the delimiter: exports meant for Excel in any locale
/// write it (and Excel writes it back), so it is taken over what the counts suggest, and the line is no header.
fn separator_hint(text: &str) -> Option<u8> {
    // The line as the CSV reader splits it (a bare \r ends a line too), its trailing spaces aside: not its
    // trailing tabs, which may be the hint itself.
    let first = text.split(['\r', '\n']).next()?.trim_end_matches(' ');
    let rest = first.get(..4).filter(|p| p.eq_ignore_ascii_case("sep="))?;
    let delimiter = *first.as_bytes().get(rest.len())?;
    // Re-saved by a spreadsheet, the line may end with more delimiters ("sep=;;;;").
    let tail_is_delimiters = first.as_bytes().get(rest.len() + 1..)?.iter().all(|b| *b == delimiter);
    (CANDIDATES.contains(&delimiter) && tail_is_delimiters).then_some(delimiter)
}

pub fn sniff(text: &str) -> Sniffed {
    sniff_scored(text).0
}

/// The layout and how consistently it reads: the share of the sampled records, from the header on, that are
/// as wide as the header.
/// The header row once the contacts above row `header` are looked at: rows above a header are a title or notes
/// about the list, and several holding emails or phones, more than the rows below it, are the list itself, below
/// a header of its own (the nearest row above them that reads as one) or none (they start at the first of them).
/// A line under a narrow list ("Total | 10", a legend) was as full as the fullest and taken for the header, and
/// every contact above it was left out without a word. One such row is a title ("Export for ann@example.com");
/// a report's sections of hosts above its larger table of attendees are passed over.
pub(crate) fn header_above_the_contacts(
    rows: &[Vec<String>],
    header: usize,
    cells: impl Fn(&Vec<String>) -> Vec<String>,
) -> usize {
    let holds_contact = |r: &Vec<String>| r.iter().any(|c| looks_like_email(c.trim()) || looks_like_phone(c.trim()));
    let above: Vec<usize> = (0..header.min(rows.len())).filter(|&i| holds_contact(&rows[i])).collect();
    let below = rows.iter().skip(header + 1).filter(|r| r.iter().any(|c| !c.trim().is_empty())).count();
    match above.as_slice() {
        [first, _, ..] if above.len() > below => {
            (0..*first).rev().find(|&i| header_score(&cells(&rows[i])).is_some()).unwrap_or(*first)
        }
        _ => header,
    }
}

pub(crate) fn sniff_scored(text: &str) -> (Sniffed, f64) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Whether its width is shared by several records, its score, the delimiter, its width, the records.
    type Candidate = (bool, f64, u8, usize, Vec<Vec<String>>);
    let mut best: Option<Candidate> = None;
    let hint = separator_hint(text);
    for d in hint.map_or(CANDIDATES.to_vec(), |d| vec![d]) {
        let rows = records(text, d, SAMPLE);
        let (s, width, records_that_wide) = score(&rows);
        // A width only one record has is no table's when another delimiter splits several records alike: one
        // cell of 300 addresses separated by "; " made a file of commas read as one of semicolons, its first
        // row taken for the header.
        let shared = records_that_wide >= 2;
        // Strictly better only: on a tie the earlier candidate (comma first) stays.
        let better = |(b_shared, b): (bool, f64)| (shared && !b_shared) || (shared == b_shared && s > b + 1e-9);
        if best.as_ref().is_none_or(|(b_shared, b, ..)| better((*b_shared, *b))) {
            best = Some((shared, s, d, width, rows));
        }
    }
    let (_, _, mut delimiter, mut width, mut rows) = best.unwrap_or((false, 0.0, b',', 1, Vec::new()));
    // A list of one column whose values now and then hold a separator ("a@x.de; b@y.de"): from the first record the
    // delimiter splits on, most are not split. It is one column, read with a delimiter the file uses least, so
    // that such a cell stays whole (and the rows above that record are not taken for a title).
    // A table whose rows leave out their trailing empty fields ("Email,Name" then "ann@x.de") has a header as its
    // first split record: it stays a table.
    let split = |r: &Vec<String>| r.len() > 1;
    let from_first_split = rows.iter().position(split).map_or(&rows[..0], |i| &rows[i..]);
    let headed = from_first_split.first().is_some_and(|r| header_score(r).is_some());
    if hint.is_none()
        && width > 1
        && !headed
        && from_first_split.iter().filter(|r| split(r)).count() * 2 < from_first_split.len()
    {
        let fewest =
            CANDIDATES.iter().map(|&d| (records(text, d, SAMPLE).iter().filter(|r| split(r)).count(), d)).min();
        if let Some((_, d)) = fewest {
            (delimiter, width, rows) = (d, 1, records(text, d, SAMPLE));
        }
    }
    // The header: of the sampled rows that fit the table and read as one, the one naming the most fields (the
    // first of those naming as many); else the first row with the table's width among the first ten; else the
    // first row. A row fits when it is as wide as the table once its trailing empty cells are set aside: exports
    // often end every data line with a delimiter ("Ann;a@x;") or the header with one, and the header must not
    // lose to the first data row for it.
    let fits = |r: &Vec<String>| r.len() == width || (filled_width(r) <= width && filled_width(r) * 2 > width);
    let first = usize::from(hint.is_some());
    // Looked for through the whole sample: a report's attendee table comes after the sections of its hosts
    // and panelists (Zoom's webinar report), each with a header of its own that names fewer fields.
    let named = rows
        .iter()
        .enumerate()
        .skip(first)
        .filter(|(_, r)| fits(r))
        .filter_map(|(i, r)| header_score(r).map(|known| (known, std::cmp::Reverse(i))))
        .max()
        .map(|(_, std::cmp::Reverse(i))| i);
    let header = named
        .or_else(|| rows.iter().take(10).skip(first).position(|r| r.len() == width).map(|i| i + first))
        .unwrap_or(first);
    let header = header_above_the_contacts(&rows, header, |r| r.clone()).max(first);
    let named = named.filter(|n| *n == header);
    let table = rows.get(header..).unwrap_or_default();
    let unnamed = if named.is_none() { headerless_columns(table) } else { None };
    let (header_width, header_filled) = table.first().map_or((0, 0), |h| (h.len(), filled_width(h)));
    let consistency = table.iter().filter(|r| r.len() == header_width || filled_width(r) == header_filled).count()
        as f64
        / table.len().max(1) as f64;
    let sniffed = Sniffed {
        delimiter: char::from(delimiter).to_string(),
        header_row: header as u32,
        headerless: unnamed.is_some(),
        columns: unnamed.unwrap_or_else(|| rows.get(header).cloned().unwrap_or_default()),
    };
    (sniffed, consistency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_german_trade_fair_export() {
        let text = "Vorname;Nachname;E-Mail;Telefon;Firma\r\nJürgen;Müller;jm@firma.de;+49 30 1234567;Müller GmbH\r\n\
                    Anna;Schmidt;anna@schmidt.de;030 765432;\"Schmidt; Söhne KG\"\r\n";
        let s = sniff(text);
        assert_eq!(s.delimiter, ";");
        assert_eq!(s.header_row, 0);
        assert_eq!(s.columns, ["Vorname", "Nachname", "E-Mail", "Telefon", "Firma"]);
    }

    /// A line under a short list (a count, a legend) is no header, however full: the contacts above it were left
    /// out, and the import read no row.
    #[test]
    fn a_line_under_a_short_list_is_no_header() {
        let s = sniff("Email\nann@example.com\nben@example.org\ncleo@example.net\n\nTotal,3\n");
        assert_eq!((s.header_row, s.headerless, s.columns.clone()), (0, false, vec!["Email".to_string()]));
        let s = sniff("ann@example.com,+44 20 7946 0018\nben@example.org,+44 20 7946 0019\nLegend:,x,y\n");
        assert_eq!((s.header_row, s.headerless), (0, true));
    }

    /// A file whose first row already holds values has no header: its columns are named by what they hold.
    /// A title line naming an address, or a header above the values, is not taken for one.
    #[test]
    fn a_list_without_a_header_row() {
        let s = sniff("ann@example.com\nben@example.org\ncleo@example.net\n");
        assert_eq!((s.header_row, s.headerless, s.columns.clone()), (0, true, vec!["Email".to_string()]));
        let s = sniff("Ann Lee,ann@example.com,+44 20 7946 0018,Acme Ltd\nBen Ray,ben@example.org,,Beta GmbH\n");
        assert!(s.headerless);
        assert_eq!(s.columns, ["Name", "Email", "Phone", "Company"]);
        let s = sniff("Ann Lee,ann@example.com,Acme,x\nBen Ray,ben@example.org,Beta,y\n");
        assert_eq!(s.columns, ["Name", "Email", "Column 3", "Column 4"], "a firm without its legal form is not told");
        let s = sniff("Ann;Lee;ann@example.com;b@x.de\nBen;Ray;ben@example.org;\n");
        assert_eq!(s.columns, ["First name", "Last name", "Email", "Email 2"]);
        let s = sniff("0161 496 0000,Ann\n+44 20 7946 0018,Ben\n");
        assert_eq!((s.headerless, s.columns[0].as_str()), (true, "Phone"));
        // A record-linkage file without its header: names in lower case, a birth date and an id as bare
        // numbers (no phones), the phone itself.
        let s = sniff(
            "F2-00000,jacqueline,lukomski,20 hopetoun circuit,sandgate,4879,vic,19491217,5521985,jl@gmail.com,+61437792975\n\
             F2-00001,melanie,nabialek,12 just place,sussex inlet,5452,nsw,19390212,8391827,mn@hotmail.com,+61 400 490 186\n\
             F2-00003,jack,lesevre,1 corinna street,eumundi,3196,qld,19020429,2127538,jack@yahoo.com.au,0767657816\n",
        );
        assert!(s.headerless);
        assert_eq!(&s.columns[1..3], ["First name", "Last name"]);
        assert_eq!(&s.columns[7..], ["Column 8", "Column 9", "Email", "Phone"]);
        // Without its emails and phones, its numbers over numbers say it has no header either.
        let s = sniff(
            "rec-1020-org, blake, ryan,4, starling place, berkeley vlge, marsden,5412, nsw,19271027,2402765\n\
             rec-1021-org, thomas, george,1, mcmanus place, stoney creek, north turramurra,3130, sa,19630225,5460534\n\
             rec-1022-org, jackson, eglinton,840, fowles street, mountview, burleigh heads,2830, sa,19830807,2932837\n",
        );
        assert!(s.headerless, "{s:?}");
        assert_eq!(&s.columns[1..3], ["First name", "Last name"]);
        // A header over numbers is still a header.
        let s = sniff("Kundennummer,Name,PLZ\n10023,Ann Lee,10115\n10024,Ben Ray,80331\n");
        assert!(!s.headerless, "{s:?}");
        // Capitalised names are still the ones taken when both kinds are there.
        let rows: Vec<Vec<String>> =
            [["berlin", "mitte", "Ann", "Lee", "ann@example.com"], ["kiel", "gaarden", "Cy", "Ho", "cy@ho.io"]]
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
        assert_eq!(
            headerless_columns(&rows).unwrap_or_default(),
            ["Column 1", "Column 2", "First name", "Last name", "Email"]
        );

        for headed in [
            "Name,Email\nAnn Lee,ann@example.com\n",
            "Export for ann@example.com\nName,Email\nAnn Lee,ann@x.de\n",
            "Foo,Bar\nann@example.com,1\n",
        ] {
            assert!(!sniff(headed).headerless, "{headed:?}");
        }
        // An address over a column of other things is a title's, or a value out of place: not a list.
        assert!(headerless_columns(&[vec!["ann@example.com".into()], vec!["Berlin".into()], vec!["Hamburg".into()]])
            .is_none());
    }

    /// Zoom's webinar report: a summary, then its hosts and panelists, each section with a header of its own,
    /// and the attendees last, beyond the tenth line. The attendees' header names the most fields: it is the
    /// table (the sections above are the organiser's own people, passed over as title lines are).
    #[test]
    fn a_report_s_attendee_table_after_its_host_and_panelist_sections() {
        let mut text = String::from(
            "Attendee Report\nReport Generated:,\"12/01/2026 10:15 AM\"\n\
             Topic,Webinar ID,Actual Start Time,Actual Duration (minutes),# Registered\n\
             Launch,912 3456 7890,\"11/30/2026 02:00:00 PM\",62,240\n\
             Host Details\nAttended,User Name (Original Name),Email,Join Time,Country/Region Name\n\
             Yes,Jane Host,jane@acme.example,\"11/30/2026 01:50:12 PM\",United States\n\
             Panelist Details\nAttended,User Name (Original Name),Email,Join Time,Country/Region Name\n\
             Yes,Paul Panel,paul@acme.example,\"11/30/2026 01:55:00 PM\",Germany\n\
             Yes,Petra Panel,petra@acme.example,\"11/30/2026 01:55:00 PM\",Germany\n\
             Attendee Details\n\
             Attended,User Name (Original Name),First Name,Last Name,Email,Organization,Job Title,Join Time\n",
        );
        for i in 0..8 {
            text.push_str(&format!("Yes,Guest {i},Gus,Test{i},gus{i}@example.com,Firm {i},Analyst,--\n"));
        }
        let s = sniff(&text);
        assert_eq!((s.header_row, s.columns[2].as_str(), s.headerless), (12, "First Name", false), "{s:?}");
    }

    #[test]
    fn a_title_line_before_the_header_and_quoted_newlines() {
        let text = "Leads export, 3 March 2026\n\nFirst name,Last name,Email,Notes\nAda,Lovelace,ada@engines.io,\"line one\nline two, with a comma\"\nAlan,Turing,alan@example.org,\n";
        let s = sniff(text);
        assert_eq!(s.delimiter, ",");
        assert_eq!(s.columns, ["First name", "Last name", "Email", "Notes"]);
        assert_eq!(s.header_row, 1, "the blank line is no record");
    }

    /// A header with numbered columns, and a data row below it that reads as words: the header is still the
    /// header, and no row above the table is lost as a title line.
    #[test]
    fn a_header_with_numbered_columns_above_a_row_of_words() {
        let text =
            "Name,Address 1,Address 2,City,State,Zip\nAnn Lee,12 Elm St,,Boston,MA,02110\nBo Ray,,,Kansas City,MO,\n";
        let s = sniff(text);
        assert_eq!((s.header_row, s.columns[0].as_str()), (0, "Name"), "{s:?}");
        // Outlook's own numbered headers.
        let text = "First Name,Last Name,E-mail Address,E-mail 2 Address,Business Phone\n\
                    Ann,Lee,ann@lee.io,ann@home.io,+1 415 555 0100\nBo,Ray,,,\n";
        assert_eq!(sniff(text).header_row, 0);
    }

    /// Data lines that end with a delimiter (German and PHP exports), or a header that does: the header is still
    /// the header, not the first data row (which took its place, and the rows above it were lost).
    #[test]
    fn a_delimiter_at_the_end_of_every_line() {
        let s = sniff("Name;Email\nAnn;a@x.de;\nBo;b@x.de;\nCy;c@x.de;\n");
        assert_eq!(
            (s.delimiter.as_str(), s.header_row, s.columns.clone()),
            (";", 0, vec!["Name".into(), "Email".into()])
        );
        let s = sniff("Name,Email,Phone,\nAnn,a@x.de,1\nBo,b@x.de,2\n");
        assert_eq!((s.header_row, s.columns[..3].to_vec()), (0, vec!["Name".into(), "Email".into(), "Phone".into()]));
        // With a title line above: the title is still passed over.
        let s = sniff("Messe München 2026;\nVorname;Nachname;E-Mail\nJürgen;Größe;j@g.de;\nAnna;Weiß;a@w.de;\n");
        assert_eq!((s.header_row, s.columns[0].as_str()), (1, "Vorname"));
    }

    /// Excel's `sep=` line names the delimiter, and is passed over as a header, even where the counts alone would
    /// pick another delimiter or take the line for the header.
    #[test]
    fn an_excel_separator_line() {
        // Every value holds one comma: by the counts alone, a comma-separated file of three columns.
        let s = sniff(
            "sep=;\nName, title;City, country\nLee, Dr;Paris, FR\nDoe, Ms;Lyon, FR\nRoe, Mr;Nice, FR\n\
             Poe, Mx;Metz, FR\nMoe, Dr;Caen, FR\n",
        );
        assert_eq!(
            (s.delimiter.as_str(), s.header_row, s.columns.clone()),
            (";", 1, vec!["Name, title".into(), "City, country".into()])
        );
        // Columns no field is named after: the header is the first row of the table's width after the line.
        let s = sniff("SEP=,\r\nAlpha,Beta\r\n1,2\r\n3,4\r\n");
        assert_eq!(
            (s.delimiter.as_str(), s.header_row, s.columns.clone()),
            (",", 1, vec!["Alpha".into(), "Beta".into()])
        );
        // Saved again by a spreadsheet, with the line padded to the table's width.
        assert_eq!(sniff("sep=|||\nName|Email|Phone\nA|a@b.c|1\n").header_row, 1);
        // A tab, alone or padded; lines ended by a bare carriage return.
        for text in
            ["sep=\t\nAlpha\tBeta\n1\t2\n", "sep=\t\t\nAlpha\tBeta\tGamma\n1\t2\t3\n", "sep=;\rAlpha;Beta\r1;2\r"]
        {
            let s = sniff(text);
            assert_eq!((s.header_row, s.columns[0].as_str()), (1, "Alpha"), "{text:?}");
        }
        // Not a hint: a value that starts with "sep=", or a delimiter no one uses.
        assert_eq!(sniff("sep=x,Name\nA,b\nC,d\n").header_row, 0);
        assert_eq!(sniff("sep=#\nName,Email\nA,a@b.c\n").delimiter, ",");
    }

    /// A list of one column (a mailing list's addresses) in which one cell holds two values: the one separator in
    /// the file does not make it a table of two columns whose header is that row (the rows above it were lost).
    /// The delimiter taken is one the file does not use, so the cell stays whole and its values are split as
    /// any multi-value cell's.
    #[test]
    fn a_cell_with_many_addresses_does_not_make_a_table_of_semicolons() {
        let many: Vec<String> = (0..300).map(|i| format!("person{i}@example.com")).collect();
        for rows in [1, 5] {
            let others: String = (0..rows).map(|i| format!("Bob{i},Ray,bob{i}@x.com\n")).collect();
            let text = format!("first_name,last_name,email\nAnn,Lee,\"{}\"\n{others}", many.join("; "));
            let s = sniff(&text);
            assert_eq!((s.delimiter.as_str(), s.header_row, s.columns.len()), (",", 0, 3), "{rows} rows after");
        }
        // A two-line file whose data row leaves out its trailing fields is still read by its one split record.
        let s = sniff("Email;Name\nann@x.de\n");
        assert_eq!((s.delimiter.as_str(), s.header_row, s.columns.len()), (";", 0, 2));
    }

    #[test]
    fn a_list_of_one_column_with_two_values_in_a_cell() {
        for text in [
            "E-Mail\nann@example.com\nbob@example.de\ncarl@example.com; carl@gmail.com\ndora@example.org\neve@x.net\n",
            "Email\nann@example.com\nbob@example.de\n\"carl@example.com, carl@gmail.com\"\ndora@example.org\n",
            "Email\nann@example.com\ncarl@example.com, carl@gmail.com\nbob@example.de\ndora@example.org\n",
        ] {
            let s = sniff(text);
            assert_eq!(
                (s.header_row, s.columns.len(), s.columns[0].as_str()),
                (0, 1, text.split('\n').next().unwrap())
            );
            let widths: Vec<usize> = records(text, s.delimiter.as_bytes()[0], 10).iter().map(Vec::len).collect();
            assert!(widths.iter().all(|w| *w == 1), "{text:?}: {s:?} reads {widths:?}");
        }
        // A table whose rows leave out their trailing empty fields is still a table.
        let s = sniff("Email,Name\nann@x.de\nbob@y.de,Bob\ncarl@z.de\ndora@w.de\n");
        assert_eq!((s.delimiter.as_str(), s.columns.len()), (",", 2), "{s:?}");
        // A table whose header follows a few title lines is still a table.
        let s = sniff("Report\nMesse 2026\nName;Email\nAnn;a@x.de\nBo;b@x.de\n");
        assert_eq!((s.delimiter.as_str(), s.header_row), (";", 2));
    }

    #[test]
    fn tabs_and_pipes() {
        assert_eq!(sniff("Name\tEmail\tPhone\nA\ta@b.c\t1\nB\tb@c.d\t2\n").delimiter, "\t");
        assert_eq!(sniff("Name|Email|Phone\nA|a@b.c|1\nB|b@c.d|2\n").delimiter, "|");
        // A comma inside a semicolon-separated file's values does not fool it.
        assert_eq!(sniff("Name;City\n\"Lee, Ann\";Paris\n\"Doe, Jo\";Lyon\n\"Roe, Al\";Nice\n").delimiter, ";");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any text is sniffed without a panic, and the header it names is one of the file's records.
        #[test]
        fn any_text(text in "([a-zA-Zäöü@. ]{0,8}[,;\t|\"\r\n]?){0,60}") {
            let s = super::sniff(&text);
            prop_assert!([",", ";", "\t", "|"].contains(&s.delimiter.as_str()));
            let _ = super::super::suggest_mapping(&s.columns);
        }
    }
}
