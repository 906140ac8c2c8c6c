#!/usr/bin/env python3
"""The baseline of `make bench`'s render benchmark: the same 3-D column chart
as p3's P3 (delay buckets along X, load levels in depth, share of samples up
Z, one colour per level, the paper's palette, title, axis titles, legend),
drawn by matplotlib's mplot3d bar3d from the same store and saved as a
1600 x 1000 PNG. Timed as a whole process, as p3 is: start, imports, reading
the store, drawing, writing.

usage: p3chart_mpl.py STORE RUN OUT.png
"""
import sqlite3
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# p3's "paper" palette, by level.
PALETTE = ["#1F3A7A", "#8E4585", "#FA8072", "#F2C14E", "#2A9D8F", "#7F1D2D",
           "#6B8E23", "#E07B1F", "#5DA5DA", "#8D6E63", "#D45D9E", "#5B6770"]


def main():
    store, run, out = sys.argv[1:4]
    db = sqlite3.connect(store)
    run_id, title = db.execute("SELECT run_id, title FROM run WHERE name = ?", (run,)).fetchone()
    labels = [r[0] for r in db.execute(
        "SELECT label FROM bucket WHERE run_id = ? ORDER BY bucket", (run_id,))]
    levels = [r[0] for r in db.execute(
        "SELECT name FROM run_level WHERE run_id = ? ORDER BY level", (run_id,))]
    pct = [[0.0] * len(labels) for _ in levels]
    for level, bucket, share in db.execute(
            "SELECT level, bucket, pct FROM level_bucket WHERE run_id = ?", (run_id,)):
        pct[level][bucket] = share
    # Fold the overflow into the last bucket, as p3 does by default.
    columns = len(labels) - 1
    for row in pct:
        row[columns - 1] += row[columns]

    draw(title, labels[:columns], levels, pct, out)


def draw(title, labels, levels, pct, out):
    """The 3-D column chart of one run: labels are the bucket columns, pct[j]
    the shares of level j per column (at least len(labels) of them)."""
    columns = len(labels)
    fig = plt.figure(figsize=(16, 10), dpi=100)
    ax = fig.add_subplot(projection="3d")
    for j, name in enumerate(levels):
        xs = [i + 0.2 for i in range(columns)]
        ys = [j + 0.2] * columns
        ax.bar3d(xs, ys, [0] * columns, 0.6, 0.6, pct[j][:columns],
                 color=PALETTE[j % len(PALETTE)], shade=True)
    ax.set_xticks([i + 0.5 for i in range(columns)])
    ax.set_xticklabels(labels[:columns])
    ax.set_yticks([j + 0.5 for j in range(len(levels))])
    ax.set_yticklabels(levels)
    ax.set_zlim(0, 100)
    ax.set_xlabel("Delay (ms)")
    ax.set_ylabel("User Load")
    ax.set_zlabel("Count (%)")
    ax.set_title(title)
    ax.view_init(elev=20, azim=-70)
    # bar3d's collections cannot stand in a legend themselves.
    ax.legend(handles=[Patch(color=PALETTE[j % len(PALETTE)], label=name)
                       for j, name in enumerate(levels)], loc="center right")
    fig.savefig(out)
    plt.close(fig)


if __name__ == "__main__":
    main()
