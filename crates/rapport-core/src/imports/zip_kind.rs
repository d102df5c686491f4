//! Zips that are not workbooks. One holding a single list (a CRM's export delivered zipped) is read as that
//! list ([`the_one_list`]); any other that no spreadsheet reader opens is said in words with what to do
//! ([`unreadable_zip`]). calamine's own answer for all of them is "Cannot detect file format": a Word document,
//! an archive of exported lists and a workbook one part of which is damaged all read the same, and the person
//! was left to guess.
use std::io::{Cursor, Read};

use calamine::Reader;

use super::error::ImportError;

/// The reason `bytes` (a zip) cannot be imported, once calamine has refused it.
pub(super) fn unreadable_zip(bytes: &[u8]) -> ImportError {
    let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return ImportError::Spreadsheet(
            "the file is a damaged zip archive: open it in Excel or LibreOffice, which may repair it, and save it \
             again"
                .into(),
        );
    };
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let has = |prefix: &str| names.iter().any(|n| n.starts_with(prefix));
    if has("word/") {
        return other(
            "a Word document, not a spreadsheet: copy its table into a spreadsheet and save it as .xlsx or CSV",
        );
    }
    if has("ppt/") {
        return other("a PowerPoint presentation, not a spreadsheet: save the list as .xlsx or CSV");
    }
    let inside = lists_in(&zip);
    let spreadsheet = names.iter().any(|n| office_package_part(n));
    if !spreadsheet && !inside.is_empty() {
        let listed: Vec<String> = inside.iter().take(3).map(|n| format!("\"{n}\"")).collect();
        let more = if inside.len() > 3 { format!(" and {} more", inside.len() - 3) } else { String::new() };
        return other_owned(format!(
            "a zip archive holding {}{more}: unpack it and import the file{} inside",
            listed.join(", "),
            if inside.len() == 1 { "" } else { "s" }
        ));
    }
    if !spreadsheet {
        return other("a zip archive without a spreadsheet in it: unpack it, or export the list as .xlsx or CSV");
    }
    // A workbook whose reader stops on a part of it: that reader's own words, and the way out.
    let why = if names.iter().any(|n| n == "content.xml") {
        calamine::Ods::new(Cursor::new(bytes)).err().map(|e| e.to_string())
    } else if names.iter().any(|n| n == "xl/workbook.bin") {
        calamine::Xlsb::new(Cursor::new(bytes)).err().map(|e| e.to_string())
    } else {
        calamine::Xlsx::new(Cursor::new(bytes)).err().map(|e| e.to_string())
    };
    ImportError::Spreadsheet(format!(
        "{}open it in Excel or LibreOffice and save it again as .xlsx, or export it as CSV",
        why.map(|w| format!("a part of it is not as a spreadsheet program writes it ({w}): ")).unwrap_or_default()
    ))
}

fn other(what: &str) -> ImportError {
    other_owned(what.to_string())
}

fn other_owned(what: String) -> ImportError {
    ImportError::Spreadsheet(format!("the file is {what}"))
}

/// A part only an Office or OpenDocument file holds: such a zip is a document itself, not an archive of lists.
fn office_package_part(name: &str) -> bool {
    matches!(name, "[Content_Types].xml" | "mimetype" | "content.xml")
}

/// The extensions of the lists an archive may hold (what the import reads).
const LISTS: [&str; 6] = [".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods"];

/// The most an archived list may unpack to: past it, the archive is refused (a small zip may inflate to fill
/// the disk).
const MOST_UNPACKED: u64 = 4 * 1024 * 1024 * 1024;

/// The names of the lists `zip` holds, its folders and a Mac's resource forks (`__MACOSX/`, `._x.csv`) aside.
fn lists_in<R: std::io::Read + std::io::Seek>(zip: &zip::ZipArchive<R>) -> Vec<String> {
    zip.file_names()
        .filter(|n| {
            let lower = n.to_ascii_lowercase();
            let file = lower.rsplit('/').next().unwrap_or(&lower);
            !lower.starts_with("__macosx/") && !file.starts_with('.') && LISTS.iter().any(|ext| file.ends_with(ext))
        })
        .map(str::to_string)
        .collect()
}

/// The one list an archive holds (a CRM's export delivered as a .zip, HubSpot's among them), unpacked into a
/// temporary file that lasts as long as the path returned, with its name in the archive. None when the zip is
/// a workbook itself, or holds no list or several (said by [`unreadable_zip`]).
pub(super) fn the_one_list(path: &std::path::Path) -> Result<Option<(tempfile::TempPath, String)>, ImportError> {
    let Ok(mut zip) = zip::ZipArchive::new(std::fs::File::open(path)?) else { return Ok(None) };
    let workbook = zip.file_names().any(office_package_part);
    let lists = lists_in(&zip);
    let [name] = lists.as_slice() else { return Ok(None) };
    if workbook {
        return Ok(None);
    }
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::Spreadsheet(format!(
            "the zip archive's \"{name}\" could not be unpacked ({e}): unpack it and import the file"
        ))
    };
    let mut inner = zip.by_name(name).map_err(|e| unreadable(&e))?;
    let mut file = tempfile::NamedTempFile::new()?;
    let copied = std::io::copy(&mut inner.by_ref().take(MOST_UNPACKED + 1), &mut file).map_err(|e| unreadable(&e))?;
    if copied > MOST_UNPACKED {
        return Err(ImportError::Spreadsheet(format!(
            "the zip archive's \"{name}\" unpacks to more than 4 GiB: unpack it and import the file, or split it"
        )));
    }
    Ok(Some((file.into_temp_path(), name.clone())))
}

/// Whether the file's first bytes are a zip's (an .xlsx, an .ods, or any other zip).
pub(super) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap_or_else(|e| panic!("{e}"));
            out.write_all(data).unwrap_or_else(|e| panic!("{e}"));
        }
        out.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    fn said(files: &[(&str, &[u8])]) -> String {
        unreadable_zip(&zip_of(files)).to_string()
    }

    #[test]
    fn each_kind_of_zip_is_named_with_what_to_do() {
        let word = said(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]);
        assert!(word.contains("a Word document, not a spreadsheet"), "{word}");
        let slides = said(&[("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>")]);
        assert!(slides.contains("a PowerPoint presentation"), "{slides}");
        let export = said(&[("contacts-2026-12-07.csv", b"Email\na@b.io\n"), ("__MACOSX/._contacts.csv", b"x")]);
        assert!(
            export.contains("a zip archive holding \"contacts-2026-12-07.csv\": unpack it and import the file inside"),
            "{export}"
        );
        let many: Vec<(String, &[u8])> = (1..=5).map(|i| (format!("part-{i}.csv"), &b"Email\n"[..])).collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        let many = said(&many);
        assert!(
            many.contains("\"part-1.csv\", \"part-2.csv\", \"part-3.csv\" and 2 more") && many.contains("the files"),
            "{many}"
        );
        let photos = said(&[("a.jpg", b"\xff\xd8")]);
        assert!(photos.contains("a zip archive without a spreadsheet in it"), "{photos}");
        // A workbook calamine cannot follow (its workbook's relationships missing): its reader's words, and the
        // way out.
        let book = said(&[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]);
        assert!(
            book.contains("workbook.xml.rels") && book.contains("save it again as .xlsx, or export it as CSV"),
            "{book}"
        );
        assert!(unreadable_zip(b"PK\x03\x04 cut short").to_string().contains("a damaged zip archive"));
    }
}
