#!/bin/sh
# p3's speed and memory benchmarks (make bench). Every figure is measured
# next to a baseline in the same run, on the same machine, so the ratio
# means something even on a shared, noisy machine.
#
#   bench/run.sh            every benchmark
#   bench/run.sh NAME...    some: ingest analyze
#
# Environment: P3_BIN (the p3 under test), BENCH_TOOLS (where measure and
# probegen are built), BENCH_DIR (scratch space, default /tmp/p3-bench),
# BENCH_SAMPLES (probe rows, default 10000000).
set -eu

p3=${P3_BIN:?set P3_BIN}
tools=${BENCH_TOOLS:?set BENCH_TOOLS}
dir=${BENCH_DIR:-/tmp/p3-bench}
samples=${BENCH_SAMPLES:-10000000}
measure=$tools/measure
mkdir -p "$dir"

# One result line: name, seconds, peak MiB, baseline name, seconds, MiB, ratio.
report() {
    printf '%-28s %8.2f s %7.1f MiB   %-24s %8.2f s %7.1f MiB   ratio %.2f\n' \
        "$1" "$2" "$(echo "$3" | awk '{print $1 / 1024}')" "$4" "$5" \
        "$(echo "$6" | awk '{print $1 / 1024}')" "$(echo "$2 $5" | awk '{print $1 / $2}')"
}

# Runs a command under measure; sets t (seconds) and m (KiB); fails on a
# non-zero exit.
run() {
    # shellcheck disable=SC2046 # measure prints three words, split on purpose
    set -- $("$measure" "$@")
    t=$1 m=$2
    [ "$3" -eq 0 ] || { echo "bench: command failed with exit $3" >&2; exit 1; }
}

probe_file() {
    f=$dir/probe-$samples.probe
    if [ ! -s "$f" ]; then
        echo "generating $samples probe samples in $f" >&2
        "$tools/probegen" --samples "$samples" --seed 1 --run bench > "$f"
    fi
    echo "$f"
}

bench_ingest() {
    f=$(probe_file)
    size=$(wc -c < "$f")
    # .import reads the header line; skip the lines before it.
    skip=$(grep -n -m1 '^time,' "$f" | cut -d: -f1)
    skip=$((skip - 1))
    rm -f "$dir/ingest.db" "$dir/import.db"
    run "$p3" ingest --db "$dir/ingest.db" "$f"
    pt=$t pm=$m
    run sqlite3 "$dir/import.db" ".mode csv" ".import --skip $skip $f t"
    echo "ingest: $samples samples, $((size / 1048576)) MiB probe log; target: time ratio <= 1, peak < 64 MiB"
    report "p3 ingest" "$pt" "$pm" "sqlite3 .import" "$t" "$m"
}

bench_analyze() {
    f=$(probe_file)
    [ -s "$dir/ingest.db" ] || bench_ingest > /dev/null
    [ -s "$dir/import.db" ] || bench_ingest > /dev/null
    # A fresh analysis every time: drop the stored results' digests.
    sqlite3 "$dir/ingest.db" "DELETE FROM analysis"
    run "$p3" analyze --db "$dir/ingest.db"
    pt=$t pm=$m
    run sqlite3 "$dir/import.db" "SELECT level, count(*), avg(delay_ms) FROM t GROUP BY level"
    limit=$(echo "$samples" | awk '{printf "%.0f", ($1 * 10) / 1048576 + 64}')
    echo "analyze: $samples samples; target: time ratio < 1, peak <= 10 B/sample + 64 MiB = $limit MiB"
    report "p3 analyze" "$pt" "$pm" "sqlite3 GROUP BY level" "$t" "$m"
}

names=${*:-ingest analyze}
echo "p3 benchmarks: $("$p3" --version), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
for name in $names; do
    "bench_$name"
done
