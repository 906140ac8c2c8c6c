"""Computes tests/data/lab-small.expected.csv independently of p3, with
NumPy and SciPy (Debian python3-numpy, python3-scipy), from the values the
fixture lab's probe logs hold. Run: /usr/bin/python3 tests/data/ref/lab_small_expected.py

Definitions (the README's): percentiles numpy.percentile (linear, R type
7 = PERCENTILE.INC); sd with ddof=1 (STDEV.S); mean 95 % CI from
scipy.stats.t.ppf(0.975, n-1); percentile CIs are the order statistics at
the ranks found by scanning scipy.stats.binom.cdf (lo: largest r with
F(r-1) <= 0.025, hi: smallest r with F(r-1) >= 0.975); no CPU counters, so
the CPU columns are empty and the overhead is the assumed 5 %."""
import numpy as np
from scipy import stats

alpha = {"Idle": [3.5, 48, 50, 50.001, 12, 7.25],
         "Half": [120, 250, 250.5, 999.999, 1000, 1000.001, 88, 430],
         "Full": [1850, 1850.001, 2400.5, 640, 1049.999, 1050, 1234.5678, 3600000, 0]}
beta = {"None": [12.5], "Low": [], "Medium": [300, 300, 300], "Busy": [100, 2000],
        "Maximum": [float(x) for x in range(1, 21)], "Overload": [655.5, 1700, 90, 1300.25]}
edges = [50, 250, 450, 650, 850, 1050, 1250, 1450, 1650, 1850]


def ms(x):
    return "" if x is None else "%.3f" % x


def pct(x):
    return "" if x is None else "%.4f" % x


def ranks(n, q):
    lo = 0
    for r in range(1, n + 1):
        if stats.binom.cdf(r - 1, n, q) <= 0.025:
            lo = r
    hi = 0
    for r in range(1, n + 1):
        if stats.binom.cdf(r - 1, n, q) >= 0.975:
            hi = r
            break
    return lo, hi


header = ("run,level,n,mean_ms,stddev_ms,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,"
          "pct_over_1000," + ",".join("b%d" % e for e in edges) + ",bover,"
          "cv,p999_ms,pct_le_50,mean_ci_lo,mean_ci_hi,p50_ci_lo,p50_ci_hi,p95_ci_lo,p95_ci_hi,"
          "p99_ci_lo,p99_ci_hi,level_source,host_cpu_pct,guest_cpu_pct,overhead_pct,"
          "overhead_assumed,useful_cpu_pct,ready_pct")
rows = [header]
for run, data in (("alpha", alpha), ("beta", beta)):
    for level, values in data.items():
        a = np.sort(np.array(values, dtype=float))
        n = len(a)
        tail_cpu = ",,,5.0000,1,,"
        if n == 0:
            rows.append(",".join([run, level, "0"] + [""] * 9 + [pct(0.0)] * 11 + [""] * 12)
                        + tail_cpu)
            continue
        mean = float(np.mean(a))
        sd = float(np.std(a, ddof=1)) if n > 1 else None
        p = [float(np.percentile(a, q)) for q in (50, 90, 95, 99, 99.9)]
        counts, lo = [], -np.inf
        for e in edges:
            counts.append(int(np.sum((a > lo) & (a <= e))))
            lo = e
        counts.append(int(np.sum(a > edges[-1])))
        if n > 1:
            half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
            mean_ci = [mean - half, mean + half]
        else:
            mean_ci = [None, None]
        cis = []
        for q in (0.5, 0.95, 0.99):
            r_lo, r_hi = ranks(n, q)
            cis += [a[r_lo - 1] if r_lo else None, a[r_hi - 1] if r_hi else None]
        cv = sd / mean if sd is not None and mean > 0 else None
        rows.append(",".join(
            [run, level, str(n), ms(mean), ms(sd), ms(a[0])] + [ms(x) for x in p[:4]]
            + [ms(a[-1]), pct(100.0 * np.sum(a > 1000) / n)]
            + [pct(100.0 * c / n) for c in counts]
            + [pct(cv), ms(p[4]), pct(100.0 * np.sum(a <= 50) / n)]
            + [ms(x) for x in mean_ci] + [ms(x) for x in cis] + ["probe"]) + tail_cpu)
print("\n".join(rows))
