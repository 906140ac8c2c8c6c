-- 004_quantiles.sql: each level's delay distribution as a quantile curve,
-- so that charts of cumulative distributions and comparisons read results
-- rather than samples. 1 % steps from 0 to 100 %, and the tail at 99.5,
-- 99.9 and 99.99 %.
CREATE TABLE level_quantile (
    run_id    INTEGER NOT NULL REFERENCES run(run_id),
    level     INTEGER NOT NULL,
    q         INTEGER NOT NULL,  -- per 10000: 0, 100, ..., 9900, 9950, 9990, 9999, 10000
    value_ms  REAL NOT NULL,     -- PERCENTILE.INC at q / 10000
    PRIMARY KEY (run_id, level, q)
) WITHOUT ROWID;

-- The span of a run's samples, for report covers.
ALTER TABLE analysis ADD COLUMN first_ns INTEGER;  -- UTC of its earliest sample
ALTER TABLE analysis ADD COLUMN last_ns INTEGER;   -- and of its latest
