/* What analysis does for one run: bucket edges, the endurance line, the
 * onset margin, CPU thresholds for placing samples, and how to find and
 * scale the CPU counters. From the run's run.ini (run_meta keys
 * analysis.*, levels.*, cpu.*), where the command line does not override
 * them, else the documented defaults. */
#ifndef P3_SETTINGS_H
#define P3_SETTINGS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyze.h"
#include "diag.h"
#include "sha256.h"

/* Default virtualization overhead when the run cannot measure it: "virtual
 * machines use about 5% CPU overhead". */
#define SETTINGS_OVERHEAD_PCT 5.0
/* The most bucket edges analysis takes, from --buckets or run.ini's
 * analysis.buckets: 101 buckets, which every output can hold (the
 * workbook's P3 table takes two columns a bucket, far inside Excel's
 * 16,384) and draw, though the P3 chart stays readable only up to about 30. */
#define SETTINGS_MAX_BUCKET_EDGES 100

/* Default margin for the second onset rule. */
#define SETTINGS_ONSET_MARGIN_MS 250.0
/* Guest counters above host-measured CPU by more than this many points are
 * flagged as not to be trusted. */
#define SETTINGS_TRUST_MARGIN_PCT 10.0

/* Where levels come from. */
typedef enum level_source {
    LEVEL_BY_AUTO,        /* concurrency when it is the run's only source, else the chain */
    LEVEL_BY_CHAIN,       /* the sample's own level, then schedule.csv, then CPU */
    LEVEL_BY_CONCURRENCY  /* the concurrency a load-testing tool gives */
} level_source;

typedef struct run_settings {
    level_source level_by;   /* run.ini level_by */
    bool transactions;       /* run.ini probe = transactions: JMeter's transaction
                                rows are the probe instead of the samplers */
    char *labels;            /* comma-separated globs: the labels that form the probe
                                (run.ini probe_labels, --label); NULL: all, owned */
    char *level_name;        /* plateau names, "{n} threads"; NULL: "{n} users", owned */
    bool in_flight;          /* run.ini concurrency = in_flight: computed from the
                                samples' start and end, not the tool's thread count */
    bool include_failures;   /* failed samples count in the delay distribution */
    double plateau_seconds;  /* the plateau rule's hold time; 0: 5 % of the run */
    double *edges;           /* bucket edges, owned */
    size_t edge_count;
    double endurance_ms;
    double onset_margin_ms;
    double *thresholds;      /* CPU % upper edges (exclusive) of the first levels, owned */
    size_t threshold_count;
    double vcpus;            /* the measured guest's virtual CPUs */
    double host_cpus;        /* the host's CPUs, 0 when not given */
    char *host_counter;      /* patterns, owned; NULL: found automatically */
    char *guest_counter;
    char *ready_counter;
    double overhead_default_pct;
    double trust_margin_pct;
    bool native;             /* no virtualization: the machine's own counters are the truth */
    char *guest_name;        /* the run's guest (run.ini guest), owned, may be NULL */
} run_settings;

/* Reads the settings of a run with level_count levels; opts may override
 * buckets and endurance. Returns STATUS_OK or STATUS_FAILURE; a value the
 * store holds that does not parse (written by hand) falls back to the
 * default with a warning in diags. Release with run_settings_clear(). */
int run_settings_load(sqlite3 *db, int64_t run_id, const char *run_name, size_t level_count,
                      const analyze_options *opts, run_settings *out, diag_list *diags);
void run_settings_clear(run_settings *s);

/* Feeds everything the results depend on into a digest. */
void run_settings_digest(const run_settings *s, sha256 *ctx);

#endif
