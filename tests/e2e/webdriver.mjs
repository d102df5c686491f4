// A small WebDriver client over fetch: enough to drive the real Rapport window through tauri-driver.
import { writeFile } from "node:fs/promises";

// W3C names an element reference by this key; older drivers used "ELEMENT".
export const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const ref = (el) => el[ELEMENT] ?? el.ELEMENT ?? Object.values(el)[0];

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts the app in its window; fails within `timeout` ms, saying so, when the window cannot start. */
  static async start(base, application, args = [], { timeout = 60000 } = {}) {
    let res;
    try {
      res = await call(base, "POST", "/session", {
        capabilities: { alwaysMatch: { "tauri:options": { application, args } } },
      }, timeout);
    } catch (e) {
      throw new Error(`the app window did not start (${application}): ${e.message}`);
    }
    return new Session(base, res.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async end() {
    await this.cmd("DELETE", "").catch(() => {});
  }

  async find(css) {
    const el = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return ref(el);
  }

  async findAll(css) {
    const els = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return els.map(ref);
  }

  /** Polls until `css` matches a displayed element (and `predicate(text)` holds, if given). */
  async waitFor(css, { timeout = 20000, text } = {}) {
    const deadline = Date.now() + timeout;
    let last = "";
    while (Date.now() < deadline) {
      try {
        for (const id of await this.findAll(css)) {
          const shown = await this.cmd("GET", `/element/${id}/displayed`);
          if (!shown) continue;
          last = await this.textOf(id);
          if (!text || text(last)) return id;
        }
      } catch {
        // the page may be re-rendering; try again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${css}${text ? ` with matching text (last seen: ${JSON.stringify(last)})` : ""}`);
  }

  /** Polls until exactly `n` elements match `css` (a list that has caught up with a search, say). */
  async waitForCount(css, n, { timeout = 20000 } = {}) {
    const deadline = Date.now() + timeout;
    let seen = -1;
    while (Date.now() < deadline) {
      seen = (await this.findAll(css).catch(() => [])).length;
      if (seen === n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${n} × ${css} (last seen: ${seen})`);
  }

  /**
   * Clicks the first cell of the row `rowCss` whose text includes `text` (a table row has no hit point). A list
   * that re-renders between finding the row and clicking it makes the reference stale: then it looks again.
   */
  async clickRowWith(rowCss, text, { timeout = 20000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        const row = await this.waitFor(rowCss, { text: (t) => t.includes(text), timeout: Math.max(1000, deadline - Date.now()) });
        const cell = await this.cmd("POST", `/element/${row}/element`, { using: "css selector", value: "td" });
        await this.cmd("POST", `/element/${ref(cell)}/click`, {});
        return;
      } catch (e) {
        if (!/stale element/.test(String(e.message)) || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async click(css) {
    await this.retryStale(async () => {
      const id = await this.waitFor(css);
      await this.cmd("POST", `/element/${id}/click`, {});
    });
  }

  async type(css, value) {
    await this.retryStale(async () => {
      const id = await this.waitFor(css);
      await this.cmd("POST", `/element/${id}/value`, { text: value });
    });
  }

  /** Runs `action` again when the element it found was re-rendered before it could act on it. */
  async retryStale(action, { attempts = 20 } = {}) {
    for (let i = 1; ; i++) {
      try {
        return await action();
      } catch (e) {
        if (!/stale element/.test(String(e.message)) || i >= attempts) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Replaces an input's value the way typing would, so the app's input handlers see it. */
  async setValue(css, value) {
    await this.waitFor(css);
    await this.cmd("POST", "/execute/sync", {
      script: `const el = document.querySelector(arguments[0]);
               el.focus(); el.value = arguments[1];
               el.dispatchEvent(new Event('input', { bubbles: true }));
               el.dispatchEvent(new Event('change', { bubbles: true }));`,
      args: [css, value],
    });
  }

  async text(css) {
    return this.textOf(await this.waitFor(css));
  }

  /** The text a person sees in the element (WebKitWebDriver's own text command is unreliable on table rows). */
  async textOf(id) {
    const text = await this.cmd("POST", "/execute/sync", {
      script: "return arguments[0].innerText",
      args: [{ [ELEMENT]: id }],
    });
    return (text ?? "").replace(/\s+/g, " ").trim();
  }

  /**
   * Drags element `from` onto element `to` with real pointer input: press, a short nudge (past the app's drag
   * threshold), the move, a pause for the drop target to light up, release.
   */
  async drag(from, to, { nudge = { x: 0, y: 30 } } = {}) {
    const origin = (id) => ({ [ELEMENT]: id });
    await this.cmd("POST", "/actions", {
      actions: [{
        type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
        actions: [
          { type: "pointerMove", origin: origin(from), x: 0, y: 0, duration: 0 },
          { type: "pointerDown", button: 0 },
          { type: "pause", duration: 150 },
          { type: "pointerMove", origin: origin(from), x: nudge.x, y: nudge.y, duration: 200 },
          { type: "pointerMove", origin: origin(to), x: 0, y: 0, duration: 400 },
          { type: "pause", duration: 150 },
          { type: "pointerUp", button: 0 },
        ],
      }],
    });
    await this.cmd("DELETE", "/actions").catch(() => {});
  }

  async screenshot(path) {
    // Taken once the page has painted what the test just waited for: a control that had only been laid out
    // (a dialog's text area) came out blank.
    await this.cmd("POST", "/execute/async", {
      script: "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
      args: [],
    });
    const b64 = await this.cmd("GET", "/screenshot");
    await writeFile(path, Buffer.from(b64, "base64"));
  }
}

/** One WebDriver request; none may hang a test: each gives up after `timeout` ms with a message. */
async function call(base, method, path, body, timeout = 30000) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeout),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}
