#!/usr/bin/env bash
# Regenerates docs/images/agent-page.png, the README's picture of the agent's page, from a real run:
# `screenpop serve` on the demo account, a few calls posted, the page in headless Chromium
# (Tests/Browser/page_test.py --screenshot; what it needs: scripts/browser-test.sh).
#
#   scripts/page-screenshot.sh [path/to/screenpop]     # default .build/debug/screenpop
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/debug/screenpop}"
[ -x "$binary" ] || { echo "no screenpop binary at $binary: run swift build first, or pass its path" >&2; exit 1; }
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    exec python3 Tests/Browser/page_test.py --screenpop "$binary" --screenshot docs/images/agent-page.png
