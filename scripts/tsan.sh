#!/usr/bin/env bash
# ThreadSanitizer over the concurrent code (too long for CI: the instrumented build alone takes
# 10-15 minutes on a 2-core machine). Exits non-zero on any reported race.
#
#   scripts/tsan.sh                 the concurrent suites: the index's readers and writer, the live
#                                   account's group commits with readers, the server's streams and
#                                   webhook route, the server of many accounts, instances following
#                                   each other on PostgreSQL (SCREENPOP_TEST_POSTGRES_URL or a
#                                   throwaway server), stream tickets, health and metrics, the
#                                   card's facts under webhooks
#   scripts/tsan.sh --filter REGEX  other suites
#
# Locks that tasks share are pthread mutexes (ScreenPopSupport's LockedValue, NIOLockedValueBox):
# Synchronization.Mutex waits on futexes, which ThreadSanitizer does not see, so accesses under one
# are reported as races.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="ConcurrencyTests|IncrementalEqualsStoreTests|StreamTests|WebhookRouteTests|IncrementalEqualsScratchTests|ManyAccountsTests|FollowingTests|SharedStoreTests|StreamTicket|ManyAccountsTicket|HealthAndMetrics|CardFacts"
if [ "${1:-}" = "--filter" ]; then filter="$2"; fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift test --sanitize=thread --scratch-path .build-tsan --filter "$filter" 2>&1 | tee "$log" || status=$?
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "tsan: races reported (above)"
    exit 1
fi
exit "$status"
