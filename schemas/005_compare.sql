-- 005_compare.sql: comparisons of runs (p3 compare, p3 report --baseline):
-- how each OTHER run differs from a BASELINE run level by level, whether
-- the difference is real, and what the charts of a comparison draw.
--
-- The runs compared need not be in this store: p3 compare reads them from
-- run folders, other stores or this one, and keeps here only the results.
-- A store holds the comparisons of the last command that compared into
-- it; each replaces those before it. Every difference is OTHER minus
-- BASELINE, so a positive one means OTHER is slower. A value the samples
-- cannot give (anything of a side without samples, an interval of too few)
-- is NULL.

-- One OTHER run against the BASELINE.
CREATE TABLE comparison (
    comparison_id   INTEGER PRIMARY KEY,
    position        INTEGER NOT NULL,  -- 0-based order of the OTHER runs as given
    baseline        TEXT NOT NULL,     -- the baseline's label: its run name, made unique
    other           TEXT NOT NULL,     -- the other run's label
    baseline_run    TEXT NOT NULL,     -- the run names as their stores hold them
    other_run       TEXT NOT NULL,
    baseline_title  TEXT NOT NULL,     -- run.title of each
    other_title     TEXT NOT NULL,
    baseline_source TEXT NOT NULL,     -- where each came from: a run folder, a store, STORE#RUN
    other_source    TEXT NOT NULL,
    baseline_unplaced INTEGER NOT NULL, -- samples no level could be given to, left out
    other_unplaced  INTEGER NOT NULL,
    endurance_ms    REAL NOT NULL,     -- the line the shares over it refer to (the baseline's)
    replicates      INTEGER NOT NULL,  -- bootstrap replicates of each percentile interval
    seed            INTEGER NOT NULL,  -- the bootstrap's seed
    alpha           REAL NOT NULL,     -- family-wise error rate of the verdicts (0.05)
    summary         TEXT NOT NULL,     -- one line: 'better at Busy, Maximum;
                                       -- no significant difference below'
    set_digest      TEXT NOT NULL      -- SHA-256 hex of every value of the comparisons written
                                       -- with this one: the same set again is not rewritten
);

-- The delay buckets of a comparison's distributions (the baseline's):
-- upper-inclusive edges in ascending order, then the overflow (upper_ms NULL).
CREATE TABLE comparison_bucket (
    comparison_id INTEGER NOT NULL REFERENCES comparison(comparison_id),
    bucket        INTEGER NOT NULL,    -- 0-based, ascending
    upper_ms      REAL,                -- inclusive upper edge; NULL for the overflow
    label         TEXT NOT NULL,       -- '50', '250', ..., '>1850'
    PRIMARY KEY (comparison_id, bucket)
) WITHOUT ROWID;

-- One level of a comparison: the levels of both runs matched by name
-- (ignoring ASCII case), in the baseline's order, then levels only the
-- other run has in its order.
CREATE TABLE comparison_level (
    comparison_id INTEGER NOT NULL REFERENCES comparison(comparison_id),
    position      INTEGER NOT NULL,    -- 0-based, lightest first
    level         TEXT NOT NULL,       -- the name as the baseline writes it (else the other run)
    in_baseline   INTEGER NOT NULL,    -- 1 when the run has the level
    in_other      INTEGER NOT NULL,
    n_baseline    INTEGER,             -- samples; NULL when the run lacks the level
    n_other       INTEGER,
    diff_mean_ms  REAL,                -- mean; Welch's 95 % interval
    diff_mean_lo  REAL,
    diff_mean_hi  REAL,
    welch_df      REAL,                -- its Welch-Satterthwaite degrees of freedom
    diff_p50_ms   REAL,                -- PERCENTILE.INC; 95 % percentile-bootstrap intervals
    diff_p50_lo   REAL,
    diff_p50_hi   REAL,
    diff_p95_ms   REAL,
    diff_p95_lo   REAL,
    diff_p95_hi   REAL,
    diff_p99_ms   REAL,
    diff_p99_lo   REAL,
    diff_p99_hi   REAL,
    diff_pct_over REAL,                -- share over the endurance line, percentage points;
    diff_pct_over_lo REAL,             -- Newcombe's hybrid score interval
    diff_pct_over_hi REAL,
    mw_u          REAL,                -- Mann-Whitney U of the baseline
    mw_p          REAL,                -- its two-sided p-value
    mw_method     TEXT,                -- 'exact' or 'asymptotic'
    ks_d          REAL,                -- two-sample Kolmogorov-Smirnov D
    ks_p          REAL,
    ks_method     TEXT,                -- 'exact' or 'asymptotic'
    cliffs_delta  REAL,                -- P(OTHER > BASELINE) - P(OTHER < BASELINE)
    p_holm        REAL,                -- mw_p after Holm's correction across the levels
    verdict       TEXT NOT NULL,       -- 'better', 'worse', 'no significant difference',
                                       -- 'not compared' (a side without samples),
                                       -- 'only in baseline', 'only in other'
    PRIMARY KEY (comparison_id, position)
) WITHOUT ROWID;

-- Each run's own statistics at a level it has, for the charts: side is
-- 'baseline' or 'other'. Percentiles are PERCENTILE.INC; the intervals
-- are those of level_stats (t for the mean, order statistics for the
-- percentiles).
CREATE TABLE comparison_side (
    comparison_id INTEGER NOT NULL REFERENCES comparison(comparison_id),
    position      INTEGER NOT NULL,    -- comparison_level.position
    side          TEXT NOT NULL,       -- 'baseline' or 'other'
    mean_ms       REAL,
    mean_ci_lo    REAL,
    mean_ci_hi    REAL,
    p50_ms        REAL,
    p50_ci_lo     REAL,
    p50_ci_hi     REAL,
    p90_ms        REAL,
    p95_ms        REAL,
    p95_ci_lo     REAL,
    p95_ci_hi     REAL,
    p99_ms        REAL,
    p99_ci_lo     REAL,
    p99_ci_hi     REAL,
    pct_over      REAL,                -- % of samples over the endurance line
    PRIMARY KEY (comparison_id, position, side)
) WITHOUT ROWID;

-- The P3 of each side at a level it has: count and share per bucket.
CREATE TABLE comparison_level_bucket (
    comparison_id INTEGER NOT NULL REFERENCES comparison(comparison_id),
    position      INTEGER NOT NULL,    -- comparison_level.position
    side          TEXT NOT NULL,       -- 'baseline' or 'other'
    bucket        INTEGER NOT NULL,    -- comparison_bucket.bucket
    count         INTEGER NOT NULL,
    pct           REAL NOT NULL,       -- 100 * count / n; 0 when n is 0
    PRIMARY KEY (comparison_id, position, side, bucket)
) WITHOUT ROWID;
