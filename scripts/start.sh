#!/usr/bin/env bash
# Installs what is missing, builds the UI and starts Rapport on its default database (in the OS app-data
# folder; --db FILE or RAPPORT_DB picks another). An empty first run gets a few hundred demo leads.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
npm --prefix "$root/ui" run build --silent
cd "$root"
exec cargo run -p rapport-app --bin rapport-app -- "$@"
