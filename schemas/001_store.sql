-- 001_store.sql: runs, the files they were read from, their probe samples,
-- and the per-level results of analysis.
--
-- Conventions: times are UTC nanoseconds since 1970-01-01T00:00:00Z
-- (INTEGER); delays are milliseconds (REAL); a level is the 0-based position
-- of a level name in its run's order, lightest first.

-- A run: one test of one configuration, driven through its load levels.
CREATE TABLE run (
    run_id    INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,   -- the run folder's name, or `# run:` of a lone probe log
    title     TEXT NOT NULL,          -- chart title: run.ini's title, else the name
    folder    TEXT,                   -- the run folder as given to ingest; NULL for lone files
    host      TEXT,                   -- run.ini or probe log `host`
    guest     TEXT,                   -- run.ini or probe log `guest`
    platform  TEXT,                   -- run.ini `platform`
    notes     TEXT                    -- run.ini `notes`
);

-- The run's load levels in order; the default set is
-- None, Low, Medium, Busy, Maximum, Overload.
CREATE TABLE run_level (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    level     INTEGER NOT NULL,       -- 0-based position, lightest first
    name      TEXT NOT NULL,          -- as written in run.ini (matched case-insensitively)
    PRIMARY KEY (run_id, level)
) WITHOUT ROWID;

-- Other `key = value` lines of run.ini's [run] section.
CREATE TABLE run_meta (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

-- Every file that went into the store. A file's content goes in once per
-- run: re-ingesting the same bytes is skipped.
CREATE TABLE source_file (
    file_id      INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES run(run_id),
    path         TEXT NOT NULL,       -- as reached from the command line
    size         INTEGER NOT NULL,    -- bytes
    sha256       TEXT NOT NULL,       -- lowercase hex of the content
    kind         TEXT NOT NULL,       -- 'probe' or 'run-ini'
    ingested_at  TEXT NOT NULL,       -- UTC, YYYY-MM-DDTHH:MM:SSZ
    samples      INTEGER NOT NULL DEFAULT 0,  -- rows it put into `sample`
    first_sample INTEGER,             -- its samples occupy sample_id first_sample..last_sample
    last_sample  INTEGER,
    UNIQUE (run_id, sha256)
);

-- `# key: value` lines of a probe log that p3 has no column for.
CREATE TABLE file_meta (
    file_id   INTEGER NOT NULL REFERENCES source_file(file_id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (file_id, key)
) WITHOUT ROWID;

-- One probe measurement: how long a user waited for one small action.
-- A file's rows are contiguous in sample_id (see source_file).
CREATE TABLE sample (
    sample_id INTEGER PRIMARY KEY,
    file_id   INTEGER NOT NULL,       -- source_file.file_id
    t_ns      INTEGER NOT NULL,       -- when, UTC ns since the epoch
    level     INTEGER,                -- run_level.level; NULL when the file did not say
    delay_ms  REAL NOT NULL,          -- the delay the user felt, 0..3600000
    operation TEXT,                   -- what the probe did, when it said
    session   TEXT                    -- which probe session, when it said
);

-- Results of `p3 analyze`, one row per analysed run. The digest covers the
-- run's files and the analysis settings: when it is unchanged the results
-- stand and analysis writes nothing.
CREATE TABLE analysis (
    run_id       INTEGER PRIMARY KEY REFERENCES run(run_id),
    input_digest TEXT NOT NULL,       -- SHA-256 hex over files and settings
    endurance_ms REAL NOT NULL,       -- the endurance line the shares refer to
    samples      INTEGER NOT NULL,    -- samples with a level
    unplaced     INTEGER NOT NULL     -- samples no level could be given to
);

-- The delay buckets of a run's distributions: upper-inclusive edges in
-- ascending order, then the overflow bucket (upper_ms NULL).
CREATE TABLE bucket (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    bucket    INTEGER NOT NULL,       -- 0-based, ascending
    upper_ms  REAL,                   -- inclusive upper edge; NULL for the overflow
    label     TEXT NOT NULL,          -- '50', '250', ..., '>1850'
    PRIMARY KEY (run_id, bucket)
) WITHOUT ROWID;

-- Statistics of one level of one run. Percentiles are PERCENTILE.INC
-- (linear between closest ranks); stddev is the sample one (n-1).
-- A statistic that is undefined for n (the stddev of one sample, anything
-- of none) is NULL.
CREATE TABLE level_stats (
    run_id        INTEGER NOT NULL REFERENCES run(run_id),
    level         INTEGER NOT NULL,   -- run_level.level
    n             INTEGER NOT NULL,
    mean_ms       REAL,
    variance_ms2  REAL,
    stddev_ms     REAL,
    min_ms        REAL,
    p50_ms        REAL,
    p90_ms        REAL,
    p95_ms        REAL,
    p99_ms        REAL,
    max_ms        REAL,
    pct_over_endurance REAL,          -- % of samples with delay > analysis.endurance_ms
    PRIMARY KEY (run_id, level)
) WITHOUT ROWID;

-- The P3 itself: per level and bucket, the count and its share of the level.
CREATE TABLE level_bucket (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    level     INTEGER NOT NULL,
    bucket    INTEGER NOT NULL,       -- bucket.bucket
    count     INTEGER NOT NULL,
    pct       REAL NOT NULL,          -- 100 * count / n; 0 when n is 0
    PRIMARY KEY (run_id, level, bucket)
) WITHOUT ROWID;
