//! Which encoding a text file is in, decided from its first bytes: a byte-order mark, UTF-16 without one
//! (Excel's "Unicode text"), valid UTF-8, otherwise chardetng's guess among the legacy encodings (Windows-1252
//! for Western European exports, but also 1250, KOI8, Shift_JIS... as browsers guess). Binary files are
//! refused rather than decoded into garbage.
use encoding_rs::{Encoding, MACINTOSH, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::error::ImportError;

/// How many leading bytes decide the encoding and the layout.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;

/// UTF-16 without a byte-order mark: text of mostly ASCII has a zero in every other byte.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let sample = &sample[..sample.len() & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zeros_at = |odd: usize| sample.iter().skip(odd).step_by(2).filter(|b| **b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 9 && even == 0 {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether the file starts as an HTML document or table: several CRMs and reporting tools export their "Excel"
/// files so, and read as delimited text they gave rows of markup.
fn is_web_page(sample: &[u8]) -> bool {
    let start = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
    let start: Vec<u8> =
        start.iter().skip_while(|b| b.is_ascii_whitespace()).take(64).map(u8::to_ascii_lowercase).collect();
    [&b"<!doctype html"[..], b"<html", b"<table", b"<?xml version=\"1.0\"?>\r\n<html", b"<meta"]
        .iter()
        .any(|tag| start.starts_with(tag))
}

/// Spreadsheets written as text in a format of their own, which read as delimited text gave rows of markup (an
/// Excel 2003 XML workbook imported as 58 Draft leads named "<Author>Microsoft</Author>"): what the file is.
fn other_spreadsheet(sample: &[u8]) -> Option<&'static str> {
    // Excel 2 to 4 began a workbook with a BOF record (0x0009, 0x0209, 0x0409) of its own, before Excel 97's
    // compound files: "not text, nor a spreadsheet" said nothing of what it was.
    if matches!(sample, [0x09, 0x00 | 0x02 | 0x04, 0x04 | 0x06, 0x00, ..]) {
        return Some("a workbook of Excel 4 or older");
    }
    let sample = &sample[..sample.len().min(8192)];
    // Excel writes its XML workbooks in UTF-16 as often as in UTF-8.
    let head = match Encoding::for_bom(sample) {
        Some((enc, _)) => enc.decode_with_bom_removal(sample).0.into_owned(),
        None => String::from_utf8_lossy(sample).into_owned(),
    };
    let head = head.trim_start().to_ascii_lowercase();
    if head.starts_with("id;p") || head.starts_with("id;n") {
        return Some("a SYLK spreadsheet (.slk)");
    }
    if !head.starts_with('<') {
        return None;
    }
    if head.contains("urn:schemas-microsoft-com:office:spreadsheet") || head.contains("progid=\"excel.sheet\"") {
        Some("an Excel 2003 XML spreadsheet")
    } else if head.contains("opendocument.spreadsheet") || head.contains("<office:document") {
        Some("a flat OpenDocument spreadsheet (.fods)")
    } else if head.contains("<html") {
        Some("a web page (HTML)")
    } else if head.starts_with("<?xml") {
        Some("an XML document, not a table of rows")
    } else {
        None
    }
}

/// `complete`: the sample is the whole file (a cut multi-byte character at its end is then an error).
pub(crate) fn detect(sample: &[u8], complete: bool) -> Result<&'static Encoding, ImportError> {
    if is_web_page(sample) {
        return Err(ImportError::WebPage);
    }
    if let Some(what) = other_spreadsheet(sample) {
        return Err(ImportError::OtherSpreadsheet(what));
    }
    if let Some((enc, _)) = Encoding::for_bom(sample) {
        return Ok(enc);
    }
    if let Some(enc) = utf16_without_bom(sample) {
        return Ok(enc);
    }
    // A NUL is binary (UTF-16 was found above). Other control bytes occur in text now and then (FileMaker writes a
    // vertical tab for a line break inside a field, a pasted terminal escape): one refused the whole file, when
    // the same byte further down refuses only its row. Many of them are a binary file.
    let controls = sample.iter().filter(|b| **b < 0x20 && !b"\t\r\n\x0b\x0c\x1a".contains(b)).count();
    if sample.contains(&0) || controls > 16 + sample.len() / 100 {
        return Err(ImportError::NotText);
    }
    // UTF-8, perhaps with a few bytes that are not (a name pasted from a Latin-1 file, refused row by row later):
    // chardetng rules UTF-8 out at the first such byte, and every accent of the file would be misread.
    let tally = Utf8Tally::of(sample);
    if tally.reads_as_utf8(complete) {
        return Ok(UTF_8);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, complete);
    let mut mac = MacRomanEvidence::default();
    mac.feed(sample);
    Ok(mac.decide(detector.guess(None, true)))
}

/// Excel for Mac saves "CSV" in Mac OS Roman, which chardetng never guesses: read as Windows-1252, its accented
/// letters come out as symbols ("MŸller", "JosŽ"), and every row imports so. The letters inside words tell the two
/// apart: Mac OS Roman keeps its small accented letters at 0x80–0x9F, where Windows-1252 has punctuation and a
/// few rare letters, and Windows-1252 keeps its own at 0xC0–0xFF, where Mac OS Roman has symbols.
/// Punctuation Windows-1252 puts right after a word ("Acme™ Corp", "email…", "approved—call") is no evidence: a
/// symbol counts only between two letters, and the curly quotes of both (an apostrophe inside "O’Brien") never
/// do. The dashes are ñ and ó in Mac OS Roman: they count only early in a capitalised word ("Muñoz", "Gómez",
/// "Peña"), where an English dash joining two words ("approved—call") does not fall.
#[derive(Default, Clone, Copy)]
pub(crate) struct MacRomanEvidence {
    mac: usize,
    windows: usize,
    /// The byte before `last`, and the last byte fed: a byte is judged once the one after it is known.
    before: u8,
    last: u8,
    /// The letters in a row up to `before`, and whether the first of them is a capital.
    run: usize,
    run_capital: bool,
}

impl MacRomanEvidence {
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.judge(b.is_ascii_alphabetic());
            if self.last.is_ascii_alphabetic() {
                if self.run == 0 {
                    self.run_capital = self.last.is_ascii_uppercase();
                }
                self.run += 1;
            } else if !(0x80..=0x9F).contains(&self.last) {
                // An accented letter (a byte of the upper half) carries the word on; anything else ends it.
                self.run = 0;
            }
            self.before = self.last;
            self.last = b;
        }
    }

    /// Weighs `last`, after a letter, by what it is in each encoding and whether a letter follows it.
    fn judge(&mut self, letter_follows: bool) {
        if !self.before.is_ascii_alphabetic() {
            return;
        }
        match self.last {
            // Curly quotes in both.
            0x91..=0x94 | 0xD2..=0xD5 => {}
            // ñ and ó in Mac OS Roman, dashes in Windows-1252.
            0x96 | 0x97 if letter_follows && self.run_capital && self.run <= 3 => self.mac += 1,
            0x96 | 0x97 => {}
            // No character in Windows-1252, or one of its rare letters (Š, Œ, Ž, š, œ, ž, Ÿ).
            0x81 | 0x8D | 0x8F | 0x90 | 0x9D | 0x8A | 0x8C | 0x8E | 0x9A | 0x9C | 0x9E | 0x9F => self.mac += 1,
            // A symbol in Windows-1252 (™, …, €, •, ‰): one inside a word is a Mac letter.
            0x80..=0x9F if letter_follows => self.mac += 1,
            0xC0..=0xFF => self.windows += 1,
            _ => {}
        }
    }

    /// `guess` (chardetng's), or Mac OS Roman where it guessed Windows-1252 and the letters say otherwise.
    pub(crate) fn decide(&self, guess: &'static Encoding) -> &'static Encoding {
        // The last byte fed has no byte after it: what ends the text is no letter.
        let mut evidence = *self;
        evidence.judge(false);
        if guess == WINDOWS_1252 && evidence.mac >= 2 && evidence.mac > 2 * evidence.windows {
            MACINTOSH
        } else {
            guess
        }
    }
}

/// What a run of bytes holds as UTF-8: its valid multi-byte characters, the sequences that are not UTF-8, and how
/// many bytes at its end start a character it cuts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf8Tally {
    pub multibyte: usize,
    pub invalid: usize,
    pub cut: usize,
}

impl Utf8Tally {
    pub(crate) fn of(bytes: &[u8]) -> Self {
        let leading = |bytes: &[u8]| bytes.iter().filter(|b| **b >= 0xC0).count();
        let mut t = Utf8Tally::default();
        let mut at = 0;
        while at < bytes.len() {
            match std::str::from_utf8(&bytes[at..]) {
                Ok(_) => {
                    t.multibyte += leading(&bytes[at..]);
                    break;
                }
                Err(e) => {
                    let valid = at + e.valid_up_to();
                    t.multibyte += leading(&bytes[at..valid]);
                    match e.error_len() {
                        Some(len) => {
                            t.invalid += 1;
                            at = valid + len;
                        }
                        None => {
                            t.cut = bytes.len() - valid;
                            break;
                        }
                    }
                }
            }
        }
        t
    }

    /// Whether text with this tally is UTF-8: no byte that is not, or far more UTF-8 characters than such bytes (a
    /// Windows-1252 file's accents are almost never valid UTF-8 by chance). A cut character at the end counts as
    /// not UTF-8 only when it ends the file (`complete`).
    pub(crate) fn reads_as_utf8(self, complete: bool) -> bool {
        let invalid = self.invalid + usize::from(complete && self.cut > 0);
        invalid == 0 || self.multibyte > invalid
    }
}

/// The sample as text, for sniffing the layout (a cut character at its end is dropped).
pub(crate) fn decode_sample(sample: &[u8], encoding: &'static Encoding) -> String {
    let (text, _, _) = encoding.decode(sample);
    text.trim_end_matches('\u{fffd}').to_string()
}

/// Runs of empty lines as (first line, how many), which the CSV reader skips without a word: it then stamps the
/// record after them with the line where its scan began, the run's first. Shared by [`UnixLines`], which finds
/// them as bytes stream through, and the reader of records, which takes them off as its records pass them (so
/// only the runs of the bytes read ahead are held).
/// It also carries whether the bytes read so far end inside a quoted value (at the end of the file, a quote
/// opened and never closed: the CSV reader takes the end of the file as its end, without a word), and the lines
/// where a quoted value opened that ran over line breaks and was closed only by a quote with more text after
/// it (`"5 inch` … `,"ok"`): the CSV reader reads the lines between as one value, without a word.
#[derive(Clone, Default)]
pub(crate) struct BlankLines(
    std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<(u64, u64)>>>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<u64>>>,
);

impl BlankLines {
    fn note_stray_close(&self, opened_on: u64) {
        let mut lines = match self.2.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        lines.push_back(opened_on);
    }

    /// Whether a quoted value that a stray quote closed (see above) opened on lines `first..=last`, the lines of
    /// one record; the lines before it are forgotten (records come in order).
    pub(crate) fn stray_close_in(&self, first: u64, last: u64) -> bool {
        let mut lines = match self.2.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        while lines.front().is_some_and(|l| *l < first) {
            lines.pop_front();
        }
        lines.front().is_some_and(|l| *l <= last)
    }

    /// Whether the bytes read so far end inside a quoted value.
    pub(crate) fn in_open_quote(&self) -> bool {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn note(&self, line: u64) {
        let mut runs = match self.0.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        match runs.back_mut() {
            Some((start, count)) if *start + *count == line => *count += 1,
            _ => runs.push_back((line, 1)),
        }
    }

    /// The line a record starts on, given the line its scan began on (`scan`): past the empty lines there.
    pub(crate) fn record_line(&self, scan: u64) -> u64 {
        let mut runs = match self.0.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        while runs.front().is_some_and(|(start, _)| *start < scan) {
            runs.pop_front();
        }
        match runs.front() {
            Some((start, count)) if *start == scan => scan + count,
            _ => scan,
        }
    }
}

/// A reader turning "\r\n" and lone "\r" into "\n" as bytes stream through, so the CSV reader's line numbers
/// are the lines an editor shows, whatever program wrote the file; it notes the empty lines it passes.
pub(crate) struct UnixLines<R> {
    inner: R,
    pending_cr: bool,
    /// A "\r" ended a read and its "\n" is already out: a "\n" right after it belongs to it.
    skip_lf: bool,
    buf: Vec<u8>,
    blank: BlankLines,
    /// The line the next byte is on, and whether it is the line's first.
    line: u64,
    at_line_start: bool,
    quoting: Quoting,
    delimiter: u8,
    /// The line the quoted value being read opened on, and whether it has run over a line break.
    quote_line: u64,
    quote_spans: bool,
}

/// Where the CSV reader stands in a value, followed as csv-core follows it (double quotes escape a quote, no
/// escape character): a quote opens a quoted value only at a value's start; a quote inside an unquoted value
/// (`5" screen`) is a character. Counting quotes cannot tell these apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    ValueStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted value: it closes it, unless another quote follows (an escaped quote).
    QuoteInQuoted,
}

impl Quoting {
    fn next(self, b: u8, delimiter: u8) -> Self {
        let ends_value = b == delimiter || b == b'\n';
        match self {
            Self::ValueStart if b == b'"' => Self::Quoted,
            Self::ValueStart | Self::Unquoted if ends_value => Self::ValueStart,
            Self::ValueStart | Self::Unquoted => Self::Unquoted,
            Self::Quoted if b == b'"' => Self::QuoteInQuoted,
            Self::Quoted => Self::Quoted,
            Self::QuoteInQuoted if b == b'"' => Self::Quoted,
            Self::QuoteInQuoted if ends_value => Self::ValueStart,
            Self::QuoteInQuoted => Self::Unquoted,
        }
    }
}

impl<R: std::io::Read> UnixLines<R> {
    pub(crate) fn new(inner: R, blank: BlankLines) -> Self {
        Self {
            inner,
            pending_cr: false,
            skip_lf: false,
            buf: vec![0; 64 * 1024],
            blank,
            line: 1,
            at_line_start: true,
            quoting: Quoting::ValueStart,
            delimiter: b',',
            quote_line: 0,
            quote_spans: false,
        }
    }

    /// The values' delimiter, for telling where a quoted value is open (a comma unless told).
    pub(crate) fn with_delimiter(self, delimiter: u8) -> Self {
        Self { delimiter, ..self }
    }

    fn step(&mut self, b: u8) {
        let after = self.quoting.next(b, self.delimiter);
        match (self.quoting, after) {
            (Quoting::ValueStart, Quoting::Quoted) => {
                self.quote_line = self.line;
                self.quote_spans = false;
            }
            (Quoting::Quoted, Quoting::Quoted) if b == b'\n' => self.quote_spans = true,
            (Quoting::QuoteInQuoted, Quoting::Unquoted) if self.quote_spans => {
                self.blank.note_stray_close(self.quote_line)
            }
            _ => {}
        }
        self.quoting = after;
    }

    fn note_quoting(&self) {
        self.blank.1.store(self.quoting == Quoting::Quoted, std::sync::atomic::Ordering::Relaxed);
    }

    fn newline(&mut self) {
        if self.at_line_start {
            self.blank.note(self.line);
        }
        self.line += 1;
        self.at_line_start = true;
    }
}

impl<R: std::io::Read> std::io::Read for UnixLines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let cap = out.len().min(self.buf.len());
        if cap == 0 {
            return Ok(0);
        }
        // The line break of a "\r" that ended the last read goes out alone, before anything is read: the bytes
        // read after it then never outnumber the room (each writes at most one), and a read that fails and is
        // tried again cannot take it along.
        let mut w = 0;
        loop {
            if self.pending_cr {
                self.pending_cr = false;
                self.skip_lf = true;
                self.newline();
                self.step(b'\n');
                self.note_quoting();
                out[0] = b'\n';
                return Ok(1);
            }
            let n = self.inner.read(&mut self.buf[..cap])?;
            if n == 0 {
                return Ok(w);
            }
            for i in 0..n {
                let b = self.buf[i];
                if std::mem::take(&mut self.skip_lf) && b == b'\n' {
                    continue;
                }
                if self.pending_cr {
                    self.pending_cr = false;
                    self.newline();
                    self.step(b'\n');
                    out[w] = b'\n';
                    w += 1;
                    if b == b'\n' {
                        continue;
                    }
                }
                if b == b'\r' {
                    self.pending_cr = true;
                } else {
                    self.step(b);
                    if b == b'\n' {
                        self.newline();
                    } else {
                        self.at_line_start = false;
                    }
                    out[w] = b;
                    w += 1;
                }
            }
            self.note_quoting();
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn encodings_are_told_apart() {
        let d = |b: &[u8]| detect(b, true).map(|e| e.name()).unwrap_or("refused");
        assert_eq!(d(b"\xEF\xBB\xBFa,b\n"), "UTF-8");
        assert_eq!(d(b"\xFF\xFEa\0,\0b\0"), "UTF-16LE");
        assert_eq!(d(b"a\0,\0b\0\n\0"), "UTF-16LE");
        assert_eq!(d(b"\xFE\xFF\0a\0,\0b"), "UTF-16BE");
        assert_eq!(d(b"\0a\0,\0b\0\n"), "UTF-16BE");
        assert_eq!(d("Müller;Straße\n".as_bytes()), "UTF-8");
        assert_eq!(d(b"Nachname;Stra\xDFe\nM\xFCller;K\xF6nigsallee 3\n"), "windows-1252");
        assert_eq!(d(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "refused");
    }

    #[test]
    fn line_endings_become_newlines_across_reads() {
        // One byte at a time: a "\r\n" split between two reads is still one line break.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !out.is_empty() => {
                        out[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut s = String::new();
        UnixLines::new(Trickle(b"a\r\nb\rc\n\r\nd\r"), BlankLines::default())
            .read_to_string(&mut s)
            .unwrap_or_default();
        assert_eq!(s, "a\nb\nc\n\nd\n");
    }

    /// A read that fails with `Interrupted` (tried again by the caller) right after a "\r" ended the one before
    /// loses no line break.
    #[test]
    fn an_interrupted_read_after_a_carriage_return_keeps_its_line_break() {
        struct Hiccup {
            parts: Vec<Result<&'static [u8], ()>>,
        }
        impl Read for Hiccup {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                match self.parts.first().copied() {
                    None => Ok(0),
                    Some(Err(())) => {
                        let _ = self.parts.remove(0);
                        Err(std::io::ErrorKind::Interrupted.into())
                    }
                    Some(Ok(bytes)) => {
                        let _ = self.parts.remove(0);
                        out[..bytes.len()].copy_from_slice(bytes);
                        Ok(bytes.len())
                    }
                }
            }
        }
        let mut s = String::new();
        let parts = vec![Ok(&b"a\r"[..]), Err(()), Ok(&b"b\r\nc"[..])];
        UnixLines::new(Hiccup { parts }, BlankLines::default()).read_to_string(&mut s).unwrap_or_default();
        assert_eq!(s, "a\nb\nc");
    }

    /// A caller's buffer no larger than a read: a "\r" ending one read and a full read after it once wrote
    /// one byte past the buffer (a panic).
    #[test]
    fn a_carriage_return_ending_a_read_never_overflows_the_next_buffer() {
        for size in 1..=4 {
            let mut lines = UnixLines::new(&b"a\rbcdefgh\r\nij\r\r\nk\r"[..], BlankLines::default());
            let (mut got, mut buf) = (Vec::new(), vec![0u8; size]);
            loop {
                let n = lines.read(&mut buf).unwrap_or_else(|e| panic!("{e}"));
                if n == 0 {
                    break;
                }
                assert!(n <= size);
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(String::from_utf8_lossy(&got), "a\nbcdefgh\nij\n\nk\n", "reads of {size} bytes");
        }
    }
}
