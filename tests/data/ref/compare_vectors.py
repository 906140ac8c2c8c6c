"""Reference values for tests/check_compare_stats.c, computed independently
of p3 with SciPy 1.10 and NumPy 1.24 (Debian python3-scipy, python3-numpy).
Run: /usr/bin/python3 tests/data/ref/compare_vectors.py
It prints C initializers: the lines before "/* kstwo */" are the test's
vectors[], those after it its kstwo[].

Each case is a pair of samples (baseline, other), either listed or made by
gen(n, a, b, m, s, off): value i = off + ((a*i + b) % m) / s, i = 0..n-1,
which C computes to the same doubles. For each case:

- Mann-Whitney: scipy.stats.mannwhitneyu(baseline, other,
  alternative='two-sided', method='auto') (use_continuity=True): U of the
  baseline and the p-value, and which method 'auto' chose (SciPy's rule,
  _mwu_choose_method: exact when a sample has <= 8 values and no ties).
- KS: scipy.stats.ks_2samp(baseline, other, alternative='two-sided',
  method='auto'): D and p, and the method 'auto' chose (exact when
  max(n1, n2) <= 10000).
- Cliff's delta by counting pairs directly, mean(sign(other_j -
  baseline_i)) (for large cases, per baseline value by binary search),
  positive when OTHER tends to be larger.
- Welch: mean(other) - mean(baseline), the Welch-Satterthwaite df and
  diff -/+ scipy.stats.t.ppf(0.975, df) * se (Welch 1947, Satterthwaite
  1946); checked against scipy.stats.ttest_ind(equal_var=False), whose
  p-value must equal 2 t.sf(|t|, df) with this df.
- Newcombe's hybrid score interval (method 10 of Newcombe 1998,
  Statistics in Medicine 17:873-890) of share(other) - share(baseline) over
  the case's threshold, from Wilson intervals with z = norm.ppf(0.975);
  the implementation is checked here against the paper's Table II.

Also scipy.stats.kstwo.sf(d, n) at points that reach every branch of
SciPy's one-sample Kolmogorov-Smirnov distribution (Simard & L'Ecuyer)."""
import math
import numpy as np
from scipy import stats


def gen(n, a, b, m, s, off=0):
    return ("gen", n, a, b, m, s, off)


def expand(spec):
    if isinstance(spec, tuple):
        _, n, a, b, m, s, off = spec
        return [off + ((a * i + b) % m) / s for i in range(n)]
    return spec


def c_spec(spec):
    """The C initializer of a sample_spec (see the test)."""
    if isinstance(spec, tuple):
        _, n, a, b, m, s, off = spec
        return "{%d, NULL, %d, %d, %d, %s, %s}" % (n, a, b, m, c(s), c(off))
    return "{%d, (const double[]){%s}, 0, 0, 0, 0, 0}" % (
        len(spec), ", ".join(c(v) for v in spec))


CASES = [
    # name, baseline, other, threshold
    ("scipy_doc", [19, 22, 16, 29, 24], [20, 11, 17, 12], 18),
    ("small_no_ties", gen(6, 7, 3, 101, 10), gen(11, 13, 5, 103, 10, 2.05), 5),
    ("three_vs_40", gen(3, 5, 1, 53, 2, 10.25), gen(40, 9, 2, 59, 2, 9), 20),
    ("five_vs_seven_apart", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11, 12], 5.5),
    ("small_ties", [1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6], 3),
    ("eight_vs_300", gen(8, 37, 1, 997, 4, 100), gen(300, 61, 7, 1009, 4, 80.125), 200),
    ("nine_vs_nine", gen(9, 5, 2, 97, 3), gen(9, 7, 1, 89, 3, 1), 20),
    ("ties_60_45", gen(60, 7, 1, 37, 1), gen(45, 11, 4, 41, 1, 3), 30),
    ("identical", gen(50, 3, 1, 17, 2), gen(50, 3, 1, 17, 2), 4),
    ("shift_200", gen(200, 17, 3, 211, 1, 500), gen(200, 19, 5, 223, 1, 560), 600),
    ("constant", [5, 5, 5], [5, 5, 5, 5], 5),
    ("one_each", [3], [4], 3.5),
    ("ks_300_250", gen(300, 31, 2, 307, 8, 10), gen(250, 29, 6, 251, 8, 12), 30),
    ("ks_3000_4000", gen(3000, 101, 5, 3001, 2, 50), gen(4000, 103, 9, 3989, 2, 53), 800),
    ("ks_12000_15000", gen(12000, 211, 5, 12007, 10, 100), gen(15000, 223, 1, 15013, 10, 103), 1000),
    ("ks_5_20000", gen(5, 3, 1, 7, 1, 2), gen(20000, 7, 3, 11, 1), 5),
    ("ks_30000_30000", gen(30000, 11, 2, 29989, 100, 0), gen(30000, 13, 1, 29983, 100, 1), 100),
]

KSTWO = [(5, 0.05), (5, 0.15), (200, 0.0049), (5, 0.85), (10, 0.6), (100, 0.05),
         (100, 0.15), (100, 0.25), (1000, 0.01), (1000, 0.03), (1000, 0.06),
         (1000, 0.7), (500000, 0.001), (500000, 0.003), (500000, 0.03),
         (2000000, 0.0015), (20000, 0.0017), (100000, 0.00036), (150, 0.044),
         (1000, 0.012), (141, 0.05), (3000, 0.02), (600000, 0.0025), (300, 0.003), (150, 0.2),
         (140, 0.1), (7, 0.3), (60, 0.08),
         (200, 0.09), (141, 0.12), (100, 0.19)]

Z = stats.norm.ppf(0.975)


def wilson(k, n):
    p = k / n
    c = 2 * n * p + Z * Z
    r = Z * math.sqrt(Z * Z + 4 * n * p * (1 - p))
    d = 2 * (n + Z * Z)
    return (c - r) / d, (c + r) / d


def newcombe(k_b, n_b, k_o, n_o):
    """Interval of k_o/n_o - k_b/n_b."""
    pb, po = k_b / n_b, k_o / n_o
    lb, ub = wilson(k_b, n_b)
    lo_, uo = wilson(k_o, n_o)
    d = po - pb
    return (d - math.sqrt((po - lo_) ** 2 + (ub - pb) ** 2),
            d + math.sqrt((uo - po) ** 2 + (pb - lb) ** 2))


# Newcombe 1998, Table II, method 10, examples (a)-(h): p1 - p2 for
# 56/70-48/80, 9/10-3/10, 6/7-2/7, 5/56-0/29, 0/10-0/20, 0/10-0/10,
# 10/10-0/20, 10/10-0/10.
PAPER = [((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)),
         ((6, 7, 2, 7), (0.0582, 0.8062)), ((5, 56, 0, 29), (-0.0381, 0.1926)),
         ((0, 10, 0, 20), (-0.1611, 0.2775)), ((0, 10, 0, 10), (-0.2775, 0.2775)),
         ((10, 10, 0, 20), (0.6791, 1.0000)), ((10, 10, 0, 10), (0.6075, 1.0000))]
for (k1, n1, k2, n2), want in PAPER:
    got = newcombe(k2, n2, k1, n1)  # other = group 1
    assert all(abs(g - w) < 5e-5 for g, w in zip(got, want)), (k1, n1, k2, n2, got)


def mwu_auto_method(x, y):
    if len(x) > 8 and len(y) > 8:
        return "ASYMPTOTIC"
    _, counts = np.unique(np.concatenate([x, y]), return_counts=True)
    return "ASYMPTOTIC" if np.any(counts != 1) else "EXACT"


def welch(b, o):
    nb, no = len(b), len(o)
    if nb < 2 or no < 2:
        return None
    vb, vo = np.var(b, ddof=1) / nb, np.var(o, ddof=1) / no
    diff = np.mean(o) - np.mean(b)
    se = math.sqrt(vb + vo)
    if se == 0:
        return diff, diff, float("nan")
    df = (vb + vo) ** 2 / (vb ** 2 / (nb - 1) + vo ** 2 / (no - 1))
    t = diff / se
    p = stats.ttest_ind(o, b, equal_var=False).pvalue
    assert abs(p - 2 * stats.t.sf(abs(t), df)) <= 1e-12 + 1e-9 * p, "welch df"
    half = stats.t.ppf(0.975, df) * se
    return diff - half, diff + half, df


def c(x):
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NAN"
    return repr(float(x))


print("/* generated by tests/data/ref/compare_vectors.py */")
for name, b_spec, o_spec, thr in CASES:
    b = np.array(expand(b_spec), dtype=float)
    o = np.array(expand(o_spec), dtype=float)
    mw = stats.mannwhitneyu(b, o, alternative="two-sided", method="auto")
    ks = stats.ks_2samp(b, o, alternative="two-sided", method="auto")
    ks_method = "EXACT" if max(len(b), len(o)) <= 10000 else "ASYMPTOTIC"
    delta = float(np.mean(np.sign(o[None, :] - b[:, None]))) if len(b) * len(o) < 5e7 else \
        None
    if delta is None:  # too many pairs for memory: the same sum, row by row
        ss = np.sort(o)
        tot = 0
        for v in b:
            tot += (len(o) - np.searchsorted(ss, v, "right")) - np.searchsorted(ss, v, "left")
        delta = tot / (len(b) * len(o))
    w = welch(b, o)
    kb, ko = int(np.sum(b > thr)), int(np.sum(o > thr))
    nl, nh = newcombe(kb, len(b), ko, len(o))
    print("    {\"%s\", %s, %s, %s,\n     %s, %s, COMPARE_STATS_%s, %s, %s, COMPARE_STATS_%s,\n"
          "     %s, %s, %s, %s, %s, %s},"
          % (name, c_spec(b_spec), c_spec(o_spec), c(thr), c(mw.statistic), c(mw.pvalue),
             mwu_auto_method(b, o), c(ks.statistic), c(ks.pvalue), ks_method, c(delta), c(w[0] if w else None),
             c(w[1] if w else None), c(w[2] if w else None), c(nl), c(nh)))
print("/* kstwo */")
for n, d in KSTWO:
    print("    {%d, %s, %s}," % (n, c(d), c(stats.kstwo.sf(d, n))))
