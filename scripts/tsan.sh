#!/usr/bin/env bash
# ThreadSanitizer over every test target with concurrency: the index's readers and writer, the
# sync and its live account, the server (streams, webhooks, tickets, many accounts, metrics), the
# stores (SQLite's group commits, PostgreSQL's following), amoCRM's client, and the command line's
# processes (built with TSan too). Exits non-zero on any reported race.
#
#   scripts/tsan.sh                 every group below, one after the other (about 25 minutes on a
#                                   2-core machine, 10 of them the instrumented build)
#   scripts/tsan.sh --group N       one group (0-3)
#   scripts/tsan.sh --ci            the group of the day (day of the year modulo 4, or
#                                   SCREENPOP_TSAN_GROUP): CI runs a different quarter each day, so
#                                   four days of CI cover every group
#   scripts/tsan.sh --filter REGEX  other suites
#
# PostgreSQL's suites need SCREENPOP_TEST_POSTGRES_URL (`scripts/postgres.sh start DIR` prints one);
# without it they are skipped, as in `swift test`.
#
# scripts/tsan-suppressions.txt says which reports of the concurrency runtime itself are left out.
# Locks that tasks share are pthread mutexes (ScreenPopSupport's LockedValue, NIOLockedValueBox):
# Synchronization.Mutex waits on futexes, which ThreadSanitizer does not see, so accesses under one
# are reported as races.
set -euo pipefail
cd "$(dirname "$0")/.."

groups=(
    "AccountIndexTests\.|AccountSyncTests\."                 # 0: the index and the sync
    "ScreenPopServerTests\."                                 # 1: the server
    "ScreenPopStoreTests\.|ScreenPopPostgresTests\."         # 2: the stores
    "AmoCRMClientTests\.|ScreenPopCLITests\."                # 3: amoCRM's client, the processes
)
names=("the index and the sync" "the server" "the stores" "amoCRM's client and the command line's processes")

selected=()
filter=""
case "${1:-}" in
    "") selected=(0 1 2 3) ;;
    --group) selected=("$2") ;;
    --ci) selected=("${SCREENPOP_TSAN_GROUP:-$((10#$(date +%j) % ${#groups[@]}))}") ;;
    --filter) filter="$2" ;;
    *) echo "usage: scripts/tsan.sh [--group N | --ci | --filter REGEX]" >&2; exit 2 ;;
esac
for group in "${selected[@]}"; do
    if ! [[ $group =~ ^[0-9]+$ ]] || [ "$group" -ge "${#groups[@]}" ]; then
        echo "scripts/tsan.sh: no group $group (0-$((${#groups[@]} - 1)))" >&2
        exit 2
    fi
done

# The whole output of the tests, for the reports that the summary below leaves out.
log=".build-tsan/tsan.log"
mkdir -p .build-tsan
: > "$log"
export TSAN_OPTIONS="suppressions=$PWD/scripts/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
swift build --build-tests --sanitize=thread --scratch-path .build-tsan 2>&1 | tail -3
run() {
    local status=0
    swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter "$1" 2>&1 | tee -a "$log" | tail -5 || status=$?
    return "$status"
}
status=0
if [ -n "$filter" ]; then
    run "$filter" || status=$?
else
    for group in "${selected[@]}"; do
        echo "== tsan group $group: ${names[$group]}"
        start=$SECONDS
        run "${groups[$group]}" || status=$?
        echo "== tsan group $group: $((SECONDS - start)) s"
    done
fi
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    grep -A30 "WARNING: ThreadSanitizer" "$log" | head -120 || true
    echo "tsan: races reported (above; the whole output is in $log)"
    exit 1
fi
exit "$status"
