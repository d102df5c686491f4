#!/usr/bin/env bash
# Installs what is missing and runs every test: formatting, lints, UI type checks and component tests, the
# Rust unit and integration tests, the generated-bindings check, and the end-to-end tests of the real app.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never
step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh --e2e
export PATH="${RAPPORT_TOOLS:-$HOME/.cache/rapport/tools}/bin:$PATH"

step "UI: type check, component tests, build"
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build   # ui/dist is embedded by the Tauri build below

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, integration on real SQLite files, CLI, bindings are current)"
cargo test --workspace --locked

step "end-to-end: the real app under Xvfb through tauri-driver"
cargo build --workspace --bins --locked
target=${CARGO_TARGET_DIR:-$root/target}
tests/e2e/run.sh "$target"
