//! Numbers an .xls workbook (Excel 97–2003, BIFF8) shows with their leading zeros, as [`super::sheet_formats`]
//! finds them in an .xlsx. calamine reads an .xls's formats only to tell dates and keeps no format code, so this
//! module reads the records it needs from the workbook stream itself: the number formats (FORMAT), the cell
//! styles that use them (XF), where each sheet starts (BOUNDSHEET8), and the sheet's number cells (NUMBER, RK,
//! MULRK, and FORMULA with a number). Layouts as [MS-XLS] 2.4 gives them.
//!
//! Best effort, like the .xlsx reader: a workbook whose records cannot be read here (encrypted, the older BIFF5
//! "Book" stream, cut short) gives no cells, and calamine says what is wrong with it, if anything.
//!
//! Also where an .xls's compound file is read at all: calamine is given its workbook stream alone, in a
//! compound file written here ([`rewrapped_workbook`]).
use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::rc::Rc;

use super::error::ImportError;
use super::sheet_formats::DigitFormat;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const BOUNDSHEET: u16 = 0x0085;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;
const DIMENSIONS: u16 = 0x0200;
const LABEL: u16 = 0x0204;
const BOOLERR: u16 = 0x0205;
const LABELSST: u16 = 0x00FD;
const LBL: u16 = 0x0018;
const EXTERNSHEET: u16 = 0x0017;
/// A record type no reader of an .xls gives a meaning: what [`without_formulas`] retypes is skipped.
const SKIPPED: u16 = 0x0000;

/// Whether `bytes` are a compound file (OLE2), as an .xls is: by its signature.
pub(super) fn is_compound_file(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// The workbook stream of a compound file, read and checked by the `cfb` crate, put back alone in a compound file
/// written here, for calamine to read. calamine 0.32 sizes its buffers by the file's own tables before reading
/// them (the directory's length, the FAT's, each stream's): one damaged number asked for 867 GB and ended the
/// process, beyond any panic's catching. The container given to calamine states only what it holds.
pub(super) fn rewrapped_workbook(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    let Some(name) = ["/Workbook", "/Book"].into_iter().find(|n| file.is_stream(n)) else {
        return Err(ImportError::Spreadsheet(not_a_workbook(&file).into()));
    };
    let mut stream = Vec::new();
    file.open_stream(name).map_err(damaged)?.read_to_end(&mut stream).map_err(damaged)?;
    // Encrypted, every record's data is unreadable here, and its sheets' extents read as noise: such a file was
    // called damaged, and the person sent to repair a file that is only locked.
    if is_encrypted(&stream) {
        return Err(ImportError::Spreadsheet(
            "the workbook is encrypted (saved with a password, or protected against changes): open it in Excel, \
             remove the protection (File > Info > Protect Workbook, or Save As > Tools > General Options), save it, \
             and import it again"
                .into(),
        ));
    }
    if let Some(why) = extent_out_of_bounds(&stream) {
        return Err(damaged(std::io::Error::other(why)));
    }
    without_formulas(&mut stream);
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    out.create_stream(name)?.write_all(&stream)?;
    out.flush()?;
    Ok(out.into_inner().into_inner())
}

/// Whether the workbook's global records, before its first sheet, hold a FILEPASS: the rest is encrypted (RC4, or
/// the XOR of Excel 95), record headers excepted.
fn is_encrypted(stream: &[u8]) -> bool {
    records(stream, 0).take_while(|(kind, _)| !matches!(*kind, EOF | BOUNDSHEET)).any(|(kind, _)| kind == FILEPASS)
}

/// Takes the formulas' text out of a workbook stream, in place: each FORMULA record keeps the value Excel saved
/// with it (the value an import reads) and states a formula of no tokens, and the defined names and the table
/// of other sheets the formulas refer to (Lbl, ExternSheet) become records calamine skips. calamine 0.32 turns
/// every formula of every sheet into text when it opens a file, and panicked on real files' formulas (a function
/// it does not know, a BIFF5 workbook's, a token cut short): such a file was refused as damaged for text an
/// import never reads. Records keep their lengths, so the offsets the workbook gives its sheets stay true. An
/// encrypted stream (FILEPASS) is left as it is, for calamine to say so.
fn without_formulas(stream: &mut [u8]) {
    let mut at = 0;
    let mut patches = Vec::new();
    while let (Some(kind), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let (data, end) = (at + 4, at + 4 + usize::from(len));
        if end > stream.len() {
            break;
        }
        match kind {
            FILEPASS => return,
            // The formula's length in bytes of tokens.
            FORMULA if len >= 22 => patches.push((data + 20, 0)),
            LBL | EXTERNSHEET => patches.push((at, SKIPPED)),
            _ => {}
        }
        at = end;
    }
    for (at, value) in patches {
        stream[at..at + 2].copy_from_slice(&value.to_le_bytes());
    }
}

fn damaged(e: std::io::Error) -> ImportError {
    ImportError::Spreadsheet(format!(
        "the file is damaged ({e}): open it in Excel or LibreOffice, which may repair it, and save it again"
    ))
}

/// What a compound file without a workbook stream is, as far as its streams tell, and what to do.
fn not_a_workbook<F>(file: &cfb::CompoundFile<F>) -> &'static str {
    // Excel encrypts a workbook saved with a password to open (.xlsx and .xls alike in recent versions) into
    // an EncryptedPackage stream of a compound file.
    if file.is_stream("/EncryptedPackage") {
        "the workbook is protected by a password to open: open it in Excel, remove the password (File > Info > \
         Protect Workbook), save it, and import it again"
    } else if file.is_stream("/WordDocument") {
        "the file is a Word document, not a spreadsheet: copy its table into a spreadsheet and save it as .xlsx \
         or CSV"
    } else {
        "the file is an Office document without a workbook (an Outlook message, a Word or PowerPoint file?), not \
         a spreadsheet: save the list as .xlsx or CSV"
    }
}

/// Why a sheet's extent cannot be an .xls sheet's, if it cannot: its DIMENSIONS record stating rows past
/// 65,536 or columns past 256, or ending before it starts, or a cell placed past the 256th column. calamine
/// reserves room for the stated extent, then lays the cells out in a grid as wide as the columns they use,
/// before a sheet is chosen: a file claiming four billion rows, or one cell at column 60,000, made it ask for
/// tens of gigabytes and the process end, beyond any panic's catching. Each sheet is read from where the
/// workbook says it starts to its end, as calamine reads it.
fn extent_out_of_bounds(stream: &[u8]) -> Option<String> {
    let mut starts: Vec<usize> = Vec::new();
    for (kind, data) in records(stream, 0) {
        match kind {
            BOUNDSHEET => starts.extend(u32_at(data, 0).map(|p| p as usize)),
            EOF => break,
            _ => {}
        }
    }
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        for (kind, data) in records(stream, start) {
            let (first_row, end_row, end_col) = match (kind, data.len()) {
                (EOF, _) => break,
                (DIMENSIONS, 14) => (u32_at(data, 0)?, u32_at(data, 4)?, u16_at(data, 10)?),
                (DIMENSIONS, 10) => (u32::from(u16_at(data, 0)?), u32::from(u16_at(data, 2)?), u16_at(data, 6)?),
                (NUMBER | LABEL | BOOLERR | RK | LABELSST | FORMULA | MULRK, 4..) => {
                    // A MULRK's last column is its last two bytes.
                    let last = if kind == MULRK { u16_at(data, data.len() - 2)? } else { 0 };
                    let col = u16_at(data, 2)?.max(last);
                    if col >= 256 {
                        return Some(format!(
                            "a cell stands in column {}, past an .xls sheet's 256",
                            u32::from(col) + 1
                        ));
                    }
                    continue;
                }
                _ => continue,
            };
            if end_row > 65_536 || end_col > 256 || (end_row > 0 && first_row >= end_row) {
                return Some(format!(
                    "a sheet states rows {first_row} to {end_row} and {end_col} columns, out of an .xls sheet's bounds"
                ));
            }
        }
    }
    None
}

/// The cells of sheet `sheet` whose number format is a [`DigitFormat`], by 0-based row and column.
pub(super) fn xls_digit_cells(bytes: &[u8], sheet: &str) -> HashMap<(u32, u32), Rc<DigitFormat>> {
    read_digit_cells(bytes, sheet).unwrap_or_default()
}

fn read_digit_cells(bytes: &[u8], sheet: &str) -> Option<HashMap<(u32, u32), Rc<DigitFormat>>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let mut stream = Vec::new();
    file.open_stream("/Workbook").ok()?.read_to_end(&mut stream).ok()?;
    let (styles, start) = globals(&stream, sheet)?;
    if styles.iter().all(Option::is_none) {
        return Some(HashMap::new());
    }
    Some(sheet_cells(&stream, start, &styles))
}

/// The cells of the sheet whose substream starts at byte `start` that are in one of `styles` (by XF index)
/// holding a digit format.
fn sheet_cells(
    stream: &[u8],
    start: usize,
    styles: &[Option<Rc<DigitFormat>>],
) -> HashMap<(u32, u32), Rc<DigitFormat>> {
    let mut cells = HashMap::new();
    let mut put = |data: &[u8], col: Option<u16>, xf_at: usize| {
        let (Some(row), Some(col), Some(xf)) = (u16_at(data, 0), col, u16_at(data, xf_at)) else { return };
        if let Some(Some(format)) = styles.get(usize::from(xf)) {
            cells.insert((u32::from(row), u32::from(col)), Rc::clone(format));
        }
    };
    // An embedded chart brings a substream of its own (BOF … EOF) into the sheet's, with number records of its
    // cached series: only the sheet's own level is read.
    let mut depth = 0usize;
    for (kind, data) in records(stream, start) {
        match kind {
            BOF => depth += 1,
            EOF => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            _ if depth != 1 => {}
            NUMBER | RK => put(data, u16_at(data, 2), 4),
            // A formula's cached result is a number unless its last two bytes are 0xFFFF (text, a truth value,
            // an error or nothing).
            FORMULA if data.get(12..14).is_some_and(|b| b != [0xFF, 0xFF]) => put(data, u16_at(data, 2), 4),
            MULRK => {
                let Some(first) = u16_at(data, 2) else { continue };
                let count = data.len().saturating_sub(6) / 6;
                for i in 0..count {
                    let col = u16::try_from(i).ok().and_then(|i| first.checked_add(i));
                    put(data, col, 4 + 6 * i);
                }
            }
            _ => {}
        }
    }
    cells
}

/// The workbook's cell styles (by XF index: the digit format each shows numbers with, if any) and where sheet
/// `sheet`'s substream starts in the stream, read from the globals substream.
fn globals(stream: &[u8], sheet: &str) -> Option<(Vec<Option<Rc<DigitFormat>>>, usize)> {
    let mut formats: HashMap<u16, Rc<DigitFormat>> = HashMap::new();
    let mut styles = Vec::new();
    let mut start = None;
    for (kind, data) in records(stream, 0) {
        match kind {
            // Encrypted: every record after this one is unreadable here.
            FILEPASS => return None,
            // Excel's built-in formats (ids below 164) hold no digit format, so only the workbook's own count.
            FORMAT => {
                let (Some(id), Some(code)) = (u16_at(data, 0), unicode_string(data.get(2..)?, 2)) else { continue };
                if let Some(format) = DigitFormat::parse(&code) {
                    formats.insert(id, Rc::new(format));
                }
            }
            XF => styles.push(u16_at(data, 2).and_then(|id| formats.get(&id)).cloned()),
            BOUNDSHEET if data.get(6..).and_then(|s| unicode_string(s, 1)).as_deref() == Some(sheet) => {
                start = u32_at(data, 0).map(|p| p as usize);
            }
            EOF => break,
            _ => {}
        }
    }
    Some((styles, start?))
}

/// The records of `stream` from byte `from` on, as (type, data), until one runs past the end.
fn records(stream: &[u8], from: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = from;
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let len = usize::from(u16_at(stream, at + 2)?);
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    data.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    data.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

/// An XLUnicodeString (a count of `count_bytes` bytes) or ShortXLUnicodeString (1): the count of characters, a
/// flag byte whose low bit says two bytes a character (UTF-16) rather than one (the low byte of each, Latin-1),
/// and the characters.
fn unicode_string(data: &[u8], count_bytes: usize) -> Option<String> {
    let count = match count_bytes {
        1 => usize::from(*data.first()?),
        _ => usize::from(u16_at(data, 0)?),
    };
    let wide = data.get(count_bytes)? & 1 == 1;
    let chars = data.get(count_bytes + 1..)?;
    if wide {
        let units: Vec<u16> =
            chars.get(..count * 2)?.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
        String::from_utf16(&units).ok()
    } else {
        Some(chars.get(..count)?.iter().map(|&b| char::from(b)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the stream lays it out: its type, its length, its data.
    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut out = kind.to_le_bytes().to_vec();
        out.extend((data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
        out
    }

    /// A sheet's number cells are found in RK, MULRK and NUMBER records and in numeric formulas; those of an
    /// embedded chart's substream and those after the sheet's end are not; a record cut short ends the reading
    /// without a panic.
    #[test]
    fn the_cells_of_a_sheet_are_read_at_its_own_level() {
        let styles = vec![None, DigitFormat::parse("00000").map(Rc::new)];
        let number = |row: u8| record(NUMBER, &[row, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut stream = record(BOF, &[0; 16]);
        stream.extend(record(RK, &[1, 0, 3, 0, 1, 0, 0, 0, 0, 0]));
        // Columns 2 and 3 of row 4, the first in style 0, the second in style 1.
        stream.extend(record(MULRK, &[4, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3, 0]));
        let mut text_formula = vec![5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];
        text_formula.extend([0; 6]);
        stream.extend(record(FORMULA, &text_formula));
        let mut number_formula = text_formula.clone();
        (number_formula[0], number_formula[12]) = (6, 0x40);
        stream.extend(record(FORMULA, &number_formula));
        stream.extend(record(BOF, &[0; 16]));
        stream.extend(number(9));
        stream.extend(record(EOF, &[]));
        stream.extend(number(7));
        stream.extend(record(EOF, &[]));
        stream.extend(number(8));

        let found = |stream: &[u8]| {
            let mut cells: Vec<(u32, u32)> = sheet_cells(stream, 0, &styles).into_keys().collect();
            cells.sort_unstable();
            cells
        };
        assert_eq!(found(&stream), [(1, 3), (4, 3), (6, 0), (7, 0)]);
        // Cut anywhere, the stream gives the cells of the records it still holds whole.
        for end in 0..stream.len() {
            let cells = found(&stream[..end]);
            assert!(cells.iter().all(|c| [(1, 3), (4, 3), (6, 0), (7, 0)].contains(c)), "{end}: {cells:?}");
        }
    }

    /// Sheet names and format codes come in one byte a character or two.
    #[test]
    fn strings_are_read_in_either_width() {
        assert_eq!(unicode_string(&[5, 0, 0, b'0', b'0', b'0', b'0', b'0'], 2).as_deref(), Some("00000"));
        let wide: Vec<u8> = [2u8, 0, 1].into_iter().chain("Kö".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(unicode_string(&wide, 2).as_deref(), Some("Kö"));
        assert_eq!(unicode_string(&[3, 0, b'K', 0xFC, b'n'], 1).as_deref(), Some("Kün"));
        assert_eq!(unicode_string(&[9, 0, b'K'], 1), None, "a count past the record's end");
    }
}
