"""The pandas baseline of the jtl benchmark (bench/run.sh jtl): what an
analyst would write to get delay percentiles per load level out of a JMeter
CSV results file, doing the work `p3 ingest` + `p3 analyze` do: read the
file, leave out failed samples, Transaction Controller rows and sub-results
(`<label>-<n>`), group by allThreads, and compute per group the count, mean
and the 50th, 95th and 99th percentiles of elapsed.

usage: python3 jtl_pandas.py FILE.jtl [OUT.csv]
"""
import sys

import pandas as pd


def main():
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else None
    # Only the columns the statistics need: the fastest read pandas offers.
    df = pd.read_csv(path, usecols=["timeStamp", "elapsed", "label", "responseMessage",
                                    "success", "allThreads"])
    transaction = df["responseMessage"].str.startswith("Number of samples in transaction : ",
                                                       na=False)
    sub = df["label"].str.contains(r"-\d+$", regex=True, na=False)
    kept = df[df["success"] & ~transaction & ~sub]
    groups = kept.groupby("allThreads")["elapsed"]
    stats = groups.quantile([0.5, 0.95, 0.99]).unstack()
    stats.columns = ["p50", "p95", "p99"]
    stats.insert(0, "mean", groups.mean())
    stats.insert(0, "n", groups.size())
    text = stats.to_csv()
    if out:
        with open(out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
