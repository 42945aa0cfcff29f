#!/usr/bin/env bash
# The allocation gate for CI (docs/performance.md): runs every benchmark counting mallocs only and
# compares the p90 of each benchmark's mallocCountTotal with Benchmarks/Thresholds/*.p90.json.
# Time is never gated. An iteration is a fixed pass over fixed inputs, so its count is the same in
# every run; one extra allocation in a pass over the whole golden corpus fails the check. Only
# mallocCountTotal is measured: other metrics (peakMemoryResident) allocate inside the window.
#
#   Benchmarks/check-allocations.sh            check; exit 0 when no benchmark allocates more (a
#                                              benchmark that allocates less passes, with a warning)
#   Benchmarks/check-allocations.sh --update   rewrite the thresholds from a run, after a change
#                                              that is meant to alter the allocation counts
#
# Other arguments go to the benchmark plugin, e.g. --filter 'Parse.*'.
set -euo pipefail
cd "$(dirname "$0")"

# AccountIndexBenchmarks registers only its 10k and 100k Build and Resolve benchmarks under this
# variable: the 1M ones take minutes, and the Changes ones (with reader threads) are not gated.
export SCREENPOP_BENCH_ALLOCATION_GATE=1

if [ "${1:-}" = "--update" ]; then
    shift
    exec swift package --allow-writing-to-package-directory benchmark thresholds update \
        --metric mallocCountTotal --no-progress "$@"
fi

# `swift package` exits 1 whatever the tool's own exit code was (2 for "worse", 4 for "better"), so
# the verdict is read from the tool's summary line.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift package benchmark thresholds check --metric mallocCountTotal --no-progress "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -eq 0 ]; then
    echo "allocation check passed: every benchmark allocates as often as its threshold says"
elif grep -q "is WORSE than the defined thresholds" "$log"; then
    echo "allocation check FAILED: a benchmark allocates more often than its threshold (table above)"
elif grep -q "is BETTER than the defined thresholds" "$log"; then
    # Fewer allocations are good news, not a failure; but the threshold must follow, or a later
    # regression back up would pass unnoticed.
    echo "allocation check passed with FEWER allocations than the thresholds; lock the gain in with"
    echo "    Benchmarks/check-allocations.sh --update    and commit Benchmarks/Thresholds/"
    status=0
else
    echo "allocation check FAILED: the benchmarks did not build or run (exit code $status)"
fi
exit "$status"
