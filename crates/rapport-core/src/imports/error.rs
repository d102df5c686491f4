use crate::error::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text in an encoding Rapport reads (UTF-8, UTF-16, Windows-1252 and other 8-bit encodings), nor a spreadsheet (.xlsx, .xls, .ods)")]
    NotText,
    #[error("the file is a web page (an HTML table), as some systems export \"Excel\" files: open it in Excel or LibreOffice and save it as .xlsx or CSV, then import that")]
    WebPage,
    /// A spreadsheet in a format of its own that reads as text (which one, in words).
    #[error("the file is {0}, which Rapport does not read: open it in Excel or LibreOffice and save it as .xlsx or CSV, then import that")]
    OtherSpreadsheet(&'static str),
    #[error("the spreadsheet could not be read: {0}")]
    Spreadsheet(String),
    #[error("the file has {0} columns, more than an import reads (16,384, as many as a spreadsheet has): is it one table with a header line, one contact a row?")]
    TooWide(usize),
    #[error("the workbook has no sheet named \"{0}\" (its sheets: {1})")]
    NoSheet(String, String),
    /// A row that could not be read as the file's rows are; `cells`: what of it was read (kept in the rejected
    /// rows as the file had them, so the row can be fixed and imported again), empty when nothing was.
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String, cells: Vec<String> },
    #[error("the mapping is not usable: {0}")]
    Mapping(String),
    #[error("the file changed since the import started ({0}); resume needs the same file, or undo the batch")]
    FileChanged(String),
    #[error("import {id} is {status}: {what}")]
    WrongState { id: i64, status: &'static str, what: &'static str },
    #[error(
        "import {id} is {importer}'s, who works on some campaigns only: resumed by you, the rest of the file would \
         be read with your reach, and {importer} reads its rejected rows. Ask {importer} to resume it, or undo it"
    )]
    ResumeIsTheImporters { id: i64, importer: String },
    #[error("no staged file \"{0}\": add the file again")]
    NoStagedFile(String),
    /// The rejected rows' file could not be written: the writer's own error, as the caller knows where it wrote.
    #[error("{0}")]
    WriteRejects(std::io::Error),
}

impl ImportError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::Io(_) | ImportError::WriteRejects(_) => ErrorCode::Io,
            ImportError::WrongState { .. } => ErrorCode::Conflict,
            ImportError::NoStagedFile(_) => ErrorCode::NotFound,
            ImportError::ResumeIsTheImporters { .. } => ErrorCode::PermissionDenied,
            _ => ErrorCode::Validation,
        }
    }
}
