#!/usr/bin/env bash
# Runs the end-to-end tests against a built app: a private Xvfb screen, tauri-driver, WebKitWebDriver.
# Normally started by `cargo test` (src-tauri/tests/end_to_end.rs), which builds the app and prepares the
# database. By hand: RAPPORT_APP=target/debug/rapport-app RAPPORT_DB=prepared.db tests/e2e/run.sh
# (the database needs the user RAPPORT_E2E_USER with RAPPORT_E2E_PASSWORD, and no leads).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${RAPPORT_APP:?RAPPORT_APP must name the built app binary}"
: "${RAPPORT_DB:?RAPPORT_DB must name a prepared database}"
tools=${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}
driver_bin=${TAURI_DRIVER:-$(PATH="$tools/bin:$PATH" command -v tauri-driver || true)}
missing=()
[ -n "$driver_bin" ] || missing+=(tauri-driver)
command -v Xvfb >/dev/null || missing+=(Xvfb)
command -v WebKitWebDriver >/dev/null || missing+=(WebKitWebDriver)
command -v node >/dev/null || missing+=(node)
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e: missing ${missing[*]}: run scripts/setup.sh --e2e (or set RAPPORT_SKIP_E2E=1 to skip)" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# Files the app saves for the user (rejected rows, invites) go to a folder of the run's, read back by the tests.
export RAPPORT_DOWNLOAD_DIR="$work/downloads"
# Links the app opens (a lead's email, a meeting's video link) go to an xdg-open of the run's, which writes them
# down for the tests to read: no browser or mail program starts. The app looks for xdg-open first on PATH.
mkdir -p "$work/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"%s"\n' "$work/opened-links" >"$work/bin/xdg-open"
chmod +x "$work/bin/xdg-open"
export PATH="$work/bin:$PATH" RAPPORT_E2E_OPENED_LINKS="$work/opened-links"
export RAPPORT_DEMO=0 RAPPORT_E2E_USER=${RAPPORT_E2E_USER:-admin}
export RAPPORT_E2E_PASSWORD=${RAPPORT_E2E_PASSWORD:-"correct horse battery"}

# A screen of our own: Xvfb picks a display no other X server holds (a lock file does not show an X server that
# listens only on an abstract socket) and writes its number to fd 3. If it cannot start, say so and stop.
: >"$work/display"
Xvfb -displayfd 3 -screen 0 1440x900x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 & xvfb=$!; pids+=($xvfb)
for _ in $(seq 1 100); do
  [ -s "$work/display" ] && break
  kill -0 "$xvfb" 2>/dev/null || { echo "e2e: Xvfb could not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/display" ] || { echo "e2e: Xvfb gave no display number within 10 s" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(tr -dc 0-9 <"$work/display")"

# tauri-driver on a port the OS hands out, and its native driver on another.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port); native_port=$(free_port)
"$driver_bin" --port "$port" --native-port "$native_port" --native-driver "$(command -v WebKitWebDriver)" \
  >"$work/driver.log" 2>&1 & driver=$!; pids+=($driver)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$driver" 2>/dev/null || ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "e2e: tauri-driver did not start on port $port:" >&2; cat "$work/driver.log" >&2; exit 1
fi

# A CalDAV server of our own (Radicale on a free port, its data in $work) for the calendar sync test.
caldav=$(bash "$root/tests/calendar/services.sh" radicale "$work/radicale") || {
  echo "e2e: Radicale (the CalDAV server) could not start; see above" >&2; exit 1
}
pids+=("$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["pid"])' "$caldav")")
export RAPPORT_E2E_CALDAV="$caldav"

export TAURI_DRIVER_URL="http://127.0.0.1:$port" RAPPORT_SHOTS="${RAPPORT_SHOTS:-$root/tests/e2e/artifacts}"
status=0
# E2E_SCRIPT runs one script instead of the suite while working on it by hand; never in CI or a run of
# everything (scripts/test.sh), where the whole suite must run.
if [ -n "${E2E_SCRIPT:-}" ] && [ -z "${CI:-}" ] && [ -z "${RAPPORT_TEST_EVERYTHING:-}" ]; then
  node "$E2E_SCRIPT" || status=$?
else
  [ -n "${E2E_SCRIPT:-}" ] && echo "e2e: this run tests everything, so E2E_SCRIPT is ignored and the whole suite runs" >&2
  node --test --test-concurrency=1 "$here/app.test.mjs" || status=$?
fi
if [ $status -ne 0 ]; then
  echo "--- tauri-driver log ---" >&2; tail -n 40 "$work/driver.log" >&2 || true
fi
exit $status
