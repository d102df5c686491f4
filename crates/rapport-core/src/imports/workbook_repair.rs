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
//! - a workbook kept elsewhere than `xl/` ("workbook.xml" at the root, as a minimal package may have it), where
//!   calamine 0.32 looks for it alone: the workbook and the parts beside it move there together; and a sheet
//!   kept elsewhere than `xl/worksheets/`, the folder calamine tells a worksheet by;
//! - a sheet's `<dimension>` naming rows alone ("1:4"), or an inline string cell holding a value (`<v>`) where
//!   its text (`<is>`) belongs, on which calamine refused the sheet;
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
    changed |= relocated(&mut parts);
    changed |= worksheets_in_place(&mut parts);
    for (name, data) in parts.iter_mut() {
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            let xml = String::from_utf8_lossy(data).into_owned();
            let fixed = sheet_put_right(&xml);
            if fixed != xml {
                *data = fixed.into_bytes();
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

/// Moves the workbook under `xl/` when the package's relationships put it elsewhere, with every part beside it
/// (all but the package's own when it is at the root), so that the paths the parts give one another stay true;
/// the names that point at moved parts from outside (the package's relationships, the content types, an
/// absolute target) follow. False when it is under `xl/` already, or a moved part would take a name in use.
fn relocated(parts: &mut [(String, Vec<u8>)]) -> bool {
    let text = |parts: &[(String, Vec<u8>)], name: &str| {
        parts.iter().find(|(n, _)| n == name).map(|(_, d)| String::from_utf8_lossy(d).into_owned())
    };
    let Some(package) = text(parts, "_rels/.rels") else { return false };
    let Some(target) = package
        .split("<Relationship ")
        .skip(1)
        .map(|r| r.split('>').next().unwrap_or(""))
        .find(|r| attribute(r, "Type").is_some_and(|t| t.ends_with("/officeDocument")))
        .and_then(|r| attribute(r, "Target"))
    else {
        return false;
    };
    let target = target.trim_start_matches('/').to_string();
    if target == "xl/workbook.xml" || !parts.iter().any(|(n, _)| *n == target) {
        return false;
    }
    let (dir, file) = target.rsplit_once('/').unwrap_or(("", target.as_str()));
    let package_own = |n: &str| {
        n == "[Content_Types].xml" || n == "_rels/.rels" || n.starts_with("docProps/") || n.starts_with("customXml/")
    };
    let new_name = |n: &str| -> Option<String> {
        let rest = if dir.is_empty() { (!package_own(n)).then_some(n)? } else { n.strip_prefix(&format!("{dir}/"))? };
        Some(if rest == file {
            "xl/workbook.xml".to_string()
        } else if rest == format!("_rels/{file}.rels") {
            "xl/_rels/workbook.xml.rels".to_string()
        } else {
            format!("xl/{rest}")
        })
    };
    let moves: Vec<(String, String)> =
        parts.iter().filter_map(|(n, _)| new_name(n).map(|new| (n.clone(), new))).collect();
    let stays = |n: &str| !moves.iter().any(|(old, _)| old == n);
    if moves.iter().any(|(_, new)| parts.iter().any(|(n, _)| n == new && stays(n))) {
        return false;
    }
    for (name, data) in parts.iter_mut() {
        if let Some((_, new)) = moves.iter().find(|(old, _)| old == name) {
            *name = new.clone();
        }
        if name.ends_with(".rels") || name == "[Content_Types].xml" {
            let mut t = String::from_utf8_lossy(data).into_owned();
            for (old, new) in &moves {
                t = t.replace(&format!("\"/{old}\""), &format!("\"/{new}\""));
            }
            if name == "_rels/.rels" {
                t = t.replace(&format!("Target=\"{target}\""), "Target=\"xl/workbook.xml\"");
            }
            *data = t.into_bytes();
        }
    }
    true
}

/// Moves each worksheet kept elsewhere than `xl/worksheets/` (a minimal package's `sheet1.xml` beside its
/// workbook) there: calamine 0.32 tells a sheet's kind by that folder, and refused the file. A sheet with
/// relationships of its own stays (their paths are relative to it); so does one whose new name is in use.
fn worksheets_in_place(parts: &mut [(String, Vec<u8>)]) -> bool {
    let Some(rels_at) = parts.iter().position(|(n, _)| n == "xl/_rels/workbook.xml.rels") else { return false };
    let mut rels = String::from_utf8_lossy(&parts[rels_at].1).into_owned();
    let targets: Vec<String> = rels
        .split("<Relationship ")
        .skip(1)
        .map(|r| r.split('>').next().unwrap_or(""))
        .filter(|r| attribute(r, "Type").is_some_and(|t| t.ends_with("/worksheet")))
        .filter_map(|r| attribute(r, "Target"))
        .collect();
    let mut moved = false;
    for target in targets {
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("xl/{}", target.trim_start_matches("./")),
        };
        if path.starts_with("xl/worksheets/") || path.contains("..") {
            continue;
        }
        let file = path.rsplit('/').next().unwrap_or(&path).to_string();
        let new = format!("xl/worksheets/{file}");
        let own_rels = match path.rsplit_once('/') {
            Some((dir, f)) => format!("{dir}/_rels/{f}.rels"),
            None => format!("_rels/{path}.rels"),
        };
        let exists = |n: &str| parts.iter().any(|(m, _)| m == n);
        if !exists(&path) || exists(&new) || exists(&own_rels) {
            continue;
        }
        if let Some(part) = parts.iter_mut().find(|(n, _)| *n == path) {
            part.0 = new.clone();
        }
        for quote in ['"', '\''] {
            rels = rels
                .replace(&format!("Target={quote}{target}{quote}"), &format!("Target={quote}worksheets/{file}{quote}"));
        }
        if let Some((_, types)) = parts.iter_mut().find(|(n, _)| n == "[Content_Types].xml") {
            *types =
                String::from_utf8_lossy(types).replace(&format!("\"/{path}\""), &format!("\"/{new}\"")).into_bytes();
        }
        moved = true;
    }
    if moved {
        parts[rels_at].1 = rels.into_bytes();
    }
    moved
}

/// A worksheet as calamine reads it: a `<dimension>` whose range names no column left out (calamine works the
/// extent out from the cells), and an inline string cell holding a value written as a string cell.
fn sheet_put_right(xml: &str) -> String {
    let mut out = xml.to_string();
    if let Some(at) = out.find("<dimension ") {
        if let Some(len) = out[at..].find("/>").map(|e| e + 2) {
            let names_a_column = attribute(&out[at + "<dimension".len()..at + len], "ref")
                .is_some_and(|r| r.chars().any(|c| c.is_ascii_alphabetic()));
            if !names_a_column {
                out.replace_range(at..at + len, "");
            }
        }
    }
    const INLINE: &str = "t=\"inlineStr\"";
    let mut fixed = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find(INLINE) {
        let after = &rest[at + INLINE.len()..];
        let holds_a_value = after
            .find('>')
            .is_some_and(|close| !after[..close].ends_with('/') && after[close + 1..].trim_start().starts_with("<v>"));
        fixed.push_str(&rest[..at]);
        fixed.push_str(if holds_a_value { "t=\"str\"" } else { INLINE });
        rest = after;
    }
    fixed.push_str(rest);
    fixed
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

    /// A workbook at the package's root or in a folder of its own moves under `xl/` with the parts beside it;
    /// one under `xl/` stays.
    #[test]
    fn a_workbook_kept_elsewhere_moves_under_xl() {
        let package = |target: &str| {
            format!(
                r#"<Relationships><Relationship Id="rId1" Type="{REL}/officeDocument" Target="{target}"/></Relationships>"#
            )
        };
        let names = |parts: &[(String, Vec<u8>)]| parts.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        let at_root = |target: &str, dir: &str| -> Vec<(String, Vec<u8>)> {
            vec![
                (
                    "[Content_Types].xml".into(),
                    format!(r#"<Types><Override PartName="/{dir}workbook.xml"/></Types>"#).into_bytes(),
                ),
                ("_rels/.rels".into(), package(target).into_bytes()),
                (format!("{dir}workbook.xml"), b"<workbook/>".to_vec()),
                (
                    format!("{dir}_rels/workbook.xml.rels"),
                    format!(r#"<Relationships><Relationship Target="/{dir}sheet1.xml"/></Relationships>"#).into_bytes(),
                ),
                (format!("{dir}sheet1.xml"), b"<worksheet/>".to_vec()),
                ("docProps/core.xml".into(), b"<core/>".to_vec()),
            ]
        };
        for (target, dir) in [("workbook.xml", ""), ("/wtf/workbook.xml", "wtf/")] {
            let mut parts = at_root(target, dir);
            assert!(relocated(&mut parts), "{target}");
            assert_eq!(
                names(&parts),
                [
                    "[Content_Types].xml",
                    "_rels/.rels",
                    "xl/workbook.xml",
                    "xl/_rels/workbook.xml.rels",
                    "xl/sheet1.xml",
                    "docProps/core.xml"
                ]
            );
            let text = |n: &str| {
                parts
                    .iter()
                    .find(|(m, _)| m == n)
                    .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
                    .unwrap_or_default()
            };
            let package = text("_rels/.rels");
            assert!(package.contains("xl/workbook.xml\"") && !package.contains("wtf"), "{package}");
            assert!(text("[Content_Types].xml").contains(r#"PartName="/xl/workbook.xml""#));
            assert!(text("xl/_rels/workbook.xml.rels").contains(r#"Target="/xl/sheet1.xml""#));
        }
        let mut under_xl = at_root("xl/workbook.xml", "xl/");
        assert!(!relocated(&mut under_xl));
    }

    /// A sheet beside its workbook moves into `xl/worksheets/`, where calamine looks; one with relationships of
    /// its own, or one there already, stays.
    #[test]
    fn worksheets_move_into_their_folder() {
        let rels = |targets: &[&str]| {
            let each: String = targets
                .iter()
                .enumerate()
                .map(|(i, t)| format!(r#"<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="{t}"/>"#))
                .collect();
            format!("<Relationships>{each}</Relationships>").into_bytes()
        };
        let mut parts: Vec<(String, Vec<u8>)> = vec![
            (
                "xl/_rels/workbook.xml.rels".into(),
                rels(&["sheet1.xml", "/xl/data/sheet2.xml", "worksheets/sheet3.xml", "sheet4.xml"]),
            ),
            ("xl/sheet1.xml".into(), b"<worksheet/>".to_vec()),
            ("xl/data/sheet2.xml".into(), b"<worksheet/>".to_vec()),
            ("xl/worksheets/sheet3.xml".into(), b"<worksheet/>".to_vec()),
            ("xl/sheet4.xml".into(), b"<worksheet/>".to_vec()),
            ("xl/_rels/sheet4.xml.rels".into(), b"<Relationships/>".to_vec()),
        ];
        assert!(worksheets_in_place(&mut parts));
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "xl/_rels/workbook.xml.rels",
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml",
                "xl/worksheets/sheet3.xml",
                "xl/sheet4.xml",
                "xl/_rels/sheet4.xml.rels"
            ]
        );
        let rels = String::from_utf8_lossy(&parts[0].1).into_owned();
        assert!(
            rels.contains(r#"Target="worksheets/sheet1.xml""#) && rels.contains(r#"Target="worksheets/sheet2.xml""#),
            "{rels}"
        );
        assert!(rels.contains(r#"Target="sheet4.xml""#), "{rels}");
        assert!(!worksheets_in_place(&mut parts), "nothing left to move");
    }

    #[test]
    fn a_sheet_s_row_only_dimension_and_inline_values_are_put_right() {
        let sheet = r#"<worksheet><dimension ref="1:4"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr">
            <v>1.0</v></c><c r="C1" t="inlineStr"/></row></sheetData></worksheet>"#;
        let fixed = sheet_put_right(sheet);
        assert!(!fixed.contains("<dimension"), "{fixed}");
        assert!(
            fixed.contains(r#"<c r="A1" t="inlineStr"><is>"#) && fixed.contains(r#"<c r="B1" t="str">"#),
            "{fixed}"
        );
        assert!(fixed.contains(r#"<c r="C1" t="inlineStr"/>"#), "{fixed}");
        let excel = r#"<worksheet><dimension ref="A1:C4"/><sheetData/></worksheet>"#;
        assert_eq!(sheet_put_right(excel), excel);
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
