//! A capture request's body as (field, value) pairs: JSON (an object of strings, numbers, booleans or arrays of
//! them, an array giving its name once per item, an object within named by its path: "address.city") or
//! form-urlencoded, whatever a website form or a partner's system sends. Outside data: fuzzed, never panics,
//! every refusal says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("the body must be a JSON object of field names to values")]
    NotAnObject,
    #[error(
        "field \"{0}\" must be text, a number, true/false, a list of those, or an object of them (at most 8 deep)"
    )]
    Nested(String),
    #[error(
        "field \"{0}\" is not UTF-8 text: send the form as UTF-8 (accept-charset=\"UTF-8\"), or name its charset in \
         the Content-Type"
    )]
    NotUtf8(String),
    #[error(
        "send JSON (application/json) or form data (application/x-www-form-urlencoded or multipart/form-data), not {0}"
    )]
    MediaType(String),
    #[error("the body has no fields")]
    Empty,
    #[error("the body is JSON sent as form data: send it with Content-Type: application/json")]
    JsonAsForm,
    #[error("the body is form data sent as JSON: send it with Content-Type: application/x-www-form-urlencoded")]
    FormAsJson,
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

/// A JSON value as sent: an object's members in the order sent, a name given twice kept twice (a
/// `serde_json::Value` keeps the last of them only, and sorts the others).
enum Sent {
    Value(serde_json::Value),
    List(Vec<Sent>),
    Object(Members),
}

impl<'de> serde::Deserialize<'de> for Sent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Sent;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Sent, E> {
                Ok(Sent::Value(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Sent, E> {
                Ok(Sent::Value(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Sent, E> {
                Ok(Sent::Value(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Sent, E> {
                Ok(Sent::Value(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Sent, E> {
                Ok(Sent::Value(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Sent, E> {
                Ok(Sent::Value(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Sent, E> {
                Ok(Sent::Value(serde_json::Value::Null))
            }
            fn visit_none<E>(self) -> Result<Sent, E> {
                Ok(Sent::Value(serde_json::Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Sent, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Sent>()? {
                    out.push(item);
                }
                Ok(Sent::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Sent, A::Error> {
                let mut out = Vec::new();
                while let Some(member) = map.next_entry::<String, Sent>()? {
                    out.push(member);
                }
                Ok(Sent::Object(out))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// An object's members, in the order sent.
type Members = Vec<(String, Sent)>;

/// Fields deeper than this many objects are refused: no partner's record is so deep, and each level lengthens
/// every name below it.
const MAX_DEPTH: usize = 8;

/// The members of an object as (name, value) fields, a member's object read as fields named by their path
/// ("address.city", as a partner's system nests a record's parts), a list as its name given once per item.
fn flatten(members: Members, prefix: &str, depth: usize, out: &mut Vec<(String, String)>) -> Result<(), BodyError> {
    for (k, v) in members {
        let name = if prefix.is_empty() { k } else { format!("{prefix}.{k}") };
        match v {
            Sent::Value(v) => out.push((name.clone(), scalar(&v).ok_or(BodyError::Nested(name))?)),
            // A list is its name given once per item, as a form's checkbox group posts it: a field of several
            // values (emails, phones, tags, notes) takes each, and the caller refuses a list for a field of one
            // value instead of storing "Ann; Bob" as a first name. A list of objects gives each one's fields.
            Sent::List(items) => {
                for item in items {
                    match item {
                        Sent::Value(v) => {
                            out.push((name.clone(), scalar(&v).ok_or_else(|| BodyError::Nested(name.clone()))?))
                        }
                        Sent::Object(inner) => match named_value(inner) {
                            Ok((field, values)) => {
                                for v in values {
                                    let value = scalar(&v).ok_or_else(|| BodyError::Nested(field.clone()))?;
                                    out.push((field.clone(), value));
                                }
                            }
                            Err(inner) if depth < MAX_DEPTH => flatten(inner, &name, depth + 1, out)?,
                            Err(_) => return Err(BodyError::Nested(name)),
                        },
                        _ => return Err(BodyError::Nested(name)),
                    }
                }
            }
            Sent::Object(inner) if depth < MAX_DEPTH => flatten(inner, &name, depth + 1, out)?,
            Sent::Object(_) => return Err(BodyError::Nested(name)),
        }
    }
    Ok(())
}

/// A list's object that is one field given as its name and value, as HubSpot's forms API (`{"name": "email",
/// "value": ...}`), Facebook's lead ads (`{"name": "full_name", "values": [...]}`) and Tally (`{"key": "question_3E1",
/// "label": "Email", "value": ...}`) send their fields: the field by its label, else its name or key, and its
/// values. Read as paths, every field was "fields.value" and the person lost. Any other object is given back.
fn named_value(members: Members) -> Result<(String, Vec<serde_json::Value>), Members> {
    let text = |key: &str| {
        members.iter().find_map(|(k, v)| match v {
            Sent::Value(serde_json::Value::String(s)) if k == key && !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        })
    };
    let Some(field) = text("label").or_else(|| text("name")).or_else(|| text("key")) else { return Err(members) };
    let value = members.iter().position(|(k, _)| k == "value" || k == "values");
    let Some(at) = value.filter(|_| members.len() <= 6) else { return Err(members) };
    let values = match &members[at].1 {
        Sent::Value(v) => vec![v.clone()],
        Sent::List(items) if items.iter().all(|i| matches!(i, Sent::Value(_))) => items
            .iter()
            .filter_map(|i| match i {
                Sent::Value(v) => Some(v.clone()),
                _ => None,
            })
            .collect(),
        _ => return Err(members),
    };
    Ok((field, values))
}

/// Fields in which a form tool posts the whole form again as JSON text: Jotform's webhook ("rawRequest", beside
/// the form's ids and a "pretty" text of it), Unbounce's ("data.json", beside the same as XML in "data.xml").
const JSON_IN_A_FIELD: [&str; 2] = ["rawrequest", "data.json"];

/// `fields` with such a field read as the fields of its JSON: the person's name and email were in it, and the
/// submission was refused as naming no one. The XML copy of a form read so is left out.
fn unpacked(fields: Vec<(String, String)>) -> Result<Vec<(String, String)>, BodyError> {
    let packed = |k: &str| JSON_IN_A_FIELD.contains(&k.trim().to_ascii_lowercase().as_str());
    if !fields.iter().any(|(k, _)| packed(k)) {
        return Ok(fields);
    }
    let mut out = Vec::with_capacity(fields.len());
    let mut read = false;
    for (k, v) in fields {
        if packed(&k) {
            if let Ok(Sent::Object(members)) = serde_json::from_str::<Sent>(&v) {
                flatten(members, "", 1, &mut out)?;
                read = true;
                continue;
            }
        }
        out.push((k, v));
    }
    if read {
        out.retain(|(k, _)| !k.trim().eq_ignore_ascii_case("data.xml"));
    }
    Ok(out)
}

/// A form's fields, names and values percent-decoded, in the charset the request declares (a page served in
/// ISO-8859-1 posts its accents so, and says it), else required to be UTF-8: an undeclared other encoding would
/// be stored as "J\u{fffd}rgen" by a lenient decoder.
fn form_fields(
    bytes: &[u8],
    charset: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<(String, String)>, BodyError> {
    let encoding = charset.unwrap_or(encoding_rs::UTF_8);
    let decode = |part: &[u8]| -> Option<String> {
        let spaced: Vec<u8> = part.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        let raw: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        encoding.decode_without_bom_handling_and_without_replacement(&raw).map(|c| c.into_owned())
    };
    let mut out = Vec::new();
    for pair in bytes.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let name = decode(name).ok_or_else(|| BodyError::NotUtf8(String::from_utf8_lossy(name).into_owned()))?;
        let value = decode(value).ok_or_else(|| BodyError::NotUtf8(name.clone()))?;
        out.push((name, value));
    }
    Ok(out)
}

/// The encoding a `charset` parameter of the content type names, if it names one.
fn declared_charset(content_type: Option<&str>) -> Option<&'static encoding_rs::Encoding> {
    content_type?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        // As browsers read a form (WHATWG): UTF-16 is never what a urlencoded body is in, and means UTF-8.
        encoding_rs::Encoding::for_label(v.trim().trim_matches('"').as_bytes()).map(|e| e.output_encoding())
    })
}

/// Whether `bytes` read as the other kind of body than the one sent: a JSON object sent as a form, or a form's
/// `name=value&...` sent as JSON (a client that set the wrong Content-Type, the commonest integration slip).
fn looks_like_json(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii_start();
    t.starts_with(b"{") && serde_json::from_slice::<serde_json::Value>(bytes).is_ok_and(|v| v.is_object())
}

fn looks_like_form(bytes: &[u8]) -> bool {
    let t = bytes.trim_ascii();
    !t.is_empty()
        && !t.starts_with(b"{")
        && !t.starts_with(b"[")
        && t.split(|&b| b == b'&').all(|pair| pair.iter().position(|&b| b == b'=').is_some_and(|i| i > 0))
}

/// What a content type means for how the body is read, spelled one way: the same body sent as
/// `application/json`, `application/json;charset=utf-8` or without a type reads the same, and is the same request
/// to its idempotency key; a form's charset, which changes how its bytes read, stays in it.
pub(crate) fn reading_of(content_type: Option<&str>) -> String {
    let media = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" | "text/json" | "" => "application/json".into(),
        "application/x-www-form-urlencoded" => match declared_charset(content_type) {
            Some(e) if e != encoding_rs::UTF_8 => format!("{media}; charset={}", e.name().to_ascii_lowercase()),
            _ => media,
        },
        _ => media,
    }
}

/// `content_type` as the request sent it (parameters such as charset allowed).
pub fn parse_body(content_type: Option<&str>, bytes: &[u8]) -> Result<Vec<(String, String)>, BodyError> {
    let media = content_type.unwrap_or("application/json").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let fields: Vec<(String, String)> = match media.as_str() {
        "application/json" | "text/json" | "" => {
            // The byte-order mark .NET and PowerShell clients put first, which JSON allows a reader to skip.
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
                if looks_like_form(bytes) {
                    BodyError::FormAsJson
                } else {
                    BodyError::Json(e.to_string())
                }
            })?;
            if !v.is_object() {
                return Err(BodyError::NotAnObject);
            }
            // Read again as members in order: an object keeps only the last of two members with one name, and
            // the first one's value would be lost without a word.
            let Sent::Object(members) = serde_json::from_slice(bytes).map_err(|e| BodyError::Json(e.to_string()))?
            else {
                return Err(BodyError::NotAnObject);
            };
            let mut out = Vec::with_capacity(members.len());
            flatten(members, "", 1, &mut out)?;
            out
        }
        "application/x-www-form-urlencoded" => {
            if looks_like_json(bytes) {
                return Err(BodyError::JsonAsForm);
            }
            form_fields(bytes, declared_charset(content_type))?
        }
        other => return Err(BodyError::MediaType(other.to_string())),
    };
    let fields = unpacked(fields)?;
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

    /// One request, however its content type is spelled; a form's declared charset changes how it reads.
    #[test]
    fn a_content_type_reads_one_way_whatever_its_spelling() {
        let json = ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"];
        for t in json {
            assert_eq!(reading_of(Some(t)), "application/json", "{t}");
        }
        assert_eq!(reading_of(None), "application/json");
        let form = "application/x-www-form-urlencoded";
        assert_eq!(reading_of(Some(&format!("{form}; charset=UTF-8"))), form);
        assert_eq!(reading_of(Some(&format!("{form};charset=latin1"))), format!("{form}; charset=windows-1252"));
        assert_ne!(reading_of(Some(form)), reading_of(Some(&format!("{form}; charset=ISO-8859-1"))));
    }
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
                ("first_name".into(), "Ann".into()),
                ("emails".into(), "a@x.io".into()),
                ("emails".into(), "b@x.io".into()),
                ("age".into(), "3".into())
            ])
        );
        // A name given twice keeps both values, as a form's repeated field does.
        let twice = br#"{"email":"a@x.io","email":"b@x.io","last_name":"X"}"#;
        let form = b"email=a%40x.io&email=b%40x.io&last_name=X";
        let expected: Vec<(String, String)> = vec![
            ("email".into(), "a@x.io".into()),
            ("email".into(), "b@x.io".into()),
            ("last_name".into(), "X".into()),
        ];
        assert_eq!(parse_body(None, twice), Ok(expected.clone()));
        assert_eq!(parse_body(Some("application/x-www-form-urlencoded"), form), Ok(expected));
        // Latin-1 bytes in a form are refused with the field's name, not stored as a replacement character.
        let latin1 = b"first_name=J%FCrgen&last_name=X+Y";
        assert_eq!(
            parse_body(Some("application/x-www-form-urlencoded"), latin1),
            Err(BodyError::NotUtf8("first_name".into()))
        );
        // Unless the request says that is its charset.
        let declared = "application/x-www-form-urlencoded; charset=ISO-8859-1";
        assert_eq!(
            parse_body(Some(declared), latin1),
            Ok(vec![("first_name".into(), "Jürgen".into()), ("last_name".into(), "X Y".into())])
        );
        // JSON after a byte-order mark, as .NET clients send it.
        assert_eq!(
            parse_body(Some("application/json"), b"\xEF\xBB\xBF{\"last_name\":\"X\"}"),
            Ok(vec![("last_name".into(), "X".into())])
        );
        assert_eq!(
            parse_body(Some("application/x-www-form-urlencoded"), b"last_name=X+Y&note=a%2Bb"),
            Ok(vec![("last_name".into(), "X Y".into()), ("note".into(), "a+b".into())])
        );
        let f = parse_body(Some("application/x-www-form-urlencoded"), b"first_name=J%C3%BCrgen&email=j%40x.de");
        assert_eq!(f, Ok(vec![("first_name".into(), "Jürgen".into()), ("email".into(), "j@x.de".into())]));
        assert_eq!(parse_body(None, b"[1]"), Err(BodyError::NotAnObject));
        assert_eq!(parse_body(None, br#"{"a":{"b":1}}"#), Ok(vec![("a.b".into(), "1".into())]));
        assert_eq!(parse_body(Some("text/plain"), b"x"), Err(BodyError::MediaType("text/plain".into())));
        assert_eq!(parse_body(None, b"{}"), Err(BodyError::Empty));
        assert_eq!(parse_body(None, br#"{"tags":[],"x":""}"#), Err(BodyError::Empty));
        assert_eq!(parse_body(None, br#"{"tags":[["a"]]}"#), Err(BodyError::Nested("tags".into())));
        assert!(matches!(parse_body(None, b"{\"a\":"), Err(BodyError::Json(_))));
    }

    /// A partner's system nests a record's parts ({"contact": {...}, "address": {...}}): each value is a field
    /// named by its path, in the order sent, a name given twice kept twice; a list of objects gives each one's.
    /// It was refused whole ("must be text, a number..."), and the partner had to flatten its records first.
    #[test]
    fn an_object_within_is_read_as_fields_named_by_their_path() {
        let body = br#"{"contact":{"first_name":"Ann","last_name":"Lee","email":"a@x.io","email":"b@x.io"},
            "address":{"line1":"1 Main St","city":"Leeds","geo":{"lat":53.8,"lng":-1.55}},
            "phones":[{"type":"work","value":"+44 113 496 0000"},{"type":"mobile","value":"+44 7700 900123"}],
            "tags":["vip","fair"],"empty":{},"source":"partner"}"#;
        let fields = parse_body(None, body).unwrap_or_else(|e| panic!("{e}"));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("contact.first_name", "Ann"),
                ("contact.last_name", "Lee"),
                ("contact.email", "a@x.io"),
                ("contact.email", "b@x.io"),
                ("address.line1", "1 Main St"),
                ("address.city", "Leeds"),
                ("address.geo.lat", "53.8"),
                ("address.geo.lng", "-1.55"),
                ("phones.type", "work"),
                ("phones.value", "+44 113 496 0000"),
                ("phones.type", "mobile"),
                ("phones.value", "+44 7700 900123"),
                ("tags", "vip"),
                ("tags", "fair"),
                ("source", "partner"),
            ]
        );
        // Eight objects deep is the most; a list of lists is no field either.
        let deep = |levels: usize| format!("{}\"x\"{}", "{\"a\":".repeat(levels), "}".repeat(levels));
        assert!(parse_body(None, deep(8).as_bytes()).is_ok());
        let name = ["a"; 8].join(".");
        assert_eq!(parse_body(None, deep(9).as_bytes()), Err(BodyError::Nested(name)));
        assert_eq!(parse_body(None, br#"{"a":[{"b":[["c"]]}]}"#), Err(BodyError::Nested("a.b".into())));
        assert_eq!(parse_body(None, br#"{"a":{}, "b":""}"#), Err(BodyError::Empty));
    }

    /// Fields sent as a list of name and value objects (HubSpot's forms API, Facebook's lead ads, Tally) are
    /// those fields; other lists of objects are read by their paths.
    #[test]
    fn a_list_of_names_and_values_is_those_fields() {
        let read = |body: &str| -> Vec<(String, String)> {
            parse_body(None, body.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
        };
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            read(
                r#"{"fields":[{"objectTypeId":"0-1","name":"email","value":"ann@lee.io"},{"name":"firstname","value":"Ann"}],"context":{"pageName":"Contact"}}"#
            ),
            [pair("email", "ann@lee.io"), pair("firstname", "Ann"), pair("context.pageName", "Contact")]
        );
        assert_eq!(
            read(
                r#"{"id":"44","field_data":[{"name":"full_name","values":["Ann Lee"]},{"name":"phone_number","values":["+4420794600"]}]}"#
            ),
            [pair("id", "44"), pair("full_name", "Ann Lee"), pair("phone_number", "+4420794600")]
        );
        assert_eq!(
            read(
                r#"{"data":{"fields":[{"key":"question_3E1","label":"Email","type":"INPUT_EMAIL","value":"ann@lee.io"},{"key":"question_9","label":"","type":"CHECKBOXES","value":["a","b"]}]}}"#
            ),
            [pair("Email", "ann@lee.io"), pair("question_9", "a"), pair("question_9", "b")]
        );
        // A list of addresses is not one: its objects are read by their paths.
        assert_eq!(
            read(r#"{"addresses":[{"name":"Home","city":"Leeds"}]}"#),
            [pair("addresses.name", "Home"), pair("addresses.city", "Leeds")]
        );
    }

    /// A form posted again as JSON text in a field of its own (Jotform's "rawRequest", Unbounce's "data.json") is
    /// read as its fields; the other fields stay, Unbounce's XML copy goes.
    #[test]
    fn a_form_posted_as_json_text_in_a_field_is_read_as_its_fields() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let jotform = b"formID=2401&submissionID=58&pretty=Name%3AJohn+Doe&rawRequest=%7B%22q3_name%22%3A%7B%22first%22%3A%22John%22%2C%22last%22%3A%22Doe%22%7D%2C%22q4_email%22%3A%22john%40doe.io%22%7D";
        assert_eq!(
            parse_body(Some("application/x-www-form-urlencoded"), jotform),
            Ok(vec![
                pair("formID", "2401"),
                pair("submissionID", "58"),
                pair("pretty", "Name:John Doe"),
                pair("q3_name.first", "John"),
                pair("q3_name.last", "Doe"),
                pair("q4_email", "john@doe.io"),
            ])
        );
        let unbounce = b"page_id=7&data.json=%7B%22name%22%3A%5B%22Ann+Lee%22%5D%2C%22email%22%3A%5B%22ann%40lee.io%22%5D%7D&data.xml=%3Cform%2F%3E";
        assert_eq!(
            parse_body(Some("application/x-www-form-urlencoded"), unbounce),
            Ok(vec![pair("page_id", "7"), pair("name", "Ann Lee"), pair("email", "ann@lee.io")])
        );
        // Text that is not a JSON object stays as it is.
        let not_json = b"rawRequest=hello&email=a%40b.io";
        assert_eq!(
            parse_body(Some("application/x-www-form-urlencoded"), not_json),
            Ok(vec![pair("rawRequest", "hello"), pair("email", "a@b.io")])
        );
    }

    /// The commonest integration slips get their own answer: a JSON body sent as a form ("the body has no
    /// fields" told nothing), a form's body sent as JSON, and a form declared UTF-16, which browsers read as
    /// UTF-8 (WHATWG) and was refused as not UTF-8.
    #[test]
    fn a_body_sent_under_the_wrong_type_or_charset_is_named_or_read_as_browsers_do() {
        let form = "application/x-www-form-urlencoded";
        assert_eq!(parse_body(Some(form), br#" {"last_name":"Lee"}"#), Err(BodyError::JsonAsForm));
        assert_eq!(parse_body(None, b"last_name=Lee&email=a%40x.io"), Err(BodyError::FormAsJson));
        assert_eq!(parse_body(Some("application/json"), b"last_name=Lee"), Err(BodyError::FormAsJson));
        assert!(matches!(parse_body(None, b"Lee"), Err(BodyError::Json(_))), "no form either");
        assert_eq!(
            parse_body(Some(&format!("{form}; charset=utf-16")), b"first_name=J%C3%BCrgen"),
            Ok(vec![("first_name".into(), "J\u{fc}rgen".into())])
        );
        assert_eq!(reading_of(Some(&format!("{form}; charset=UTF-16LE"))), form);
    }

    /// Any JSON value: scalars, and lists and objects of them, nested.
    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[^\"]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(11, 96, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(("[a-z.]{0,3}", inner), 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// How many fields an object at `level` (the body itself at 1) gives: one per scalar within, or none when a
    /// list holds a list or an object lies deeper than `MAX_DEPTH`.
    fn fields_within(object: &serde_json::Map<String, serde_json::Value>, level: usize) -> Option<usize> {
        use serde_json::Value;
        if level > MAX_DEPTH {
            return None;
        }
        let mut n = 0;
        for v in object.values() {
            n += match v {
                Value::Object(inner) => fields_within(inner, level + 1)?,
                Value::Array(items) => {
                    let mut m = 0;
                    for item in items {
                        m += match item {
                            Value::Object(inner) => fields_within(inner, level + 1)?,
                            Value::Array(_) => return None,
                            _ => 1,
                        };
                    }
                    m
                }
                _ => 1,
            };
        }
        Some(n)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Every value a nested body sends is a field, none lost, or the body is refused saying why.
        #[test]
        fn every_value_of_a_nested_body_is_a_field_or_it_is_refused(json in any_json()) {
            let text = json.to_string();
            let read = parse_body(Some("application/json"), text.as_bytes());
            match (&json, read) {
                (serde_json::Value::Object(top), Ok(fields)) => {
                    prop_assert_eq!(Some(fields.len()), fields_within(top, 1), "{}", text);
                }
                (serde_json::Value::Object(top), Err(BodyError::Nested(_))) => {
                    prop_assert_eq!(fields_within(top, 1), None, "{}", text);
                }
                (serde_json::Value::Object(top), Err(BodyError::TooManyFields(n))) => {
                    prop_assert_eq!(Some(n), fields_within(top, 1));
                }
                (serde_json::Value::Object(_), Err(e)) => prop_assert_eq!(e, BodyError::Empty, "{}", text),
                (_, read) => prop_assert_eq!(read, Err(BodyError::NotAnObject)),
            }
        }
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
