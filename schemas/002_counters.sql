-- 002_counters.sql: counter files (perfmon CSV, esxtop batch output, sadf,
-- pidstat, virt-top): which side of the virtualization they were measured
-- on, their timestamps, their counters and the counters' values.
--
-- Values are kept per counter in chunks of consecutive rows, as blobs of
-- little-endian IEEE-754 doubles where NaN marks a missing value: a file of
-- 28,800 rows by 400 counters is 11.5 million values, which as one SQL row
-- each would cost more to store than the file costs to read. `p3 counters`
-- and `p3 export` read them back; common/f64blob.h decodes a chunk.

-- One row per counter file (a source_file of one of the counter kinds).
CREATE TABLE counter_file (
    file_id      INTEGER PRIMARY KEY REFERENCES source_file(file_id),
    side         TEXT NOT NULL,      -- 'host', 'guest' or 'unknown'
    side_reason  TEXT NOT NULL,      -- why, in words
    machine      TEXT,               -- the machine most of its counter paths name
    encoding     TEXT NOT NULL,      -- how its bytes were decoded: 'UTF-8', 'CP932', ...
    time_zone    TEXT,               -- the time zone it names, if any
    bias_minutes INTEGER,            -- UTC = local + bias; NULL when the file did not say
    description  TEXT,               -- text of columns that are not counters
    rows         INTEGER NOT NULL,   -- timestamps
    chunk_rows   INTEGER NOT NULL    -- rows per counter_chunk
);

-- The timestamps of a counter file.
CREATE TABLE counter_row (
    file_id    INTEGER NOT NULL,
    row        INTEGER NOT NULL,     -- 0-based
    t_ns       INTEGER NOT NULL,     -- UTC nanoseconds since the epoch
    local_time TEXT NOT NULL,        -- as the file wrote it
    PRIMARY KEY (file_id, row)
) WITHOUT ROWID;

-- One counter (one column of a wide file, one metric of one process or
-- CPU of a long one).
CREATE TABLE counter (
    counter_id     INTEGER PRIMARY KEY,
    file_id        INTEGER NOT NULL,
    path           TEXT NOT NULL,    -- \\MACHINE\Object(parent/instance#index)\Counter
    machine        TEXT,
    object         TEXT NOT NULL,
    parent         TEXT,
    instance       TEXT,
    instance_index INTEGER,
    name           TEXT NOT NULL,    -- the counter's own name: '% Processor Time'
    vm             TEXT,             -- the virtual machine it measures, when the path says
    samples        INTEGER NOT NULL, -- values present
    min            REAL,
    mean           REAL,
    max            REAL
);
CREATE INDEX counter_by_file ON counter (file_id);

-- A counter's values for rows chunk * chunk_rows .. + n - 1 of its file.
-- Chunks with no value at all are not stored.
CREATE TABLE counter_chunk (
    chunk_id   INTEGER PRIMARY KEY,
    counter_id INTEGER NOT NULL,
    chunk      INTEGER NOT NULL,
    n          INTEGER NOT NULL,     -- values in vals
    vals       BLOB NOT NULL         -- n little-endian float64, NaN = missing
);
CREATE UNIQUE INDEX counter_chunk_key ON counter_chunk (counter_id, chunk);
