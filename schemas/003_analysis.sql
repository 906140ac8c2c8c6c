-- 003_analysis.sql: where load levels come from when probe logs do not say
-- (schedule.csv), the full statistics of a level with confidence
-- intervals, CPU accounting per level, and the run-wide results (onset of
-- degradation, virtualization overhead, the counters used, notes).

-- schedule.csv: which load level was running when.
CREATE TABLE schedule (
    file_id   INTEGER NOT NULL REFERENCES source_file(file_id),
    start_ns  INTEGER NOT NULL,  -- UTC, inclusive
    end_ns    INTEGER NOT NULL,  -- UTC, exclusive
    level     INTEGER NOT NULL   -- run_level.level
);
CREATE INDEX schedule_by_file ON schedule (file_id);

-- Everything below is written by p3 analyze; an older p3's results are
-- recomputed (the analysis revision is part of analysis.input_digest).
ALTER TABLE level_stats ADD COLUMN cv REAL;           -- stddev / mean
ALTER TABLE level_stats ADD COLUMN p999_ms REAL;
ALTER TABLE level_stats ADD COLUMN pct_le_50 REAL;    -- % of samples at or under 50 ms
ALTER TABLE level_stats ADD COLUMN mean_ci_lo REAL;   -- 95 % t interval of the mean
ALTER TABLE level_stats ADD COLUMN mean_ci_hi REAL;
ALTER TABLE level_stats ADD COLUMN p50_ci_lo REAL;    -- 95 % order-statistic intervals;
ALTER TABLE level_stats ADD COLUMN p50_ci_hi REAL;    -- NULL where too few samples
ALTER TABLE level_stats ADD COLUMN p95_ci_lo REAL;
ALTER TABLE level_stats ADD COLUMN p95_ci_hi REAL;
ALTER TABLE level_stats ADD COLUMN p99_ci_lo REAL;
ALTER TABLE level_stats ADD COLUMN p99_ci_hi REAL;
ALTER TABLE level_stats ADD COLUMN level_source TEXT; -- 'probe', 'schedule' or 'cpu': what placed most samples
ALTER TABLE level_stats ADD COLUMN n_probe INTEGER;   -- samples placed by each method
ALTER TABLE level_stats ADD COLUMN n_schedule INTEGER;
ALTER TABLE level_stats ADD COLUMN n_cpu INTEGER;

-- CPU accounting of one level, as % of the measured guest's virtual CPUs.
CREATE TABLE level_cpu (
    run_id          INTEGER NOT NULL REFERENCES run(run_id),
    level           INTEGER NOT NULL,
    seconds         REAL,     -- how long the level ran (its sample windows)
    host_cpu_pct    REAL,     -- host-measured CPU of the guest
    host_rows       INTEGER,  -- counter rows behind it
    guest_cpu_pct   REAL,     -- what the guest's own counters said
    guest_rows      INTEGER,
    discrepancy_pct REAL,     -- guest minus host
    guest_untrusted INTEGER,  -- 1 when the guest over-reports beyond the margin
    useful_cpu_pct  REAL,     -- host minus the virtualization overhead
    ready_pct       REAL,     -- time the guest was ready but not running (esxtop % Ready)
    PRIMARY KEY (run_id, level)
) WITHOUT ROWID;

ALTER TABLE analysis ADD COLUMN host_counter TEXT;       -- what host_cpu_pct is made of
ALTER TABLE analysis ADD COLUMN guest_counter TEXT;
ALTER TABLE analysis ADD COLUMN ready_counter TEXT;
ALTER TABLE analysis ADD COLUMN vcpus REAL;               -- the guest's virtual CPUs
ALTER TABLE analysis ADD COLUMN native INTEGER;           -- 1: no virtualization
ALTER TABLE analysis ADD COLUMN overhead_pct REAL;        -- virtualization overhead, % of a vCPU
ALTER TABLE analysis ADD COLUMN overhead_ci_lo REAL;
ALTER TABLE analysis ADD COLUMN overhead_ci_hi REAL;
ALTER TABLE analysis ADD COLUMN overhead_assumed INTEGER; -- 1: the configured default, not measured
ALTER TABLE analysis ADD COLUMN overhead_method TEXT;     -- how it was estimated, in words
ALTER TABLE analysis ADD COLUMN guest_untrusted INTEGER;  -- any level's guest counters over-report
ALTER TABLE analysis ADD COLUMN onset_margin_ms REAL;     -- the margin setting
ALTER TABLE analysis ADD COLUMN onset_endurance_level INTEGER; -- lightest level with p95 over the line
ALTER TABLE analysis ADD COLUMN onset_endurance_cpu_pct REAL;
ALTER TABLE analysis ADD COLUMN onset_margin_level INTEGER;    -- lightest level with p95 over the lightest's + margin
ALTER TABLE analysis ADD COLUMN onset_margin_cpu_pct REAL;
ALTER TABLE analysis ADD COLUMN onset_cpu_source TEXT;    -- 'host' or 'guest': whose CPU the onsets cite

-- What analysis wants the user to know about a run.
CREATE TABLE analysis_note (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    seq       INTEGER NOT NULL,
    severity  TEXT NOT NULL,  -- 'warning' or 'note'
    message   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
