#!/usr/bin/env bash
# The agent's page in a real browser (Tests/Browser/page_test.py): headless Chromium, driven by
# selenium, against a real `screenpop serve` on the demo account. Builds nothing.
#
#   scripts/browser-test.sh [path/to/screenpop]     # default .build/debug/screenpop
#
# Needs Debian's chromium and chromium-driver (CHROMIUM and CHROMEDRIVER override their paths) and
# PyPI selenium (.ci/run installs all three). Exits non-zero, saying why, when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/debug/screenpop}"
[ -x "$binary" ] || { echo "no screenpop binary at $binary: run swift build first, or pass its path" >&2; exit 1; }
chromium="${CHROMIUM:-/usr/bin/chromium}"
chromedriver="${CHROMEDRIVER:-/usr/bin/chromedriver}"
[ -x "$chromium" ] || { echo "no Chromium at $chromium: apt-get install chromium (or set CHROMIUM)" >&2; exit 1; }
[ -x "$chromedriver" ] || {
    echo "no chromedriver at $chromedriver: apt-get install chromium-driver (or set CHROMEDRIVER)" >&2
    exit 1
}
python3 -c 'import selenium' 2>/dev/null || { echo "no selenium for python3: pip install selenium" >&2; exit 1; }

CHROMIUM="$chromium" CHROMEDRIVER="$chromedriver" exec python3 Tests/Browser/page_test.py --screenpop "$binary"
