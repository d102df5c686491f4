//! A capture request's body as (field, value) pairs: JSON (an object of strings, numbers, booleans or
//! arrays of them) or form-urlencoded, whatever a website form or a partner's system sends. Outside data:
//! fuzzed, never panics, every refusal says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("the body must be a JSON object of field names to values")]
    NotAnObject,
    #[error("field \"{0}\" must be text, a number, true/false, or a list of those")]
    Nested(String),
    #[error("the body is not valid form data (application/x-www-form-urlencoded)")]
    Form,
    #[error("send JSON (application/json) or form data (application/x-www-form-urlencoded), not {0}")]
    MediaType(String),
    #[error("the body has no fields")]
    Empty,
    #[error("the body has {0} fields; at most 200 are taken")]
    TooManyFields(usize),
}

const MAX_FIELDS: usize = 200;

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Null => Some(String::new()),
        _ => None,
    }
}

/// `content_type` as the request sent it (parameters such as charset allowed).
pub fn parse_body(content_type: Option<&str>, bytes: &[u8]) -> Result<Vec<(String, String)>, BodyError> {
    let media = content_type.unwrap_or("application/json").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let fields: Vec<(String, String)> = match media.as_str() {
        "application/json" | "text/json" | "" => {
            let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| BodyError::Json(e.to_string()))?;
            let serde_json::Value::Object(map) = v else { return Err(BodyError::NotAnObject) };
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                match v {
                    serde_json::Value::Array(items) => {
                        let parts: Option<Vec<String>> = items.iter().map(scalar).collect();
                        let parts = parts.ok_or_else(|| BodyError::Nested(k.clone()))?;
                        out.push((k, parts.join("; ")));
                    }
                    other => out.push((k.clone(), scalar(&other).ok_or(BodyError::Nested(k))?)),
                }
            }
            out
        }
        "application/x-www-form-urlencoded" => {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).map_err(|_| BodyError::Form)?
        }
        other => return Err(BodyError::MediaType(other.to_string())),
    };
    if fields.len() > MAX_FIELDS {
        return Err(BodyError::TooManyFields(fields.len()));
    }
    if fields.iter().all(|(_, v)| v.trim().is_empty()) {
        return Err(BodyError::Empty);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_and_forms() {
        let f = parse_body(
            Some("application/json; charset=utf-8"),
            br#"{"first_name":"Ann","emails":["a@x.io","b@x.io"],"age":3}"#,
        );
        assert_eq!(
            f,
            Ok(vec![
                ("age".into(), "3".into()),
                ("emails".into(), "a@x.io; b@x.io".into()),
                ("first_name".into(), "Ann".into())
            ])
        );
        let f = parse_body(Some("application/x-www-form-urlencoded"), b"first_name=J%C3%BCrgen&email=j%40x.de");
        assert_eq!(f, Ok(vec![("first_name".into(), "Jürgen".into()), ("email".into(), "j@x.de".into())]));
        assert_eq!(parse_body(None, b"[1]"), Err(BodyError::NotAnObject));
        assert_eq!(parse_body(None, br#"{"a":{"b":1}}"#), Err(BodyError::Nested("a".into())));
        assert_eq!(parse_body(Some("text/plain"), b"x"), Err(BodyError::MediaType("text/plain".into())));
        assert_eq!(parse_body(None, b"{}"), Err(BodyError::Empty));
        assert!(matches!(parse_body(None, b"{\"a\":"), Err(BodyError::Json(_))));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn any_body_is_parsed_or_refused_never_a_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            json in "\\{(\"[a-z_]{0,8}\":(\"[^\"\\\\]{0,12}\"|[0-9]{1,4}|\\[\\]|null|\\{\\}),?){0,6}\\}",
            media in prop_oneof![Just("application/json"), Just("application/x-www-form-urlencoded"), Just("text/plain"), Just("")],
        ) {
            let _ = parse_body(Some(media), &bytes);
            let _ = parse_body(Some(media), json.as_bytes());
            if let Ok(fields) = parse_body(Some("application/json"), json.as_bytes()) {
                prop_assert!(fields.len() <= MAX_FIELDS);
            }
        }
    }
}
