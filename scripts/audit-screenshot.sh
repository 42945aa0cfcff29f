#!/usr/bin/env bash
# Regenerates docs/images/audit-report.png, docs/audit.md's picture of the HTML report: `screenpop
# audit --format html` on the demo account, drawn by headless Chromium.
#
#   scripts/audit-screenshot.sh [path/to/screenpop]     # default .build/debug/screenpop
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/debug/screenpop}"
[ -x "$binary" ] || { echo "no screenpop binary at $binary: run swift build first, or pass its path" >&2; exit 1; }
chromium="${CHROMIUM:-chromium}"
command -v "$chromium" >/dev/null || { echo "no $chromium: install Debian's chromium, or set CHROMIUM" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" audit --account Examples/demo-account --format html --out "$work/audit.html"
mkdir -p docs/images
# A profile of its own, so that a running Chromium is not disturbed; --no-sandbox for root in containers.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1280,2200 --screenshot="$PWD/docs/images/audit-report.png" "file://$work/audit.html" 2>/dev/null
echo "docs/images/audit-report.png"
