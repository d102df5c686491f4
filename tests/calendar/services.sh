#!/usr/bin/env bash
# Services for the calendar tests: a CalDAV server (Radicale) and an OS keychain (gnome-keyring's Secret Service).
#
#   tests/calendar/services.sh radicale DIR
#       Starts Radicale (from the venv of scripts/pyenv.sh, made or updated first) on 127.0.0.1 and a free port,
#       htpasswd auth (bcrypt), user "agent" with password "caldav-secret-1", owner_only rights, everything in DIR
#       (config, users, collections/, radicale.log). Waits until it answers (20 s at most), creates the calendar
#       collection /agent/calendar/ (MKCALENDAR), prints one line of JSON and exits, leaving Radicale running:
#         {"url": "http://127.0.0.1:PORT/", "user": "agent", "password": "caldav-secret-1", "pid": PID, "log": "DIR/radicale.log"}
#       The calendar is URL + "agent/calendar/". The caller stops Radicale: kill PID.
#
#   tests/calendar/services.sh webdav-digest DIR
#       Starts WsgiDAV (a WebDAV server, from the same venv) on 127.0.0.1 and a free port, serving DIR/files, that
#       signs in by HTTP Digest only (as Baïkal does by default): user "agent", password "caldav-secret-1". Waits
#       until it answers (20 s at most), prints one line of JSON as radicale does and exits, leaving it running.
#       It holds no calendar: a client that signs in finds none, one that cannot is refused.
#
#   tests/calendar/services.sh keychain -- CMD [ARGS...]
#       Runs CMD in a D-Bus session of its own (dbus-run-session) with gnome-keyring-daemon serving the Secret
#       Service, its login keyring unlocked, so the `keyring` crate (Secret Service backend) works in CMD. The
#       keyring files live in a temporary folder, removed afterwards; CMD's own environment is not changed but for
#       the session bus. Exits with CMD's exit code.
#
# Sourced (`. tests/calendar/services.sh`), it only defines calendar_radicale DIR, calendar_webdav_digest DIR and
# calendar_keychain CMD...,
# which do the same.

_calendar_services_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

calendar_radicale() (
  set -euo pipefail
  [ $# = 1 ] && [ -n "$1" ] || { echo "services.sh radicale: give the folder: services.sh radicale DIR" >&2; exit 64; }
  mkdir -p "$1"
  local dir venv
  dir=$(cd "$1" && pwd)
  venv=${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}/pyenv
  # Make or update the venv; silent when it is up to date, and never on stdout (stdout is the JSON line).
  "$_calendar_services_root/scripts/pyenv.sh" >&2
  "$venv/bin/python" - "$dir" <<'PY'
import base64, http.client, json, os, socket, subprocess, sys, time

import bcrypt

directory = sys.argv[1]
user, password = "agent", "caldav-secret-1"
log_path = os.path.join(directory, "radicale.log")


def fail(message):
    print(f"services.sh radicale: {message}", file=sys.stderr)
    sys.exit(1)


# A free port from the OS. Another process could take it before Radicale binds it: then Radicale exits at once
# and the error below names its log.
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]

# Cost 4 (bcrypt's lowest): Radicale checks the password on every request, and cost 12 takes ~0.25 s each.
with open(os.path.join(directory, "users"), "w") as f:
    f.write(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n")
with open(os.path.join(directory, "config"), "w") as f:
    f.write(f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = htpasswd
htpasswd_filename = {directory}/users
htpasswd_encryption = bcrypt
# a wrong password answers 401 after this many seconds (default 1)
delay = 0.1

[rights]
type = owner_only

[storage]
filesystem_folder = {directory}/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
""")

with open(log_path, "ab") as log:
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", os.path.join(directory, "config")],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
    )

auth = {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path, body=body, headers={**auth, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stop(message):
    server.terminate()
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()
    fail(f"{message}; its log: {log_path}")


deadline = time.monotonic() + 20
while True:
    if server.poll() is not None:
        fail(f"Radicale exited with code {server.returncode} before it answered; its log: {log_path}")
    try:
        status, _ = request("OPTIONS", "/")
        break
    except OSError:
        if time.monotonic() > deadline:
            stop(f"Radicale did not answer on 127.0.0.1:{port} within 20 s")
        time.sleep(0.1)

mkcalendar = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>Calendar</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"""
status, body = request("MKCALENDAR", f"/{user}/calendar/", mkcalendar, {"Content-Type": "application/xml; charset=utf-8"})
if status != 201:
    # A DIR used before keeps its calendar: Radicale answers 409 then; accept it only if the calendar is there.
    exists, _ = request("PROPFIND", f"/{user}/calendar/", None, {"Depth": "0"})
    if exists != 207:
        stop(f"MKCALENDAR /{user}/calendar/ answered {status}: {body[:300]!r}")

print(json.dumps({"url": f"http://127.0.0.1:{port}/", "user": user, "password": password, "pid": server.pid, "log": log_path}))
PY
)

calendar_webdav_digest() (
  set -euo pipefail
  [ $# = 1 ] && [ -n "$1" ] || { echo "services.sh webdav-digest: give the folder: services.sh webdav-digest DIR" >&2; exit 64; }
  mkdir -p "$1/files"
  local dir venv
  dir=$(cd "$1" && pwd)
  venv=${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}/pyenv
  "$_calendar_services_root/scripts/pyenv.sh" >&2
  "$venv/bin/python" - "$dir" "$venv/bin/wsgidav" <<'PY'
import json, os, socket, subprocess, sys, time, urllib.error, urllib.request

directory, wsgidav = sys.argv[1], sys.argv[2]
user, password = "agent", "caldav-secret-1"
log_path = os.path.join(directory, "wsgidav.log")


def fail(message):
    print(f"services.sh webdav-digest: {message}", file=sys.stderr)
    sys.exit(1)


with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
config = os.path.join(directory, "wsgidav.json")
with open(config, "w") as f:
    json.dump({
        "host": "127.0.0.1",
        "port": port,
        "server": "wsgiref",
        "provider_mapping": {"/": os.path.join(directory, "files")},
        "http_authenticator": {"accept_basic": False, "accept_digest": True, "default_to_digest": True},
        "simple_dc": {"user_mapping": {"*": {user: {"password": password}}}},
        "verbose": 1,
    }, f)
with open(log_path, "w") as log:
    server = subprocess.Popen([wsgidav, "--config", config], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
deadline = time.monotonic() + 20
while True:
    if server.poll() is not None:
        fail(f"WsgiDAV exited with code {server.returncode} before it answered; its log: {log_path}")
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        if time.monotonic() > deadline:
            server.kill()
            fail(f"WsgiDAV did not answer on 127.0.0.1:{port} within 20 s; its log: {log_path}")
        time.sleep(0.1)
print(json.dumps({"url": f"http://127.0.0.1:{port}/", "user": user, "password": password, "pid": server.pid, "log": log_path}))
PY
)

calendar_keychain() (
  set -euo pipefail
  [ $# -gt 0 ] || { echo "services.sh keychain: give a command: services.sh keychain -- CMD [ARGS...]" >&2; exit 64; }
  command -v dbus-run-session >/dev/null || { echo "services.sh keychain: dbus-run-session not found: apt-get install dbus-daemon (scripts/setup.sh --e2e installs it)" >&2; exit 1; }
  command -v gnome-keyring-daemon >/dev/null || { echo "services.sh keychain: gnome-keyring-daemon not found: apt-get install gnome-keyring (scripts/setup.sh --e2e installs it)" >&2; exit 1; }
  local tmp rc=0
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/rapport-keychain.XXXXXX")
  mkdir -m 700 "$tmp/data" "$tmp/run"
  # Inside the private bus: start the daemon with its keyring files in $tmp (not the user's own keyrings),
  # unlocked with a password (it must not be empty), then run CMD. The daemon leaves when the bus ends.
  RAPPORT_KEYCHAIN_TMP=$tmp dbus-run-session -- bash -c '
    set -eu
    tmp=$RAPPORT_KEYCHAIN_TMP; unset RAPPORT_KEYCHAIN_TMP
    if ! printf %s rapport-test-keyring | XDG_DATA_HOME=$tmp/data XDG_RUNTIME_DIR=$tmp/run \
         gnome-keyring-daemon --unlock --components=secrets >"$tmp/daemon.log" 2>&1; then
      echo "services.sh keychain: gnome-keyring-daemon --unlock failed:" >&2; cat "$tmp/daemon.log" >&2; exit 70
    fi
    # It forks and claims the Secret Service name a moment later. Wait for it: a client that came first would
    # make D-Bus start another daemon, on the default (locked, shared) keyring.
    for _ in $(seq 100); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
      sleep 0.05
    done
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" || {
      echo "services.sh keychain: gnome-keyring-daemon did not claim org.freedesktop.secrets within 5 s:" >&2
      cat "$tmp/daemon.log" >&2; exit 70; }
    exec "$@"' keychain "$@" || rc=$?
  # The daemon normally exits with the bus; one that did not is ours (its keyring folder names it): stop it.
  local proc
  for proc in /proc/[0-9]*; do
    [ "$(cat "$proc/comm" 2>/dev/null)" = gnome-keyring-d ] || continue
    if tr '\0' '\n' 2>/dev/null <"$proc/environ" | grep -qxF "XDG_DATA_HOME=$tmp/data"; then kill "${proc#/proc/}" 2>/dev/null || true; fi
  done
  rm -rf "$tmp"
  exit $rc
)

# Executed (not sourced): dispatch.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    radicale) shift; calendar_radicale "$@" ;;
    webdav-digest) shift; calendar_webdav_digest "$@" ;;
    keychain) shift; [ "${1:-}" = "--" ] && shift; calendar_keychain "$@" ;;
    *) sed -n '2,26p' "$0" >&2; exit 64 ;;
  esac
fi
