//! How far a workbook's sheets reach, found before calamine lays one out in memory whole: a value typed far
//! from the table (cell XFD1048576), or an .ods row or cell repeated a million times, would make it allocate
//! for billions of cells and end the app on a file a user merely dropped. Such a sheet is refused, naming the
//! far cell, with a way out (delete the far values, or save the sheet as CSV).
use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::error::ImportError;

/// The most cells (rows × columns from the first value to the last) a sheet is read as a table: calamine lays
/// the sheet out whole in memory, about 60 bytes a cell with the text of each (a 200,000-row table of 40
/// columns).
pub(super) const SHEET_CELLS: u64 = 8_000_000;

/// The longest run of spaces an .ods cell may ask for (`<text:s text:c="…"/>`): calamine writes each out, so a
/// count of a billion is a gigabyte for one cell. No contact field holds a run near this.
const SPACE_RUN: u64 = 100_000;

/// Refuses an .xlsx or .xlsb sheet whose values span more than [`SHEET_CELLS`], from its cells read one by one
/// (`positions` yields the position of each non-empty cell). An .xls sheet holds at most 65,536 rows by 256
/// columns, and .ods is read whole on opening: see [`ods_within_reach`].
pub(super) fn cells_within_reach<E: std::fmt::Display>(
    name: &str,
    mut next: impl FnMut() -> Result<Option<(u32, u32)>, E>,
) -> Result<(), ImportError> {
    let mut extent = Extent::default();
    while let Some((r, c)) = next().map_err(|e| sheet_unreadable(name, e))? {
        extent.add(u64::from(r), u64::from(c), 1, 1);
    }
    extent.check(name)
}

/// A sheet its reader stops on, with the reader's words and the way out: the program that opens it writes it
/// again as the reader expects.
pub(super) fn sheet_unreadable(name: &str, e: impl std::fmt::Display) -> ImportError {
    ImportError::Spreadsheet(format!(
        "its sheet \"{name}\" is not as a spreadsheet program writes it ({e}): open it in Excel or LibreOffice and \
         save it again as .xlsx, or export it as CSV"
    ))
}

/// The span of a sheet's values: first and last row and column holding one.
#[derive(Default)]
struct Extent {
    rows: Option<(u64, u64)>,
    cols: Option<(u64, u64)>,
}

impl Extent {
    /// A value at (`row`, `col`) repeated over `rows` rows and `cols` columns.
    fn add(&mut self, row: u64, col: u64, rows: u64, cols: u64) {
        let last_row = row.saturating_add(rows.max(1) - 1);
        let last_col = col.saturating_add(cols.max(1) - 1);
        self.rows = Some(self.rows.map_or((row, last_row), |(a, b)| (a.min(row), b.max(last_row))));
        self.cols = Some(self.cols.map_or((col, last_col), |(a, b)| (a.min(col), b.max(last_col))));
    }

    fn check(&self, name: &str) -> Result<(), ImportError> {
        let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.cols) else { return Ok(()) };
        // Saturating: a repeat count of u64::MAX (the file's to write) spans everything, and must not wrap to an
        // empty sheet that passes.
        let (rows, cols) = ((r1 - r0).saturating_add(1), (c1 - c0).saturating_add(1));
        // Wider than any header the import reads: refused before calamine lays the repeats out.
        if cols > super::reader::MAX_COLUMNS as u64 {
            return Err(ImportError::TooWide(usize::try_from(c1.saturating_add(1)).unwrap_or(usize::MAX)));
        }
        if rows.saturating_mul(cols) > SHEET_CELLS {
            return Err(ImportError::Spreadsheet(format!(
                "the values of sheet \"{name}\" span {rows} rows by {cols} columns (to cell {}), more than an \
                 import reads as a table ({SHEET_CELLS} cells): delete the values far from the table, or save the \
                 sheet as CSV",
                cell_name(r1, c1)
            )));
        }
        Ok(())
    }
}

/// A cell's name as a spreadsheet shows it ("XFD1048576"), from its 0-based row and column.
pub(super) fn cell_name(row: u64, col: u64) -> String {
    let mut letters = Vec::new();
    let mut n = col.saturating_add(1);
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &row.saturating_add(1).to_string()
}

/// Whether `bytes` are an OpenDocument spreadsheet (a zip whose `mimetype` says so), which calamine reads
/// whole, every sheet, as soon as it is opened. As calamine tells one: by the mimetype's first 46 bytes, whatever
/// follows them, so that no file it reads as an .ods goes unmeasured.
pub(super) fn is_ods(bytes: &[u8]) -> bool {
    const MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return false };
    let Ok(mut f) = zip.by_name("mimetype") else { return false };
    let mut mime = Vec::new();
    f.by_ref().take(MIMETYPE.len() as u64).read_to_end(&mut mime).is_ok() && mime == MIMETYPE
}

/// Refuses an .ods whose sheets' values span more than [`SHEET_CELLS`] once their repeats (a row or a cell
/// written once "repeated 1,048,576 times") are laid out, or whose cells ask for a run of spaces longer than
/// [`SPACE_RUN`]. Reads `content.xml` as it streams, as calamine will, without keeping it.
pub(super) fn ods_within_reach(bytes: &[u8]) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
    let content = match zip.by_name("content.xml") {
        Ok(f) => f,
        // calamine says what is missing, in its words.
        Err(_) => return Ok(()),
    };
    scan_content(BufReader::new(content))
}

fn scan_content<R: std::io::BufRead>(content: R) -> Result<(), ImportError> {
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::with_capacity(1024);
    let mut sheet = String::new();
    let mut extent = Extent::default();
    // Where the next row and cell start, and how many times the current row repeats.
    let (mut row, mut col, mut row_repeats) = (0u64, 0u64, 1u64);
    // The empty cells since the last value in this row: calamine writes them out before the next value.
    let mut cells_in_row_values: Vec<(u64, u64)> = Vec::new();
    // The elements open: calamine reads a sheet until its end tag, and at the end of a file cut short inside
    // one it read on for ever (100% of a core, the import never ending). Its reader does not check end tags
    // against their start; this one does, so a sheet that ends is one that calamine sees end.
    let (mut open, mut within) = (0usize, false);
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| ImportError::Spreadsheet(e.to_string()))?;
        match &event {
            Event::Start(_) => open += 1,
            Event::End(_) => open = open.saturating_sub(1),
            Event::Eof if open > 0 => return Err(cut_short(within.then_some(sheet.as_str()))),
            _ => {}
        }
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.name() {
                QName(b"table:table") => {
                    within = matches!(event, Event::Start(_));
                    sheet = attribute(e, b"table:name").unwrap_or_default();
                    extent = Extent::default();
                    row = 0;
                }
                QName(b"table:table-row") => {
                    row_repeats = count(e, b"table:number-rows-repeated");
                    col = 0;
                    cells_in_row_values.clear();
                    if matches!(event, Event::Empty(_)) {
                        row = row.saturating_add(row_repeats);
                    }
                }
                QName(b"table:table-cell" | b"table:covered-table-cell") => {
                    let repeats = count(e, b"table:number-columns-repeated");
                    if holds_value(e) {
                        cells_in_row_values.push((col, repeats));
                    }
                    col = col.saturating_add(repeats);
                }
                QName(b"text:s") => {
                    let run = count(e, b"text:c");
                    if run > SPACE_RUN {
                        return Err(ImportError::Spreadsheet(format!(
                            "a cell of sheet \"{sheet}\" (row {}) asks for {run} spaces in a row, more than an \
                             import reads ({SPACE_RUN}): save the sheet as CSV",
                            row.saturating_add(1)
                        )));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.name() {
                QName(b"table:table-row") => {
                    for &(c, n) in &cells_in_row_values {
                        extent.add(row, c, row_repeats, n);
                    }
                    // A sheet already past the limit is refused now, before the rest of a huge file is read.
                    extent.check(&sheet)?;
                    row = row.saturating_add(row_repeats);
                }
                QName(b"table:table") => {
                    within = false;
                    extent.check(&sheet)?;
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

/// The refusal of a `content.xml` that ends inside an element (in `sheet`, if it ends inside one).
fn cut_short(sheet: Option<&str>) -> ImportError {
    let place = sheet.map(|s| format!(", in sheet \"{s}\"")).unwrap_or_default();
    ImportError::Spreadsheet(format!(
        "the file is damaged (its content is cut short{place}): open it in LibreOffice, which may repair it, and \
         save it again"
    ))
}

/// Whether a cell holds something calamine keeps (a value, a formula, or text).
fn holds_value(e: &BytesStart<'_>) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(
            a.key,
            QName(
                b"office:value"
                    | b"office:string-value"
                    | b"office:date-value"
                    | b"office:time-value"
                    | b"office:boolean-value"
                    | b"table:formula"
            )
        ) || (a.key == QName(b"office:value-type") && &*a.value == b"string")
    })
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    Some(String::from_utf8_lossy(&a.value).into_owned())
}

/// A repeat count attribute: 1 when absent; an unreadable one is left for calamine to refuse.
fn count(e: &BytesStart<'_>, name: &[u8]) -> u64 {
    attribute(e, name).and_then(|v| v.trim().parse().ok()).unwrap_or(1).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(table: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"#
        )
    }

    fn scan(table: &str) -> Result<(), ImportError> {
        scan_content(content(table).as_bytes())
    }

    const HEADER: &str = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>first_name</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>email</text:p></table:table-cell></table:table-row>"#;

    #[test]
    fn cell_names_read_as_a_spreadsheet_shows_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(9, 27), "AB10");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    /// A content cut short inside a sheet, or a sheet closed by another element's end tag, is refused: calamine
    /// reads a sheet until its end tag and, at the end of the file without it, read on for ever.
    #[test]
    fn a_content_cut_short_or_closed_wrongly_is_refused() {
        let whole = content(&format!(r#"<table:table table:name="Kunden">{HEADER}</table:table>"#));
        assert!(scan_content(whole.as_bytes()).is_ok());
        let at = |tag: &str| whole.find(tag).unwrap_or_else(|| panic!("{tag}"));
        let in_sheet = [at("<table:table-row>"), at("<text:p>"), at("</table:table>")];
        for end in in_sheet {
            let err = scan_content(&whole.as_bytes()[..end]).unwrap_err().to_string();
            assert!(err.contains("damaged (its content is cut short, in sheet \"Kunden\")"), "{end}: {err}");
        }
        for end in [at("<table:table "), at("</office:spreadsheet>")] {
            let err = scan_content(&whole.as_bytes()[..end]).unwrap_err().to_string();
            assert!(err.contains("damaged (its content is cut short)"), "{end}: {err}");
        }
        // Inside a tag, the XML reader says so itself.
        assert!(scan_content(&whole.as_bytes()[..at("<text:p>") + 3]).is_err());
        let misnamed = whole.replace("</table:table>", "</table:tablX>");
        assert!(scan_content(misnamed.as_bytes()).is_err(), "an end tag that is not its start's");
    }

    /// A table with its trailing empty rows and columns written as repeats (as LibreOffice saves every sheet)
    /// is read.
    #[test]
    fn an_ordinary_sheet_with_repeated_empty_rows_is_read() {
        let sheet = format!(
            r#"<table:table table:name="Leads">{HEADER}<table:table-row><table:table-cell office:value-type="string"><text:p>Ann</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#
        );
        assert!(scan(&sheet).is_ok());
    }

    /// A value filled down a whole column is a row written once and repeated a million times: calamine lays
    /// each repeat out.
    #[test]
    fn a_value_repeated_down_a_million_rows_across_the_sheet_is_refused() {
        let sheet = format!(
            r#"<table:table table:name="Leads">{HEADER}<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="string" table:number-columns-repeated="16"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#
        );
        let err = scan(&sheet).unwrap_err().to_string();
        assert!(err.contains("\"Leads\"") && err.contains("P1048576") && err.contains("CSV"), "{err}");
    }

    /// A value far along a row, after a long repeat of empty cells, widens the sheet as far.
    #[test]
    fn a_value_far_to_the_right_of_many_rows_is_refused() {
        let far = r#"<table:table-cell table:number-columns-repeated="16000"/><table:table-cell office:value="1" office:value-type="float"/>"#;
        let sheet = format!(
            r#"<table:table table:name="Far">{HEADER}<table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="string"><text:p>Ann</text:p></table:table-cell>{far}</table:table-row></table:table>"#
        );
        let err = scan(&sheet).unwrap_err().to_string();
        assert!(err.contains("\"Far\"") && err.contains("16002 columns"), "{err}");
    }

    /// A repeat count as large as a number holds spans the whole sheet: refused, never wrapped round to a sheet
    /// of no cells that passes (and calamine then lays out the repeats).
    #[test]
    fn a_repeat_count_past_any_sheet_is_refused() {
        let sheet = |rows: u64, cols: u64| {
            format!(
                r#"<table:table table:name="Max">{HEADER}<table:table-row table:number-rows-repeated="{rows}"><table:table-cell office:value-type="string" table:number-columns-repeated="{cols}"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#
            )
        };
        let err = scan(&sheet(u64::MAX, 1)).unwrap_err().to_string();
        assert!(err.contains("\"Max\"") && err.contains("CSV"), "{err}");
        for (rows, cols) in [(1, u64::MAX), (u64::MAX, u64::MAX)] {
            let err = scan(&sheet(rows, cols)).unwrap_err();
            assert!(matches!(err, ImportError::TooWide(_)), "{rows} × {cols}: {err}");
        }
    }

    /// A header cell repeated across a million columns (one row, so within the cells a sheet may have) is wider
    /// than any table the import reads: refused before calamine lays it out, which with the mapping of a million
    /// headers kept a preview busy for minutes. As wide as a spreadsheet is read.
    #[test]
    fn a_sheet_wider_than_a_spreadsheet_is_refused() {
        let sheet = |cols: usize| {
            format!(
                r#"<table:table table:name="Wide"><table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="{cols}"><text:p>Datum</text:p></table:table-cell></table:table-row></table:table>"#
            )
        };
        let err = scan(&sheet(1_048_576)).unwrap_err();
        assert!(matches!(err, ImportError::TooWide(1_048_576)), "{err}");
        assert!(scan(&sheet(super::super::reader::MAX_COLUMNS)).is_ok());
    }

    #[test]
    fn a_billion_spaces_in_a_cell_are_refused() {
        let sheet = format!(
            r#"<table:table table:name="S">{HEADER}<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="1000000000"/>b</text:p></table:table-cell></table:table-row></table:table>"#
        );
        let err = scan(&sheet).unwrap_err().to_string();
        assert!(err.contains("1000000000 spaces"), "{err}");
        let ok = sheet.replace("1000000000", "3");
        assert!(scan(&ok).is_ok());
    }
}
