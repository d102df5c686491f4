//! Opening a link of a lead or an appointment (an email address, a phone number, a meeting's video link) in the
//! program the system gives such links. The webview opens none by itself: a `target="_blank"` link or a `mailto:`
//! is dropped without a word, and a page allowed to open anything could start whatever a stored value names.
use url::Url;

use crate::error::ApiError;
use rapport_core::ErrorCode;

/// The kinds of link a lead's or an appointment's values make, and no other (no `file:`, no `javascript:`,
/// no custom scheme that would start an installed program with the value).
const SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// `link` as the URL to hand to the system, when it is one of [`SCHEMES`] and names somewhere to go.
fn checked(link: &str) -> Result<Url, ApiError> {
    let refuse = |why: &str| ApiError::new(ErrorCode::Validation, format!("{why}: {link}"));
    let url = Url::parse(link.trim()).map_err(|_| refuse("not a link that can be opened"))?;
    if !SCHEMES.contains(&url.scheme()) {
        return Err(refuse("only web, email and phone links are opened"));
    }
    let names_somewhere = match url.scheme() {
        "http" | "https" => url.host_str().is_some_and(|h| !h.is_empty()),
        _ => !url.path().trim().is_empty(),
    };
    if !names_somewhere {
        return Err(refuse("the link names nowhere to go"));
    }
    Ok(url)
}

/// Opens `link` (a web, email or phone link) with the system's handler for it: the browser, the mail program,
/// the phone or call app. The answer says the handler was started, not that it did anything.
#[tauri::command]
#[specta::specta]
pub async fn open_link(link: String) -> Result<(), ApiError> {
    let url = checked(&link)?;
    // Waited for a moment, so that a system with no program for the link (xdg-open's "no method available", gio's
    // "no default application") is told, not taken for opened; a program still starting then is left to it.
    let opened = tauri::async_runtime::spawn_blocking(move || {
        open::that_detached_with_timeout(url.as_str(), std::time::Duration::from_secs(2))
    })
    .await;
    match opened {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            Err(ApiError::new(ErrorCode::Io, format!("this system has no program to open {link} with ({e})")))
        }
        Err(e) => Err(ApiError::new(ErrorCode::Internal, format!("opening {link} stopped: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::checked;

    #[test]
    fn web_email_and_phone_links_are_opened_as_given() {
        for link in [
            "https://meet.example.com/abc-def",
            "http://zoom.example/j/1",
            "mailto:ann@acme.example",
            "tel:+4930123456",
        ] {
            assert_eq!(checked(link).unwrap().as_str(), link);
        }
    }

    #[test]
    fn other_schemes_and_empty_links_are_refused_naming_the_link() {
        for link in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ssh://host",
            "vscode://x",
            "mailto:",
            "tel:",
            "https://",
            "",
            "ann@acme.example",
        ] {
            let err = checked(link).unwrap_err();
            assert!(err.message.ends_with(link), "{link}: {}", err.message);
        }
    }
}
