//! Files the page offers to keep (an import's rejected rows, an .ics invite or calendar) are saved here, in the
//! user's Downloads folder, and the page is told the path it got. A web page would hand them to the browser as a
//! Blob link, but a webview has no browser around it: WebKitGTK saved such a link into the app's working directory
//! without a word, so users could not find the file they had asked for.
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use rapport_core::ErrorCode;
use tauri::{AppHandle, Manager};

use crate::ApiError;

/// Where downloads go instead of the Downloads folder (a folder of its own for a portable install, or a test).
const DIR_VARIABLE: &str = "RAPPORT_DOWNLOAD_DIR";

/// The folder downloads are saved into: `RAPPORT_DOWNLOAD_DIR`, else the OS's Downloads folder, else
/// `Downloads` in the home folder (a Linux session without XDG user folders has no Downloads folder on record).
pub(crate) fn downloads_dir(app: &AppHandle) -> Result<PathBuf, ApiError> {
    if let Some(dir) = std::env::var_os(DIR_VARIABLE).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let paths = app.path();
    paths.download_dir().or_else(|_| paths.home_dir().map(|h| h.join("Downloads"))).map_err(|e| {
        ApiError::new(ErrorCode::Io, format!("There is no Downloads folder to save into ({e}); set {DIR_VARIABLE}."))
    })
}

/// `name` as a file name every file system takes: no folders, no reserved or control characters, no leading dots
/// (a hidden file, or a climb out of the folder), and not empty.
pub(crate) fn safe_file_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_control() || r#"\/:*?"<>|"#.contains(c) { ' ' } else { c }).collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    if cleaned.is_empty() {
        "download".to_string()
    } else {
        cleaned.to_string()
    }
}

/// The name a file gets when `name` is taken: "report.csv" → "report (2).csv", as browsers do.
fn numbered(name: &str, n: u32) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

/// Writes `bytes` as a new file named `name` in `dir` (created if missing), numbered when the name is taken: a
/// download never replaces a file. A write that fails leaves no partial file behind. Answers the file's path.
pub(crate) fn save_new(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    save_new_with(dir, name, |e| e, |out| out.write_all(bytes))
}

/// As [`save_new`], the file written by `write` as it goes (a large file is never held whole in memory); its
/// errors, and those of the file (through `io_error`), are `E`. It is written under a hidden name first and
/// takes its own only once whole, so a crash part-way leaves no file that looks complete.
pub(crate) fn save_new_with<E>(
    dir: &Path,
    name: &str,
    io_error: impl Fn(std::io::Error) -> E,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<PathBuf, E> {
    std::fs::create_dir_all(dir).map_err(&io_error)?;
    let name = safe_file_name(name);
    let (partial, file) = create_numbered(dir, &format!(".{name}.part")).map_err(&io_error)?;
    let mut out = std::io::BufWriter::new(file);
    let written = write(&mut out).and_then(|()| {
        let file = out.into_inner().map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(&io_error)
    });
    let named = written.and_then(|()| name_new(&partial, dir, &name).map_err(&io_error));
    if named.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    named
}

/// A new file named `name` in `dir`, numbered when the name is taken; its path and the file.
fn create_numbered(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    for n in 1..=10_000 {
        let path = dir.join(if n == 1 { name.to_string() } else { numbered(name, n) });
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("{name} and 10,000 numbered copies exist")))
}

/// Gives the whole file at `partial` the name `name` in `dir`, numbered when taken, never replacing a file: a
/// hard link fails on a name that exists. Where the file system has no hard links (FAT on a USB stick), it is
/// renamed to a name found free.
fn name_new(partial: &Path, dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    for n in 1..=10_000 {
        let path = dir.join(if n == 1 { name.to_string() } else { numbered(name, n) });
        match std::fs::hard_link(partial, &path) {
            Ok(()) => {
                // Saved whole under its name: a hidden copy left behind is no reason to say it was not.
                let _ = std::fs::remove_file(partial);
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) if !path.exists() => {
                std::fs::rename(partial, &path)?;
                return Ok(path);
            }
            Err(_) => continue,
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("{name} and 10,000 numbered copies exist")))
}

/// Saves `text` as `file_name` in the Downloads folder (see [`save_new`]); answers the path it was saved at.
#[tauri::command]
#[specta::specta]
pub async fn save_download(app: AppHandle, file_name: String, text: String) -> Result<String, ApiError> {
    let dir = downloads_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || {
        save_new(&dir, &file_name, text.as_bytes()).map(|p| p.display().to_string()).map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("Could not save {} in {}: {e}", safe_file_name(&file_name), dir.display()),
            )
        })
    })
    .await
    .unwrap_or_else(|e| Err(ApiError::new(ErrorCode::Internal, format!("saving the file stopped: {e}"))))
}

/// What an export of the leads list saved: where, and how many leads.
#[derive(Debug, Clone, serde::Serialize, specta::Type)]
pub struct SavedExport {
    pub path: String,
    #[specta(type = specta_typescript::Number)]
    pub count: u64,
}

/// Saves the leads `query` matches (the list's search and filters, in its order; its paging ignored) as CSV
/// named `file_name` in the Downloads folder, written as they are read; `on_progress` hears how many there are,
/// then how many are written every thousand. `cancel_lead_export` stops it, and no file is left.
#[tauri::command]
#[specta::specta]
pub async fn export_leads(
    app: AppHandle,
    state: tauri::State<'_, crate::state::AppState>,
    query: rapport_core::leads::LeadQuery,
    file_name: String,
    on_progress: tauri::ipc::Channel<rapport_core::leads::ExportProgress>,
) -> Result<SavedExport, ApiError> {
    let dir = downloads_dir(&app)?;
    let cancel = state.export_cancel.clone();
    cancel.store(false, std::sync::atomic::Ordering::Relaxed);
    crate::commands::as_actor(&state, move |core, actor| {
        // Said as any download's failure is: the file and the folder, then why.
        let where_to = |e: std::io::Error| {
            let said = format!("Could not save {} in {}: {e}", safe_file_name(&file_name), dir.display());
            rapport_core::Error::from(rapport_core::leads::ExportError::Saving(std::io::Error::new(e.kind(), said)))
        };
        let mut count = 0;
        let path = save_new_with(&dir, &file_name, where_to, |out| {
            // A CSV opens in a spreadsheet: without a byte order mark, Excel reads its UTF-8 as the system's code
            // page ("ZoÃ«" for Zoë). The import reads the mark.
            out.write_all("\u{feff}".as_bytes()).map_err(where_to)?;
            let mut progress = |p: rapport_core::leads::ExportProgress| {
                let _ = on_progress.send(p);
                !cancel.load(std::sync::atomic::Ordering::Relaxed)
            };
            match core.export_leads_csv(actor, Some(&query), out, &mut progress) {
                Ok(n) => {
                    count = n;
                    Ok(())
                }
                Err(rapport_core::Error::Export(rapport_core::leads::ExportError::Write(e))) => Err(where_to(e)),
                Err(e) => Err(e),
            }
        })?;
        Ok(SavedExport { path: path.display().to_string(), count })
    })
    .await
}

/// Stops a running export of the leads list: it ends as cancelled, leaving no file.
#[tauri::command]
#[specta::specta]
pub fn cancel_lead_export(state: tauri::State<'_, crate::state::AppState>) {
    state.export_cancel.store(true, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_never_leaves_the_folder_or_hides() {
        assert_eq!(safe_file_name("march.csv.rejects.csv"), "march.csv.rejects.csv");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc passwd");
        assert_eq!(safe_file_name(r"C:\Users\x\a.ics"), "C Users x a.ics");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("Demo: Acme?\n<2026>.ics"), "Demo Acme 2026 .ics");
        assert_eq!(safe_file_name(" .. "), "download");
        assert_eq!(safe_file_name("Größe GmbH.ics"), "Größe GmbH.ics");
    }

    /// A file written as it goes (an import's rejected rows, read from the database as they are written) whose
    /// writer fails part-way is removed: no half file is left to be taken for the whole.
    #[test]
    fn a_file_whose_writing_fails_part_way_is_not_left_behind() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let saved = save_new_with(
            dir.path(),
            "messe.csv.rejects.csv",
            |e| e.to_string(),
            |out| {
                out.write_all(&vec![b'x'; 64 * 1024]).map_err(|e| e.to_string())?;
                Err("the database went away".to_string())
            },
        );
        assert_eq!(saved, Err("the database went away".to_string()));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap_or_else(|e| panic!("{e}")).collect();
        assert!(left.is_empty(), "{left:?}");
        let whole = save_new_with(
            dir.path(),
            "messe.csv.rejects.csv",
            |e| e.to_string(),
            |out| out.write_all(b"name,error\n").map_err(|e| e.to_string()),
        );
        let whole = whole.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&whole).unwrap_or_default(), "name,error\n", "written whole, flushed");
        let names = |dir: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap_or_else(|e| panic!("{e}"))
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(dir.path()), ["messe.csv.rejects.csv"], "no hidden part left");
        // While being written, the file is not under its own name: a crash then leaves no file that looks whole.
        let seen = save_new_with(
            dir.path(),
            "big.csv",
            |e| e.to_string(),
            |out| {
                out.write_all(b"a").map_err(|e| e.to_string())?;
                let now = names(dir.path());
                if now.iter().any(|n| n == "big.csv") {
                    return Err(format!("named before it was whole: {now:?}"));
                }
                Ok(())
            },
        );
        assert_eq!(seen.map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned())), Ok(Some("big.csv".into())));
    }

    #[test]
    fn a_taken_name_gets_a_number_and_nothing_is_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let inside = dir.path().join("Downloads");
        let first = save_new(&inside, "messe.csv.rejects.csv", b"one").unwrap_or_else(|e| panic!("{e}"));
        let second = save_new(&inside, "messe.csv.rejects.csv", b"two").unwrap_or_else(|e| panic!("{e}"));
        let third = save_new(&inside, "messe.csv.rejects.csv", b"three").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, inside.join("messe.csv.rejects.csv"), "the folder is made when missing");
        assert_eq!(second, inside.join("messe.csv.rejects (2).csv"));
        assert_eq!(third, inside.join("messe.csv.rejects (3).csv"));
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        assert_eq!((read(&first), read(&second), read(&third)), ("one".into(), "two".into(), "three".into()));
        let plain = save_new(&inside, "notes", b"a").and_then(|_| save_new(&inside, "notes", b"b"));
        assert_eq!(plain.ok(), Some(inside.join("notes (2)")));
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_an_error_not_a_file_elsewhere() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let blocker = dir.path().join("Downloads");
        std::fs::write(&blocker, "a file where the folder should be").unwrap_or_else(|e| panic!("{e}"));
        assert!(save_new(&blocker, "a.csv", b"x").is_err());
        let entries: Vec<_> =
            std::fs::read_dir(dir.path()).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
        assert_eq!(entries, vec![std::ffi::OsString::from("Downloads")], "nothing written beside it");
    }
}
