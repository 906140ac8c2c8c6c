#!/bin/sh
# p3's speed and memory benchmarks (make bench). Every figure is measured
# next to a baseline in the same run, on the same machine, so the ratio
# means something even on a shared, noisy machine.
#
#   bench/run.sh            every benchmark
#   bench/run.sh NAME...    some: ingest perfmon analyze workbook compare simulate render jtl lab
#
# Environment: P3_BIN (the p3 under test), BENCH_TOOLS (where measure and
# probegen are built), BENCH_DIR (scratch space, default /tmp/p3-bench),
# BENCH_SAMPLES (probe rows, default 10000000), BENCH_WORKBOOK_SAMPLES (the
# workbook's samples, default 1000000), BENCH_JTL_ROWS (rows of the JMeter
# results file, default 10000000, about 1.3 GB), BENCH_PYTHON (a python3
# with pandas and matplotlib).
set -eu

p3=${P3_BIN:?set P3_BIN}
tools=${BENCH_TOOLS:?set BENCH_TOOLS}
dir=${BENCH_DIR:-/tmp/p3-bench}
samples=${BENCH_SAMPLES:-10000000}
measure=$tools/measure
mkdir -p "$dir"

# One result line: name, seconds, peak MiB, baseline name, seconds, MiB, ratio.
report() {
    printf '%-28s %8.3f s %7.1f MiB   %-24s %8.3f s %7.1f MiB   ratio %.3f\n' \
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

bench_perfmon() {
    # 28,800 rows (8 hours at 1 s) by 400 counters, about 140 MB, as relog writes it.
    f=$dir/perfmon-28800x400.csv
    [ -s "$f" ] || "$tools/pdhgen" 28800 400 > "$f"
    rm -f "$dir/perfmon.db" "$dir/perfmon-import.db"
    run "$p3" ingest --db "$dir/perfmon.db" "$f"
    pt=$t pm=$m
    run sqlite3 "$dir/perfmon-import.db" ".mode csv" ".import $f t"
    echo "perfmon: 28,800 x 400 CSV, $(($(wc -c < "$f") / 1048576)) MiB; target: time ratio <= 1, peak < 64 MiB"
    report "p3 ingest (perfmon)" "$pt" "$pm" "sqlite3 .import" "$t" "$m"
    # 100,000 columns: sqlite3 cannot .import that many, so no baseline.
    w=$dir/perfmon-10x100000.csv
    [ -s "$w" ] || "$tools/pdhgen" 10 100000 > "$w"
    rm -f "$dir/wide.db"
    run "$p3" ingest --db "$dir/wide.db" "$w"
    printf '%-28s %8.3f s %7.1f MiB   target: peak < 256 MiB\n' "p3 ingest (100,000 cols)" \
        "$t" "$(echo "$m" | awk '{print $1 / 1024}')"
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

bench_workbook() {
    n=${BENCH_WORKBOOK_SAMPLES:-1000000}
    f=$dir/probe-$n.probe
    if [ ! -s "$f" ]; then
        echo "generating $n probe samples in $f" >&2
        "$tools/probegen" --samples "$n" --seed 1 --run bench > "$f"
    fi
    db=$dir/workbook-$n.db
    if [ ! -s "$db" ]; then
        rm -f "$db"
        "$p3" ingest --db "$db" "$f" > /dev/null
        "$p3" analyze --db "$db" > /dev/null
    fi
    rm -f "$dir/workbook.xlsx" "$dir/workbook.csv"
    # workbook_write() through the library, until the command line writes it.
    run "$tools/xlsx_bench" "$db" "$dir/workbook.xlsx"
    pt=$t pm=$m
    size=$(wc -c < "$dir/workbook.xlsx")
    # Baseline: the same rows in the same order, as CSV by sqlite3.
    run sqlite3 "$db" ".mode csv" ".output $dir/workbook.csv" \
        "SELECT r.name, l.name, s.level + 1, s.t_ns, s.delay_ms, f.path FROM sample s
         JOIN source_file f USING (file_id) JOIN run r ON r.run_id = f.run_id
         LEFT JOIN run_level l ON l.run_id = f.run_id AND l.level = s.level
         ORDER BY r.name, s.level IS NULL, s.level, s.t_ns, s.sample_id"
    echo "workbook: $n samples, $((size / 1048576)) MiB p3.xlsx; target: peak < 64 MiB + the store's page cache (16 MiB) = 80 MiB"
    report "p3 workbook (xlsx_bench)" "$pt" "$pm" "sqlite3 sorted CSV" "$t" "$m"
}

# p3 compare of two runs of a million samples each (probegen's native and
# guest profiles), named as run folders: ingested on the fly, placed,
# compared level by level, the whole path a user takes. Baseline: sqlite3
# .import of the same two probe logs into one database, in one process.
bench_compare() {
    n=1000000
    a=$dir/compare/runA b=$dir/compare/runB
    mkdir -p "$a" "$b"
    if [ ! -s "$a/probe.probe" ] || [ ! -s "$b/probe.probe" ]; then
        echo "generating two runs of $n probe samples in $dir/compare" >&2
        "$tools/probegen" --samples "$n" --seed 1 --profile native > "$a/probe.probe"
        "$tools/probegen" --samples "$n" --seed 2 --profile guest > "$b/probe.probe"
    fi
    run "$p3" compare "$a" "$b"
    pt=$t pm=$m
    # .import reads the header line; skip the lines before it.
    skip_a=$(($(grep -n -m1 '^time,' "$a/probe.probe" | cut -d: -f1) - 1))
    skip_b=$(($(grep -n -m1 '^time,' "$b/probe.probe" | cut -d: -f1) - 1))
    rm -f "$dir/compare/import.db"
    run sqlite3 "$dir/compare/import.db" ".mode csv" ".import --skip $skip_a $a/probe.probe a" \
        ".import --skip $skip_b $b/probe.probe b"
    echo "compare: two run folders of $n samples each; target: time ratio < 1"
    report "p3 compare (2 run folders)" "$pt" "$pm" "sqlite3 .import of both" "$t" "$m"
}

# The paper's sample lab: p3 simulate of the ten scenarios in
# samples/paper-2005, then the README's main command end to end (simulate
# and report, as make demo runs them). Nothing else does this job, so there
# is no baseline: the figures are printed as they are.
bench_simulate() {
    src=$(cd "$(dirname "$0")/.." && pwd)
    rm -rf "$dir/paper"
    run "$p3" simulate --lab "$dir/paper/lab" "$src"/samples/paper-2005/*.ini
    st=$t sm=$m
    rm -rf "$dir/paper"
    run sh -c '"$1" simulate --force --lab "$2/lab" "$3"/samples/paper-2005/*.ini &&
               "$1" report -o "$2" "$2/lab"' sh "$p3" "$dir/paper" "$src"
    echo "simulate: the paper's lab, ten scenarios of samples/paper-2005; no baseline"
    printf '%-28s %8.2f s %7.1f MiB\n' "p3 simulate (10 runs)" "$st" \
        "$(echo "$sm" | awk '{print $1 / 1024}')"
    printf '%-28s %8.2f s %7.1f MiB\n' "demo: simulate + report" "$t" \
        "$(echo "$m" | awk '{print $1 / 1024}')"
}

# One P3 PNG (1600 x 1000) of a run of samples/lab, drawn by p3 render
# --charts p3 and by matplotlib's bar3d (bench/p3chart_mpl.py) from the same
# store, each as a whole process. Both are short, so each is run five times
# and its fastest run counts. Then the size of every chart of samples/lab
# against zlib level 1 of the same rows as one stream (bench/png_idat.py).
bench_render() {
    src=$(cd "$(dirname "$0")/.." && pwd)
    py=${BENCH_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
    db=$dir/render.db
    rm -rf "$db" "$dir/render"
    "$p3" ingest --db "$db" "$src/samples/lab" > /dev/null
    "$p3" analyze --db "$db" > /dev/null
    name=$(sqlite3 "$db" "SELECT name FROM run ORDER BY name LIMIT 1")
    best() { # best "$@": the fastest of five runs; sets bt and bm
        bt='' bm=''
        for _ in 1 2 3 4 5; do
            run "$@"
            if [ -z "$bt" ] || [ "$(echo "$t $bt" | awk '{print ($1 < $2)}')" = 1 ]; then
                bt=$t bm=$m
            fi
        done
    }
    best "$p3" render --db "$db" -o "$dir/render" --run "$name" --charts p3
    pt=$bt pm=$bm
    best "$py" "$src/bench/p3chart_mpl.py" "$db" "$name" "$dir/render/mpl.png"
    echo "render: the P3 of samples/lab/$name as a 1600x1000 PNG, fastest of 5; target: time ratio <= 0.05"
    report "p3 render --charts p3" "$pt" "$pm" "matplotlib bar3d" "$bt" "$bm"
    "$p3" render --db "$db" -o "$dir/render/all" > /dev/null
    echo "render: image data of every PNG chart of samples/lab against zlib level 1 of the same rows; target: ratio <= 1"
    "$py" "$src/bench/png_idat.py" "$dir"/render/all/*/*.png > "$dir/render/png_idat.txt"
    tail -n 1 "$dir/render/png_idat.txt"
}

# A JMeter CSV results file of BENCH_JTL_ROWS rows (bench/jtlgen.c: the 17
# default columns, plateaus of 10 to 500 threads with ramps, sub-results and
# transactions). p3 ingest against sqlite3 .import of the same file; then
# the whole path to per-level statistics, p3 ingest + p3 analyze, against
# pandas doing the same (bench/jtl_pandas.py), each as whole processes.
bench_jtl() {
    rows=${BENCH_JTL_ROWS:-10000000}
    f=$dir/jtl-$rows.jtl
    if [ ! -s "$f" ]; then
        echo "generating $rows JMeter rows in $f" >&2
        "$tools/jtlgen" --rows "$rows" --seed 1 > "$f"
    fi
    src=$(cd "$(dirname "$0")/.." && pwd)
    size=$(wc -c < "$f")
    rm -f "$dir/jtl.db" "$dir/jtl-import.db"
    run "$p3" ingest --db "$dir/jtl.db" "$f"
    pt=$t pm=$m
    run sqlite3 "$dir/jtl-import.db" ".mode csv" ".import $f t"
    echo "jtl: $rows rows, $((size / 1048576)) MiB JMeter CSV; target: time ratio <= 1, peak < 64 MiB"
    report "p3 ingest (jtl)" "$pt" "$pm" "sqlite3 .import" "$t" "$m"
    py=${BENCH_PYTHON:-}
    if [ -z "$py" ]; then
        for candidate in /usr/bin/python3 python3; do
            if "$candidate" -c "import pandas" 2>/dev/null; then
                py=$candidate
                break
            fi
        done
    fi
    [ -n "$py" ] || { echo "bench: no python3 with pandas (set BENCH_PYTHON)" >&2; exit 1; }
    rm -f "$dir/jtl.db"
    run sh -c '"$1" ingest --db "$2" "$3" && "$1" analyze --db "$2"' sh "$p3" "$dir/jtl.db" "$f"
    pt=$t pm=$m
    run "$py" "$src/bench/jtl_pandas.py" "$f" "$dir/jtl-pandas.csv"
    echo "jtl: per-level p50/p95/p99 and mean from the same file; target: time ratio <= 0.1"
    report "p3 ingest + analyze (jtl)" "$pt" "$pm" "pandas read_csv+groupby" "$t" "$m"
}

# A lab of BENCH_LAB_RUNS runs (default 300) of BENCH_LAB_SAMPLES probe
# samples each (default 20000; bench/probegen, the native and guest profiles
# in turn): p3 report cold, again with nothing changed, and after one run
# more; -j 1 against the default; the workbook's size; and the same job
# done by pandas, matplotlib and XlsxWriter (bench/lab_reference.py).
bench_lab() {
    runs=${BENCH_LAB_RUNS:-300}
    per=${BENCH_LAB_SAMPLES:-20000}
    src=$(cd "$(dirname "$0")/.." && pwd)
    lab=$dir/lab-$runs-$per
    if [ ! -f "$lab.complete" ]; then
        echo "generating a lab of $runs runs of $per samples in $lab" >&2
        rm -rf "$lab" "$lab-extra"
        i=1
        while [ "$i" -le $((runs + 1)) ]; do
            profile=native
            [ $((i % 2)) -eq 0 ] && profile=guest
            name=$(printf 'run%03d' "$i")
            where=$lab
            [ "$i" -gt "$runs" ] && where=$lab-extra
            mkdir -p "$where/$name"
            "$tools/probegen" --samples "$per" --seed "$i" --profile "$profile" --run "$name" \
                > "$where/$name/probe.probe"
            i=$((i + 1))
        done
        touch "$lab.complete"
    fi
    out=$dir/lab-report
    extra=$(printf 'run%03d' $((runs + 1)))
    rm -rf "$out" "${lab:?}/${extra:?}"
    echo "lab: $runs runs of $per samples ($((runs * per)) in all); targets: cold <= 30 s, unchanged <= 2 s, one run more <= 5 s, cold / reference <= 0.05"
    run "$p3" report -o "$out" "$lab"
    ct=$t cm=$m
    run "$p3" report -o "$out" "$lab"
    ut=$t um=$m
    cp -r "$lab-extra/$extra" "$lab/$extra"
    run "$p3" report -o "$out" "$lab"
    at=$t am=$m
    rm -rf "${lab:?}/${extra:?}"
    printf '%-28s %8.3f s %7.1f MiB\n' "p3 report, cold" "$ct" "$(echo "$cm" | awk '{print $1 / 1024}')"
    printf '%-28s %8.3f s %7.1f MiB\n' "p3 report, unchanged" "$ut" "$(echo "$um" | awk '{print $1 / 1024}')"
    printf '%-28s %8.3f s %7.1f MiB\n' "p3 report, one run more" "$at" "$(echo "$am" | awk '{print $1 / 1024}')"
    if "$p3" help render | grep -q -- '--jobs N'; then
        rm -rf "$out-j1"
        run "$p3" report -j 1 -o "$out-j1" "$lab"
        report "p3 report -j 1, cold" "$t" "$m" "p3 report (default -j)" "$ct" "$cm"
    fi
    echo "lab: p3.xlsx $(($(wc -c < "$out/p3.xlsx") / 1048576)) MiB, report.pdf $(($(wc -c < "$out/report.pdf") / 1048576)) MiB, p3.db $(($(wc -c < "$out/p3.db") / 1048576)) MiB"
    py=${BENCH_PYTHON:-/usr/bin/python3}
    "$py" -c "import pandas, matplotlib, xlsxwriter" 2>/dev/null ||
        { echo "bench: $py lacks pandas, matplotlib or xlsxwriter (tools/deps.sh --bench)" >&2; exit 1; }
    rm -rf "$dir/lab-reference"
    run "$py" "$src/bench/lab_reference.py" "$lab" "$dir/lab-reference"
    report "p3 report, cold" "$ct" "$cm" "pandas+matplotlib+xlsxwriter" "$t" "$m"
    # Whether a spreadsheet program opens the workbook: LibreOffice, headless,
    # converts it to ODF when it is installed (it is large: deps.sh leaves it out).
    soffice=$(command -v soffice || command -v libreoffice || true)
    if [ -n "$soffice" ]; then
        rm -rf "$dir/lab-lo" && mkdir -p "$dir/lab-lo"
        if run "$soffice" --headless --norestore "-env:UserInstallation=file://$dir/lab-lo/profile" \
            --convert-to ods --outdir "$dir/lab-lo" "$out/p3.xlsx" && [ -s "$dir/lab-lo/p3.ods" ]; then
            echo "lab: LibreOffice opened p3.xlsx and wrote it as p3.ods in $t s"
        else
            echo "lab: LibreOffice could not open p3.xlsx" >&2
            exit 1
        fi
    else
        echo "lab: LibreOffice is not installed: whether it opens p3.xlsx was not checked"
    fi
}

names=${*:-ingest perfmon analyze workbook compare simulate render jtl lab}
echo "p3 benchmarks: $("$p3" --version | head -n 1), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
for name in $names; do
    "bench_$name"
done
