//! The copy-paste HTML form for a website: plain fields a visitor fills, posted with the source's token by a
//! few lines of script (a plain form cannot send an Authorization header), answering in the page.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The form's hidden field: people never see it (nor a screen reader, nor the Tab key), form-filling bots fill
/// it in, and a submission with it filled is kept as spam, without a lead.
pub(crate) const HONEYPOT: &str = "rapport_hp";

/// Who can reach the address the form posts to: said in the form, since a form posting to the visitor's own
/// computer (127.0.0.1) or to a private network address fails on a public website without a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// 127.0.0.1: a page opened on this computer only (a test).
    ThisComputer,
    /// This computer's address on its network: pages opened in that network.
    ThisNetwork,
    /// The public address an Administrator set (a reverse proxy or tunnel).
    Public,
}

pub(crate) fn html(endpoint: &str, token: &str, reach: Reach) -> String {
    // Its own id: two sources' forms on one page each find their own. (Part of the token, which the page holds
    // anyway: the same source's form is the same text each time it is made.)
    let id: String = token.chars().filter(char::is_ascii_alphanumeric).skip(3).take(8).collect();
    let (endpoint, token) = (escape(endpoint), escape(token));
    let reach = match reach {
        Reach::ThisComputer => {
            "\n<!-- 127.0.0.1 is the visitor's own computer: this form works only in a page opened on the computer \
             running Rapport (a test). For a website, set the capture API's public address in Rapport (a reverse \
             proxy or tunnel with HTTPS that forwards to it) and make the form again. -->"
        }
        Reach::ThisNetwork => {
            "\n<!-- This address is reached from this computer's network only, over plain HTTP (a page served over \
             HTTPS may not post to it). For a public website, set the capture API's public address in Rapport (a \
             reverse proxy or tunnel with HTTPS) and make the form again. -->"
        }
        Reach::Public => "",
    };
    format!(
        r#"<!-- Rapport lead form: paste into your page. The token only lets this form add leads. -->
<!-- It posts to {endpoint}: if Rapport's address or port changes, make the form again. -->{reach}
<!-- Its button waits for the script: a page that blocks inline scripts (a Content-Security-Policy without
     'unsafe-inline' or without this address in connect-src, or an editor that strips scripts) cannot send the
     visitor's details anywhere else. -->
<form id="rapport-lead-form-{id}" method="post" data-endpoint="{endpoint}" data-token="{token}">
  <label>First name <input name="first_name" autocomplete="given-name"></label>
  <label>Last name <input name="last_name" autocomplete="family-name" required></label>
  <label>Email <input name="email" type="email" autocomplete="email" required></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>Message <textarea name="notes"></textarea></label>
  <div style="position:absolute;left:-10000px" aria-hidden="true"><label>Leave this empty
    <input name="{HONEYPOT}" tabindex="-1" autocomplete="off"></label></div>
  <button type="submit" disabled>Send</button>
  <p class="rapport-status" role="status"></p>
  <noscript><p>This form needs JavaScript to send.</p></noscript>
</form>
<script>
(function () {{
  // Its own form, the one just before it: the same source's form pasted twice on a page has its id twice, and
  // both scripts found the first (whose Send then sent twice, the second form's never).
  var prev = document.currentScript && document.currentScript.previousElementSibling;
  var form = prev && prev.id === "rapport-lead-form-{id}" ? prev : document.getElementById("rapport-lead-form-{id}");
  if (!form || form.dataset.rapportReady) {{ return; }}
  form.dataset.rapportReady = "1";
  var button = form.querySelector("button[type=submit]");
  button.disabled = false;
  // One key per filled form: a retry after a lost answer, or a second click, is answered as the first,
  // never taken twice. Changing a field makes it another submission.
  var key = null;
  form.addEventListener("input", function () {{ key = null; }});
  form.addEventListener("submit", function (e) {{
    e.preventDefault();
    if (button.disabled) {{ return; }}
    var status = form.querySelector(".rapport-status");
    key = key || ((window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random());
    button.disabled = true;
    fetch(form.dataset.endpoint, {{
      method: "POST",
      headers: {{ "Authorization": "Bearer " + form.dataset.token, "Idempotency-Key": key,
                  "Content-Type": "application/x-www-form-urlencoded" }},
      body: new URLSearchParams(new FormData(form)).toString()
    }}).then(function (r) {{ return r.json().then(function (b) {{ return [r.ok, b]; }}); }})
      .then(function (res) {{
        status.textContent = res[0] ? "Thank you, we will be in touch." : res[1].message;
        if (res[0]) {{ form.reset(); key = null; }}
      }})
      .catch(function () {{ status.textContent = "Could not send the form; please try again."; }})
      .then(function () {{ button.disabled = false; }});
  }});
}})();
</script>
"#
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    /// The form's own script, run by Node (which the app's build needs anyway) against a stand-in page: a second
    /// click while sending sends nothing, a retry after a failure sends the same Idempotency-Key, and a new
    /// filling (after a success, or a field changed) gets a new one.
    #[test]
    fn the_forms_script_keeps_one_key_per_filling_and_sends_once_at_a_time() {
        let html = super::html("http://127.0.0.1:8790/api/v1/leads", "rpk_token", super::Reach::ThisComputer);
        let script = html.split("<script>").nth(1).and_then(|s| s.split("</script>").next()).expect("a script");
        let page = r#"
const on = {}; const keys = []; const pending = [];
const button = { disabled: true }; const status = { textContent: "" };
const form = { dataset: { endpoint: "e", token: "t" }, resets: 0,
  querySelector: (s) => (s.includes("button") ? button : status),
  addEventListener: (t, f) => { on[t] = f; }, reset() { this.resets++; } };
let asked = null;
globalThis.document = { getElementById: (id) => { asked = id; return form; } };
globalThis.window = globalThis;
globalThis.FormData = function () { return [["last_name", "Lee"]]; };
globalThis.fetch = (url, o) => { keys.push(o.headers["Idempotency-Key"]); return new Promise((res, rej) => pending.push({ res, rej })); };
const submit = () => on.submit({ preventDefault() {} });
const settle = () => new Promise((r) => setTimeout(r, 10));
const ok = { ok: true, json: () => Promise.resolve({ status: "received" }) };
eval(SCRIPT);
const ready = !button.disabled;
(async () => {
  submit(); submit();                      // a double click: one request
  const during = button.disabled;
  pending[0].rej(new Error("offline")); await settle();
  submit();                                // the retry: the same key
  pending[1].res(ok); await settle();
  submit();                                // a new filling after the success: a new key
  pending[2].rej(new Error("offline")); await settle();
  on.input(); submit();                    // a field changed: a new key again
  console.log(JSON.stringify({ keys, during, ready, asked, resets: form.resets, status: status.textContent, after: button.disabled }));
})();
"#
        .replace("SCRIPT", &serde_json::to_string(script).unwrap());
        let out = std::process::Command::new("node").arg("-e").arg(page).output().expect("node runs the form's script");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let keys: Vec<&str> = v["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(keys.len(), 4, "{v}");
        assert_eq!(keys[0], keys[1], "a retry sends the same key");
        assert!(keys[2] != keys[1] && keys[3] != keys[2], "a new filling sends a new key: {keys:?}");
        assert_eq!((v["during"].as_bool(), v["resets"].as_u64()), (Some(true), Some(1)), "{v}");
        assert_eq!(v["ready"].as_bool(), Some(true), "the script enables the button the HTML disables: {v}");
        assert!(html.contains(r#"<button type="submit" disabled>"#) && html.contains(r#"method="post""#), "{html}");
        assert_eq!(v["asked"].as_str(), Some("rapport-lead-form-token"), "its own form, by its own id");
    }

    /// The same form pasted twice on one page (its id twice): each script takes the form just before it, so both
    /// Send buttons work and each sends its own form once. Both took the first form.
    #[test]
    fn the_same_form_pasted_twice_on_a_page_sends_each_its_own() {
        let html = super::html("http://127.0.0.1:8790/api/v1/leads", "rpk_token", super::Reach::ThisComputer);
        let script = html.split("<script>").nth(1).and_then(|s| s.split("</script>").next()).expect("a script");
        let page = r#"
const sent = [];
const makeForm = (name) => {
  const on = {};
  const button = { disabled: true };
  return { id: "rapport-lead-form-token", name, on, button, dataset: { endpoint: "e", token: "t" },
    querySelector: (s) => (s.includes("button") ? button : { textContent: "" }),
    addEventListener: (t, f) => { (on[t] = on[t] || []).push(f); }, reset() {} };
};
const first = makeForm("first"), second = makeForm("second");
let current = null;
globalThis.document = { getElementById: () => first, get currentScript() { return current; } };
globalThis.window = globalThis;
globalThis.FormData = function (f) { return [["last_name", f.name]]; };
globalThis.URLSearchParams = function (pairs) { return { toString: () => pairs.map((p) => p.join("=")).join("&") }; };
globalThis.fetch = (url, o) => { sent.push(o.body); return new Promise(() => {}); };
for (const form of [first, second]) { current = { previousElementSibling: form }; eval(SCRIPT); }
const ready = [first.button.disabled, second.button.disabled];
for (const form of [first, second]) for (const f of form.on.submit || []) f({ preventDefault() {} });
console.log(JSON.stringify({ ready,
  listeners: [(first.on.submit || []).length, (second.on.submit || []).length], sent }));
"#
        .replace("SCRIPT", &serde_json::to_string(script).unwrap());
        let out = std::process::Command::new("node").arg("-e").arg(page).output().expect("node runs the form's script");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["ready"], serde_json::json!([false, false]), "both Send buttons work: {v}");
        assert_eq!(v["listeners"], serde_json::json!([1, 1]), "{v}");
        assert_eq!(v["sent"], serde_json::json!(["last_name=first", "last_name=second"]), "{v}");
    }
}
