//! Files the UI sends whole (an import's list, calendar files) come as the request's raw body, their name in a
//! header. As a JSON list of numbers, which Tauri parses on the window's thread before the command runs, a 15 MB
//! list took some 40 bytes of memory per byte and froze the window while it was read. (The raw body needs the
//! IPC protocol, which the CSP's `connect-src ipc:` lets the page reach; without it every call fell back to
//! messages.)
use percent_encoding::percent_decode_str;
use rapport_core::ErrorCode;
use tauri::ipc::{InvokeBody, Request};

use crate::error::ApiError;

/// The file's name, as `encodeURIComponent` wrote it (a header is ASCII; names are not).
pub(crate) const FILE_NAME_HEADER: &str = "x-rapport-file-name";

/// The file a command was sent: its name and its bytes.
pub(crate) fn file_of(request: &Request<'_>) -> Result<(String, Vec<u8>), ApiError> {
    file_from(request.body(), header(request, FILE_NAME_HEADER).as_deref())
}

/// A header's value, percent-decoded.
pub(crate) fn header(request: &Request<'_>, name: &str) -> Option<String> {
    let value = request.headers().get(name)?.to_str().ok()?;
    Some(percent_decode_str(value).decode_utf8_lossy().into_owned())
}

fn file_from(body: &InvokeBody, name: Option<&str>) -> Result<(String, Vec<u8>), ApiError> {
    let bytes = match body {
        InvokeBody::Raw(bytes) => bytes.clone(),
        // Where the webview cannot reach the IPC protocol, Tauri falls back to messages, which carry the bytes as
        // a list of numbers: slow, but the file still comes.
        InvokeBody::Json(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| ApiError::new(ErrorCode::Validation, "the file did not come as bytes"))?,
        InvokeBody::Json(_) => return Err(ApiError::new(ErrorCode::Validation, "the file did not come as bytes")),
    };
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or("file");
    Ok((name.to_owned(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_its_raw_bytes_and_a_decoded_name() {
        let body = InvokeBody::Raw(vec![0xEF, 0xBB, 0xBF, b'a', b';', b'b']);
        let name = percent_decode_str("Messe%20M%C3%BCnchen.csv").decode_utf8_lossy().into_owned();
        let (n, bytes) = file_from(&body, Some(&name)).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!((n.as_str(), bytes.len()), ("Messe München.csv", 6));
        assert_eq!(file_from(&body, None).map(|(n, _)| n).unwrap_or_default(), "file");
        // Tauri's fallback when the IPC protocol cannot be reached: the bytes as a list of numbers.
        let fallback = InvokeBody::Json(serde_json::json!([97, 59, 98]));
        assert_eq!(file_from(&fallback, Some("x.csv")).map(|(_, b)| b).unwrap_or_default(), b"a;b");
        for bad in [serde_json::json!([1, 256]), serde_json::json!({"bytes": [1]}), serde_json::json!([-1])] {
            let refused = file_from(&InvokeBody::Json(bad.clone()), Some("x.csv"));
            assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Validation), "{bad}");
        }
    }
}
