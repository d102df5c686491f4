//! Lines below a table that are no contacts: a total ("Total: 57 contacts", "Summe;;;12.500"), an "Exported by
//! HubSpot on ..." note, a page footer. Reports and exports end so; read as rows, each became a Draft lead named
//! after the note. They are refused instead, each with its line and why, so none is dropped without a word and the
//! rejected rows say where they went.
use std::collections::VecDeque;

use super::error::ImportError;
use super::reader::{RawRow, Rows};

/// What a line that is no contact (a total, a note below the table) is refused with: kept with the rejected
/// rows, but no fault of the file's, so the CLI does not refuse a file for it as it does for a faulty row.
pub(crate) const LEFT_OUT: &str = "not a contact: left out";

/// Whether a rejected row (its reasons, its cells) is surely no contact: a totals line, or a line below the
/// table that holds a figure, a date or a label ("Total: 2 contacts", "Exported by HubSpot on 2026-12-01",
/// "© 2026 Salesforce"). A lone name below a gap ("Jürgen Müller") is left out of the leads too, but may be a
/// contact typed without the rest of its row: a person is to look at it.
pub fn is_left_out(errors: &[crate::error::FieldError], cells: &[String]) -> bool {
    let says = |e: &crate::error::FieldError| e.field == "row" && e.message.contains(LEFT_OUT);
    let total = |e: &crate::error::FieldError| says(e) && e.message.starts_with("a totals line");
    let noted = cells.iter().any(|c| c.chars().any(|ch| ch.is_ascii_digit() || matches!(ch, ':' | '©')));
    !errors.is_empty() && errors.iter().all(says) && (errors.iter().any(total) || noted)
}

/// Rows held back at most while it is not yet known whether the table goes on below them: past that, they are
/// read as rows (a table of names only, with gaps, is a table).
const HELD: usize = 20;

/// The words a total's first cell starts with, lower-case, in the languages exports come in.
const TOTAL_WORDS: &[&str] = &[
    "total",
    "totals",
    "subtotal",
    "grand total",
    "sum",
    "summe",
    "gesamt",
    "gesamtsumme",
    "insgesamt",
    "somme",
    "totaal",
    "totale",
    "suma",
    "summa",
    "yhteensä",
    "razem",
    "celkem",
];

fn starts_with_total(cell: &str) -> bool {
    let cell = cell.trim().to_lowercase();
    TOTAL_WORDS.iter().any(|w| {
        cell.strip_prefix(w).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with([':', ' ', '(', '\t']) || rest.starts_with(|c: char| c.is_ascii_digit())
        })
    })
}

/// Whether a cell is a figure (a sum, a count, an amount with its currency), not a name or an address.
fn figure(cell: &str) -> bool {
    let t = cell.trim();
    t.chars().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit() || " .,'+-%()€$£¥\u{a0}\u{202f}".contains(c) || c.is_alphabetic() && c.is_uppercase()
        })
        && !t.contains('@')
}

/// Whether a cell could be a contact's own: an email, or a phone number (seven digits or more, written as
/// phones are).
fn contact_like(cell: &str) -> bool {
    let t = cell.trim();
    let phone = t.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        && t.chars().filter(char::is_ascii_digit).count() >= 7;
    (t.contains('@') && !t.contains(' ')) || phone
}

/// Whether `row` reads as a line below a table: a total (its first cell "Total", the rest figures), or a single
/// cell in a table of several columns that is no email or phone. A contact whose company is "Total Energies" or
/// whose name is "Suma" has other cells than figures, and is a row.
fn note_like(row: &RawRow) -> bool {
    let filled: Vec<&String> = row.cells.iter().filter(|c| !c.trim().is_empty()).collect();
    match filled.as_slice() {
        [] => true,
        [only] => !contact_like(only) || starts_with_total(only),
        [first, rest @ ..] => starts_with_total(first) && rest.iter().all(|c| figure(c)),
    }
}

/// The last line a row spans (a quoted value may hold line breaks).
fn end_line(row: &RawRow) -> u32 {
    row.line + row.cells.iter().map(|c| c.matches('\n').count() as u32).sum::<u32>()
}

struct Footers {
    rows: Rows,
    /// Note-like rows after the table's last row, not yet known to be its end.
    held: VecDeque<RawRow>,
    /// What is ready to hand out, in order.
    out: VecDeque<Result<RawRow, ImportError>>,
    last_end: Option<u32>,
    done: bool,
}

impl Footers {
    fn release_held(&mut self) {
        self.out.extend(self.held.drain(..).map(Ok));
    }
}

impl Iterator for Footers {
    type Item = Result<RawRow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.out.pop_front() {
                return Some(r);
            }
            if self.done {
                return None;
            }
            match self.rows.next() {
                None => {
                    self.done = true;
                    // The file ended: what was held is below the table.
                    self.out.extend(self.held.drain(..).map(|row| {
                        Err(ImportError::Malformed {
                            line: u64::from(row.line),
                            message: format!(
                                "a line below the table (a total or a note), {LEFT_OUT}; if it is a contact, give \
                                 it its own row in the table"
                            ),
                            cells: row.cells,
                        })
                    }));
                }
                Some(Err(e)) => {
                    self.release_held();
                    self.last_end = None;
                    self.out.push_back(Err(e));
                }
                Some(Ok(row)) => {
                    let note = note_like(&row);
                    let after_gap = self.last_end.is_some_and(|end| row.line > end + 1);
                    let total = row.cells.iter().find(|c| !c.trim().is_empty()).is_some_and(|c| starts_with_total(c));
                    self.last_end = Some(end_line(&row));
                    // Held: a note-like row after others held (while room is left), or the first one after a gap
                    // (or a total).
                    let holds = if self.held.is_empty() { after_gap || total } else { self.held.len() < HELD };
                    if note && holds {
                        self.held.push_back(row);
                    } else {
                        // The table goes on: the rows held were its own.
                        self.release_held();
                        self.out.push_back(Ok(row));
                    }
                }
            }
        }
    }
}

/// `rows` with the lines below a table of `columns` columns refused (see the module). A table of one column
/// has no such lines to tell apart.
pub(super) fn refused_below_table(rows: Rows, columns: usize) -> Rows {
    if columns < 2 {
        return rows;
    }
    Box::new(Footers { rows, held: VecDeque::new(), out: VecDeque::new(), last_end: None, done: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u32, cells: &[&str]) -> Result<RawRow, ImportError> {
        Ok(RawRow { line, cells: cells.iter().map(|c| c.to_string()).collect() })
    }

    /// (line, kept) for each row out.
    fn read(rows: Vec<Result<RawRow, ImportError>>) -> Vec<(u32, bool)> {
        refused_below_table(Box::new(rows.into_iter()), 4)
            .map(|r| match r {
                Ok(r) => (r.line, true),
                Err(ImportError::Malformed { line, .. }) => (line as u32, false),
                Err(e) => panic!("{e}"),
            })
            .collect()
    }

    #[test]
    fn a_total_and_a_note_below_the_table_are_refused() {
        let rows = vec![
            row(2, &["Ann", "Lee", "ann@lee.io", "Acme"]),
            row(3, &["Bo", "Berg", "bo@berg.se", ""]),
            row(5, &["Total: 2 contacts", "", "", ""]),
            row(6, &["Exported by HubSpot on 2026-12-01", "", "", ""]),
        ];
        assert_eq!(read(rows), [(2, true), (3, true), (5, false), (6, false)]);
        // A total right under the table, with its sums.
        let rows = vec![row(2, &["Ann", "Lee", "ann@lee.io", "5000"]), row(3, &["Summe", "", "", "5000"])];
        assert_eq!(read(rows), [(2, true), (3, false)]);
        let rows =
            vec![row(2, &["Ann", "Lee", "ann@lee.io", "5000"]), row(3, &["Total (2)", "", "1,234.50 EUR", "€ 5.000"])];
        assert_eq!(read(rows), [(2, true), (3, false)]);
    }

    /// Contacts whose company or name starts with a total's word, last in a list sorted by it, are rows; so is a
    /// last row of an email or a phone alone after a gap.
    #[test]
    fn a_contact_that_starts_like_a_total_is_a_row() {
        let rows = vec![
            row(2, &["Acme", "Ann", "Lee", "ann@lee.io"]),
            row(3, &["Total Wine & More", "Bo", "Berg", "bo@totalwine.com"]),
            row(4, &["Total Quality Logistics", "", "", ""]),
            row(5, &["Suma", "Patel", "suma@patel.in", ""]),
            row(7, &["zed@x.io", "", "", ""]),
            row(8, &["+49 89 1234567", "", "", ""]),
        ];
        assert_eq!(read(rows), [(2, true), (3, true), (4, true), (5, true), (7, true), (8, true)]);
    }

    /// A contact with a name only, in the table or after a gap with the table going on below, is a row.
    #[test]
    fn a_sparse_row_the_table_goes_on_after_is_a_row() {
        let rows = vec![
            row(2, &["Ann", "Lee", "ann@lee.io", "Acme"]),
            row(3, &["Cy", "", "", ""]),
            row(5, &["Di", "", "", ""]),
            row(6, &["Ed", "Ng", "ed@ng.io", ""]),
            row(7, &["Totalfood GmbH", "Fay", "fay@totalfood.de", ""]),
        ];
        assert_eq!(read(rows), [(2, true), (3, true), (5, true), (6, true), (7, true)]);
        // A name alone as the last row, right under the table, is a contact too.
        let rows = vec![row(2, &["Ann", "Lee", "ann@lee.io", "Acme"]), row(3, &["Gus", "", "", ""])];
        assert_eq!(read(rows), [(2, true), (3, true)]);
        // Past what may be held, the rows are the table's.
        let mut rows = vec![row(2, &["Ann", "Lee", "ann@lee.io", "Acme"])];
        rows.extend((0..HELD as u32 + 2).map(|i| row(4 + i, &["Name", "", "", ""])));
        assert!(read(rows).iter().all(|(_, kept)| *kept));
    }

    /// A row the reader could not read keeps its place, and the rows held before it are rows.
    #[test]
    fn a_malformed_row_ends_what_was_held() {
        let bad = Err(ImportError::Malformed { line: 6, message: "x".into(), cells: vec![] });
        let rows = vec![row(2, &["Ann", "Lee", "ann@lee.io", "Acme"]), row(4, &["Note", "", "", ""]), bad];
        assert_eq!(read(rows), [(2, true), (4, true), (6, false)]);
    }
}
