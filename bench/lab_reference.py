#!/usr/bin/env python3
"""The baseline of `make bench`'s lab benchmark: what a team would write to
do p3 report's job on a lab of probe logs with pandas, matplotlib and
XlsxWriter. For every run folder of LAB: read its probe logs (format 1),
compute per level n, mean, sd, min, p50, p90, p95, p99, max and the share
of samples in each of the paper's buckets; draw one 3-D P3 PNG per run
(bench/p3chart_mpl.py's chart); write a workbook with a Summary sheet and
one sheet per run holding its statistics and bucket shares. Timed as a
whole process, as p3 is.

usage: lab_reference.py LAB OUT_DIR
"""
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from p3chart_mpl import draw  # noqa: E402

EDGES = [50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850]
LABELS = [str(e) for e in EDGES]
LEVELS = ["None", "Low", "Medium", "Busy", "Maximum", "Overload"]


def read_run(folder):
    frames = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".probe"):
            frames.append(pd.read_csv(os.path.join(folder, name), comment="#",
                                      usecols=["level", "delay_ms"]))
    return pd.concat(frames, ignore_index=True)


def level_stats(df):
    g = df.groupby("level", sort=False)["delay_ms"]
    stats = g.agg(n="count", mean="mean", sd="std", min="min", max="max")
    for q in (50, 90, 95, 99):
        stats["p%d" % q] = g.quantile(q / 100)
    # The bucket of each delay: the first edge at or above it; past the last, the last.
    bucket = np.minimum(np.searchsorted(EDGES, df["delay_ms"].to_numpy(), side="left"),
                        len(EDGES) - 1)
    counts = pd.crosstab(df["level"], bucket).reindex(columns=range(len(EDGES)), fill_value=0)
    shares = counts.div(counts.sum(axis=1), axis=0) * 100
    order = [lv for lv in LEVELS if lv in stats.index]
    return stats.loc[order], shares.loc[order]


def main():
    lab, out = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    runs = sorted(d for d in os.listdir(lab) if os.path.isdir(os.path.join(lab, d)))
    results = []
    for run in runs:
        stats, shares = level_stats(read_run(os.path.join(lab, run)))
        os.makedirs(os.path.join(out, run), exist_ok=True)
        draw(run, LABELS, list(stats.index), shares.to_numpy().tolist(),
             os.path.join(out, run, "p3.png"))
        results.append((run, stats, shares))
    with pd.ExcelWriter(os.path.join(out, "reference.xlsx"), engine="xlsxwriter") as book:
        summary = pd.concat({run: stats for run, stats, _ in results}, names=["run", "level"])
        summary.to_excel(book, sheet_name="Summary")
        for i, (run, stats, shares) in enumerate(results):
            sheet = "R%03d %s" % (i + 1, run[:25])
            table = stats.join(shares.set_axis(["b" + lb for lb in LABELS], axis=1))
            table.to_excel(book, sheet_name=sheet)


if __name__ == "__main__":
    main()
