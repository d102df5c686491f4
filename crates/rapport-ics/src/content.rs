//! Content lines and components: the file's text unfolded, each line parsed into a property by the `ical`
//! crate, and BEGIN/END nested into components, every piece keeping the line number it started on.
//!
//! We unfold lines ourselves instead of using `ical::LineReader`, which stops at the first line that is not
//! UTF-8 and trims spaces where a folded value was split: both would lose text without a word.

use std::io::BufReader;

use ical::property::{Property, PropertyParser};

/// One unfolded line of the file, parsed.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based number of the physical line the property starts on.
    pub number: usize,
    pub name: String,
    pub params: Vec<(String, Vec<String>)>,
    pub value: String,
}

impl Line {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| v.first()).map(String::as_str)
    }

    /// A parameter that holds one text, its commas included: `CN=Doe, Jane` written without the quotes RFC 5545
    /// asks for is split at the comma by the parser, and the name was cut to "Doe". Its escapes read: RFC 6868's
    /// (`^'` a double quote, `^n` a line break, `^^` a caret) and the backslashes some writers put before a
    /// comma or semicolon as in a value (Google's `CN=Class\, of 2014`), which were kept in the name.
    pub fn param_text(&self, key: &str) -> Option<String> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| param_unescape(&v.join(",")))
    }
}

/// A parameter's text with its escapes read (see [`Line::param_text`]); a line break becomes a space, as a
/// name shows on one line.
fn param_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('^', Some('\'')) => out.push('"'),
            ('^', Some('n' | 'N')) => out.push(' '),
            ('^', Some('^')) => out.push('^'),
            ('\\', Some(next @ (',' | ';' | '\\'))) => out.push(next),
            _ => {
                out.push(c);
                continue;
            }
        }
        chars.next();
    }
    out
}

/// A component (VCALENDAR, VEVENT, VTIMEZONE, STANDARD, ...) with its lines and sub-components.
#[derive(Debug, Clone, Default)]
pub struct Component {
    pub name: String,
    /// Line of its BEGIN.
    pub line: usize,
    pub lines: Vec<Line>,
    pub children: Vec<Component>,
}

impl Component {
    pub fn first(&self, name: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.name == name)
    }
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Line> + 'a {
        self.lines.iter().filter(move |l| l.name == name)
    }
}

/// A problem found while reading, with the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Decodes the file: UTF-8 (with or without BOM), UTF-16 with its BOM (Windows' "Unicode" saves); otherwise each
/// line that is not UTF-8 is read as Windows-1252, so that an old Outlook export's "München" and "Mike’s" are not
/// dropped, and one such line pasted into a UTF-8 file does not garble every other. Returns whether a line
/// needed the fallback.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let (text, fallback) = decode_whole(bytes);
    // Files joined end to end (`cat a.ics b.ics`, a server's export of several calendars) carry each one's byte
    // order mark at the start of a line, where "BEGIN:VCALENDAR" was then not seen: that calendar's METHOD and
    // zone were lost, and a cancellation applied as an invitation.
    if text.contains('\u{feff}') {
        return (text.replace("\n\u{feff}", "\n").replace("\r\u{feff}", "\r"), fallback);
    }
    (text, fallback)
}

fn decode_whole(bytes: &[u8]) -> (String, bool) {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (text, _, _) = encoding.decode(bytes);
            return (text.into_owned(), false);
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), false);
    }
    let mended = mend_split_characters(bytes);
    let bytes = mended.as_deref().unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_owned(), false);
    }
    let mut text = String::with_capacity(bytes.len());
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(l) => text.push_str(l),
            Err(_) => text.push_str(&encoding_rs::WINDOWS_1252.decode_without_bom_handling(line).0),
        }
    }
    (text, true)
}

/// A TZID with an unquoted colon ("GMT+05:30", as Google has written zones it defines in the file) is cut by the
/// parser at that colon, the rest left at the start of the value. A date or date-time in RFC 5545's form holds
/// no colon: what precedes the value's last one goes back to the TZID. One written the ISO 8601 way
/// ("2026-07-12T09:00:00", as web tools write invites) holds colons of its own, and is left as it is: mended,
/// its zone became "Europe/Berlin:2026-07-12T09:00" and the event was refused.
fn mend_tzid_colon(name: &str, params: &mut [(String, Vec<String>)], value: &mut String) {
    if !matches!(name, "DTSTART" | "DTEND" | "DUE" | "RECURRENCE-ID" | "EXDATE" | "RDATE") {
        return;
    }
    let readable = |item: &str| {
        crate::values::parse_date_or_time(item, None).is_some() || crate::values::parse_period(item).is_some()
    };
    if crate::values::list(value).all(readable) {
        return;
    }
    let Some((head, tail)) = value.rsplit_once(':') else { return };
    let tzid = params.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("TZID")).and_then(|(_, v)| v.last_mut());
    if let Some(tzid) = tzid {
        tzid.push(':');
        tzid.push_str(head);
        *value = tail.to_string();
    }
}

/// RFC 5545 folds lines at 75 octets, and some writers fold inside a multi-byte character (3.1 warns of it):
/// the rest of each such character is moved back before its fold, so the file reads as the UTF-8 it is (and
/// not as Latin-1, which would garble every accent in it) and keeps its line numbers. `None` if no fold cut a
/// character.
fn mend_split_characters(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut mended = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let fold =
            [&b"\r\n "[..], b"\r\n\t", b"\n ", b"\n\t"].into_iter().find(|f| rest.starts_with(f)).map(<[u8]>::len);
        if let Some(fold) = fold {
            let missing = continuations_missing(&out);
            let after = &rest[fold..];
            if missing > 0 && after.len() >= missing && after[..missing].iter().all(|b| b & 0xC0 == 0x80) {
                out.extend_from_slice(&after[..missing]);
                out.extend_from_slice(&rest[..fold]);
                i += fold + missing;
                mended = true;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    mended.then_some(out)
}

/// How many continuation bytes the character at the end of `text` still lacks (0 if it is whole or not UTF-8).
fn continuations_missing(text: &[u8]) -> usize {
    for back in 1..=text.len().min(4) {
        let b = text[text.len() - back];
        if b & 0xC0 == 0x80 {
            continue;
        }
        let width: usize = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return 0,
        };
        return width.saturating_sub(back);
    }
    0
}

/// Unfolds (RFC 5545 3.1: a line starting with a space or tab continues the previous one) and parses each
/// logical line. Lines that cannot be parsed are reported and skipped.
pub fn lines(text: &str) -> (Vec<Line>, Vec<Problem>) {
    let mut logical: Vec<(usize, String)> = Vec::new();
    // Old Mac files end lines with CR alone.
    let text: std::borrow::Cow<'_, str> =
        if text.contains('\n') { text.into() } else { text.replace('\r', "\n").into() };
    // vCalendar 1.0's quoted-printable values (Outlook's .vcs, old phones) break their lines with a final "=",
    // and the line after starts anywhere: it is the value's, not a property of its own.
    let mut soft_break = false;
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if soft_break {
            if let Some((_, last)) = logical.last_mut() {
                last.pop();
                last.push_str(raw);
                soft_break = raw.ends_with('=');
                continue;
            }
        }
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some((_, last)) = logical.last_mut() {
                last.push_str(rest);
                soft_break = quoted_printable(last) && last.ends_with('=');
                continue;
            }
        }
        if raw.trim().is_empty() {
            continue;
        }
        // Indented with nothing before it to continue (a file that starts with spaces, as some web pages serve
        // it): a line of its own, read without them. Kept, its name was "  BEGIN" and the whole calendar was
        // outside any calendar.
        let raw = if logical.is_empty() { raw.trim_start() } else { raw };
        logical.push((index + 1, raw.to_owned()));
        soft_break = quoted_printable(raw) && raw.ends_with('=');
    }
    let mut out = Vec::with_capacity(logical.len());
    let mut problems = Vec::new();
    for (number, text) in logical {
        match parse_property(&text) {
            Ok(p) => {
                let name = p.name.to_ascii_uppercase();
                let mut params = p.params.unwrap_or_default();
                let mut value = p.value.unwrap_or_default();
                mend_tzid_colon(&name, &mut params, &mut value);
                let line = Line { number, name, params, value };
                let encoding = line.param("ENCODING").map(str::to_ascii_uppercase);
                let value = match encoding.as_deref() {
                    Some("QUOTED-PRINTABLE") => qp_decode(&line.value, line.param("CHARSET")),
                    _ => line.value.clone(),
                };
                out.push(Line { value, ..line })
            }
            Err(message) => problems.push(Problem {
                line: number,
                message: format!("this line is not a property ({message}): {}", shorten(&text)),
            }),
        }
    }
    (out, problems)
}

/// Whether a logical line's property says its value is quoted-printable (vCalendar 1.0).
fn quoted_printable(line: &str) -> bool {
    line.split(':').next().is_some_and(|head| head.to_ascii_uppercase().contains("ENCODING=QUOTED-PRINTABLE"))
}

/// A quoted-printable value read: "=C3=BC" is the byte it names, in `charset` (UTF-8 when none is named, and
/// Windows-1252 when the bytes are no UTF-8, as for the file's own lines); a line break is one line break.
fn qp_decode(value: &str, charset: Option<&str>) -> String {
    let mut bytes = Vec::with_capacity(value.len());
    let raw = value.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'=', Some(high), Some(low)) => {
                bytes.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                bytes.push(b);
                i += 1;
            }
        }
    }
    let named = charset.and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes()));
    let text = match named {
        Some(encoding) if encoding != encoding_rs::UTF_8 => encoding.decode_without_bom_handling(&bytes).0.into_owned(),
        _ => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(e.as_bytes()).0.into_owned(),
        },
    };
    text.replace("\r\n", "\n")
}

fn parse_property(text: &str) -> Result<Property, String> {
    let mut parser = PropertyParser::from_reader(BufReader::new(text.as_bytes()));
    match parser.next() {
        Some(Ok(p)) => Ok(p),
        Some(Err(e)) => {
            // The crate's message starts with "Line 1: ", which is the line within our one-line reader.
            let message = e.to_string();
            Err(message.split_once(": ").map(|(_, m)| m.trim_end_matches('.').to_owned()).unwrap_or(message))
        }
        None => Err("empty".into()),
    }
}

pub fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Nests the lines into components. A component left open (no END) or closed by the wrong END is reported
/// on its BEGIN line and kept where the file closes around it; one still open at the end of the file is
/// dropped, with what it contained. The rest of the file is still read.
///
/// Also returns the BEGIN lines of the events dropped so (a download cut short inside its last event): events
/// lost, not lines skipped.
pub fn components(lines: Vec<Line>) -> (Vec<Component>, Vec<Problem>, Vec<usize>) {
    let mut cut_events = Vec::new();
    let mut problems = Vec::new();
    let mut roots = Vec::new();
    let mut stack: Vec<Component> = Vec::new();
    // Components opened past [`MAX_DEPTH`], being skipped with what they hold.
    let mut skipping = 0usize;
    for line in lines {
        if skipping > 0 {
            match line.name.as_str() {
                "BEGIN" => skipping += 1,
                "END" => skipping -= 1,
                _ => {}
            }
            continue;
        }
        match line.name.as_str() {
            "BEGIN" if stack.len() >= MAX_DEPTH => {
                problems.push(Problem {
                    line: line.number,
                    message: format!(
                        "BEGIN:{} is nested deeper than {MAX_DEPTH} components: skipped, with what it holds",
                        shorten(line.value.trim())
                    ),
                });
                skipping = 1;
            }
            "BEGIN" => {
                let name = line.value.trim().to_ascii_uppercase();
                // Events, to-dos and time zones never contain each other: one still open when the next
                // begins lost its END (a typo such as END:VTOOD). Close it, say so, and keep both.
                if TOP_LEVEL.contains(&name.as_str()) {
                    if let Some(pos) = stack.iter().position(|c| TOP_LEVEL.contains(&c.name.as_str())) {
                        while stack.len() > pos {
                            if let Some(open) = stack.pop() {
                                problems.push(Problem {
                                    line: open.line,
                                    message: format!("BEGIN:{} is never ended (no END:{})", open.name, open.name),
                                });
                                close(&mut stack, &mut roots, open);
                            }
                        }
                    }
                }
                stack.push(Component { name, line: line.number, ..Component::default() })
            }
            "END" => {
                let name = line.value.trim().to_ascii_uppercase();
                // Close up to the matching BEGIN; anything open inside it was never ended (a mistyped END, such
                // as END:VEVNT): said, and kept, as when the next BEGIN finds it open.
                let Some(depth) = stack.iter().rposition(|c| c.name == name) else {
                    problems.push(Problem { line: line.number, message: format!("END:{name} without a BEGIN:{name}") });
                    continue;
                };
                while stack.len() > depth + 1 {
                    if let Some(open) = stack.pop() {
                        problems.push(Problem {
                            line: open.line,
                            message: format!("BEGIN:{} is never ended (no END:{})", open.name, open.name),
                        });
                        close(&mut stack, &mut roots, open);
                    }
                }
                if let Some(done) = stack.pop() {
                    close(&mut stack, &mut roots, done);
                }
            }
            _ => match stack.last_mut() {
                Some(current) => current.lines.push(line),
                None => problems.push(Problem {
                    line: line.number,
                    message: format!("{} outside of any BEGIN:VCALENDAR", line.name),
                }),
            },
        }
    }
    // What is still open at the end of the file: keep the calendar's complete children (a truncated
    // download loses only its last event), report the rest.
    while let Some(open) = stack.pop() {
        if open.name == "VCALENDAR" && stack.is_empty() {
            problems.push(Problem {
                line: open.line,
                message: "BEGIN:VCALENDAR is never ended: the file may be cut short".into(),
            });
            roots.push(open);
        } else {
            if open.name == "VEVENT" {
                cut_events.push(open.line);
            }
            problems.push(Problem {
                line: open.line,
                message: format!("BEGIN:{} is never ended (no END:{}): the file ends inside it", open.name, open.name),
            });
        }
    }
    (roots, problems, cut_events)
}

/// The deepest nesting read: a calendar's event holds an alarm, a zone its observances, and no real file goes
/// much deeper. Without a limit, a file of a million BEGINs built a chain whose drop overflowed the stack.
const MAX_DEPTH: usize = 8;

/// Components that sit directly in a calendar and never inside one another.
const TOP_LEVEL: [&str; 5] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"];

fn close(stack: &mut [Component], roots: &mut Vec<Component>, done: Component) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => roots.push(done),
    }
}

/// Unescapes a TEXT value (RFC 5545 3.3.11): `\n`, `\,`, `\;`, `\\`.
pub fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
