#!/bin/sh
# Records samples/linux-probe: the paper's four single-guest cases measured
# by p3 probe on this machine, as a one-CPU guest on CPU 0 (figures 2, 5, 9
# and 10 of the paper). A measurement, not a generator: every recording
# differs. Needs root (or a delegated cgroup) for the capped cases.
# Usage: tools/make_probe_samples.sh [P3] [LAB]   (about 5 minutes)
set -eu
p3=${1:-./p3}
lab=${2:-samples/linux-probe}
common="--cpus 0 --interval 100 --samples 100 --settle 2 --quiet --force"
rm -rf "$lab.new"
mkdir -p "$lab.new"
# shellcheck disable=SC2086 # $common is a list of options
"$p3" probe -o "$lab.new/native" $common --title "P3 Linux: 1 CPU, no cap (paper fig. 2)"
# shellcheck disable=SC2086
"$p3" probe -o "$lab.new/managed" $common --manage-priority \
    --title "P3 Linux: 1 CPU w/Priority Mgmt (paper fig. 5)"
# shellcheck disable=SC2086
"$p3" probe -o "$lab.new/cap50" $common --cap 50 \
    --title "P3 Linux: 1 CPU w/50% Cap (paper fig. 9)"
# shellcheck disable=SC2086
"$p3" probe -o "$lab.new/cap50-managed" $common --cap 50 --manage-priority \
    --title "P3 Linux: 1 CPU w/50% Cap, Priority Mgmt (paper fig. 10)"
rm -rf "$lab"
mv "$lab.new" "$lab"
echo "recorded $lab: native, managed, cap50, cap50-managed"
