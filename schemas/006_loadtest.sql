-- 006_loadtest.sql: results of load-testing tools as probe sources (JMeter,
-- k6, Gatling, HdrHistogram, fio, Locust). A sample now also says which
-- transaction it timed, whether it succeeded, how many users were active
-- and how many observations it stands for; analysis records where it
-- placed every sample, so that render never places them again.

-- What a load-testing tool says of each sample. Rows of probe logs leave
-- these NULL, which reads as: succeeded, one observation, no label.
ALTER TABLE sample ADD COLUMN label TEXT;         -- transaction or request name
ALTER TABLE sample ADD COLUMN ok INTEGER;         -- 1 succeeded, 0 failed; NULL: the source cannot fail
ALTER TABLE sample ADD COLUMN concurrency INTEGER; -- users, threads, VUs or I/Os in flight, as the source gives it
ALTER TABLE sample ADD COLUMN weight REAL;        -- observations the row stands for (histogram counts); NULL: 1
ALTER TABLE sample ADD COLUMN role TEXT;          -- NULL: a sample; 'sub': a sub-result of the sample before it
                                                  -- (JMeter `<label>-<n>`); 'transaction': a total over other
                                                  -- samples (JMeter Transaction Controller)

-- Which reader took the file: 'p3-probe', 'jmeter-csv', 'jmeter-xml', 'k6',
-- 'gatling', 'hlog', 'fio', 'locust', or a counter format. NULL in stores
-- written before this column existed (those files are all 'p3-probe' or
-- counters, as their kind says).
ALTER TABLE source_file ADD COLUMN format TEXT;

-- Aggregates of tools that keep no single samples (Locust's stats history):
-- one row per interval and name. Counts are of the interval, differenced
-- from the tool's running totals; the mean is exact.
CREATE TABLE aggregate (
    aggregate_id INTEGER PRIMARY KEY,
    file_id      INTEGER NOT NULL REFERENCES source_file(file_id),
    t_ns         INTEGER NOT NULL,  -- end of the interval, UTC ns
    span_ns      INTEGER,           -- its length, when known
    concurrency  INTEGER,           -- users running in it
    label        TEXT,              -- request name; NULL for the tool's total row
    requests     INTEGER NOT NULL,  -- requests completed in it, failures included
    failures     INTEGER NOT NULL,
    mean_ms      REAL,              -- exact mean of its requests; NULL when none
    window       INTEGER NOT NULL   -- 1: the quantiles below are of this window,
                                    -- 0: they are cumulative since the start
);
CREATE INDEX aggregate_by_file ON aggregate (file_id);

-- The quantiles an aggregate row carries, as the tool rounded them.
CREATE TABLE aggregate_quantile (
    aggregate_id INTEGER NOT NULL REFERENCES aggregate(aggregate_id),
    q            INTEGER NOT NULL,  -- per million (950000 for the 95th percentile)
    value_ms     REAL NOT NULL,
    PRIMARY KEY (aggregate_id, q)
) WITHOUT ROWID;

-- Where analysis put each sample: spans of consecutive sample_ids of one
-- run that share a level and a state. Written by p3 analyze with the run's
-- other results; render reads it instead of placing samples again.
CREATE TABLE placement (
    run_id       INTEGER NOT NULL REFERENCES run(run_id),
    first_sample INTEGER NOT NULL,  -- sample_id range, inclusive
    last_sample  INTEGER NOT NULL,
    level        INTEGER,           -- run_level.level; NULL when no level took them
    state        TEXT NOT NULL,     -- 'counted': in the level's delay distribution;
                                    -- 'failed': a failure (counted in the error share);
                                    -- 'excluded': left out by role or label; 'ramp': taken
                                    -- while the load moved between plateaus; 'unplaced'
    method       TEXT,              -- what gave the level: 'probe', 'file', 'schedule',
                                    -- 'concurrency' or 'cpu'
    PRIMARY KEY (run_id, first_sample)
) WITHOUT ROWID;

-- Errors and what was left out, per level.
ALTER TABLE level_stats ADD COLUMN errors INTEGER;        -- failed samples placed in the level
ALTER TABLE level_stats ADD COLUMN error_pct REAL;        -- 100 * errors / (n + errors), or of
                                                          -- n when failures are counted
ALTER TABLE level_stats ADD COLUMN n_concurrency INTEGER; -- samples placed by concurrency
ALTER TABLE level_stats ADD COLUMN n_file INTEGER;        -- by a [levels] file binding
ALTER TABLE level_stats ADD COLUMN approximate INTEGER;   -- 1: the distribution is not of single
                                                          -- samples (window means, tool percentiles)
ALTER TABLE analysis ADD COLUMN ramp INTEGER;             -- samples taken between plateaus
ALTER TABLE analysis ADD COLUMN excluded INTEGER;         -- left out by role or label
ALTER TABLE analysis ADD COLUMN errors INTEGER;           -- failed samples in all

-- Each label (transaction or request name) per level, so that the user
-- can choose which labels form the probe (p3 labels): every sample of the
-- probe's role that a level took, whether its label is in the probe or not.
CREATE TABLE label_stats (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    level     INTEGER NOT NULL,
    label     TEXT NOT NULL,     -- '' for samples without a label
    in_probe  INTEGER NOT NULL,  -- 1: the label is one the probe is made of
    n         INTEGER NOT NULL,  -- samples that succeeded (observations, for weighted rows)
    errors    INTEGER NOT NULL,  -- samples that failed
    mean_ms   REAL,
    p50_ms    REAL,
    p95_ms    REAL,
    PRIMARY KEY (run_id, level, label)
) WITHOUT ROWID;
