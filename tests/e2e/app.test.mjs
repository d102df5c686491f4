// End-to-end: the real Rapport binary in a real window (Xvfb), driven through tauri-driver + WebKitWebDriver.
// Started by tests/e2e/run.sh, which builds nothing: it expects the binaries and prepares the database.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Session } from "./webdriver.mjs";

const driver = process.env.TAURI_DRIVER_URL ?? "http://127.0.0.1:4444";
const app = process.env.RAPPORT_APP;
const shots = process.env.RAPPORT_SHOTS ?? "tests/e2e/artifacts";
const user = process.env.RAPPORT_E2E_USER ?? "admin";
const password = process.env.RAPPORT_E2E_PASSWORD ?? "correct horse battery";

let s;

before(async () => {
  assert.ok(app, "RAPPORT_APP must name the built app binary");
  await mkdir(shots, { recursive: true });
  s = await Session.start(driver, app);
});

after(async () => {
  await s?.end();
});

test("a wrong password is refused with a message", async () => {
  await s.waitFor('[data-testid="signin-username"]');
  await s.screenshot(`${shots}/01-sign-in.png`);
  await s.type('[data-testid="signin-username"]', user);
  await s.type('[data-testid="signin-password"]', "not the password");
  await s.click('[data-testid="signin-submit"]');
  const msg = await s.waitFor('[data-testid="signin-error"]', { text: (t) => t.length > 0 });
  assert.ok(msg);
  assert.match(await s.text('[data-testid="signin-error"]'), /wrong username or password/i);
  await s.screenshot(`${shots}/02-sign-in-error.png`);
});

test("sign in and see the leads list", async () => {
  await s.setValue('[data-testid="signin-password"]', "");
  await s.type('[data-testid="signin-password"]', password);
  await s.click('[data-testid="signin-submit"]');
  await s.waitFor('[data-testid="search-input"]');
  await s.waitFor('[data-testid="current-user"]', { text: (t) => t.includes(user) || t.length > 0 });
  await s.screenshot(`${shots}/03-leads-list.png`);
});

test("an invalid email gets an inline error, and nothing typed is lost", async () => {
  await s.click('[data-testid="new-lead"]');
  await s.waitFor('[data-testid="lead-form"]');
  await s.type('[data-testid="field-first_name"]', "Grace");
  await s.type('[data-testid="field-last_name"]', "Hopper");
  await s.type('[data-testid="field-company"]', "Cobalt Systems");
  await s.type('[data-testid="field-email-0"]', "grace@");
  await s.click('[data-testid="save-lead"]');
  const err = await s.text('[data-testid="error-emails.0"]');
  assert.match(err, /grace@/, "the message names the value at fault");
  assert.equal(await s.cmd("POST", "/execute/sync", {
    script: "return document.querySelector('[data-testid=\"field-first_name\"]').value", args: [],
  }), "Grace");
  await s.screenshot(`${shots}/04-lead-form-inline-error.png`);
});

test("without a contact point the lead is saved as a Draft that says what is missing", async () => {
  await s.setValue('[data-testid="field-email-0"]', "");
  await s.waitFor('[data-testid="completeness-hint"]', { text: (t) => /draft/i.test(t) });
  await s.click('[data-testid="save-lead"]');
  await s.waitFor('[data-testid="lead-page"]');
  assert.equal(await s.text('[data-testid="lead-status"]'), "Draft");
  assert.match(await s.text('[data-testid="lead-missing"]'), /email or phone/i);
  await s.waitFor('[data-testid="history-entry"]');
  await s.screenshot(`${shots}/05-lead-page-draft.png`);
});

test("the new lead is found by search", async () => {
  await s.click('[data-testid="nav-leads"]');
  await s.type('[data-testid="search-input"]', "hopp");
  await s.waitFor('[data-testid="lead-row"]', { text: (t) => t.includes("Grace Hopper") });
  const rows = await s.findAll('[data-testid="lead-row"]');
  assert.equal(rows.length, 1, "only the matching lead is listed");
  await s.screenshot(`${shots}/06-search.png`);
});

test("a complete lead is Active", async () => {
  await s.click('[data-testid="new-lead"]');
  await s.type('[data-testid="field-first_name"]', "Alan");
  await s.type('[data-testid="field-last_name"]', "Turing");
  await s.type('[data-testid="field-email-0"]', "Alan.Turing@Example.ORG");
  await s.type('[data-testid="field-phone-0"]', "+44 20 7946 0018");
  await s.click('[data-testid="save-lead"]');
  await s.waitFor('[data-testid="lead-page"]');
  await s.waitFor('[data-testid="lead-status"]', { text: (t) => t === "Active" });
  await s.waitFor('[data-testid="lead-page"]', { text: (t) => t.includes("Alan.Turing@example.org") });
  await s.screenshot(`${shots}/07-lead-page-active.png`);
});

test("an edit can be undone from its toast, and the history keeps both", async () => {
  await s.click('[data-testid="edit-lead"]');
  await s.waitFor('[data-testid="lead-form"]');
  await s.setValue('[data-testid="field-company"]', "Bletchley Park");
  await s.click('[data-testid="save-lead"]');
  await s.waitFor('[data-testid="lead-page"]', { text: (t) => t.includes("Bletchley Park") });
  await s.screenshot(`${shots}/08-undo-toast.png`);
  await s.click('[data-testid="toast-undo"]');
  await s.waitFor('[data-testid="toast"]', { text: (t) => /change undone/i.test(t) });
  await s.waitFor('[data-testid="lead-page"]', { text: (t) => t.includes("Company —") && /undo of change/i.test(t) });
  const history = await s.findAll('[data-testid="history-entry"]');
  assert.equal(history.length, 3, "created, edited, undone: three entries");
  await new Promise((r) => setTimeout(r, 300)); // let the last frame paint before the screenshot
  await s.screenshot(`${shots}/09-undone-history.png`);
});

test("an administrator adds a Viewer and sets the default phone region", async () => {
  await s.click('[data-testid="nav-users"]');
  await s.waitFor('[data-testid="user-row"]', { text: (t) => t.includes(user) });
  await s.click('[data-testid="add-user"]');
  await s.type('[data-testid="user-username"]', "vera");
  await s.type('[data-testid="user-display-name"]', "Vera Viewer");
  await s.setValue('[data-testid="user-role"]', "viewer");
  await s.type('[data-testid="user-password"]', "viewer password");
  await s.click('[data-testid="user-submit"]');
  await s.waitFor('[data-testid="user-row"]', { text: (t) => t.includes("Vera Viewer") && /viewer/i.test(t) });
  await s.screenshot(`${shots}/10-users.png`);

  await s.click('[data-testid="nav-settings"]');
  await s.setValue('[data-testid="settings-region"]', "GB");
  await s.click('[data-testid="settings-save"]');
  await s.waitFor('[data-testid="toast"]', { text: (t) => /saved|updated/i.test(t) });
  await s.screenshot(`${shots}/11-settings.png`);
});

test("a Viewer reads leads but is offered no way to change them", async () => {
  await s.click('[data-testid="signout"]');
  await s.type('[data-testid="signin-username"]', "vera");
  await s.type('[data-testid="signin-password"]', "viewer password");
  await s.click('[data-testid="signin-submit"]');
  await s.waitFor('[data-testid="lead-row"]', { text: (t) => t.includes("Alan Turing") });
  assert.equal((await s.findAll('[data-testid="new-lead"]')).length, 0, "no New lead button for a viewer");
  assert.equal((await s.findAll('[data-testid="nav-users"]')).length, 0, "no user admin for a viewer");
  await s.screenshot(`${shots}/12-viewer-list.png`);
  await s.click('[data-testid="lead-row"] td'); // WebDriver clicks cells: a table row has no single hit point
  await s.waitFor('[data-testid="lead-page"]', { text: (t) => t.includes("Alan Turing") });
  assert.equal((await s.findAll('[data-testid="edit-lead"]')).length, 0, "no Edit button for a viewer");
  await s.screenshot(`${shots}/13-viewer-lead-page.png`);
});

test("a file that is not a database gets a clear message, not a crash", async () => {
  await s.end();
  const notes = join(await mkdtemp(join(tmpdir(), "rapport-e2e-")), "notes.txt");
  await writeFile(notes, "Shopping list: milk, eggs.\n".repeat(100));
  s = await Session.start(driver, app, ["--db", notes]);
  const message = await s.text('[data-testid="startup-error"]');
  assert.match(message, /not a Rapport database/);
  assert.match(await s.text('[data-testid="database-path"]'), /notes\.txt/);
  await s.screenshot(`${shots}/14-startup-error.png`);
  assert.equal(await readFile(notes, "utf8"), "Shopping list: milk, eggs.\n".repeat(100), "the file is left alone");

  // Once the cause is gone, "Try again" opens the database without restarting the app.
  await rm(notes);
  await s.click('[data-testid="retry-open"]');
  await s.waitFor('[data-testid="setup-username"]');
  await s.screenshot(`${shots}/15-first-run.png`);
});
