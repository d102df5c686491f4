#!/usr/bin/env bash
# Installs what Rapport needs on Debian 12 / Ubuntu and is missing: system packages (apt), the UI's npm
# packages, and — with --e2e — tauri-driver for the end-to-end tests and the Python venv of the calendar tests
# (scripts/pyenv.sh: Radicale, icalendar). Safe to run again: it skips what is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
e2e=0
[ "${1:-}" = "--e2e" ] && e2e=1

# Build + run: WebKitGTK and a C toolchain. Tests add a virtual screen and the WebDriver for WebKitGTK, a
# Secret Service for the OS keychain tests (gnome-keyring in a private D-Bus session), and venv for pyenv.sh.
packages=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev librsvg2-dev)
[ $e2e = 1 ] && packages+=(xvfb xauth webkit2gtk-driver gnome-keyring dbus-daemon python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The UI's packages, exactly as locked.
if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci (ui)" >&2
  npm ci --prefix "$root/ui" --no-audit --no-fund --loglevel=error
fi

if [ $e2e = 1 ]; then
  tools=${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}
  if [ ! -x "$tools/bin/tauri-driver" ]; then
    echo "setup: cargo install tauri-driver" >&2
    cargo install tauri-driver --locked --version 2.1.0 --root "$tools" --quiet
  fi
  # The calendar tests' Python venv (CalDAV server, independent .ics reader): silent when up to date.
  "$root/scripts/pyenv.sh"
fi
