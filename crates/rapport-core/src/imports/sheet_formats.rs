//! Numbers a workbook shows with their leading zeros. Excel stores the postcode 01067 as the number 1067 when its
//! cell is formatted "00000" (its "Zip Code" format does the same), and a phone or customer number as digits
//! under "0000000000"; what the user sees, and means, is the padded text. calamine gives the stored number
//! only (it reads a format to tell dates, and keeps no format code), so this module reads the workbook's styles
//! and the sheet's cell styles itself, and the reader writes such cells as they are shown. An .ods keeps the
//! text each cell shows beside its value: that text is taken instead.
//!
//! Only formats made of digit placeholders and literal text are applied ("00000", "00000-0000",
//! "000-00-0000", "(000) 000-0000"): they change how digits are laid out, never what they are. A format with
//! decimals, a thousands separator, a condition or a colour leaves the number as calamine gives it.
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};

/// One piece of a digit format: a placeholder that shows a digit or a zero (`0`), a digit or nothing (`#`),
/// or text shown as written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Zero,
    Digit,
    Text(String),
}

/// A number format that lays out the digits of a whole number, with at least one zero it may pad with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DigitFormat(Vec<Piece>);

impl DigitFormat {
    /// The format `code` if it is only digit placeholders and text (its first section: the one for positive
    /// numbers), with two zeros or more (a single "0" pads nothing).
    pub(super) fn parse(code: &str) -> Option<DigitFormat> {
        let mut pieces = Vec::new();
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            match c {
                ';' => break,
                '0' => pieces.push(Piece::Zero),
                '#' => pieces.push(Piece::Digit),
                '\\' => pieces.push(Piece::Text(chars.next()?.to_string())),
                '"' => {
                    let text: String = chars.by_ref().take_while(|c| *c != '"').collect();
                    pieces.push(Piece::Text(text));
                }
                ' ' | '-' | '(' | ')' | '/' | '+' | ':' => pieces.push(Piece::Text(c.to_string())),
                // A locale tag (`[$-409]`, `[$-en-US]`) says how to write dates and words, not digits; a
                // currency (`[$€-407]`), a condition or a colour says more.
                '[' => {
                    let tag: String = chars.by_ref().take_while(|c| *c != ']').collect();
                    if !tag.starts_with("$-") {
                        return None;
                    }
                }
                // Decimals, grouping, percent, exponent, conditions, colours, fill and padding, text (@):
                // formats that say more than where the digits go.
                _ => return None,
            }
        }
        let zeros = pieces.iter().filter(|p| **p == Piece::Zero).count();
        (zeros >= 2).then_some(DigitFormat(pieces))
    }

    /// The whole number `digits` laid out as Excel shows it: placeholders are filled from the right, a zero
    /// with no digit left shows 0, and digits beyond the placeholders stand before the first one.
    pub(super) fn show(&self, digits: &str) -> String {
        let mut left: Vec<char> = digits.chars().collect();
        let first = self.0.iter().position(|p| !matches!(p, Piece::Text(_)));
        let mut out: Vec<String> = Vec::with_capacity(self.0.len());
        for (i, piece) in self.0.iter().enumerate().rev() {
            match piece {
                Piece::Text(t) => out.push(t.clone()),
                Piece::Zero | Piece::Digit => {
                    let shown = if Some(i) == first {
                        let rest: String = left.drain(..).collect();
                        if rest.is_empty() && *piece == Piece::Zero {
                            "0".to_string()
                        } else {
                            rest
                        }
                    } else {
                        match left.pop() {
                            Some(d) => d.to_string(),
                            None if *piece == Piece::Zero => "0".to_string(),
                            None => String::new(),
                        }
                    };
                    out.push(shown);
                }
            }
        }
        out.reverse();
        out.concat()
    }
}

/// The cells of sheet `sheet` whose number format is a [`DigitFormat`], by 0-based row and column (each cell
/// shares its style's format: a column of 100,000 postcodes holds one). Best
/// effort: a workbook whose parts cannot be found or read here gives none, and calamine says what is wrong
/// with it, if anything.
pub(super) fn xlsx_digit_cells(bytes: &[u8], sheet: &str) -> HashMap<(u32, u32), Rc<DigitFormat>> {
    read_digit_cells(bytes, sheet).unwrap_or_default()
}

fn read_digit_cells(bytes: &[u8], sheet: &str) -> Option<HashMap<(u32, u32), Rc<DigitFormat>>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let styles = styles(&mut zip)?;
    if styles.is_empty() {
        return Some(HashMap::new());
    }
    let path = sheet_path(&mut zip, sheet)?;
    let part = zip.by_name(&path).ok()?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::with_capacity(1024);
    let mut cells = HashMap::new();
    // Where the next row and cell are when their `r` is left out (the format allows it).
    let (mut row, mut col) = (0u32, 0u32);
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"row" => {
                    row = match attribute(&e, b"r").and_then(|r| r.parse::<u32>().ok()) {
                        Some(r) => r.saturating_sub(1),
                        None => row,
                    };
                    col = 0;
                }
                b"c" => {
                    if let Some((r, c)) = attribute(&e, b"r").and_then(|r| cell_position(&r)) {
                        (row, col) = (r, c);
                    }
                    let numeric = attribute(&e, b"t").is_none_or(|t| t == "n");
                    let style = attribute(&e, b"s").and_then(|s| s.parse::<usize>().ok());
                    if let (true, Some(format)) = (numeric, style.and_then(|s| styles.get(&s))) {
                        cells.insert((row, col), Rc::clone(format));
                    }
                    col = col.saturating_add(1);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"row" => row = row.saturating_add(1),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(cells)
}

/// The cell styles (`cellXfs`, by index) whose number format is a [`DigitFormat`]. Excel's built-in formats
/// (ids below 164) hold no such format, so only the workbook's own (`numFmts`) are looked up.
fn styles(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<HashMap<usize, Rc<DigitFormat>>> {
    let Ok(part) = zip.by_name("xl/styles.xml") else { return Some(HashMap::new()) };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::with_capacity(1024);
    let mut formats: HashMap<String, Rc<DigitFormat>> = HashMap::new();
    let mut styles = HashMap::new();
    let (mut in_cell_xfs, mut xf) = (false, 0usize);
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"numFmt" => {
                let id = attribute(&e, b"numFmtId");
                let format = attribute(&e, b"formatCode").and_then(|c| DigitFormat::parse(&c));
                if let (Some(id), Some(format)) = (id, format) {
                    formats.insert(id, Rc::new(format));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = true,
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_cell_xfs = false,
            Event::Start(e) | Event::Empty(e) if in_cell_xfs && e.local_name().as_ref() == b"xf" => {
                if let Some(format) = attribute(&e, b"numFmtId").and_then(|id| formats.get(&id)) {
                    styles.insert(xf, Rc::clone(format));
                }
                xf += 1;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(styles)
}

/// The zip path of the sheet named `sheet`: the workbook names it with a relationship id, which its
/// relationships part resolves to a file.
fn sheet_path(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, sheet: &str) -> Option<String> {
    let workbook = read_part(zip, "xl/workbook.xml")?;
    let mut id = None;
    each_element(&workbook, b"sheet", |e| {
        if attribute(e, b"name").as_deref() == Some(sheet) {
            // The id's prefix is whatever the workbook bound the relationships namespace to ("r:id").
            id = e
                .attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == b"id" && a.key.prefix().is_some())
                .map(|a| text(&a.value));
        }
    })?;
    let id = id?;
    let rels = read_part(zip, "xl/_rels/workbook.xml.rels")?;
    let mut target = None;
    each_element(&rels, b"Relationship", |e| {
        if attribute(e, b"Id").as_deref() == Some(id.as_str()) {
            target = attribute(e, b"Target");
        }
    })?;
    let target = target?;
    Some(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    })
}

/// The cells of the .ods sheet `sheet` holding a whole number shown with leading zeros, with the text shown
/// ("01067" for 1067), by 0-based row and column. An .ods keeps what each cell shows beside its value, so no
/// format is read: a cell whose shown text is digits with a zero in front, and is its value, is taken as
/// shown. Best effort, as [`xlsx_digit_cells`].
///
/// Also the cells merged over others (`table:number-rows-spanned`, `table:number-columns-spanned`), which calamine
/// does not report for an .ods: it reads the cells they cover as empty.
pub(super) fn ods_cells(bytes: &[u8], sheet: &str) -> OdsCells {
    read_ods_cells(bytes, sheet).unwrap_or_default()
}

#[derive(Debug, Default)]
pub(super) struct OdsCells {
    pub digits: HashMap<(u32, u32), String>,
    pub merged: Vec<calamine::Dimensions>,
}

fn read_ods_cells(bytes: &[u8], sheet: &str) -> Option<OdsCells> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let part = zip.by_name("content.xml").ok()?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::with_capacity(1024);
    let mut cells = HashMap::new();
    let mut merged = Vec::new();
    let (mut in_sheet, mut row, mut col) = (false, 0u32, 0u32);
    let (mut row_repeats, mut col_repeats) = (1u32, 1u32);
    // The cell being read, when it holds a number: its value, and the text of its first paragraph so far.
    let mut number: Option<(f64, String)> = None;
    let mut paragraphs = 0;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"table" => {
                in_sheet = attribute(&e, b"table:name").as_deref() == Some(sheet);
                row = 0;
            }
            Event::End(e) if e.local_name().as_ref() == b"table" => in_sheet = false,
            Event::Start(e) if in_sheet && e.local_name().as_ref() == b"table-row" => {
                row_repeats = repeats(&e, b"table:number-rows-repeated");
                col = 0;
            }
            // A row written without cells still takes its place (the format asks for a cell; not every writer
            // gives one).
            Event::Empty(e) if in_sheet && e.local_name().as_ref() == b"table-row" => {
                row = row.saturating_add(repeats(&e, b"table:number-rows-repeated"));
            }
            Event::End(e) if in_sheet && e.local_name().as_ref() == b"table-row" => {
                row = row.saturating_add(row_repeats);
            }
            Event::Start(e) if in_sheet && is_cell(&e) => {
                note_merge(&e, (row, col), &mut merged);
                col_repeats = repeats(&e, b"table:number-columns-repeated");
                let float = attribute(&e, b"office:value-type").as_deref() == Some("float");
                let value = attribute(&e, b"office:value").and_then(|v| v.trim().parse::<f64>().ok());
                number = value.filter(|_| float).map(|v| (v, String::new()));
                paragraphs = 0;
            }
            Event::Empty(e) if in_sheet && is_cell(&e) => {
                note_merge(&e, (row, col), &mut merged);
                col = col.saturating_add(repeats(&e, b"table:number-columns-repeated"));
            }
            Event::Start(e) if number.is_some() && e.local_name().as_ref() == b"p" => paragraphs += 1,
            Event::Text(t) if paragraphs == 1 => {
                if let Some((_, shown)) = number.as_mut() {
                    shown.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(e)
                if in_sheet
                    && (e.local_name().as_ref() == b"table-cell"
                        || e.local_name().as_ref() == b"covered-table-cell") =>
            {
                if let Some((value, shown)) = number.take() {
                    let shown = shown.trim();
                    let padded = shown.len() > 1
                        && shown.starts_with('0')
                        && shown.bytes().all(|b| b.is_ascii_digit())
                        && shown.parse::<f64>().is_ok_and(|n| n == value);
                    // A value repeated down many rows is rare for such a number: a cap keeps a cell "repeated
                    // a million times" from filling memory.
                    if padded && u64::from(row_repeats) * u64::from(col_repeats) <= 10_000 {
                        for r in row..row.saturating_add(row_repeats) {
                            for c in col..col.saturating_add(col_repeats) {
                                cells.insert((r, c), shown.to_string());
                            }
                        }
                    }
                }
                col = col.saturating_add(col_repeats);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(OdsCells { digits: cells, merged })
}

/// Records cell `e` at `at` when it is merged over others. Bounded: the regions are read against every row.
fn note_merge(e: &BytesStart<'_>, at: (u32, u32), merged: &mut Vec<calamine::Dimensions>) {
    if e.local_name().as_ref() != b"table-cell" || merged.len() >= 100_000 {
        return;
    }
    let rows = repeats(e, b"table:number-rows-spanned");
    let cols = repeats(e, b"table:number-columns-spanned");
    if rows > 1 || cols > 1 {
        let end = (at.0.saturating_add(rows - 1), at.1.saturating_add(cols - 1));
        merged.push(calamine::Dimensions { start: at, end });
    }
}

fn is_cell(e: &BytesStart<'_>) -> bool {
    matches!(e.local_name().as_ref(), b"table-cell" | b"covered-table-cell")
}

/// A repeat count: 1 when absent or unreadable.
fn repeats(e: &BytesStart<'_>, name: &[u8]) -> u32 {
    attribute(e, name).and_then(|v| v.trim().parse().ok()).unwrap_or(1).max(1)
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut part = zip.by_name(name).ok()?;
    let mut bytes = Vec::new();
    // A workbook's list of sheets and its relationships are small; a part claiming more is not read.
    part.by_ref().take(16 << 20).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Calls `each` for every element named `name` (without its prefix) in `xml`.
fn each_element(xml: &[u8], name: &[u8], mut each: impl FnMut(&BytesStart<'_>)) -> Option<()> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == name => each(&e),
            Event::Eof => return Some(()),
            _ => {}
        }
    }
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).map(|a| text(&a.value))
}

/// An attribute's value with its entities ("&quot;") read.
fn text(value: &[u8]) -> String {
    let raw = String::from_utf8_lossy(value);
    quick_xml::escape::unescape(&raw).map_or_else(|_| raw.to_string(), |v| v.into_owned())
}

/// A cell reference ("AB12") as a 0-based row and column.
fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |n, b| n.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1))?;
    let row = digits.parse::<u32>().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(code: &str, digits: &str) -> Option<String> {
        DigitFormat::parse(code).map(|f| f.show(digits))
    }

    #[test]
    fn digit_formats_lay_out_digits_as_excel_shows_them() {
        assert_eq!(show("00000", "1067").as_deref(), Some("01067"));
        assert_eq!(show("00000", "123456").as_deref(), Some("123456"), "more digits than places stand in front");
        assert_eq!(show("00000-0000", "21391234").as_deref(), Some("02139-1234"));
        assert_eq!(show("000\\-00\\-0000", "12345678").as_deref(), Some("012-34-5678"));
        assert_eq!(show("\"DE\"000000", "4711").as_deref(), Some("DE004711"));
        assert_eq!(show("(000) 000-0000", "2125551234").as_deref(), Some("(212) 555-1234"));
        assert_eq!(show("##000", "7").as_deref(), Some("007"));
        assert_eq!(show("0000;-0000", "42").as_deref(), Some("0042"), "the positive numbers' section");
        assert_eq!(show("[$-409]00000", "1067").as_deref(), Some("01067"), "a locale tag says nothing of digits");
    }

    #[test]
    fn formats_that_say_more_than_where_digits_go_are_not_applied() {
        for code in [
            "0",
            "#,##0",
            "0.00",
            "0%",
            "0.00E+00",
            "[<=9999999]###-####;(###) ###-####",
            "[Red]0000",
            "@",
            "[$€-407]0000",
        ] {
            assert_eq!(DigitFormat::parse(code), None, "{code}");
        }
    }

    proptest::proptest! {
        /// A workbook's format codes and cell references are the file's to choose: none makes a panic, and a
        /// format applied shows every digit of the number, in order.
        #[test]
        fn any_format_or_reference_is_read_without_panic(code in ".{0,24}", n in 0u64..1_000_000_000_000, r in ".{0,12}") {
            if let Some(format) = DigitFormat::parse(&code) {
                let shown: String = format.show(&n.to_string()).chars().filter(char::is_ascii_digit).collect();
                let texts: String = format.0.iter().filter_map(|p| match p { Piece::Text(t) => Some(t.as_str()), _ => None }).collect();
                if !texts.chars().any(|c| c.is_ascii_digit()) {
                    let digits = n.to_string();
                    proptest::prop_assert_eq!(shown.trim_start_matches('0'), digits.trim_start_matches('0'));
                }
            }
            let _ = cell_position(&r);
        }
    }

    #[test]
    fn cell_references_read_as_positions() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("AB12"), Some((11, 27)));
        assert_eq!(cell_position("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position("A0"), None);
        assert_eq!(cell_position("12"), None);
        assert_eq!(cell_position("a1"), None);
    }
}
