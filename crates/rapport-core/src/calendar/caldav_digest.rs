//! HTTP Digest sign-in (RFC 7616) for CalDAV servers that offer no other: Baïkal's default. The password never
//! crosses the network; each request proves it knows it, for the server's nonce, the method and the address.
use md5::Md5;
use sha2::{Digest as _, Sha256};

/// A server's Digest challenge, as its `WWW-Authenticate` header gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    pub algorithm: Algorithm,
    /// Whether the server asks for `qop=auth` (RFC 2617 and later); without it, the RFC 2069 form.
    pub qop_auth: bool,
    /// The nonce of an earlier request went stale: the same password, a new nonce.
    pub stale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    fn hash(self, text: &str) -> String {
        let bytes: Vec<u8> = match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Md5::digest(text.as_bytes()).to_vec(),
            Algorithm::Sha256 | Algorithm::Sha256Sess => Sha256::digest(text.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What a Digest challenge asks that cannot be answered, in words.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unanswerable(pub String);

/// The Digest challenge among `headers` (the values of `WWW-Authenticate`), the strongest algorithm first:
/// `None` when none is Digest.
pub(crate) fn challenge(headers: &[&str]) -> Option<Result<Challenge, Unanswerable>> {
    let mut found: Vec<Result<Challenge, Unanswerable>> =
        headers.iter().filter_map(|h| h.trim_start().strip_prefix_ci("digest")).map(parse).collect();
    // SHA-256 before MD5 when a server offers both (RFC 7616 §3.7: one challenge per algorithm).
    found.sort_by_key(|c| match c {
        Ok(c) if matches!(c.algorithm, Algorithm::Sha256 | Algorithm::Sha256Sess) => 0,
        Ok(_) => 1,
        Err(_) => 2,
    });
    found.into_iter().next()
}

trait StripPrefixCi {
    fn strip_prefix_ci(&self, prefix: &str) -> Option<&str>;
}

impl StripPrefixCi for str {
    fn strip_prefix_ci(&self, prefix: &str) -> Option<&str> {
        let head = self.get(..prefix.len())?;
        let rest = &self[prefix.len()..];
        (head.eq_ignore_ascii_case(prefix) && rest.starts_with([' ', '\t'])).then_some(rest)
    }
}

fn parse(params: &str) -> Result<Challenge, Unanswerable> {
    let mut realm = None;
    let mut nonce = None;
    let mut opaque = None;
    let mut algorithm = Algorithm::Md5;
    let mut qop_auth = false;
    let mut qop_given = false;
    let mut stale = false;
    for (key, value) in pairs(params) {
        match key.to_ascii_lowercase().as_str() {
            "realm" => realm = Some(value),
            "nonce" => nonce = Some(value),
            "opaque" => opaque = Some(value),
            "stale" => stale = value.eq_ignore_ascii_case("true"),
            "qop" => {
                qop_given = true;
                qop_auth = value.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth"));
            }
            "algorithm" => {
                algorithm = match value.to_ascii_uppercase().as_str() {
                    "MD5" => Algorithm::Md5,
                    "MD5-SESS" => Algorithm::Md5Sess,
                    "SHA-256" => Algorithm::Sha256,
                    "SHA-256-SESS" => Algorithm::Sha256Sess,
                    other => {
                        return Err(Unanswerable(format!(
                            "the server asks for Digest sign-in with {other}, which Rapport does not use"
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    if qop_given && !qop_auth {
        return Err(Unanswerable("the server asks for Digest sign-in with integrity protection only".into()));
    }
    match (realm, nonce) {
        (Some(realm), Some(nonce)) => Ok(Challenge { realm, nonce, opaque, algorithm, qop_auth, stale }),
        _ => Err(Unanswerable("the server's Digest challenge names no realm or nonce".into())),
    }
}

/// `key=value` and `key="quoted, value"` pairs separated by commas.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_owned();
        rest = rest[eq + 1..].trim_start();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = quoted[end..].trim_start();
            value
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let value = rest[..end].trim().to_owned();
            rest = &rest[end..];
            value
        };
        rest = rest.trim_start_matches([',', ' ', '\t']);
        out.push((key, value));
    }
    out
}

/// The `Authorization` header for `method` on `uri` (the request's path and query), the `nc`-th request
/// under this nonce, with the client's nonce `cnonce`.
pub(crate) fn authorization(
    c: &Challenge,
    user: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let a = c.algorithm;
    let mut ha1 = a.hash(&format!("{user}:{}:{password}", c.realm));
    if matches!(a, Algorithm::Md5Sess | Algorithm::Sha256Sess) {
        ha1 = a.hash(&format!("{ha1}:{}:{cnonce}", c.nonce));
    }
    let ha2 = a.hash(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let quoted = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut header = format!(
        r#"Digest username="{}", realm="{}", nonce="{}", uri="{}", algorithm={}"#,
        quoted(user),
        quoted(&c.realm),
        quoted(&c.nonce),
        quoted(uri),
        a.name()
    );
    if c.qop_auth {
        let response = a.hash(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", c.nonce));
        header.push_str(&format!(r#", response="{response}", qop=auth, nc={nc}, cnonce="{}""#, quoted(cnonce)));
    } else {
        let response = a.hash(&format!("{ha1}:{}:{ha2}", c.nonce));
        header.push_str(&format!(r#", response="{response}""#));
    }
    if let Some(opaque) = &c.opaque {
        header.push_str(&format!(r#", opaque="{}""#, quoted(opaque)));
    }
    header
}

/// A client nonce: 16 bytes of the OS's random source, in hex.
pub(crate) fn cnonce() -> String {
    let mut bytes = [0u8; 16];
    // The OS's random source does not fail on the systems Rapport runs on; were it to, a fixed client nonce
    // weakens only the server's replay protection, not the password.
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7616 §3.9.1's example, for both algorithms: the responses it gives.
    #[test]
    fn answers_the_rfcs_example() {
        let header = r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
        let md5 = header.replace("algorithm=SHA-256", "algorithm=MD5");
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        for (h, response) in [
            (header.to_owned(), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
            (md5, "8ca523f5e9506fed4657c9700eebdbec"),
        ] {
            let c = challenge(&[&h]).and_then(Result::ok);
            let Some(c) = c else { panic!("not read: {h}") };
            assert!(c.qop_auth && c.opaque.is_some());
            let auth = authorization(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1, cnonce);
            assert!(auth.contains(&format!(r#"response="{response}""#)), "{auth}");
            assert!(auth.contains("nc=00000001") && auth.contains(r#"uri="/dir/index.html""#), "{auth}");
        }
    }

    /// RFC 2617 §3.5's example (MD5, qop=auth).
    #[test]
    fn answers_rfc_2617s_example() {
        let h = r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let Some(Ok(c)) = challenge(&[h]) else { panic!("not read") };
        let auth = authorization(&c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(auth.contains(r#"response="6629fae49393a05397450978507c4ef1""#), "{auth}");
    }

    #[test]
    fn tells_what_it_cannot_answer() {
        assert_eq!(challenge(&["Basic realm=\"x\""]), None);
        assert_eq!(
            challenge(&[r#"Digest realm="x", nonce="n", algorithm=SHA-512-256"#]),
            Some(Err(Unanswerable(
                "the server asks for Digest sign-in with SHA-512-256, which Rapport does not use".into()
            )))
        );
        assert!(matches!(challenge(&[r#"Digest realm="x", nonce="n", qop="auth-int""#]), Some(Err(_))));
        // SHA-256 before MD5 when both are offered; "stale" read.
        let both = [
            r#"Digest realm="x", nonce="a", algorithm=MD5"#,
            r#"Digest realm="x", nonce="b", algorithm=SHA-256, stale=true"#,
        ];
        let Some(Ok(c)) = challenge(&both) else { panic!("not read") };
        assert_eq!((c.algorithm, c.nonce.as_str(), c.stale), (Algorithm::Sha256, "b", true));
        // Quoted commas and escapes, no spaces.
        let Some(Ok(c)) = challenge(&[r#"Digest realm="a, \"b\"",nonce=xyz"#]) else { panic!("not read") };
        assert_eq!((c.realm.as_str(), c.nonce.as_str(), c.qop_auth), ("a, \"b\"", "xyz", false));
    }
}
