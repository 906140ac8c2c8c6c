#!/bin/bash
# Runs p3's fuzz targets (built by `make fuzz` into $FUZZ_BUILD) one after
# the other, FUZZ_PARALLEL at a time, each for FUZZ_TIME seconds at nice 19,
# and prints per target: executions, libFuzzer's final coverage (cov, ft),
# the corpus size and the crashes found.
#
# Usage: tools/fuzz.sh [TARGET...]      (default: every built target)
#   FUZZ_BUILD     where the targets are (build/fuzz)
#   FUZZ_TIME      seconds per target (600)
#   FUZZ_PARALLEL  targets at once (1)
#   FUZZ_MAX_LEN   longest input (65536; the seeds are cut to it)
#   FUZZ_KEEP_GOING=1  go on after a crash (libFuzzer's -fork=1 with
#                  -ignore_crashes): every crash of the run is kept
#   FUZZ_ARGS      more libFuzzer options
#
# Seeds come from the reader's folder in tests/data (schedule.csv has none
# there: tests/fuzz/seeds/schedule; run.ini and scenarios are gathered from
# tests/data and samples/), the matching files of ../shared/corpus when it
# is there, and tests/data/fuzz/<target> (the regression inputs); they are
# only read. New units go to
# $FUZZ_BUILD/corpus/<target>, crashes to $FUZZ_BUILD/crashes/<target>/,
# the log to $FUZZ_BUILD/logs/<target>.log. Dictionaries:
# tests/fuzz/<target>.dict when there is one.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${FUZZ_BUILD:-build/fuzz}
time=${FUZZ_TIME:-600}
parallel=${FUZZ_PARALLEL:-1}
max_len=${FUZZ_MAX_LEN:-65536}
corpus=../shared/corpus

# The seed folders of a target, those that exist.
seeds() {
    case $1 in
    probe) set -- tests/data/probe tests/data/lab-small ;;
    pdh) set -- tests/data/pdh "$corpus/perfmon" "$corpus/esxtop" ;;
    sysstat) set -- tests/data/sysstat "$corpus/sar" "$corpus/pidstat" ;;
    virttop) set -- tests/data/virttop ;;
    vmstat) set -- tests/data/vmstat "$corpus/vmstat" ;;
    schedule) set -- tests/fuzz/seeds/schedule ;;
    run_ini) set -- "$build/seeds/run_ini" ;;
    scenario) set -- samples/paper-2005 "$build/seeds/scenario" ;;
    jtl_csv | jtl_xml) set -- tests/data/jtl "$corpus/jmeter" ;;
    k6) set -- tests/data/k6 "$corpus/k6" ;;
    gatling_text | gatling_binary) set -- tests/data/gatling "$corpus/gatling" ;;
    locust) set -- tests/data/locust "$corpus/locust" ;;
    fio | fio_counters) set -- tests/data/fio "$corpus/fio" ;;
    hlog) set -- tests/data/hlog "$corpus/hdrhistogram" ;;
    *) set -- ;;
    esac
    for d in "$@" "tests/data/fuzz/$target"; do
        [ -d "$d" ] && printf '%s\n' "$d"
    done
}

# Files that live among other files (run.ini, schedule.csv, scenarios) are
# gathered into a folder of their own.
gather() {
    mkdir -p "$build/seeds/$1"
    find tests/data samples -type f -name "$2" 2>/dev/null | while read -r f; do
        cp "$f" "$build/seeds/$1/$(printf '%s' "$f" | tr '/' '_')"
    done
}
gather run_ini 'run.ini'
gather scenario '*.ini'
rm -f "$build"/seeds/scenario/*run.ini

run_one() {
    target=$1
    bin=$build/fuzz_$target
    log=$build/logs/$target.log
    mkdir -p "$build/corpus/$target" "$build/crashes/$target" "$build/logs"
    dict=
    [ -f "tests/fuzz/$target.dict" ] && dict=-dict=tests/fuzz/$target.dict
    keep_going=
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] &&
        keep_going="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    # shellcheck disable=SC2046,SC2086
    nice -n 19 "$bin" -max_total_time="$time" -max_len="$max_len" -timeout=20 \
        -print_final_stats=1 -artifact_prefix="$build/crashes/$target/" $dict $keep_going ${FUZZ_ARGS:-} \
        "$build/corpus/$target" $(seeds "$target") >"$log" 2>&1
    summary "$target"
}

summary() {
    log=$build/logs/$1.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    # Fork mode prints no final stats: its last status line counts.
    [ -n "$execs" ] || execs=$(printf '%s' "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
    cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    units=$(find "$build/corpus/$1" -type f | wc -l)
    crashes=$(find "$build/crashes/$1" -type f | wc -l)
    printf '%-16s execs %-10s cov %-6s ft %-7s corpus %-6s crashes %s\n' \
        "$1" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$units" "$crashes"
}

if [ $# -eq 0 ]; then
    for bin in "$build"/fuzz_*; do
        [ -x "$bin" ] && set -- "$@" "${bin##*/fuzz_}"
    done
fi
[ $# -gt 0 ] || { echo "fuzz.sh: no targets in $build: run make fuzz" >&2; exit 1; }

running=0
for target in "$@"; do
    [ -x "$build/fuzz_$target" ] || { echo "fuzz.sh: no target $build/fuzz_$target" >&2; exit 1; }
    run_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$parallel" ]; then
        wait -n 2>/dev/null || wait
        running=$((running - 1))
    fi
done
wait

# A target that crashed or hung left its scratch folder (the harness removes
# it at a normal exit only): remove those whose process is gone.
for d in /dev/shm/p3-fuzz-* "${P3_FUZZ_TMPDIR:-${TMPDIR:-/tmp}}"/p3-fuzz-*; do
    [ -d "$d" ] || continue
    kill -0 "${d##*-}" 2>/dev/null || rm -rf "$d"
done
