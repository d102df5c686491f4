#!/usr/bin/env bash
# Creates (or updates) the Python venv of the calendar tests: Radicale as the CalDAV server, and icalendar with
# recurring-ical-events as an independent reader of .ics files (tests/calendar/). Versions: python-requirements.txt.
# The venv: ${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}/pyenv. Prints nothing when it is already up to date.
#   scripts/pyenv.sh           then use "$RAPPORT_TOOLS/pyenv/bin/python"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req=$root/scripts/python-requirements.txt
venv=${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}/pyenv
stamp=$venv/.rapport-requirements-stamp

# Fast path: installed from this very requirements file (the stamp is a copy of it, touched after the install).
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ ! "$req" -nt "$stamp" ] && cmp -s "$req" "$stamp"; then
  exit 0
fi

python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "pyenv: $python not found: install Python 3.9 or newer (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
  echo "pyenv: creating $venv" >&2
  mkdir -p "$(dirname "$venv")"
  rm -rf "$venv"
  if ! err=$("$python" -m venv "$venv" 2>&1); then
    rm -rf "$venv"
    echo "$err" >&2
    if grep -q -i -e ensurepip -e 'python3-venv' <<<"$err" || ! "$python" -c 'import ensurepip' 2>/dev/null; then
      echo "pyenv: '$python -m venv' failed: this Python has no venv/ensurepip. On Debian/Ubuntu: apt-get install python3-venv (scripts/setup.sh does)" >&2
    else
      echo "pyenv: '$python -m venv $venv' failed (see above)" >&2
    fi
    exit 1
  fi
fi

echo "pyenv: pip install -r scripts/python-requirements.txt" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
cp "$req" "$stamp"
touch "$stamp"
