//! A copy of a zipped workbook that calamine 0.32 refused, with the departures from how Excel and LibreOffice
//! write workbooks that it stops on put right. Excel and LibreOffice open all of these; calamine gave "Cannot
//! detect file format" and the person had to find a program to save the file again. Tried only once calamine
//! has refused a file, so a workbook it reads is read exactly as before:
//! - an .ods without its `mimetype` part;
//! - a workbook part written in UTF-16 (calamine's XML reader takes UTF-8 only);
//! - a sheet's relationship named under a prefix of its own (`ns:id`, as Go's `xlsx` writes it), not `r:id`;
//! - a sheet's state written `show` (a program's own word for `visible`);
//! - an Excel 4 macro sheet or a dialog sheet, which calamine does not know and refused the whole file for: they
//!   hold no contacts, and are left out;
//! - an .ods whose content is indented (line breaks and spaces between a table's rows and cells, which
//!   calamine takes for a cell's text out of place): the indentation between table elements goes, a
//!   paragraph's own spaces stay.
use std::io::{Cursor, Read, Write};

/// The most the parts of a workbook may hold once unpacked for a repair; past it, the file is left refused.
const MOST_UNPACKED: u64 = 256 * 1024 * 1024;

const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The repaired workbook, or None when nothing here applies (or it cannot be unpacked within bounds).
pub(super) fn repaired(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(zip.len());
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).ok()?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().to_string();
        let mut data = Vec::new();
        // Bounded by what is read, not by the size the zip states.
        part.by_ref().take(MOST_UNPACKED - unpacked + 1).read_to_end(&mut data).ok()?;
        unpacked += data.len() as u64;
        if unpacked > MOST_UNPACKED {
            return None;
        }
        parts.push((name, data));
    }
    let mut changed = false;
    for (name, data) in &mut parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            if let Some(utf8) = as_utf8(data) {
                *data = utf8;
                changed = true;
            }
        }
    }
    if let Some((_, content)) = parts.iter_mut().find(|(n, _)| n == "content.xml") {
        if let Some(tight) = without_indentation(content) {
            *content = tight;
            changed = true;
        }
    }
    let has = |parts: &[(String, Vec<u8>)], name: &str| parts.iter().any(|(n, _)| n == name);
    if has(&parts, "content.xml") && !has(&parts, "mimetype") {
        parts.insert(0, ("mimetype".to_string(), ODS_MIMETYPE.to_vec()));
        changed = true;
    }
    let rels = parts
        .iter()
        .find(|(n, _)| n == "xl/_rels/workbook.xml.rels")
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned());
    if let Some((_, workbook)) = parts.iter_mut().find(|(n, _)| n == "xl/workbook.xml") {
        let text = String::from_utf8_lossy(workbook).into_owned();
        let fixed = sheets_put_right(&text, rels.as_deref().unwrap_or(""));
        if fixed != text {
            *workbook = fixed.into_bytes();
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in &parts {
        // The ODF mimetype first and stored, as readers look for it.
        let options = if name == "mimetype" {
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            zip::write::SimpleFileOptions::default()
        };
        out.start_file(name.as_str(), options).ok()?;
        out.write_all(data).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// An .ods content without the blank text between table elements (whose parent is a table's or the document's
/// own element, never a paragraph's); None when it has none, or does not read as XML.
fn without_indentation(content: &[u8]) -> Option<Vec<u8>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(content.len()));
    let mut open: Vec<Vec<u8>> = Vec::new();
    let mut dropped = false;
    let structural = |name: &[u8]| name.starts_with(b"table:") || name.starts_with(b"office:");
    loop {
        let event = reader.read_event().ok()?;
        match &event {
            Event::Eof => break,
            Event::Start(e) => open.push(e.name().as_ref().to_vec()),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) && open.last().is_some_and(|n| structural(n)) => {
                dropped = true;
                continue;
            }
            _ => {}
        }
        writer.write_event(event).ok()?;
    }
    dropped.then(|| writer.into_inner())
}

/// An XML part written in UTF-16 (by its byte-order mark, or its first character's zero byte), in UTF-8 and
/// declared so; None for a part in UTF-8 already.
fn as_utf8(data: &[u8]) -> Option<Vec<u8>> {
    let encoding = match data {
        [0xFE, 0xFF, ..] | [0x00, b'<', ..] => encoding_rs::UTF_16BE,
        [0xFF, 0xFE, ..] | [b'<', 0x00, ..] => encoding_rs::UTF_16LE,
        _ => return None,
    };
    let (text, _, _) = encoding.decode(data);
    let text = text.trim_start_matches('\u{feff}');
    let declared = ["encoding=\"UTF-16\"", "encoding=\"utf-16\"", "encoding='UTF-16'", "encoding='utf-16'"]
        .iter()
        .fold(text.to_string(), |t, d| t.replacen(d, "encoding=\"UTF-8\"", 1));
    Some(declared.into_bytes())
}

/// The workbook's list of sheets as calamine reads it: each sheet's relationship under `r:`, a state of
/// `show` written `visible`, and macro and dialog sheets left out (their relationships' targets tell them).
fn sheets_put_right(workbook: &str, rels: &str) -> String {
    let mut text = workbook.to_string();
    // The prefix the workbook binds to the relationships' namespace, when it is not "r" (and "r" is free).
    let bound = format!("=\"{RELATIONSHIPS}\"");
    let prefix = text.match_indices(&bound).find_map(|(at, _)| {
        let before = &text[..at];
        let start = before.rfind("xmlns:")? + "xmlns:".len();
        Some(before[start..].to_string())
    });
    if let Some(p) = prefix.filter(|p| p != "r" && !p.is_empty() && !text.contains("xmlns:r=")) {
        text = text.replace(&format!("xmlns:{p}="), "xmlns:r=").replace(&format!(" {p}:id="), " r:id=");
    }
    text = text.replace("state=\"show\"", "state=\"visible\"");
    for id in ids_of_sheets_without_cells(rels) {
        text = without_sheet(&text, &id);
    }
    text
}

/// The ids of the workbook's relationships to macro sheets and dialog sheets.
fn ids_of_sheets_without_cells(rels: &str) -> Vec<String> {
    rels.split("<Relationship ")
        .skip(1)
        .filter(|r| {
            let element = r.split('>').next().unwrap_or("");
            element.contains("macrosheets/") || element.contains("dialogsheets/")
        })
        .filter_map(|r| attribute(r.split('>').next().unwrap_or(""), "Id"))
        .collect()
}

/// A `name="value"` attribute of an element's text, in either quotes.
fn attribute(element: &str, name: &str) -> Option<String> {
    let padded = format!(" {element}");
    ['"', '\''].into_iter().find_map(|quote| {
        let key = format!(" {name}={quote}");
        let at = padded.find(&key)?;
        padded[at + key.len()..].split(quote).next().map(str::to_string)
    })
}

/// The workbook without the `<sheet …/>` element whose relationship is `id`.
fn without_sheet(text: &str, id: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<sheet ") {
        let Some(len) = rest[at..].find("/>").map(|e| e + 2) else { break };
        let element = &rest[at..at + len];
        out.push_str(&rest[..at]);
        if !(element.contains(&format!(":id=\"{id}\"")) || element.contains(&format!(":id='{id}'"))) {
            out.push_str(element);
        }
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    #[test]
    fn sheets_are_listed_as_calamine_reads_them() {
        // Go's xlsx: the relationship under a prefix of its own, declared on the sheet.
        let go = format!(
            r#"<workbook><sheets><sheet name="S" sheetId="1" xmlns:ns="{REL}" ns:id="rId3"/></sheets></workbook>"#
        );
        assert_eq!(
            sheets_put_right(&go, ""),
            format!(
                r#"<workbook><sheets><sheet name="S" sheetId="1" xmlns:r="{REL}" r:id="rId3"/></sheets></workbook>"#
            )
        );
        let show = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet sheetId="1" name="S" state="show" r:id="rId4"/></sheets></workbook>"#
        );
        assert!(sheets_put_right(&show, "").contains(r#"state="visible""#));
        // A macro sheet and a dialog sheet go; the worksheet and the chart sheet stay.
        let book = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/><sheet name="Chart1" sheetId="4" r:id="rId2"/><sheet name="Macro1" sheetId="2" r:id="rId3"/><sheet name="Dialog1" sheetId="3" r:id="rId4"/></sheets></workbook>"#
        );
        let rels = r#"<Relationships><Relationship Id="rId3" Type="x/xlMacrosheet" Target="macrosheets/sheet1.xml"/><Relationship Id="rId4" Type="x/dialogsheet" Target="dialogsheets/sheet1.xml"/><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>"#;
        let fixed = sheets_put_right(&book, rels);
        assert!(fixed.contains(r#"name="Sheet1""#) && fixed.contains(r#"name="Chart1""#), "{fixed}");
        assert!(!fixed.contains("Macro1") && !fixed.contains("Dialog1"), "{fixed}");
        // A workbook as Excel writes it is left as it is.
        let plain = format!(
            r#"<workbook xmlns:r="{REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        assert_eq!(sheets_put_right(&plain, rels), plain);
    }

    #[test]
    fn an_indented_ods_loses_the_indentation_between_table_elements_only() {
        let content = "<office:document-content>\n  <office:body>\n   <table:table table:name=\"S\">\n    \
            <table:table-row>\n     <table:table-cell><text:p>Ann <text:span>Lee</text:span> <text:s/>x</text:p></table:table-cell>\n    \
            </table:table-row>\n   </table:table>\n  </office:body>\n</office:document-content>";
        let tight = String::from_utf8(without_indentation(content.as_bytes()).unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            tight,
            "<office:document-content><office:body><table:table table:name=\"S\"><table:table-row><table:table-cell>\
             <text:p>Ann <text:span>Lee</text:span> <text:s/>x</text:p></table:table-cell></table:table-row></table:table>\
             </office:body></office:document-content>"
        );
        assert_eq!(without_indentation(tight.as_bytes()), None, "nothing to take out");
    }

    #[test]
    fn utf16_parts_become_utf8() {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><workbook>Köln</workbook>";
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        for data in [be, le] {
            let utf8 = String::from_utf8(as_utf8(&data).unwrap_or_default()).unwrap_or_default();
            assert_eq!(utf8, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook>Köln</workbook>");
        }
        assert_eq!(as_utf8(b"<?xml version=\"1.0\"?><a/>"), None);
    }
}
