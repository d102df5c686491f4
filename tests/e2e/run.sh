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

export RAPPORT_DEMO=0 RAPPORT_E2E_USER=${RAPPORT_E2E_USER:-admin}
export RAPPORT_E2E_PASSWORD=${RAPPORT_E2E_PASSWORD:-"correct horse battery"}

for n in $(seq 99 160); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || { display=:$n; break; }; done
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & pids+=($!)
export DISPLAY=$display
port=$((20000 + RANDOM % 20000))
"$driver_bin" --port "$port" --native-port "$((port + 1))" --native-driver "$(command -v WebKitWebDriver)" \
  >"$work/driver.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

export TAURI_DRIVER_URL="http://127.0.0.1:$port" RAPPORT_SHOTS="${RAPPORT_SHOTS:-$root/tests/e2e/artifacts}"
status=0
if [ -n "${E2E_SCRIPT:-}" ]; then node "$E2E_SCRIPT" || status=$?; else node --test --test-concurrency=1 "$here/app.test.mjs" || status=$?; fi
if [ $status -ne 0 ]; then
  echo "--- tauri-driver log ---" >&2; tail -n 40 "$work/driver.log" >&2 || true
fi
exit $status
