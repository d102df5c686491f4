//! The copy-paste HTML form for a website: plain fields a visitor fills, posted with the source's token by a
//! few lines of script (a plain form cannot send an Authorization header), answering in the page.

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub(crate) fn html(endpoint: &str, token: &str) -> String {
    let (endpoint, token) = (escape(endpoint), escape(token));
    format!(
        r#"<!-- Rapport lead form: paste into your page. The token only lets this form add leads. -->
<!-- It posts to {endpoint}: if Rapport's address or port changes, make the form again. -->
<form id="rapport-lead-form" data-endpoint="{endpoint}" data-token="{token}">
  <label>First name <input name="first_name" autocomplete="given-name"></label>
  <label>Last name <input name="last_name" autocomplete="family-name" required></label>
  <label>Email <input name="email" type="email" autocomplete="email" required></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>Message <textarea name="notes"></textarea></label>
  <button type="submit">Send</button>
  <p class="rapport-status" role="status"></p>
</form>
<script>
(function () {{
  var form = document.getElementById("rapport-lead-form");
  form.addEventListener("submit", function (e) {{
    e.preventDefault();
    var status = form.querySelector(".rapport-status");
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    fetch(form.dataset.endpoint, {{
      method: "POST",
      headers: {{ "Authorization": "Bearer " + form.dataset.token, "Idempotency-Key": key,
                  "Content-Type": "application/x-www-form-urlencoded" }},
      body: new URLSearchParams(new FormData(form)).toString()
    }}).then(function (r) {{ return r.json().then(function (b) {{ return [r.ok, b]; }}); }})
      .then(function (res) {{ status.textContent = res[0] ? "Thank you, we will be in touch." : res[1].message; }})
      .catch(function () {{ status.textContent = "Could not send the form; please try again."; }});
  }});
}})();
</script>
"#
    )
}
