#!/bin/sh
# Regenerates samples/loadtest: a small run folder per load-test format.
# JMeter, k6, Gatling, HdrHistogram and Locust files come from
# tools/loadtestgen.py (the same bytes every time); the fio run is made by
# the real fio on this machine, at three queue depths, so its bytes differ
# from one machine to the next. Usage: tools/make_loadtest_samples.sh
set -eu
out=samples/loadtest
python3 tools/loadtestgen.py "$out"

command -v fio >/dev/null 2>&1 || { echo "fio is not installed: tools/deps.sh installs it" >&2; exit 1; }
fio_dir=$out/fio
rm -rf "$fio_dir"
mkdir -p "$fio_dir"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for qd in 1 4 16; do
    fio --name="randread-qd$qd" --filename="$scratch/scratch" --size=16m --rw=randread --bs=4k \
        --ioengine=libaio --iodepth="$qd" --number_ios=1500 --direct=0 \
        --write_lat_log="$scratch/qd$qd" --log_avg_msec=0 \
        --output-format=json --output="$scratch/qd$qd.json" >/dev/null
    cp "$scratch/qd${qd}_lat.1.log" "$fio_dir/qd${qd}_lat.1.log"
done
# The JSON output beside the logs says which fio wrote them (and so the unit).
cp "$scratch/qd1.json" "$fio_dir/fio-output.json"
cat > "$fio_dir/run.ini" <<'INI'
; A run folder's description; see README.md, "run.ini".
[run]
title = P3 scratch disk: fio 4k random reads at queue depth 1, 4 and 16
notes = Real fio per-I/O latency logs (tools/make_loadtest_samples.sh), each bound to its level below.
levels = QD1, QD4, QD16

[analysis]
; I/O latencies are far below the paper's 50-1850 ms buckets.
buckets = 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3
endurance_ms = 1

[levels]
QD1 = qd1_lat.*
QD4 = qd4_lat.*
QD16 = qd16_lat.*
INI
