#!/usr/bin/env bash
# Runs the end-to-end tests against the built app: a private Xvfb screen, tauri-driver, a fresh database
# prepared with the CLI. Usage: tests/e2e/run.sh TARGET_DIR (where target/debug/rapport-app and rapport are).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${1:?usage: run.sh TARGET_DIR}
app="$target/debug/rapport-app"
cli="$target/debug/rapport"
driver_bin=${TAURI_DRIVER:-$(command -v tauri-driver || true)}
[ -x "$app" ] && [ -x "$cli" ] || { echo "e2e: build the app and the CLI first ($app, $cli)" >&2; exit 1; }
[ -n "$driver_bin" ] || { echo "e2e: tauri-driver not found (cargo install tauri-driver --locked)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

export RAPPORT_DB="$work/e2e.db" RAPPORT_DEMO=0
export RAPPORT_E2E_USER=admin RAPPORT_E2E_PASSWORD="correct horse battery"
# The first command on an empty database creates the first administrator, as the app's first run does.
RAPPORT_USER=$RAPPORT_E2E_USER RAPPORT_PASSWORD=$RAPPORT_E2E_PASSWORD "$cli" --db "$RAPPORT_DB" users list >/dev/null

for n in $(seq 99 140); do [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ] || { display=:$n; break; }; done
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & pids+=($!)
export DISPLAY=$display
port=$((20000 + RANDOM % 20000))
"$driver_bin" --port "$port" --native-port "$((port + 1))" --native-driver "$(command -v WebKitWebDriver)" >"$work/driver.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

export TAURI_DRIVER_URL="http://127.0.0.1:$port" RAPPORT_APP="$app" RAPPORT_SHOTS="${RAPPORT_SHOTS:-$root/tests/e2e/artifacts}"
status=0
node --test --test-concurrency=1 "$here/app.test.mjs" || status=$?
if [ $status -ne 0 ]; then
  echo "--- tauri-driver log ---" >&2; tail -n 40 "$work/driver.log" >&2 || true
fi
exit $status
