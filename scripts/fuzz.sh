#!/usr/bin/env bash
# Coverage-guided fuzzing of every door that reads outside input (issue 16; docs/reliability.md).
#
#   scripts/fuzz.sh --list               the targets
#   scripts/fuzz.sh TARGET SECONDS       one target for SECONDS
#   scripts/fuzz.sh all SECONDS          every target in turn, SECONDS each
#   scripts/fuzz.sh ci SECONDS           every target, SECONDS each, each with a random seed that
#                                        changes from run to run (the time), so that every CI run
#                                        explores a different part of the inputs; the seed is printed
#                                        so that a finding can be replayed
#   scripts/fuzz.sh seeds                rebuilds Fuzz/Corpus/<target>/ from the golden corpora and the
#                                        tests (Fuzz/make-seeds.py, minimized with -merge=1)
#
# The harness is the package in Fuzz/ (swift-tools-version 5.4: later versions fail to link its
# executables), built in release mode with libFuzzer and AddressSanitizer in one flag,
# `-sanitize=fuzzer,address` (two `-sanitize=` flags keep only the last and lose coverage), into
# Fuzz/.build. A build from scratch takes about 5 minutes on a 2-core machine (it builds the core
# modules too). Each run reads the committed seeds (Fuzz/Corpus/TARGET, never written) and a working
# corpus (Fuzz/.build/corpus/TARGET, where new inputs go), with the target's dictionary
# (Fuzz/Dictionaries/TARGET.dict) when there is one. Crashes, failed properties, timeouts and
# out-of-memory inputs go to Fuzz/.build/artifacts/TARGET/, the log to Fuzz/.build/logs/TARGET.log.
#
# Exit status: 0 when no run found anything, 1 when one did (its artifact is named), 2 on bad usage.
# A finding is replayed with: Fuzz/.build/release/TARGET ARTIFACT
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FUZZ="$ROOT/Fuzz"
BUILD="$FUZZ/.build"
TARGETS=(phone-parse phone-match caller-id json events-json events-form webhook v4-page)

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

build() {
    local start=$SECONDS
    echo "building the fuzz harness (Fuzz/, release, -sanitize=fuzzer,address)..."
    swift build -c release --package-path "$FUZZ" --scratch-path "$BUILD" -Xswiftc -sanitize=fuzzer,address \
        > "$BUILD/build.log" 2>&1 || { tail -40 "$BUILD/build.log" >&2; echo "the build failed (log: $BUILD/build.log)" >&2; exit 1; }
    echo "built in $((SECONDS - start)) s"
}

is_target() {
    local t
    for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done
    return 1
}

# The options of a target beyond the common ones: phone numbers are short (the parser takes at most
# 250 characters), so longer inputs only slow the search.
target_options() {
    case $1 in
        phone-parse | phone-match | caller-id) echo "-max_len=512" ;;
        *) echo "-max_len=65536" ;;
    esac
}

# run TARGET SECONDS [SEED]: one run; prints its figures; returns 1 on a finding.
run() {
    local target=$1 seconds=$2 seed=${3:-}
    local corpus="$BUILD/corpus/$target" artifacts="$BUILD/artifacts/$target/" log="$BUILD/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$BUILD/logs" "$FUZZ/Corpus/$target"
    local options=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts"
        -timeout=10 -rss_limit_mb=2048 $(target_options "$target"))
    [[ -f "$FUZZ/Dictionaries/$target.dict" ]] && options+=(-dict="$FUZZ/Dictionaries/$target.dict")
    [[ -n $seed ]] && options+=(-seed="$seed")
    local before
    before=$(ls "$artifacts" | wc -l)
    local status=0 started=$SECONDS
    # Swift's backtracer, started by a failed property's fatalError, trips ASan; libFuzzer's report
    # of the crash is the one wanted.
    SWIFT_BACKTRACE=enable=no "$BUILD/release/$target" "${options[@]}" "$corpus" "$FUZZ/Corpus/$target" \
        > "$log" 2>&1 || status=$?
    local executions speed final
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    final=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' || true)
    echo "$target: ${executions:-?} executions in $((SECONDS - started)) s (${speed:-?} exec/s)," \
        "${final:-no stats}${seed:+, seed $seed}"
    local after
    after=$(ls "$artifacts" | wc -l)
    if [[ -z $executions ]]; then
        tail -5 "$log" >&2
        echo "$target: DID NOT RUN (exit $status; log $log)" >&2
        return 1
    fi
    if [[ $status -ne 0 || $after -ne $before ]]; then
        grep -E 'property failed|Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY' "$log" | head -5 >&2 || true
        grep -o 'Test unit written to .*' "$log" >&2 || true
        echo "$target: FINDING (exit $status; log $log)" >&2
        return 1
    fi
}

seeds() {
    local candidates
    candidates=$(mktemp -d)
    python3 "$FUZZ/make-seeds.py" "$candidates"
    local target
    for target in "${TARGETS[@]}"; do
        rm -rf "$FUZZ/Corpus/$target.new"
        mkdir -p "$FUZZ/Corpus/$target.new" "$candidates/$target"
        # Inputs kept because they once failed (Fuzz/Corpus/TARGET/crash-*) stay; the rest is merged again.
        cp "$FUZZ/Corpus/$target"/crash-* "$FUZZ/Corpus/$target.new/" 2>/dev/null || true
        # Seeds stay modest (about 500 a target at most): when the merge keeps more, it is done again
        # on edge coverage alone (-use_counters=0), which keeps fewer.
        local counters
        for counters in 1 0; do
            rm -rf "$FUZZ/Corpus/$target.new"/[0-9a-f]*
            # A seed that fails a property is reported and left out (the merge goes on past it).
            mkdir -p "$BUILD/artifacts/$target"
            SWIFT_BACKTRACE=enable=no "$BUILD/release/$target" -merge=1 -use_counters=$counters \
                -artifact_prefix="$BUILD/artifacts/$target/" $(target_options "$target") \
                "$FUZZ/Corpus/$target.new" "$candidates/$target" > "$BUILD/logs/$target.merge.log" 2>&1
            grep -E 'property failed|ERROR: AddressSanitizer' "$BUILD/logs/$target.merge.log" >&2 || true
            [[ $(ls "$FUZZ/Corpus/$target.new" | wc -l) -le 500 ]] && break
        done
        rm -rf "$FUZZ/Corpus/$target"
        mv "$FUZZ/Corpus/$target.new" "$FUZZ/Corpus/$target"
        echo "$target: $(ls "$FUZZ/Corpus/$target" | wc -l) seeds, $(du -sk "$FUZZ/Corpus/$target" | cut -f1) KB"
    done
    rm -rf "$candidates"
}

[[ $# -ge 1 ]] || usage
case $1 in
    --list)
        printf '%s\n' "${TARGETS[@]}"
        ;;
    seeds)
        mkdir -p "$BUILD/logs"
        build
        seeds
        ;;
    all | ci)
        [[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage
        mkdir -p "$BUILD"
        build
        found=0
        base=$(date +%s)
        i=0
        for target in "${TARGETS[@]}"; do
            if [[ $1 == ci ]]; then
                run "$target" "$2" $((base + i)) || found=1
            else
                run "$target" "$2" || found=1
            fi
            i=$((i + 1))
        done
        exit $found
        ;;
    *)
        [[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage
        is_target "$1" || { echo "unknown target $1; scripts/fuzz.sh --list names them" >&2; exit 2; }
        mkdir -p "$BUILD"
        build
        run "$1" "$2"
        ;;
esac
