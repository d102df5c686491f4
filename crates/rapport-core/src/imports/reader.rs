//! A file's rows as they stream in: CSV/TSV decoded and split as it is read (memory stays flat whatever the
//! file's size), or a sheet of a workbook (.xlsx, .xls, .ods, read whole by calamine: workbooks are zip or
//! compound files that cannot be read front to back). Every row keeps the line (CSV) or row (sheet) number a
//! user sees in their editor.
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Reader};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::decode::{decode_sample, detect, BlankLines, MacRomanEvidence, UnixLines, Utf8Tally, SAMPLE_BYTES};
use super::error::ImportError;
use super::model::FileFormat;
use super::sniff::{sniff_scored, Sniffed};
use super::{sheet_formats, sheet_reach, workbook_repair, xls_formats, zip_kind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawRow {
    pub line: u32,
    pub cells: Vec<String>,
}

pub(crate) type Rows = Box<dyn Iterator<Item = Result<RawRow, ImportError>> + Send>;

pub(crate) struct OpenedFile {
    pub format: FileFormat,
    pub encoding: Option<&'static Encoding>,
    pub delimiter: Option<u8>,
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub header_line: u32,
    pub headers: Vec<String>,
    /// Data rows after the header, blank rows skipped.
    pub rows: Rows,
}

fn is_workbook(head: &[u8]) -> bool {
    zip_kind::is_zip(head) || xls_formats::is_compound_file(head)
}

fn read_head(path: &Path) -> Result<(Vec<u8>, bool), ImportError> {
    let mut head = Vec::with_capacity(SAMPLE_BYTES);
    File::open(path)?.take(SAMPLE_BYTES as u64 + 1).read_to_end(&mut head)?;
    let complete = head.len() <= SAMPLE_BYTES;
    head.truncate(SAMPLE_BYTES);
    Ok((head, complete))
}

/// Opens `path` (CSV/TSV or a workbook, told apart by content, not name); `sheet` picks a workbook's sheet
/// (the first one with data when absent).
pub(crate) fn open(path: &Path, sheet: Option<&str>) -> Result<OpenedFile, ImportError> {
    let (head, complete) = read_head(path)?;
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    if zip_kind::is_zip(&head) {
        if let Some((list, _)) = zip_kind::the_one_list(path)? {
            let mut opened = open(&list, sheet)?;
            let rows = std::mem::replace(&mut opened.rows, Box::new(std::iter::empty()));
            opened.rows = Box::new(Unpacked { rows, _list: list });
            return Ok(opened);
        }
    }
    let mut opened = if is_workbook(&head) { open_workbook(path, sheet)? } else { open_csv(path, &head, complete)? };
    if opened.headers.len() > MAX_COLUMNS {
        return Err(ImportError::TooWide(opened.headers.len()));
    }
    let rows = std::mem::replace(&mut opened.rows, Box::new(std::iter::empty()));
    opened.rows = super::footers::refused_below_table(rows, opened.headers.len());
    Ok(opened)
}

/// The rows of a list unpacked from an archive, and the temporary file they are read from, removed once they
/// are (the rows first: a file still open is not removed on every system).
struct Unpacked {
    rows: Rows,
    _list: tempfile::TempPath,
}

impl Iterator for Unpacked {
    type Item = Result<RawRow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// The most columns a file's header may have: as many as Excel's sheets (to XFD). A wider table is no list of
/// contacts (a whole export written on one line, a repeat spread across a sheet), and a million headers taken
/// through the mapping kept the preview busy for minutes.
pub(super) const MAX_COLUMNS: usize = 16_384;

fn csv_records(
    path: &Path,
    encoding: &'static Encoding,
    delimiter: u8,
    blank: BlankLines,
) -> Result<csv::StringRecordsIntoIter<Box<dyn Read + Send>>, ImportError> {
    let file = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let decoded =
        encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding)).bom_override(true).build(file);
    let text: Box<dyn Read + Send> = Box::new(UnixLines::new(decoded, blank).with_delimiter(delimiter));
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(text)
        .into_records())
}

fn malformed(e: &csv::Error) -> ImportError {
    // The file could not be read on (a drive gone, a network share dropped): no row is at fault, and the reader
    // stops there. As a bad row, the rest of the file was never imported nor reported, and the batch ended
    // "completed"; as an error, the run stops resumable.
    if let csv::ErrorKind::Io(io) = e.kind() {
        return ImportError::Io(std::io::Error::new(io.kind(), io.to_string()));
    }
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the text is not valid in the file's encoding".to_string(),
        _ => e.to_string(),
    };
    ImportError::Malformed { line, message, cells: vec![] }
}

/// The encoding and the layout, each checked against the other. On a small sample chardetng may take a
/// Windows-1252 letter for the first byte of a Big5, GBK or Shift_JIS character whose second byte is a pipe
/// (`ß|` reads as one Big5 character), and the table falls apart. A multi-byte guess stands unless
/// Windows-1252, which never swallows ASCII, gives rows as wide as the header more consistently; a real CJK
/// file, whose characters Windows-1252 would cut at such a pipe, keeps its encoding.
fn encoding_and_layout(head: &[u8], complete: bool) -> Result<(&'static Encoding, Sniffed), ImportError> {
    let encoding = detect(head, complete)?;
    let (layout, consistency) = sniff_scored(&decode_sample(head, encoding));
    if !encoding.is_single_byte() && !is_unicode(encoding) {
        let (western, western_consistency) = sniff_scored(&decode_sample(head, WINDOWS_1252));
        if western_consistency > consistency + 1e-9 {
            return Ok((WINDOWS_1252, western));
        }
    }
    Ok((encoding, layout))
}

fn is_unicode(encoding: &'static Encoding) -> bool {
    encoding == UTF_8 || encoding == UTF_16LE || encoding == UTF_16BE
}

/// The encoding of a file whose first bytes are all ASCII, which says nothing of it: an export's first accented
/// name may come thousands of rows in. UTF-8 if the whole file is, else what the whole file looks like.
fn encoding_of_whole(path: &Path) -> Result<&'static Encoding, ImportError> {
    // Most such files are UTF-8 (or ASCII) throughout: one validating pass, and the detector only for the rest.
    if is_utf8(path)? {
        return Ok(UTF_8);
    }
    let mut file = File::open(path)?;
    let mut detector = chardetng::EncodingDetector::new();
    let mut mac = MacRomanEvidence::default();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut chunk)?;
        detector.feed(&chunk[..n], n == 0);
        mac.feed(&chunk[..n]);
        if n == 0 {
            return Ok(mac.decide(detector.guess(None, true)));
        }
    }
}

/// Whether the file reads as UTF-8, read in chunks (a character cut at a chunk's end is carried to the next):
/// UTF-8 throughout, or UTF-8 with a few sequences that are not (a line pasted from a Latin-1 file), which are
/// then refused row by row, as when such a line comes in the first bytes. Its UTF-8 characters must outnumber
/// the bytes that are not: a Windows-1252 file's accents are almost never valid UTF-8 by chance.
fn is_utf8(path: &Path) -> Result<bool, ImportError> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; (1 << 20) + 4];
    let (mut carried, mut whole) = (0, Utf8Tally::default());
    loop {
        let n = file.read(&mut buf[carried..])?;
        if n == 0 {
            whole.cut = carried;
            return Ok(whole.reads_as_utf8(true));
        }
        let filled = carried + n;
        let t = Utf8Tally::of(&buf[..filled]);
        (whole.multibyte, whole.invalid) = (whole.multibyte + t.multibyte, whole.invalid + t.invalid);
        buf.copy_within(filled - t.cut..filled, 0);
        carried = t.cut;
    }
}

fn open_csv(path: &Path, head: &[u8], complete: bool) -> Result<OpenedFile, ImportError> {
    let (encoding, mut layout) = encoding_and_layout(head, complete)?;
    let encoding = if encoding == UTF_8 && !complete && head.is_ascii() {
        let whole = encoding_of_whole(path)?;
        if whole != UTF_8 {
            layout = sniff_scored(&decode_sample(head, whole)).0;
        }
        whole
    } else {
        encoding
    };
    let delimiter = layout.delimiter.bytes().next().unwrap_or(b',');
    let blank = BlankLines::default();
    let quotes = blank.clone();
    let mut records = csv_records(path, encoding, delimiter, blank.clone())?;
    let line_of = move |r: &csv::StringRecord| blank.record_line(r.position().map(|p| p.line()).unwrap_or(1)) as u32;
    let mut header = None;
    for (i, r) in records.by_ref().enumerate() {
        let r = r.map_err(|e| malformed(&e))?;
        if i as u32 == layout.header_row {
            header = Some(r);
            break;
        }
    }
    let header = header.ok_or(ImportError::Empty)?;
    // A file without a header row: the row taken for it is the first row of values, and the columns are named
    // by what they hold (line 0: no line is the header).
    let (header_line, headers, first_row) = if layout.headerless {
        (0, layout.columns.clone(), Some(Ok(header)))
    } else {
        // A header guarded against formulas (a rejected-rows file) reads as it was written.
        let headers: Vec<String> = header
            .iter()
            .map(|h| crate::leads::csv::unguard_cell(h.trim_start_matches('\u{feff}').trim()).to_string())
            .collect();
        (line_of(&header), headers, None)
    };
    let width = headers.len();
    let mut records = first_row.into_iter().chain(records).peekable();
    let rows = std::iter::from_fn(move || loop {
        match records.next()? {
            Err(e) => return Some(Err(malformed(&e))),
            // Empty, or the end-of-file mark (Ctrl-Z) old DOS programs still write.
            Ok(r) if r.iter().all(|c| c.trim_matches(|ch: char| ch.is_whitespace() || ch == '\u{1a}').is_empty()) => {
                continue
            }
            Ok(r) => {
                let line = line_of(&r);
                if records.peek().is_none() && quotes.in_open_quote() {
                    if let Some(lines) = r.iter().next_back().and_then(swallowed_lines) {
                        let message = format!(
                            "a quote opened in this row is never closed: the {lines} lines after it were read as \
                             one value; close the quote and import again"
                        );
                        let cells = r.iter().map(str::to_string).collect();
                        return Some(Err(ImportError::Malformed { line: u64::from(line), message, cells }));
                    }
                }
                let spans = r.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
                if spans > 0 && quotes.stray_close_in(u64::from(line), u64::from(line) + spans) {
                    let message = format!(
                        "a quote opened in this row is closed only {spans} lines further, by a quote with more text \
                         after it: those lines were read as one value; check the quotes and import again"
                    );
                    let cells = r.iter().map(str::to_string).collect();
                    return Some(Err(ImportError::Malformed { line: u64::from(line), message, cells }));
                }
                let cells = match unwrapped_row(&r, delimiter, width) {
                    Some(cells) => cells,
                    None => r.iter().map(str::to_string).collect(),
                };
                return Some(Ok(RawRow { line, cells }));
            }
        }
    });
    Ok(OpenedFile {
        format: FileFormat::Csv,
        encoding: Some(encoding),
        delimiter: Some(delimiter),
        sheets: vec![],
        sheet: None,
        header_line,
        headers,
        rows: Box::new(rows),
    })
}

/// A row quoted as a whole (`"Laura,Herbst,,Interhyp, ""Digital Sales"",07 May 2021"`): LinkedIn's export
/// writes some rows so. Read as one cell, it would be refused for its width; its cells are the one value read
/// again as a row, when that gives the header's width exactly. A cell then quoted after a space keeps no quotes
/// around its text.
fn unwrapped_row(record: &csv::StringRecord, delimiter: u8, width: usize) -> Option<Vec<String>> {
    // One value on the line, no separator outside its quotes; and five columns at least (LinkedIn's are six or
    // seven), where a value that happens to hold as many separators as a row is unlikely: a firm's name
    // "Müller, Schmidt & Partner, Rechtsanwälte" alone on a line of a three-column file is a short row.
    let only = match record.len() {
        1 => record.get(0)?,
        _ => return None,
    };
    if width < 5 || !only.as_bytes().contains(&delimiter) {
        return None;
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(only.as_bytes());
    let mut rows = reader.records();
    let row = rows.next()?.ok()?;
    if rows.next().is_some() || row.len() != width {
        return None;
    }
    Some(
        row.iter()
            .map(|c| {
                let t = c.trim();
                match t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                    Some(inner) if !inner.is_empty() => inner.replace("\"\"", "\""),
                    _ => c.to_string(),
                }
            })
            .collect(),
    )
}

/// A quote never closed runs to the end of the file, which the CSV reader takes as the end of the value: the
/// last record's last value then holds every line after it (and the file's final line break, or its Ctrl-Z,
/// when it has them). Answered, for such a value, with how many lines it swallowed.
fn swallowed_lines(last_cell: &str) -> Option<usize> {
    let inner = last_cell.trim_end_matches('\u{1a}');
    let inner = inner.strip_suffix('\n').unwrap_or(inner);
    inner.contains('\n').then(|| inner.matches('\n').count())
}

/// How many data rows a CSV file holds: one quick pass that only splits (the run's progress and ETA).
pub(crate) fn count_rows(path: &Path, sheet: Option<&str>) -> Result<u32, ImportError> {
    // A malformed row counts: it is reported, not skipped.
    Ok(open(path, sheet)?.rows.count() as u32)
}

/// A cell formatted as a date, a time or a duration, as text. Its serial number is checked first: calamine's
/// conversion overflows (and panics) on one far outside Excel's years 1900 to 9999.
fn excel_date_time(dt: &calamine::ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if !(0.0..3_000_000.0).contains(&serial) {
        return serial.to_string();
    }
    if dt.is_duration() {
        // "[h]:mm": hours past a day are hours, not a date in January 1900.
        let minutes = (serial * 24.0 * 60.0).round() as u64;
        return format!("{}:{:02}", minutes / 60, minutes % 60);
    }
    match dt.as_datetime() {
        // A time of day only ("hh:mm"): a serial below one day, not 31 December 1899.
        Some(t) if serial < 1.0 => t.format("%H:%M:%S").to_string(),
        Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => serial.to_string(),
    }
}

/// An ISO 8601 duration as LibreOffice writes a time cell ("PT14H30M00S", "P1DT2H", "PT36H00M00S") the way
/// [`excel_date_time`] writes one: a time of day as "14:30:00", a longer span in hours and minutes ("36:00").
fn iso_duration_text(s: &str) -> Option<String> {
    let rest = s.trim().strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let days: f64 = match days.strip_suffix('D') {
        Some(n) => n.parse().ok()?,
        None if days.is_empty() => 0.0,
        None => return None,
    };
    let mut seconds = days * 86_400.0;
    let mut number = String::new();
    for c in time.chars() {
        let unit = match c {
            'H' => 3_600.0,
            'M' => 60.0,
            'S' => 1.0,
            _ => {
                number.push(c);
                continue;
            }
        };
        seconds += number.parse::<f64>().ok()? * unit;
        number.clear();
    }
    if !number.is_empty() || !(0.0..1e12).contains(&seconds) {
        return None;
    }
    let whole = seconds.round() as u64;
    Some(if whole < 86_400 {
        format!("{:02}:{:02}:{:02}", whole / 3_600, whole / 60 % 60, whole % 60)
    } else {
        format!("{}:{:02}", whole / 3_600, whole / 60 % 60)
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers as far as a float holds them exactly (2^53): a 16-digit lead or order id is its digits.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => format!("{}", *f as i64),
        // To the 15 significant digits a spreadsheet shows: "=1999.9*3" holds 5999.700000000001, which Excel
        // shows as 5999.7, and a deal value of that many decimals was refused.
        Data::Float(f) => format!("{f:.14e}").parse::<f64>().unwrap_or(*f).to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => excel_date_time(dt),
        // An .ods date or time is kept as ISO 8601 ("2026-05-01T14:30:00", "PT14H30M00S"): written as the same
        // cell of an .xlsx is.
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).replacen('T', " ", 1),
        Data::DurationIso(s) => iso_duration_text(s).unwrap_or_else(|| s.clone()),
        // As the spreadsheet shows it ("#N/A", "#DIV/0!"): the mapping refuses the row, naming the cell.
        Data::Error(e) => e.to_string(),
    }
}

/// The header: of the first rows about as full as the fullest of them (title lines come first in many exports),
/// the one naming the most known fields, as a CSV's is found (a block of facts above the table, "Bericht: …",
/// "Stand: …", is about as full as a narrow table); else the first of them.
fn header_index(rows: &[Vec<String>]) -> usize {
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
    let widest = rows.iter().take(20).map(filled).max().unwrap_or(0);
    let full = |r: &Vec<String>| filled(r) > 0 && filled(r) * 10 >= widest * 6;
    // Cells beyond the row's last filled one are the sheet's width, not the row's.
    let trimmed = |r: &Vec<String>| -> Vec<String> {
        let end = r.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1);
        r[..end].iter().map(|c| c.trim().to_string()).collect()
    };
    let named = rows
        .iter()
        .take(20)
        .enumerate()
        .filter(|(_, r)| full(r))
        .filter_map(|(i, r)| super::sniff::header_score(&trimmed(r)).map(|known| (known, std::cmp::Reverse(i))))
        .max()
        .map(|(_, std::cmp::Reverse(i))| i);
    let h = named.or_else(|| rows.iter().take(20).position(full)).unwrap_or(0);
    super::sniff::header_above_the_contacts(rows, h, |r| trimmed(r))
}

/// A cell merged down one column below the header (a company over the rows of its contacts) holds its value in
/// its first row only: each row it covers takes it. A cell merged across columns stays in its first (a note over
/// the columns beside it is not their value).
fn fill_merged_down(table: &mut [Vec<String>], merged: &[calamine::Dimensions], first_row: u32, header: usize) {
    for m in merged.iter().filter(|m| m.start.1 == m.end.1 && m.end.0 > m.start.0) {
        let col = m.start.1 as usize;
        let Some(top) = m.start.0.checked_sub(first_row).map(|r| r as usize).filter(|r| *r > header) else {
            continue;
        };
        let value = table.get(top).and_then(|r| r.get(col)).cloned().unwrap_or_default();
        if value.trim().is_empty() {
            continue;
        }
        let bottom = (m.end.0 - first_row) as usize;
        for row in table.iter_mut().take(bottom + 1).skip(top + 1) {
            if row.len() <= col {
                row.resize(col + 1, String::new());
            }
            if row[col].trim().is_empty() {
                row[col].clone_from(&value);
            }
        }
    }
}

/// Refuses a sheet of an .xlsx or .xlsb workbook whose values reach too far to lay out (see [`sheet_reach`]),
/// from its cells read one by one before calamine lays it out.
fn within_reach<RS: std::io::Read + std::io::Seek>(
    book: &mut calamine::Sheets<RS>,
    name: &str,
) -> Result<(), ImportError> {
    use calamine::DataType as _;
    let error = |e: &dyn std::fmt::Display| sheet_reach::sheet_unreadable(name, e);
    match book {
        calamine::Sheets::Xlsx(x) => {
            let mut cells = x.worksheet_cells_reader(name).map_err(|e| error(&e))?;
            sheet_reach::cells_within_reach(name, || loop {
                match cells.next_cell()? {
                    Some(c) if c.get_value().is_empty() => continue,
                    c => return Ok::<_, calamine::XlsxError>(c.map(|c| c.get_position())),
                }
            })
        }
        calamine::Sheets::Xlsb(x) => {
            let mut cells = x.worksheet_cells_reader(name).map_err(|e| error(&e))?;
            sheet_reach::cells_within_reach(name, || loop {
                match cells.next_cell()? {
                    Some(c) if c.get_value().is_empty() => continue,
                    c => return Ok::<_, calamine::XlsbError>(c.map(|c| c.get_position())),
                }
            })
        }
        _ => Ok(()),
    }
}

fn open_workbook(path: &Path, sheet: Option<&str>) -> Result<OpenedFile, ImportError> {
    let bytes = std::fs::read(path)?;
    // An .xls is a compound file whose tables calamine 0.32 trusts as it finds them: a damaged one made it panic,
    // or reserve more memory than there is. The `cfb` crate reads the file and says what is wrong; calamine
    // reads the workbook stream from a compound file written anew. A damage to the workbook's own records that
    // gets through is still one file refused, not the app's end.
    let bytes = if xls_formats::is_compound_file(&bytes) { xls_formats::rewrapped_workbook(&bytes)? } else { bytes };
    rapport_ics::contain::contain(std::panic::AssertUnwindSafe(|| read_workbook(bytes, sheet))).unwrap_or_else(|why| {
        tracing::warn!(%why, "the spreadsheet reader panicked on a damaged file");
        Err(ImportError::Spreadsheet(
            "the file is damaged: open it in Excel or LibreOffice, which may repair it, and save it again".into(),
        ))
    })
}

/// Whether one of a sheet's first rows reads as a header naming at least two lead fields.
fn names_lead_fields(range: &calamine::Range<Data>) -> bool {
    range.rows().take(20).any(|row| {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        super::suggest_mapping(&cells).iter().filter(|s| s.field.is_some()).count() >= 2
    })
}

fn read_workbook(bytes: Vec<u8>, sheet: Option<&str>) -> Result<OpenedFile, ImportError> {
    type Opened<'a> = Result<calamine::Sheets<std::io::Cursor<&'a [u8]>>, calamine::Error>;
    fn open(bytes: &[u8]) -> Result<Opened<'_>, ImportError> {
        // calamine reads an .ods whole, every sheet, as it opens it: its reach is measured before.
        if sheet_reach::is_ods(bytes) {
            sheet_reach::ods_within_reach(bytes)?;
        }
        Ok(calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)))
    }
    let refused = match open(&bytes)? {
        Ok(book) => match read_book(book, &bytes, sheet) {
            // A sheet calamine stops on may be one of the departures put right below.
            Err(ImportError::Spreadsheet(why)) if zip_kind::is_zip(&bytes) => Err(ImportError::Spreadsheet(why)),
            read => return read,
        },
        Err(e) if !zip_kind::is_zip(&bytes) => return Err(ImportError::Spreadsheet(e.to_string())),
        Err(e) => {
            tracing::debug!(%e, "calamine refused a zipped workbook");
            Err(zip_kind::unreadable_zip(&bytes))
        }
    };
    // Refused as it is: put right what Excel and LibreOffice take and calamine does not, and read that.
    if let Some(fixed) = workbook_repair::repaired(&bytes) {
        if let Ok(book) = open(&fixed)? {
            return read_book(book, &fixed, sheet);
        }
    }
    refused
}

/// Reads the sheet to import of workbook `book`, opened from `bytes`.
fn read_book<RS: std::io::Read + std::io::Seek>(
    mut book: calamine::Sheets<RS>,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<OpenedFile, ImportError> {
    // Tables only: a chart sheet has no cells (calamine refuses to read one as a worksheet, and the whole file was
    // refused for a chart placed before the data). The first table with data is taken, a visible one before a
    // hidden one (a lookup list kept out of sight).
    let metadata = book.sheets_metadata().to_vec();
    let sheets: Vec<String> =
        metadata.iter().filter(|m| m.typ == calamine::SheetType::WorkSheet).map(|m| m.name.clone()).collect();
    let hidden =
        |name: &String| metadata.iter().any(|m| &m.name == name && m.visible != calamine::SheetVisible::Visible);
    let (visible, out_of_sight): (Vec<&String>, Vec<&String>) = sheets.iter().partition(|n| !hidden(n));
    // Of those, the first whose table names lead fields: a cover sheet ("Teilnehmerliste Messe 2026", a few
    // lines about the list) before the table was read as nameless Drafts made of its lines.
    let mut chosen = None;
    let mut first_with_data = None;
    for name in visible.into_iter().chain(out_of_sight) {
        if sheet.is_some_and(|s| s != name) {
            continue;
        }
        within_reach(&mut book, name)?;
        let range = book.worksheet_range(name).map_err(|e| sheet_reach::sheet_unreadable(name, e))?;
        if sheet.is_some() || (!range.is_empty() && names_lead_fields(&range)) {
            chosen = Some((name.clone(), range));
            break;
        }
        if !range.is_empty() && first_with_data.is_none() {
            first_with_data = Some((name.clone(), range));
        }
    }
    let chosen = chosen.or(first_with_data);
    let (name, range) = match (chosen, sheet) {
        (Some(c), _) => c,
        (None, Some(s)) => {
            let names: Vec<String> = sheets.iter().map(|n| format!("\"{n}\"")).collect();
            return Err(ImportError::NoSheet(s.to_string(), names.join(", ")));
        }
        (None, None) => return Err(ImportError::Empty),
    };
    let ods = match &book {
        calamine::Sheets::Ods(_) => sheet_formats::ods_cells(bytes, &name),
        _ => Default::default(),
    };
    let merged = match &mut book {
        calamine::Sheets::Xlsx(x) => x.worksheet_merge_cells(&name).and_then(Result::ok).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.worksheet_merge_cells(&name).unwrap_or_default(),
        _ => ods.merged,
    };
    let digit_cells = match &book {
        calamine::Sheets::Xlsx(_) => sheet_formats::xlsx_digit_cells(bytes, &name),
        calamine::Sheets::Xls(_) => xls_formats::xls_digit_cells(bytes, &name),
        _ => Default::default(),
    };
    let ods_digits = ods.digits;
    let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c).unwrap_or(0) as usize;
    // A whole number in a cell formatted "00000" is written as the cell shows it, leading zeros included.
    let shown = |row: usize, col: usize, d: &Data| {
        let at = (first_row + row as u32, (first_col + col) as u32);
        if let (Some(text), Data::Float(v)) = (ods_digits.get(&at), d) {
            if text.parse::<f64>().is_ok_and(|n| n == *v) {
                return text.clone();
            }
        }
        let format = digit_cells.get(&at);
        match (format, d) {
            (Some(f), Data::Float(v)) if v.fract() == 0.0 && *v >= 0.0 && *v < 1e15 => f.show(&(*v as i64).to_string()),
            (Some(f), Data::Int(v)) if *v >= 0 => f.show(&v.to_string()),
            _ => cell_text(d),
        }
    };
    // Cells left of the used range are empty columns the header still has.
    let mut table: Vec<Vec<String>> = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let cells = r.iter().enumerate().map(|(j, d)| shown(i, j, d));
            std::iter::repeat_n(String::new(), first_col).chain(cells).collect()
        })
        .collect();
    let h = header_index(&table);
    // A sheet without a header row (see `sniff::headerless_columns`): its rows start where the header would.
    let unnamed = table.get(h..).and_then(|rows| {
        let trimmed: Vec<Vec<String>> =
            rows.iter().take(50).map(|r| r.iter().map(|c| c.trim().to_string()).collect()).collect();
        super::sniff::headerless_columns(&trimmed)
    });
    let first_values = if unnamed.is_some() { h } else { h + 1 };
    fill_merged_down(&mut table, &merged, first_row, h);
    let mut headers: Vec<String> = match &unnamed {
        Some(names) => names.clone(),
        None => table.get(h).cloned().unwrap_or_default().into_iter().map(|c| c.trim().to_string()).collect(),
    };
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    // A column of values with no header after the last named one (comments typed beside the table) is a column
    // still, named by its place and kept in the notes as a CSV's is: cut off, each of its rows was refused.
    let filled_to = |r: &Vec<String>| r.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1);
    let widest = table.iter().skip(first_values).map(filled_to).max().unwrap_or(0);
    headers.resize(headers.len().max(widest), String::new());
    let width = headers.len();
    let header_line = if unnamed.is_some() { 0 } else { first_row + h as u32 + 1 };
    let rows = table.into_iter().enumerate().skip(first_values).filter_map(move |(i, mut cells)| {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        while cells.len() > width && cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        Some(Ok(RawRow { line: first_row + i as u32 + 1, cells }))
    });
    Ok(OpenedFile {
        format: FileFormat::Excel,
        encoding: None,
        delimiter: None,
        sheets,
        sheet: Some(name),
        header_line,
        headers,
        rows: Box::new(rows),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(bytes: &[u8]) -> (Vec<String>, Vec<Result<RawRow, String>>) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("f.csv");
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        let f = open(&p, None).unwrap_or_else(|e| panic!("{e}"));
        (f.headers, f.rows.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    /// Cells of a workbook as a person reads them: a formula's error as Excel spells it, times of day and
    /// durations as such, and a date far out of range without a panic.
    #[test]
    fn workbook_cells_read_as_shown() {
        use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
        let date = |v: f64, t| cell_text(&Data::DateTime(ExcelDateTime::new(v, t, false)));
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), "#N/A");
        // Numbers as the sheet shows them, not the binary arithmetic's last digits.
        assert_eq!(cell_text(&Data::Float(1999.9 * 3.0)), "5999.7");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(cell_text(&Data::Float(2974.9405)), "2974.9405");
        assert_eq!(cell_text(&Data::Float(-12.5)), "-12.5");
        assert_eq!(cell_text(&Data::Float(1.5e-7)), "0.00000015");
        assert_eq!(cell_text(&Data::Float(1_234_567_890_123_456.0)), "1234567890123456", "a 16-digit id");
        // An .ods keeps its dates and times as ISO 8601: written as an .xlsx's are, not "PT14H30M00S".
        let ods = |d: Data| cell_text(&d);
        assert_eq!(ods(Data::DurationIso("PT14H30M00S".into())), "14:30:00");
        assert_eq!(ods(Data::DurationIso("PT09H05M30.4S".into())), "09:05:30");
        assert_eq!(ods(Data::DurationIso("PT36H00M00S".into())), "36:00");
        assert_eq!(ods(Data::DurationIso("P1DT2H".into())), "26:00");
        assert_eq!(ods(Data::DurationIso("not a duration".into())), "not a duration");
        assert_eq!(ods(Data::DurationIso("PT5X".into())), "PT5X");
        assert_eq!(ods(Data::DateTimeIso("2026-05-01".into())), "2026-05-01");
        assert_eq!(ods(Data::DateTimeIso("2026-05-01T00:00:00".into())), "2026-05-01");
        assert_eq!(ods(Data::DateTimeIso("2026-05-01T14:30:00".into())), "2026-05-01 14:30:00");
        assert_eq!(cell_text(&Data::Error(CellErrorType::Div0)), "#DIV/0!");
        assert_eq!(date(45943.0, ExcelDateTimeType::DateTime), "2025-10-13");
        assert_eq!(date(45943.5, ExcelDateTimeType::DateTime), "2025-10-13 12:00:00");
        assert_eq!(date(0.5, ExcelDateTimeType::DateTime), "12:00:00");
        assert_eq!(date(1.5, ExcelDateTimeType::TimeDelta), "36:00");
        for far in [-1e12, 1e12, f64::MAX, f64::NAN] {
            let _ = date(far, ExcelDateTimeType::DateTime);
        }
    }

    /// A quote never closed is told from the quoted value that holds it and from a quote inside an unquoted
    /// value (an inch mark), with or without the file's final line break: the swallowing row is refused, the
    /// others read as they are.
    #[test]
    fn a_quote_never_closed_is_found_however_the_file_ends() {
        let refused = |bytes: &[u8]| {
            let (_, rows) = rows_of(bytes);
            rows.iter()
                .filter_map(|r| r.as_ref().err())
                .any(|e| e.contains("never closed") || e.contains("closed only"))
        };
        let unclosed = "first_name,email,notes\nAnn,ann@x.io,\"met at fair\nBo,bo@x.io,hi\nCy,cy@x.io,yo";
        for ending in ["", "\n", "\r\n", "\r\n\x1a", "\n\n"] {
            assert!(refused(format!("{unclosed}{ending}").as_bytes()), "ending {ending:?}");
        }
        // A later quote with text after it closes the open one, lines further: in the file's middle too, where
        // the rows after it are read as they are.
        assert!(refused(b"first_name,email,notes\nAnn,a@x.io,\"open\nBo,b@x.io,\"x\""));
        let (_, rows) = rows_of(b"first_name,notes\nAnn,\"5 inch\nBo,\"ok\"\nCy,z\n");
        assert!(rows[0].as_ref().is_err_and(|e| e.contains("line 2") || e.contains("closed only 1 lines")), "{rows:?}");
        assert_eq!(rows[1].as_ref().map(|r| (r.line, r.cells.clone())), Ok((4, vec!["Cy".into(), "z".into()])));
        // An inch mark makes the quotes odd in number; the quoted value after it is closed.
        let inch = b"first_name,notes\nAnn,5\" screen\nBo,\"two\nlines\"";
        assert!(!refused(inch));
        let (_, rows) = rows_of(inch);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(Result::is_ok), "{rows:?}");
        // An escaped quote in a closed value, at the very end.
        assert!(!refused(b"first_name,notes\nAnn,\"say \"\"hi\"\"\nthere\""));
        // The inch mark and an open quote: refused.
        assert!(refused(b"first_name,notes\nAnn,5\" screen\nBo,\"two\nlines\nCy,z"));
        // A semicolon file: a comma inside the open quote changes nothing.
        assert!(refused(b"first_name;notes\nAnn;\"a,b\nBo;c"));
    }

    /// A read that fails part-way is an error of the file, not a bad row.
    #[test]
    fn a_read_failing_part_way_is_an_error_not_a_bad_row() {
        struct Dropping(usize);
        impl std::io::Read for Dropping {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("the network share went away"));
                }
                self.0 -= 1;
                let line = b"Ann,ann@lee.io\n";
                buf[..line.len()].copy_from_slice(line);
                Ok(line.len())
            }
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(Dropping(3));
        let errors: Vec<ImportError> = reader.records().filter_map(Result::err).map(|e| malformed(&e)).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(matches!(&errors[0], ImportError::Io(e) if e.to_string().contains("network share")), "{errors:?}");
    }

    #[test]
    fn a_dos_end_of_file_mark_is_no_row() {
        let (_, rows) = rows_of(b"first_name,email\r\nAnn,ann@lee.io\r\n\x1a");
        assert_eq!(rows.len(), 1, "{rows:?}");
    }

    /// A stray control byte near the top (FileMaker's vertical tab for a line break in a field, a terminal escape
    /// pasted into a cell) is text with an odd byte, not a binary file: the file is read, and only such a row is
    /// refused later, as it would be further down. A file full of them is still refused.
    #[test]
    fn a_stray_control_byte_is_no_binary_file() {
        let (h, rows) = rows_of(b"first_name;notes\nAnn;call back\x0bMonday\nBo;\x1b[31mred\nCy;ok\n");
        assert_eq!(h, vec!["first_name", "notes"]);
        assert_eq!(rows.len(), 3);
        let mut binary = b"first_name;notes\n".to_vec();
        binary.extend((0..200u8).map(|i| if i % 3 == 0 { 0x01 } else { b'a' }));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("b.csv");
        std::fs::write(&p, &binary).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(open(&p, None), Err(ImportError::NotText)));
    }

    /// Excel for Mac's "CSV" is Mac OS Roman: read as such, not as Windows-1252 whose symbols its letters would
    /// become ("MŸller"). Windows-1252 with curly apostrophes and accents stays Windows-1252; so does a file whose
    /// first accent comes past the sample.
    #[test]
    fn excel_for_mac_csv_is_read_as_mac_roman() {
        let text = "Vorname;Nachname;Stadt\nJürgen;Müller;Köln\nJosé;Muñoz;Málaga\nZoë;O’Brien;Dún Laoghaire\n";
        let (mac, _, unmappable) = encoding_rs::MACINTOSH.encode(text);
        assert!(!unmappable);
        let (_, rows) = rows_of(&mac);
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        assert_eq!(cells[0], vec!["Jürgen", "Müller", "Köln"]);
        assert_eq!(cells[1], vec!["José", "Muñoz", "Málaga"]);
        assert_eq!(cells[2], vec!["Zoë", "O’Brien", "Dún Laoghaire"]);
        let (windows, _, _) = WINDOWS_1252.encode(text);
        let (_, rows) = rows_of(&windows);
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        assert_eq!(cells[2], vec!["Zoë", "O’Brien", "Dún Laoghaire"]);
        let mut late = b"first_name;last_name;city\n".to_vec();
        while late.len() <= SAMPLE_BYTES {
            late.extend(b"Ann;Lee;Leeds\n");
        }
        late.extend(encoding_rs::MACINTOSH.encode("Jürgen;Müller;Köln\nJosé;Muñoz;Málaga\n").0.iter());
        let (_, rows) = rows_of(&late);
        let last = rows.into_iter().filter_map(Result::ok).next_back().map(|r| r.cells);
        assert_eq!(last, Some(vec!["José".to_string(), "Muñoz".to_string(), "Málaga".to_string()]));
    }

    /// A Spanish list from Excel for Mac whose only accents are ñ and ó (dashes in Windows-1252) is Mac OS Roman.
    #[test]
    fn spanish_names_from_a_mac_are_mac_roman() {
        let text = "Nombre;Apellido;Ciudad\nAna;Muñoz;Sevilla\nLuis;Gómez;Toledo\nEva;López;Avila\nJuan;Peña;Cadiz\n";
        let (mac, _, unmappable) = encoding_rs::MACINTOSH.encode(text);
        assert!(!unmappable);
        let (_, rows) = rows_of(&mac);
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        let surnames: Vec<&str> = cells.iter().map(|r| r[1].as_str()).collect();
        assert_eq!(surnames, ["Muñoz", "Gómez", "López", "Peña"]);
    }

    /// A US export in Windows-1252 with its punctuation after words (a trademark sign, an ellipsis, a dash between
    /// two words) is not Mac OS Roman, where those bytes are accented letters: it was read so ("Acmeô Corp",
    /// "approvedócall", "JosÈ") without a word.
    #[test]
    fn windows_punctuation_after_a_word_is_no_mac_letter() {
        let text = "Company,Contact,Email,Notes\nAcme™ Corp,José Lee,ann@acme.com,Budget approved—call in May\n\
                    Globex,Bob Ray,bob@globex.com,Prefers email…\nInitech,Ana Ruiz,ana@initech.com,Q3—maybe\n";
        let (windows, _, unmappable) = WINDOWS_1252.encode(text);
        assert!(!unmappable);
        let (_, rows) = rows_of(&windows);
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        assert_eq!(cells[0], vec!["Acme™ Corp", "José Lee", "ann@acme.com", "Budget approved—call in May"]);
        assert_eq!((cells[1][3].as_str(), cells[2][3].as_str()), ("Prefers email…", "Q3—maybe"));
    }

    /// An "Excel" export that is a web page is refused saying so, not read as rows of markup.
    #[test]
    fn an_html_table_saved_as_xls_is_refused_saying_what_it_is() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("report.xls");
        for page in [
            &b"<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><body><table><tr><td>Name</td></tr></table>"[..],
            b"\xEF\xBB\xBF\r\n  <!DOCTYPE html><html><table>",
            b"<TABLE border=1><TR><TH>First Name</TH><TH>Email</TH></TR></TABLE>",
        ] {
            std::fs::write(&p, page).unwrap_or_else(|e| panic!("{e}"));
            assert!(matches!(open(&p, None), Err(ImportError::WebPage)), "{}", String::from_utf8_lossy(page));
        }
        // A CSV whose first cell merely mentions a tag is a CSV.
        let (h, _) = rows_of(b"notes,email\n<b>vip</b>,a@b.io\n");
        assert_eq!(h, vec!["notes", "email"]);
    }

    /// Spreadsheets written as text in formats of their own (Excel 2003 XML, in UTF-8 or UTF-16; flat ODS; SYLK)
    /// are refused saying what they are: read as CSV, an Excel XML workbook imported as 58 Draft leads made of
    /// its markup.
    #[test]
    fn a_spreadsheet_written_as_xml_or_sylk_is_refused_saying_what_it_is() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("contacts.xls");
        let spreadsheet_ml = "<?xml version=\"1.0\"?>\r\n<?mso-application progid=\"Excel.Sheet\"?>\r\n<Workbook \
            xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"><DocumentProperties><Author>Microsoft</Author>";
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain(spreadsheet_ml.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let fods = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" office:mimetype=\"application/vnd.oasis.opendocument.spreadsheet\">";
        for (bytes, what) in [
            (spreadsheet_ml.as_bytes(), "Excel 2003 XML"),
            (&utf16[..], "Excel 2003 XML"),
            (&fods[..], "flat OpenDocument"),
            (&b"ID;PWXL;N;E\r\nC;Y1;X1;K\"Name\"\r\n"[..], "SYLK"),
            (&b"<?xml version=\"1.0\"?><contacts><contact/></contacts>"[..], "XML document"),
            (&b"\x09\x04\x06\x00\x00\x00\x10\x00"[..], "Excel 4 or older"),
        ] {
            std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
            match open(&p, None) {
                Err(e @ ImportError::OtherSpreadsheet(_)) => assert!(e.to_string().contains(what), "{e}"),
                other => panic!("{what}: {:?}", other.map(|f| f.headers)),
            }
        }
    }

    /// A line under a narrow list (a count, a legend) as full as the fullest row is no header: the contacts above
    /// it were left out without a word, and the import said it read no row. One address in a title above the
    /// header is a title.
    #[test]
    fn a_line_under_a_narrow_list_is_no_header() {
        let table = |rows: &[&[&str]]| -> Vec<Vec<String>> {
            rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
        };
        let emails: Vec<String> = (0..10).map(|i| format!("a{i}@lee.io")).collect();
        let mut list: Vec<Vec<&str>> = vec![vec!["Email"]];
        list.extend(emails.iter().map(|e| vec![e.as_str()]));
        list.extend([vec![""], vec!["Total", "10"]]);
        let rows: Vec<&[&str]> = list.iter().map(Vec::as_slice).collect();
        assert_eq!(header_index(&table(&rows)), 0);
        // No header at all: the list starts at the first row (read then as a list without a header).
        let bare: Vec<Vec<&str>> = emails
            .iter()
            .map(|e| vec![e.as_str(), "+44 20 7946 0018"])
            .chain([vec!["Legend:", "a", "b", "c"]])
            .collect();
        let rows: Vec<&[&str]> = bare.iter().map(Vec::as_slice).collect();
        assert_eq!(header_index(&table(&rows)), 0);
        let titled = table(&[
            &["Export for ann@example.com"],
            &["First Name", "Last Name", "Email"],
            &["Bo", "Ray", "bo@ray.io"],
            &["Cy", "Orr", "cy@orr.io"],
        ]);
        assert_eq!(header_index(&titled), 1);
    }

    /// LinkedIn's Connections.csv quotes some rows as a whole: their cells are read from the one value, and a
    /// row that is one value for another reason is left as it is (and refused for its width).
    #[test]
    fn a_row_quoted_as_a_whole_is_read_as_its_cells() {
        let file = "First Name,Last Name,Email Address,Company,Position,Connected On\n\
                    Ann,Lee,,Acme,CEO,07 May 2021\n\
                    \"Laura,Herbst,,Interhyp Gruppe, \"\"Digital Sales\"\",07 May 2021\"\n\
                    \"Ben,Ito,,\"\"Ito, Sato & Co\"\",CTO,08 May 2021\"\n\
                    \"Just one value, with a comma\"\n\
                    \"Lee, Ann\",,,,,\n";
        let (_, rows) = rows_of(file.as_bytes());
        let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
        assert_eq!(cells[1], ["Laura", "Herbst", "", "Interhyp Gruppe", "Digital Sales", "07 May 2021"]);
        assert_eq!(cells[2], ["Ben", "Ito", "", "Ito, Sato & Co", "CTO", "08 May 2021"]);
        assert_eq!(cells[3], ["Just one value, with a comma"]);
        assert_eq!(cells[4], ["Lee, Ann", "", "", "", "", ""]);
        // Three columns: a firm's name with two commas alone on its line is a short row, not three cells.
        let (_, rows) = rows_of("Company,Contact,City\n\"Müller, Schmidt & Partner, Rechtsanwälte\"\n".as_bytes());
        let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
        assert_eq!(cells[0], ["Müller, Schmidt & Partner, Rechtsanwälte"]);
    }

    /// Every data line ends with the delimiter (German and PHP exports): the header is the header, and no row
    /// above the first data line is lost.
    #[test]
    fn lines_ending_with_a_delimiter_keep_their_header_and_every_row() {
        let (h, rows) = rows_of(b"Vorname;E-Mail\r\nAnn;a@x.de;\r\nBo;b@x.de;\r\nCy;c@x.de;\r\n");
        assert_eq!(h, vec!["Vorname", "E-Mail"]);
        let lines: Vec<u32> = rows.iter().map(|r| r.as_ref().map(|r| r.line).unwrap_or(0)).collect();
        assert_eq!(lines, vec![2, 3, 4]);
    }

    #[test]
    fn quoted_newlines_keep_their_line_numbers() {
        let (h, rows) = rows_of(b"first_name;notes\r\nAnn;\"two\r\nlines\"\r\nBo;x\r\n");
        assert_eq!(h, vec!["first_name", "notes"]);
        let rows: Vec<RawRow> = rows.into_iter().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect();
        assert_eq!(rows[0], RawRow { line: 2, cells: vec!["Ann".into(), "two\nlines".into()] });
        assert_eq!(rows[1].line, 4);
    }

    /// The CSV reader skips empty lines and would stamp the row after them with the first one's number.
    #[test]
    fn rows_after_empty_lines_keep_their_line_numbers() {
        let (h, rows) = rows_of(b"\n\nfirst_name,email\nAnn,a@x.com\n\nBo,b@x\r\n\r\n\r\nCy,\"two\n\nlines\"\nDi,d@x");
        assert_eq!(h, vec!["first_name", "email"]);
        let lines: Vec<u32> = rows.iter().map(|r| r.as_ref().map(|r| r.line).unwrap_or(0)).collect();
        assert_eq!(lines, vec![4, 6, 9, 12]);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("f.csv");
        std::fs::write(&p, b"\n\nfirst_name,email\nAnn,a@x.com\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(open(&p, None).map(|f| f.header_line).unwrap_or(0), 3);
    }

    #[test]
    fn utf16_and_1252_are_decoded() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "Name\tStadt\nJürgen\tKöln\n".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        let (h, rows) = rows_of(&utf16);
        assert_eq!(h, vec!["Name", "Stadt"]);
        assert_eq!(rows[0].as_ref().map(|r| r.cells.clone()), Ok(vec!["Jürgen".to_string(), "Köln".to_string()]));
        let (_, rows) = rows_of(b"Name;Stadt\nJ\xFCrgen;K\xF6ln\n");
        assert_eq!(rows[0].as_ref().map(|r| r.cells[0].clone()), Ok("Jürgen".to_string()));
    }

    /// An export whose first accented name comes after the sample is read in its own encoding, not as UTF-8
    /// whose every later accent would be a replacement character; a UTF-8 one stays UTF-8.
    #[test]
    fn an_accent_past_the_sample_decides_the_encoding() {
        let mut ascii = b"first_name;last_name;city\n".to_vec();
        let mut n = 0;
        while ascii.len() <= SAMPLE_BYTES {
            ascii.extend(format!("Ann{n};Lee;Leeds\n").bytes());
            n += 1;
        }
        let mut latin1 = ascii.clone();
        latin1.extend(b"Jos\xE9;Mu\xF1oz;M\xE1laga\n");
        let (_, rows) = rows_of(&latin1);
        let last = rows.last().and_then(|r| r.as_ref().ok()).map(|r| r.cells.clone());
        assert_eq!(last, Some(vec!["José".to_string(), "Muñoz".to_string(), "Málaga".to_string()]));
        assert_eq!(rows.len(), n + 1, "every row");
        let mut utf8 = ascii;
        utf8.extend("José;Muñoz;Málaga\n".bytes());
        let (_, rows) = rows_of(&utf8);
        let last = rows.last().and_then(|r| r.as_ref().ok()).map(|r| r.cells.clone());
        assert_eq!(last, Some(vec!["José".to_string(), "Muñoz".to_string(), "Málaga".to_string()]));
    }

    /// The same near the top, in the bytes the encoding is guessed from: the file stays UTF-8, not every accent
    /// misread as Windows-1252 ("JÃ¼rgen") because one byte is not UTF-8.
    #[test]
    fn a_utf8_file_with_one_latin1_byte_near_the_top_stays_utf8() {
        let (_, rows) = rows_of(
            b"first_name;last_name;city\nJ\xC3\xBCrgen;M\xC3\xBCller;K\xC3\xB6ln\nJos\xE9;Ruiz;Malaga\nAnn;Lee;Leeds\n",
        );
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        assert_eq!(cells[0], vec!["Jürgen", "Müller", "Köln"]);
        assert!(cells[1][0].contains('\u{fffd}'), "the Latin-1 name is flagged for refusal: {:?}", cells[1]);
        assert_eq!(cells[2], vec!["Ann", "Lee", "Leeds"]);
        // A Windows-1252 file whose accents happen to hold one valid UTF-8 pair is still Windows-1252.
        let (_, rows) =
            rows_of(b"first_name;last_name\nJ\xFCrgen;M\xFCller\nRen\xE9;D\xC3\xA9j\xE0\nG\xF6ran;\xC5berg\n");
        let first = rows.into_iter().find_map(Result::ok).map(|r| r.cells);
        assert_eq!(first, Some(vec!["Jürgen".to_string(), "Müller".to_string()]));
    }

    /// A character cut by a chunk's end is whole again in the next chunk: still UTF-8.
    #[test]
    fn a_character_across_a_chunk_boundary_is_still_utf8() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("f.csv");
        // The first read takes (1 << 20) + 4 bytes: the "é" starts at its last one.
        let mut bytes = vec![b'a'; (1 << 20) + 3];
        bytes.extend("é;ü\n".bytes());
        std::fs::write(&p, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(is_utf8(&p).unwrap_or(false));
        let mut ascii = vec![b'a'; (1 << 20) + 3];
        ascii.push(0xE9);
        std::fs::write(&p, &ascii).unwrap_or_else(|e| panic!("{e}"));
        assert!(!is_utf8(&p).unwrap_or(true), "a cut character at the end is not UTF-8");
    }

    /// A UTF-8 file with one line pasted from a Windows-1252 one, past the bytes the encoding is guessed from:
    /// read as UTF-8 (that line refused, as it would be near the top), not all of it as Windows-1252.
    #[test]
    fn a_utf8_file_with_one_latin1_line_far_down_stays_utf8() {
        let mut bytes = b"first_name;last_name;city\n".to_vec();
        while bytes.len() < 70 * 1024 {
            bytes.extend(b"Ann;Lee;Leeds\n");
        }
        bytes.extend("Jürgen;Müller;Köln\n".bytes());
        bytes.extend(b"Jos\xE9;Ruiz;M\xE1laga\n");
        let (_, rows) = rows_of(&bytes);
        let cells: Vec<Vec<String>> = rows.into_iter().filter_map(Result::ok).map(|r| r.cells).collect();
        let n = cells.len();
        assert_eq!(cells[n - 2], vec!["Jürgen", "Müller", "Köln"]);
        assert!(cells[n - 1][0].contains('\u{fffd}'), "the Latin-1 line is flagged for refusal: {:?}", cells[n - 1]);
        // Windows-1252 throughout is still read as such.
        let mut latin = b"first_name;last_name;city\n".to_vec();
        while latin.len() < 70 * 1024 {
            latin.extend(b"Ann;Lee;Leeds\n");
        }
        latin.extend(b"Jos\xE9;Ruiz;M\xE1laga\nJ\xFCrgen;M\xFCller;K\xF6ln\n");
        let (_, rows) = rows_of(&latin);
        let last = rows.into_iter().filter_map(Result::ok).next_back().map(|r| r.cells);
        assert_eq!(last, Some(vec!["Jürgen".to_string(), "Müller".to_string(), "Köln".to_string()]));
    }

    /// Found by the fuzz test below: one `ß` before a pipe in a tiny Windows-1252 file was guessed to be Big5,
    /// whose character swallowed the separator and split the row in two.
    #[test]
    fn a_western_letter_before_a_separator_is_no_cjk_character() {
        let (h, rows) = rows_of(b"first_name|email|phone\n|\xDF|\"\n0\"\n");
        assert_eq!(h, vec!["first_name", "email", "phone"]);
        let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
        assert_eq!(cells, vec![vec!["".to_string(), "ß".to_string(), "\n0".to_string()]]);
        // A real Big5 file whose characters end in the pipe's byte keeps its encoding: Windows-1252 would cut
        // those characters and break the table instead.
        // (四, 院, 會 and 魯 end in 0x7C.)
        let table = "姓名|城市\n王四|臺北市\n林院|高雄市\n陳會|臺中市\n魯大文|新竹市\n李四|嘉義市\n張會|基隆市\n";
        let (h, rows) = rows_of(&encoding_rs::BIG5.encode(table).0);
        assert_eq!(h, vec!["姓名", "城市"]);
        let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
        let expected: Vec<Vec<String>> =
            table.lines().skip(1).map(|l| l.split('|').map(str::to_string).collect()).collect();
        assert_eq!(cells, expected);
    }

    mod fuzz {
        use super::super::*;
        use proptest::prelude::*;

        type Read = (Vec<String>, Vec<Result<RawRow, ImportError>>);

        fn open_bytes(bytes: &[u8]) -> Result<Read, ImportError> {
            let dir = tempfile::tempdir().map_err(ImportError::Io)?;
            let p = dir.path().join("f");
            std::fs::write(&p, bytes)?;
            let f = open(&p, None)?;
            Ok((f.headers, f.rows.collect()))
        }

        /// An export delivered as a zip of one list is read as that list; a zip of several says to unpack it.
        #[test]
        fn a_zip_of_one_list_is_read_and_of_several_is_named() {
            use std::io::Write as _;
            let zip_of = |files: &[(&str, &[u8])]| {
                let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                for (name, data) in files {
                    out.start_file(*name, zip::write::SimpleFileOptions::default())
                        .and_then(|()| out.write_all(data).map_err(Into::into))
                        .unwrap_or_else(|e| panic!("{e}"));
                }
                out.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
            };
            let csv = b"Email;Vorname\nann@lee.io;Ann\nbo@ray.io;Bo\n";
            let one = zip_of(&[("__MACOSX/._hubspot-contacts.csv", b"x"), ("export/hubspot-contacts.csv", csv)]);
            let (headers, rows) = open_bytes(&one).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(headers, ["Email", "Vorname"]);
            let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
            assert_eq!(cells, [["ann@lee.io", "Ann"], ["bo@ray.io", "Bo"]]);
            let several = zip_of(&[("contacts.csv", csv), ("companies.csv", b"Name\nAcme\n")]);
            let err = open_bytes(&several).map(|r| r.0).unwrap_err().to_string();
            assert!(err.contains("a zip archive holding \"contacts.csv\", \"companies.csv\": unpack it"), "{err}");
        }

        /// A header wider than a spreadsheet is refused, saying how wide it is; one as wide is read.
        #[test]
        fn a_header_wider_than_a_spreadsheet_is_refused() {
            let csv = |n: usize| {
                let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
                format!("{}\n{}\n", header.join(","), vec!["x"; n].join(","))
            };
            let (headers, rows) = open_bytes(csv(MAX_COLUMNS).as_bytes()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((headers.len(), rows.len()), (MAX_COLUMNS, 1));
            let err = open_bytes(csv(MAX_COLUMNS + 1).as_bytes()).map(|r| r.0).unwrap_err();
            assert!(matches!(err, ImportError::TooWide(16_385)), "{err}");
            assert!(err.to_string().starts_with("the file has 16385 columns"), "{err}");
        }

        /// The .xls the import tests read, as xlwt wrote it.
        fn xls() -> Vec<u8> {
            include_bytes!("../../../../tests/fixtures/xls/kunden.xls").to_vec()
        }

        /// An .xls cut short anywhere is refused as damaged, saying why where the compound file's reader can
        /// tell (calamine 0.32 panicked on a directory cut short).
        #[test]
        fn an_xls_cut_short_is_refused_as_damaged() {
            let bytes = xls();
            let mut caught = Vec::new();
            for end in (8..bytes.len()).step_by(7) {
                match open_bytes(&bytes[..end]) {
                    Err(ImportError::Spreadsheet(why)) if why.contains("damaged (") => {}
                    Err(ImportError::Spreadsheet(why)) => caught.push((end, why)),
                    Err(ImportError::Empty | ImportError::NotText) => {}
                    other => panic!("{end}: {:?}", other.map(|r| r.0)),
                }
            }
            assert!(caught.is_empty(), "{caught:?}");
        }

        /// A BIFF8 workbook of one sheet, written record by record: the globals (BOF, CODEPAGE, BOUNDSHEET, EOF),
        /// then the sheet's BOF, `cells` (whole records) and EOF, in a compound file.
        fn tiny_xls(globals: &[Vec<u8>], cells: &[Vec<u8>]) -> Vec<u8> {
            let bof = |dt: u16| record(0x0809, &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat());
            let sheet_name = [&[5u8, 0][..], b"Leute"].concat();
            let boundsheet = |at: u32| record(0x0085, &[&at.to_le_bytes()[..], &[0, 0], &sheet_name].concat());
            let head: Vec<Vec<u8>> =
                [vec![bof(0x0005), record(0x0042, &1200u16.to_le_bytes())], globals.to_vec()].concat();
            let head_len: usize = head.iter().map(Vec::len).sum::<usize>() + boundsheet(0).len() + 4;
            let mut stream: Vec<u8> = head.concat();
            stream.extend(boundsheet(head_len as u32));
            stream.extend(record(0x000A, &[]));
            stream.extend(bof(0x0010));
            stream.extend(cells.concat());
            stream.extend(record(0x000A, &[]));
            compound_file("/Workbook", &stream)
        }

        /// A compound file in memory holding one stream.
        fn compound_file(name: &str, data: &[u8]) -> Vec<u8> {
            use std::io::Write as _;
            let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("in memory");
            file.create_stream(name).and_then(|mut s| s.write_all(data)).expect("in memory");
            file.flush().expect("in memory");
            file.into_inner().into_inner()
        }

        fn record(kind: u16, data: &[u8]) -> Vec<u8> {
            [&kind.to_le_bytes()[..], &(data.len() as u16).to_le_bytes(), data].concat()
        }

        /// A LABEL record: text at (row, col), one byte a character.
        fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
            let at = [row.to_le_bytes(), col.to_le_bytes(), 0u16.to_le_bytes()].concat();
            record(0x0204, &[&at[..], &(text.len() as u16).to_le_bytes(), &[0], text.as_bytes()].concat())
        }

        /// A cell whose formula calamine 0.32 cannot write as text (a function it does not know, or tokens cut
        /// short) is read by the value Excel saved with it, and the file imports: such files were refused as
        /// damaged, for a formula's text an import never reads. So do the defined names and the table of other
        /// sheets a BIFF5 workbook writes in its own layout.
        #[test]
        fn a_formula_calamine_cannot_read_still_gives_its_saved_value() {
            let formula = |tokens: &[u8]| {
                // At (1, 1): a text result (its value in the STRING record after), then the tokens.
                let head = [&1u16.to_le_bytes()[..], &1u16.to_le_bytes(), &0u16.to_le_bytes()].concat();
                let value = [0u8, 0, 0, 0, 0, 0, 0xFF, 0xFF];
                let tail = [&[0u8; 6][..], &(tokens.len() as u16).to_le_bytes(), tokens].concat();
                record(0x0006, &[&head[..], &value, &tail].concat())
            };
            let string = record(0x0207, &[&15u16.to_le_bytes()[..], &[0], b"ann@example.com"].concat());
            let header = [label(0, 0, "Vorname"), label(0, 1, "E-Mail"), label(1, 0, "Ann")];
            let expected = (
                vec!["Vorname".to_string(), "E-Mail".to_string()],
                vec![vec!["Ann".to_string(), "ann@example.com".to_string()]],
            );
            let read = |bytes: &[u8]| {
                let (headers, rows) = open_bytes(bytes).unwrap_or_else(|e| panic!("{e}"));
                (headers, rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_else(|e| panic!("{e}"))).collect())
            };
            // A function past calamine's table (tFunc 0x21, then its number), and a reference cut short.
            for tokens in [&[0x21u8, 0xFF, 0x7F][..], &[0x24, 0x01]] {
                let cells = [header.to_vec(), vec![formula(tokens), string.clone()]].concat();
                assert_eq!(read(&tiny_xls(&[], &cells)), expected, "{tokens:?}");
            }
            // An ExternSheet of BIFF5's layout (shorter than BIFF8's six bytes a sheet), and a name cut short.
            let globals = [record(0x0017, &[2, 0, 1, 0]), record(0x0018, &[0, 0, 0, 9, 0xFF, 0xFF])];
            let cells = [header.to_vec(), vec![formula(&[0x1E, 0x01, 0x00]), string.clone()]].concat();
            assert_eq!(read(&tiny_xls(&globals, &cells)), expected);
        }

        /// An Office file of another kind, or a workbook encrypted by a password, is refused saying what it is
        /// and what to do, rather than that a "Workbook" stream is missing.
        #[test]
        fn a_compound_file_without_a_workbook_says_what_it_is() {
            for (stream, says) in [
                ("/EncryptedPackage", "protected by a password to open: open it in Excel, remove the password"),
                ("/WordDocument", "a Word document, not a spreadsheet"),
                ("/__substg1.0_0037001F", "an Office document without a workbook"),
            ] {
                let err = open_bytes(&compound_file(stream, b"0123456789")).map(|r| r.0).unwrap_err().to_string();
                assert!(err.contains(says), "{stream}: {err}");
            }
        }

        /// An .xls saved with a password (its records after FILEPASS encrypted, its sheets' extents read as
        /// noise) is refused as encrypted, saying how to remove the protection, not as damaged.
        #[test]
        fn an_encrypted_xls_says_it_is_encrypted() {
            let header = [label(0, 0, "Vorname"), label(0, 1, "E-Mail")];
            // RC4 CryptoAPI's header: a version, then encrypted noise the sheet's DIMENSIONS also becomes.
            let filepass = record(0x002F, &[1, 0, 4, 0, 2, 0, 0xA7, 0x3B, 0x91, 0x0E]);
            let noise = record(0x0200, &[0xF1, 0x9C, 0x22, 0xD7, 0x5E, 0x11, 0x80, 0xAB, 0x33, 0x4C, 0, 0, 0, 0]);
            let err = open_bytes(&tiny_xls(&[filepass], &[vec![noise], header.to_vec()].concat()))
                .map(|r| r.0)
                .unwrap_err()
                .to_string();
            assert!(err.contains("the workbook is encrypted") && err.contains("remove the protection"), "{err}");
            assert!(!err.contains("damaged"), "{err}");
            // The same workbook without the FILEPASS reads.
            let headers = open_bytes(&tiny_xls(&[], &header)).map(|r| r.0).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(headers, ["Vorname", "E-Mail"]);
        }

        /// Lengths in the compound file's header and directory that calamine 0.32 reserved memory by, made
        /// impossible: the file is read as it was or refused as damaged, and the process lives. A test run
        /// ended on one (a directory of 867 GB); a panic's catching cannot stop an allocation's failure.
        #[test]
        fn an_xls_whose_tables_state_impossible_lengths_is_read_or_refused() {
            let bytes = xls();
            let intact = open_bytes(&bytes).map(|(h, rows)| (h, rows.into_iter().map(|r| r.ok()).collect::<Vec<_>>()));
            let intact = intact.unwrap_or_else(|e| panic!("{e}"));
            assert!(intact.1.len() > 2 && intact.1.iter().all(Option::is_some), "{intact:?}");
            let entry = |name: &str| {
                let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
                bytes.windows(utf16.len()).position(|w| w == utf16).expect("the directory entry")
            };
            let (root, workbook) = (entry("Root Entry"), entry("Workbook"));
            // (offset, little-endian u32): the header's directory, FAT and mini FAT lengths (the mini FAT's
            // also makes calamine read the root's mini stream), then the root's and the workbook's lengths.
            let damages = [
                (40, 0x6500_0000),
                (44, u32::MAX),
                (64, 0x6500_0000),
                (64, 1),
                (root + 120, u32::MAX - 63),
                (workbook + 120, u32::MAX),
                (workbook + 120, 0x8000_0000),
            ];
            for (at, value) in damages {
                let mut damaged = bytes.clone();
                damaged[at..at + 4].copy_from_slice(&value.to_le_bytes());
                match open_bytes(&damaged) {
                    Ok((h, rows)) => {
                        let rows: Vec<_> = rows.into_iter().map(|r| r.ok()).collect();
                        assert_eq!((h, rows), intact, "{at}: {value:#x}");
                    }
                    Err(ImportError::Spreadsheet(why)) => assert!(why.contains("damaged ("), "{at}: {value:#x}: {why}"),
                    Err(e) => panic!("{at}: {value:#x}: {e}"),
                }
            }
        }

        /// A sheet stating four billion rows made calamine reserve room for them and the process end out of
        /// memory, and a cell past the 256th column made it lay out a grid as wide: both are refused before.
        #[test]
        fn an_xls_stating_an_impossible_extent_is_refused() {
            let bytes = xls();
            let dimensions = [0x00, 0x02, 14, 0];
            let at = bytes.windows(4).rposition(|w| w == dimensions).expect("the sheet's DIMENSIONS record");
            for (first, end) in [(0u32, u32::MAX), (0, 70_000), (9, 5), (5, 5)] {
                let mut damaged = bytes.clone();
                damaged[at + 4..at + 8].copy_from_slice(&first.to_le_bytes());
                damaged[at + 8..at + 12].copy_from_slice(&end.to_le_bytes());
                let err = open_bytes(&damaged).map(|r| r.0).unwrap_err().to_string();
                assert!(err.contains("damaged (a sheet states rows"), "{first}..{end}: {err}");
            }
            // One cell moved to column 60,001 made calamine lay out a grid of 60,001 columns by the rows: 22 GB.
            let label_sst = [0xFD, 0x00, 10, 0];
            let at = bytes.windows(4).rposition(|w| w == label_sst).expect("a cell's LABELSST record");
            for col in [256u16, 60_000, u16::MAX] {
                let mut damaged = bytes.clone();
                damaged[at + 6..at + 8].copy_from_slice(&col.to_le_bytes());
                let err = open_bytes(&damaged).map(|r| r.0).unwrap_err().to_string();
                let expected = format!("damaged (a cell stands in column {}, past", u32::from(col) + 1);
                assert!(err.contains(&expected), "{col}: {err}");
            }
            let mut edge = bytes.clone();
            edge[at + 6..at + 8].copy_from_slice(&255u16.to_le_bytes());
            assert!(open_bytes(&edge).is_ok(), "the 256th column is a sheet's last");
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

            /// Whatever a file holds, it is rows or a clear refusal, never a panic.
            #[test]
            fn any_bytes_give_rows_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
                let _ = open_bytes(&bytes);
            }

            /// An .xls (xlwt's, as the import tests read it) with bytes changed anywhere, its compound file's
            /// tables and the workbook's records alike: rows or a clear refusal, never a panic.
            #[test]
            fn a_damaged_xls_gives_rows_or_an_error(
                changes in proptest::collection::vec((0usize..5632, any::<u8>()), 1..12),
                cut in 2000usize..6000,
            ) {
                let mut bytes = xls();
                for (at, byte) in changes {
                    if let Some(b) = bytes.get_mut(at) {
                        *b = byte;
                    }
                }
                bytes.truncate(cut);
                let _ = open_bytes(&bytes);
            }

            /// A CSV of random cells (quotes, separators, line breaks, accents, in any of the encodings) keeps
            /// every non-blank row: each comes out as a row with its cells, none dropped.
            #[test]
            fn every_nonblank_row_comes_out(
                cells in proptest::collection::vec(proptest::collection::vec("[ -~éüß\u{0660};\"\n\r]{0,10}", 3), 1..25),
                delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(b'|')],
                encoding in 0..3u8,
            ) {
                let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
                w.write_record(["first_name", "email", "phone"]).unwrap_or_default();
                for row in &cells { w.write_record(row).unwrap_or_default(); }
                let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
                let bytes = match encoding {
                    0 => text.clone().into_bytes(),
                    1 => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
                    _ => encoding_rs::WINDOWS_1252.encode(&text.replace('\u{0660}', "0")).0.into_owned(),
                };
                let (headers, rows) = open_bytes(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(headers, vec!["first_name", "email", "phone"]);
                let normalize = |c: &str| {
                    let c = c.replace("\r\n", "\n").replace('\r', "\n");
                    if encoding == 2 { c.replace('\u{0660}', "0") } else { c }
                };
                let expected: Vec<Vec<String>> = cells
                    .iter()
                    .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
                    .map(|r| r.iter().map(|c| normalize(c)).collect())
                    .collect();
                // A line refused as below the table (a total, a note) still comes out, with its cells.
                let got: Vec<Vec<String>> = rows
                    .into_iter()
                    .map(|r| match r {
                        Ok(r) => r.cells,
                        Err(ImportError::Malformed { cells, .. }) => cells,
                        Err(_) => Vec::new(),
                    })
                    .collect();
                if encoding == 2 {
                    // A few accents in a tiny file may be read in another legacy encoding: "ßß" alone is as likely
                    // ISO-8859-5's "пп", and "üA" one Shift_JIS character (a real file has the words to tell:
                    // "Jürgen;MÜLLER" is Windows-1252). Only cells with accents may differ: every row and cell is
                    // there, every cell without accents is the file's, and nothing is undecodable.
                    prop_assert_eq!(got.len(), expected.len(), "no row is dropped");
                    for (g, e) in got.iter().zip(&expected) {
                        prop_assert_eq!(g.len(), e.len(), "{:?} for {:?}", g, e);
                        for (gc, ec) in g.iter().zip(e) {
                            prop_assert!(!gc.contains('\u{fffd}'), "{:?}", g);
                            if ec.is_ascii() {
                                prop_assert_eq!(gc, ec);
                            }
                        }
                    }
                } else {
                    prop_assert_eq!(got, expected, "no row is dropped or changed");
                }
            }
        }

        /// A zip of stored parts (an .xlsx or .ods written by hand), so that a test can damage a part's XML and
        /// still hand the readers a sound zip.
        fn zipped(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
            use std::io::Write as _;
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            for (name, bytes) in parts {
                zip.start_file(*name, stored).and_then(|()| Ok(zip.write_all(bytes)?)).expect("in memory");
            }
            zip.finish().expect("in memory").into_inner()
        }

        /// An .xlsx of one sheet: shared and inline strings, a number, a date in a workbook's own format, a
        /// merged region; each part as Excel names it.
        fn xlsx_parts() -> Vec<(&'static str, Vec<u8>)> {
            let ns = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;
            let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
            let parts = [
                ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
                ("_rels/.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
                ("xl/workbook.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Kunden" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
                ("xl/_rels/workbook.xml.rels", format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/></Relationships>"#)),
                ("xl/sharedStrings.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="4" uniqueCount="4"><si><t>Vorname</t></si><si><t>E-Mail</t></si><si><t>Kundennummer</t></si><si><r><t>J&amp;</t></r><r><t>ürgen</t></r></si></sst>"#)),
                ("xl/styles.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet {ns}><numFmts count="2"><numFmt numFmtId="164" formatCode="00000"/><numFmt numFmtId="165" formatCode="dd.mm.yyyy"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/></cellXfs></styleSheet>"#)),
                ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><dimension ref="A1:D3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>Seit</t></is></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t>j@example.de</t></is></c><c r="C2" s="1"><v>42</v></c><c r="D2" s="2"><v>45292</v></c></row><row r="3"><c r="A3" t="str"><f>A2</f><v>Jürgen</v></c><c r="B3" t="b"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells></worksheet>"#)),
            ];
            parts.into_iter().map(|(n, x)| (n, x.into_bytes())).collect()
        }

        /// An .ods of one sheet: repeated rows and cells, a spanned cell, a number shown with leading zeros.
        fn ods_parts() -> Vec<(&'static str, Vec<u8>)> {
            let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="Kunden"><table:table-row><table:table-cell office:value-type="string"><text:p>Vorname</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>PLZ</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="string" table:number-columns-spanned="1" table:number-rows-spanned="2"><text:p>J<text:s text:c="2"/>ürgen</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="1234"><text:p>01234</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="5"><table:table-cell table:number-columns-repeated="4"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
            vec![
                ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet".to_vec()),
                ("META-INF/manifest.xml", br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_vec()),
                ("content.xml", content.as_bytes().to_vec()),
            ]
        }

        /// A workbook its reader stops on says which sheet or part, in the reader's words, and how to get a file
        /// it reads: the program that opens it saves it again.
        #[test]
        fn a_workbook_its_reader_stops_on_says_where_and_what_to_do() {
            let mut parts = xlsx_parts();
            let sheet = parts.iter_mut().find(|(n, _)| *n == "xl/worksheets/sheet1.xml").expect("the sheet");
            sheet.1 = String::from_utf8_lossy(&sheet.1).replace(r#"t="b""#, r#"t="x""#).into_bytes();
            let err = open_bytes(&zipped(&parts)).map(|r| r.0).unwrap_err().to_string();
            assert!(
                err.contains("its sheet \"Kunden\" is not as a spreadsheet program writes it (Unknown cell"),
                "{err}"
            );
            assert!(err.ends_with("save it again as .xlsx, or export it as CSV"), "{err}");
            // A workbook part calamine reads nothing of, cut short.
            let mut parts = xlsx_parts();
            let book = parts.iter_mut().find(|(n, _)| *n == "xl/workbook.xml").expect("the workbook");
            book.1.truncate(book.1.len() / 2);
            let err = open_bytes(&zipped(&parts)).map(|r| r.0).unwrap_err().to_string();
            assert!(err.contains("a part of it is not as a spreadsheet program writes it ("), "{err}");
            assert!(
                err.ends_with("open it in Excel or LibreOffice and save it again as .xlsx, or export it as CSV"),
                "{err}"
            );
        }

        /// What Excel and LibreOffice open and calamine 0.32 refused is put right and read: an .ods without its
        /// "mimetype", a workbook part in UTF-16, a sheet's relationship under another prefix, a state of "show",
        /// a macro sheet beside the table.
        #[test]
        fn workbooks_other_programs_write_are_read() {
            let read = |parts: &[(&'static str, Vec<u8>)]| {
                open_bytes(&zipped(parts)).map(|(h, _)| h).unwrap_or_else(|e| panic!("{e}"))
            };
            let ods: Vec<_> = ods_parts().into_iter().filter(|(n, _)| *n != "mimetype").collect();
            assert_eq!(read(&ods), ["Vorname", "PLZ"]);
            let edit = |part: &str, change: &dyn Fn(String) -> Vec<u8>| {
                let mut parts = xlsx_parts();
                let p = parts.iter_mut().find(|(n, _)| *n == part).expect("the part");
                p.1 = change(String::from_utf8_lossy(&p.1).into_owned());
                parts
            };
            let header = ["Vorname", "E-Mail", "Kundennummer", "Seit"];
            let utf16 = edit("xl/workbook.xml", &|x| {
                let x = x.replace(r#"encoding="UTF-8""#, r#"encoding="UTF-16""#);
                x.encode_utf16().flat_map(u16::to_be_bytes).collect()
            });
            assert_eq!(read(&utf16), header);
            let prefixed = edit("xl/workbook.xml", &|x| {
                x.replace("xmlns:r=", "xmlns:ns=").replace(" r:id=", " ns:id=").into_bytes()
            });
            assert_eq!(read(&prefixed), header);
            let show =
                edit("xl/workbook.xml", &|x| x.replace(r#"sheetId="1""#, r#"sheetId="1" state="show""#).into_bytes());
            assert_eq!(read(&show), header);
            let macro_sheet = edit("xl/workbook.xml", &|x| {
                x.replace("</sheets>", r#"<sheet name="Macro1" sheetId="2" r:id="rId9"/></sheets>"#).into_bytes()
            });
            let macro_sheet: Vec<_> = macro_sheet
                .into_iter()
                .map(|(n, d)| match n {
                    "xl/_rels/workbook.xml.rels" => (n, String::from_utf8_lossy(&d).replace(
                        "</Relationships>",
                        r#"<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>"#,
                    ).into_bytes()),
                    _ => (n, d),
                })
                .collect();
            assert_eq!(read(&macro_sheet), header);
        }

        /// The hand-written workbooks read as written, so that the damaged ones below start from files the
        /// readers take.
        #[test]
        fn the_hand_written_workbooks_read() {
            let (h, rows) = open_bytes(&zipped(&xlsx_parts())).unwrap_or_else(|e| panic!("xlsx: {e}"));
            assert_eq!(h, ["Vorname", "E-Mail", "Kundennummer", "Seit"]);
            let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
            assert_eq!(cells[0][..3], ["J&ürgen", "j@example.de", "00042"]);
            assert!(cells[0][3].starts_with("2024-01-01"), "{:?}", cells[0]);
            let (h, rows) = open_bytes(&zipped(&ods_parts())).unwrap_or_else(|e| panic!("ods: {e}"));
            assert_eq!(h, ["Vorname", "PLZ"]);
            let cells: Vec<Vec<String>> = rows.into_iter().map(|r| r.map(|r| r.cells).unwrap_or_default()).collect();
            assert_eq!(cells, [["J  ürgen", "01234"], ["J  ürgen", "01234"]]);
        }

        /// An .ods whose content ends right after a sheet's start tag, as the fuzzing below first found it:
        /// calamine read on for ever at the end of the file, waiting for the sheet's end tag.
        #[test]
        fn an_ods_cut_short_inside_a_sheet_is_refused() {
            let mut parts = ods_parts();
            let content = &mut parts[2].1;
            let sheet = br#"<table:table table:name="Kunden">"#;
            let end = content.windows(sheet.len()).position(|w| w == sheet).expect("the sheet") + sheet.len();
            content.truncate(end);
            let err = refusal_within_a_minute(zipped(&parts));
            assert!(err.contains("damaged (its content is cut short, in sheet \"Kunden\")"), "{err}");
            // calamine takes a file for an .ods by the first 46 bytes of its mimetype, whatever follows: so does
            // the check, or such a file reached calamine unchecked.
            parts[0].1.extend_from_slice(b"-template\n");
            let err = refusal_within_a_minute(zipped(&parts));
            assert!(err.contains("damaged (its content is cut short, in sheet \"Kunden\")"), "{err}");
        }

        /// Why `bytes` are refused, failing the test rather than hanging it when the reader never ends.
        fn refusal_within_a_minute(bytes: Vec<u8>) -> String {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = tx.send(open_bytes(&bytes).map(|r| r.0).map_err(|e| e.to_string()));
            });
            match rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(read) => read.err().unwrap_or_else(|| panic!("read, not refused")),
                Err(_) => panic!("still reading the file after a minute"),
            }
        }

        /// A byte that a damaged or hand-edited part is likely to hold: any byte, or one of XML's own and a
        /// number's (a count or a cell reference grown by a digit is where a reader sizes what it lays out).
        fn xml_byte() -> impl Strategy<Value = u8> {
            prop_oneof![any::<u8>(), proptest::sample::select(b"0123456789<>/=\"&;: AZ".to_vec())]
        }

        /// Damages one part of `parts`: bytes changed, digits written into it, the part cut short.
        fn damaged(
            mut parts: Vec<(&'static str, Vec<u8>)>,
            part: usize,
            changes: Vec<(usize, u8)>,
            digits: Option<(usize, usize)>,
            cut: Option<usize>,
        ) -> Vec<u8> {
            let n = parts.len();
            let bytes = &mut parts[part % n].1;
            let len = bytes.len();
            for (at, byte) in changes {
                bytes[at % len] = byte;
            }
            if let Some((at, many)) = digits {
                let at = at % len;
                bytes.splice(at..at, std::iter::repeat_n(b'9', many));
            }
            if let Some(cut) = cut {
                bytes.truncate(cut % len);
            }
            zipped(&parts)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

            /// An .xlsx or an .ods whose parts' XML is damaged (bytes changed, a number grown, a part cut short)
            /// inside a sound zip: rows or a clear refusal, never a panic, an allocation that ends the app, or a
            /// read that never ends (an .ods cut short inside a sheet made calamine read on for ever).
            #[test]
            fn a_damaged_xlsx_or_ods_gives_rows_or_an_error(
                ods in any::<bool>(),
                part in any::<usize>(),
                changes in proptest::collection::vec((any::<usize>(), xml_byte()), 0..6),
                digits in proptest::option::of((any::<usize>(), 1usize..12)),
                cut in proptest::option::weighted(0.2, any::<usize>()),
            ) {
                let parts = if ods { ods_parts() } else { xlsx_parts() };
                let _ = open_bytes(&damaged(parts, part, changes, digits, cut));
            }
        }
    }
}
