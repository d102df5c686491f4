//! A `multipart/form-data` body (what `fetch(url, { body: new FormData(form) })`, a form with a file input and
//! many form builders send) read as the urlencoded form it stands for, which the core reads. Read here, where
//! the request is async, with `multer` (axum's own multipart reader). The urlencoded form is also what the
//! request's idempotency key is checked against: a retry's boundary is new every time, its fields are not.
use axum::body::Bytes;

/// Why a multipart body could not be read, said to the sender.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MultipartError {
    #[error("the multipart body names no boundary in its Content-Type")]
    NoBoundary,
    #[error("the multipart body could not be read: {0}")]
    Malformed(String),
    #[error("field \"{0}\" is a file: the capture API takes a form's text fields only")]
    File(String),
    #[error("field \"{0}\" is not UTF-8 text: send the form as UTF-8")]
    NotUtf8(String),
}

impl MultipartError {
    /// The form's field at fault, if one is.
    pub(crate) fn field(&self) -> Option<&str> {
        match self {
            MultipartError::File(f) | MultipartError::NotUtf8(f) => Some(f),
            MultipartError::NoBoundary | MultipartError::Malformed(_) => None,
        }
    }
}

/// Whether `content_type` is a multipart form.
pub(crate) fn is_multipart(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The text fields of a multipart form, in the order sent, as an `application/x-www-form-urlencoded` body. A
/// file input left empty (a part with an empty file name and no bytes) is no field; a file is refused.
pub(crate) async fn as_form(content_type: &str, body: Bytes) -> Result<Vec<u8>, MultipartError> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| MultipartError::NoBoundary)?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    let mut fields: Vec<(String, String)> = Vec::new();
    while let Some(part) = parts.next_field().await.map_err(|e| MultipartError::Malformed(e.to_string()))? {
        let name = part.name().unwrap_or_default().to_string();
        let is_file = part.file_name().is_some();
        let bytes = part.bytes().await.map_err(|e| MultipartError::Malformed(e.to_string()))?;
        if is_file {
            if bytes.is_empty() {
                continue;
            }
            return Err(MultipartError::File(name));
        }
        let value = String::from_utf8(bytes.to_vec()).map_err(|_| MultipartError::NotUtf8(name.clone()))?;
        fields.push((name, value));
    }
    Ok(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_bytes(content_type: &str, body: Vec<u8>) -> Result<String, MultipartError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| MultipartError::Malformed(e.to_string()))?;
        rt.block_on(as_form(content_type, Bytes::from(body))).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// `body` with its line ends as HTTP writes them.
    fn read(content_type: &str, body: &str) -> Result<String, MultipartError> {
        read_bytes(content_type, body.replace('\n', "\r\n").into_bytes())
    }

    const TYPE: &str = "multipart/form-data; boundary=----WebKitFormBoundaryx7S";

    /// What a browser's FormData sends: text fields in order (a name given twice kept twice, accents as UTF-8),
    /// an empty file input left out.
    #[test]
    fn a_browsers_form_data_reads_as_its_form() {
        let body = "------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"first_name\"

Zo\u{eb}
------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"email\"

zoe@example.com
------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"interest\"

CRM & more
------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"interest\"

Pricing
------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"cv\"; filename=\"\"
Content-Type: application/octet-stream


------WebKitFormBoundaryx7S--
";
        assert_eq!(
            read(TYPE, body).as_deref(),
            Ok("first_name=Zo%C3%AB&email=zoe%40example.com&interest=CRM+%26+more&interest=Pricing")
        );
        assert!(is_multipart(Some(TYPE)) && is_multipart(Some("Multipart/Form-Data;boundary=x")));
        assert!(!is_multipart(Some("application/x-www-form-urlencoded")) && !is_multipart(None));
    }

    /// A file is refused naming its field; a body without its boundary, or cut short, says so.
    #[test]
    fn a_file_or_a_broken_body_is_refused_saying_why() {
        let file = "------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"
Content-Type: application/pdf

%PDF-1.4
------WebKitFormBoundaryx7S--
";
        assert_eq!(read(TYPE, file), Err(MultipartError::File("cv".into())));
        assert_eq!(read("multipart/form-data", file), Err(MultipartError::NoBoundary));
        let cut = "------WebKitFormBoundaryx7S
Content-Disposition: form-data; name=\"first_name\"

Zo";
        assert!(matches!(read(TYPE, cut), Err(MultipartError::Malformed(_))), "{:?}", read(TYPE, cut));
        let latin1 = b"------WebKitFormBoundaryx7S\r\nContent-Disposition: form-data; name=\"first_name\"\r\n\r\nJ\xfcrgen\r\n------WebKitFormBoundaryx7S--\r\n";
        assert_eq!(read_bytes(TYPE, latin1.to_vec()), Err(MultipartError::NotUtf8("first_name".into())));
    }

    proptest::proptest! {
        /// Outside data: any bytes under any boundary are read or refused, never a panic; what is read is a form.
        #[test]
        fn any_body_is_read_or_refused(
            boundary in "[-A-Za-z0-9]{1,20}",
            parts in proptest::collection::vec(("[a-z_]{0,6}", proptest::collection::vec(proptest::num::u8::ANY, 0..40), proptest::bool::ANY), 0..5),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..30),
        ) {
            let mut body = Vec::new();
            for (name, value, file) in &parts {
                let file = if *file { "; filename=\"f\"" } else { "" };
                body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n").bytes());
                body.extend(value);
                body.extend(b"\r\n");
            }
            body.extend(&tail);
            if let Ok(form) = read_bytes(&format!("multipart/form-data; boundary={boundary}"), body) {
                proptest::prop_assert!(url::form_urlencoded::parse(form.as_bytes()).count() <= parts.len());
            }
        }
    }
}
