#include "settings.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "setting.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

/* CPU-based placement by default covers the paper's first four levels:
 * None about 0 %, Low about 25 %, Medium about half, Busy filling the
 * guest; the edges lie halfway between. Maximum and Overload run at the
 * same 100 % as Busy, so CPU cannot tell them apart. */
static const double default_thresholds[] = {12.5, 37.5, 75};

static char *meta(sqlite3 *db, int64_t run_id, const char *key)
{
    sqlite3_stmt *stmt = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM run_meta WHERE run_id = ? AND key = ?", -1,
                           &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            v = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return v;
}

/* Reads a numeric key; keeps *value when absent, warns when bad. */
static void number(sqlite3 *db, int64_t run_id, const char *run_name, const char *key, double lo,
                   double hi, double *value, diag_list *diags)
{
    char *v = meta(db, run_id, key);
    if (v && !setting_parse_number(v, lo, hi, value))
        diag_add(diags, DIAG_WARNING, run_name, 0, 0,
                 "run.ini %s '%s' is not valid; using %g", key, v, *value);
    free(v);
}

/* Reads an increasing list key of min_count to max_count values; keeps
 * *values when absent, warns when bad. */
static void list(sqlite3 *db, int64_t run_id, const char *run_name, const char *key,
                 size_t min_count, size_t max_count, double **values, size_t *count,
                 diag_list *diags)
{
    char *v = meta(db, run_id, key);
    double *parsed;
    size_t n;
    if (!v)
        return;
    if (!setting_parse_increasing(v, min_count, &parsed, &n)) {
        diag_add(diags, DIAG_WARNING, run_name, 0, 0, "run.ini %s '%s' is not valid; using the "
                 "default", key, v);
    } else if (n > max_count) {
        diag_add(diags, DIAG_WARNING, run_name, 0, 0,
                 "run.ini %s has %zu values, at most %zu; using the default", key, n, max_count);
        free(parsed);
    } else {
        free(*values);
        *values = parsed;
        *count = n;
    }
    free(v);
}

/* A [run] key that must be one of words (NULL-terminated); returns its
 * index, or fallback with a warning when it is none of them. */
static int choice(sqlite3 *db, int64_t run_id, const char *run_name, const char *key,
                  const char *const *words, int fallback, diag_list *diags)
{
    char *v = meta(db, run_id, key);
    int found = fallback;
    if (v) {
        int k = 0;
        while (words[k] && strcasecmp(words[k], v) != 0)
            k++;
        if (words[k])
            found = k;
        else
            diag_add(diags, DIAG_WARNING, run_name, 0, 0,
                     "run.ini %s '%s' is not valid; using %s", key, v, words[fallback]);
    }
    free(v);
    return found;
}

/* What forms the probe of a load-test run and how it is levelled. */
static void load_probe_settings(sqlite3 *db, int64_t run_id, const char *run_name,
                                const analyze_options *opts, run_settings *out, diag_list *diags)
{
    static const char *const level_by[] = {"auto", "probe", "concurrency", "schedule", "cpu",
                                           NULL};
    static const level_source level_by_value[] = {LEVEL_BY_AUTO, LEVEL_BY_CHAIN,
                                                  LEVEL_BY_CONCURRENCY, LEVEL_BY_CHAIN,
                                                  LEVEL_BY_CHAIN};
    out->level_by = level_by_value[choice(db, run_id, run_name, "level_by", level_by, 0, diags)];
    static const char *const probe[] = {"samplers", "transactions", NULL};
    out->transactions = choice(db, run_id, run_name, "probe", probe, 0, diags) == 1;
    static const char *const concurrency[] = {"threads", "in_flight", NULL};
    out->in_flight = choice(db, run_id, run_name, "concurrency", concurrency, 0, diags) == 1;
    out->labels = opts && opts->labels ? xstrdup(opts->labels) : meta(db, run_id, "probe_labels");
    out->level_name = meta(db, run_id, "level_name");
    char *failures = meta(db, run_id, "include_failures");
    if (failures && !setting_parse_bool(failures, &out->include_failures))
        diag_add(diags, DIAG_WARNING, run_name, 0, 0,
                 "run.ini include_failures '%s' is not yes or no", failures);
    free(failures);
    if (opts && opts->include_failures)
        out->include_failures = true;
    number(db, run_id, run_name, "plateau_seconds", 0, 1e7, &out->plateau_seconds, diags);
}

int run_settings_load(sqlite3 *db, int64_t run_id, const char *run_name, size_t level_count,
                      const analyze_options *opts, run_settings *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    out->edge_count = analyze_paper_edge_count;
    out->edges = xreallocarray(NULL, out->edge_count, sizeof *out->edges);
    memcpy(out->edges, analyze_paper_edges, out->edge_count * sizeof *out->edges);
    out->endurance_ms = ANALYZE_ENDURANCE_MS;
    out->onset_margin_ms = SETTINGS_ONSET_MARGIN_MS;
    out->vcpus = 1;
    out->overhead_default_pct = SETTINGS_OVERHEAD_PCT;
    out->trust_margin_pct = SETTINGS_TRUST_MARGIN_PCT;

    list(db, run_id, run_name, "analysis.buckets", 2, SETTINGS_MAX_BUCKET_EDGES, &out->edges, &out->edge_count, diags);
    number(db, run_id, run_name, "analysis.endurance_ms", 1, 3600000, &out->endurance_ms, diags);
    number(db, run_id, run_name, "analysis.onset_margin_ms", 0, 3600000, &out->onset_margin_ms,
           diags);
    if (opts && opts->edges) {
        free(out->edges);
        out->edge_count = opts->edge_count;
        out->edges = xreallocarray(NULL, out->edge_count, sizeof *out->edges);
        memcpy(out->edges, opts->edges, out->edge_count * sizeof *out->edges);
    }
    if (opts && opts->endurance_ms > 0)
        out->endurance_ms = opts->endurance_ms;

    /* Default thresholds only make sense for the default levels. */
    char *custom = meta(db, run_id, "levels.cpu_thresholds");
    if (!custom && level_count >= 4) {
        out->threshold_count = 3;
        out->thresholds = xreallocarray(NULL, 3, sizeof *out->thresholds);
        memcpy(out->thresholds, default_thresholds, sizeof default_thresholds);
    }
    free(custom);
    list(db, run_id, run_name, "levels.cpu_thresholds", 1, SIZE_MAX, &out->thresholds,
         &out->threshold_count, diags);
    if (out->threshold_count >= level_count && level_count > 0)
        out->threshold_count = level_count - 1;

    number(db, run_id, run_name, "cpu.vcpus", 1, 1024, &out->vcpus, diags);
    number(db, run_id, run_name, "cpu.host_cpus", 1, 4096, &out->host_cpus, diags);
    number(db, run_id, run_name, "cpu.overhead_pct", 0, 100, &out->overhead_default_pct, diags);
    number(db, run_id, run_name, "cpu.trust_margin_pct", 0, 100, &out->trust_margin_pct, diags);
    out->host_counter = meta(db, run_id, "cpu.host_counter");
    out->guest_counter = meta(db, run_id, "cpu.guest_counter");
    out->ready_counter = meta(db, run_id, "cpu.ready_counter");
    char *native = meta(db, run_id, "cpu.native");
    if (native && !setting_parse_bool(native, &out->native))
        diag_add(diags, DIAG_WARNING, run_name, 0, 0, "run.ini cpu.native '%s' is not yes or no",
                 native);
    free(native);

    load_probe_settings(db, run_id, run_name, opts, out, diags);

    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT guest FROM run WHERE run_id = ?", &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        out->guest_name = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

void run_settings_clear(run_settings *s)
{
    free(s->edges);
    free(s->thresholds);
    free(s->host_counter);
    free(s->guest_counter);
    free(s->ready_counter);
    free(s->guest_name);
    free(s->labels);
    free(s->level_name);
    memset(s, 0, sizeof *s);
}

static void digest_text(sha256 *ctx, const char *label, const char *text)
{
    sha256_update(ctx, label, strlen(label));
    if (text)
        sha256_update(ctx, text, strlen(text) + 1);
    sha256_update(ctx, "\n", 1);
}

static void digest_number(sha256 *ctx, const char *label, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    digest_text(ctx, label, buf);
}

void run_settings_digest(const run_settings *s, sha256 *ctx)
{
    for (size_t i = 0; i < s->edge_count; i++)
        digest_number(ctx, "edge ", s->edges[i]);
    digest_number(ctx, "endurance ", s->endurance_ms);
    digest_number(ctx, "margin ", s->onset_margin_ms);
    for (size_t i = 0; i < s->threshold_count; i++)
        digest_number(ctx, "threshold ", s->thresholds[i]);
    digest_number(ctx, "vcpus ", s->vcpus);
    digest_number(ctx, "host cpus ", s->host_cpus);
    digest_number(ctx, "overhead ", s->overhead_default_pct);
    digest_number(ctx, "trust ", s->trust_margin_pct);
    digest_number(ctx, "native ", s->native);
    digest_text(ctx, "host counter ", s->host_counter);
    digest_text(ctx, "guest counter ", s->guest_counter);
    digest_text(ctx, "ready counter ", s->ready_counter);
    digest_text(ctx, "guest ", s->guest_name);
    digest_number(ctx, "level by ", s->level_by);
    digest_number(ctx, "transactions ", s->transactions);
    digest_text(ctx, "labels ", s->labels);
    digest_text(ctx, "level name ", s->level_name);
    digest_number(ctx, "in flight ", s->in_flight);
    digest_number(ctx, "include failures ", s->include_failures);
    digest_number(ctx, "plateau ", s->plateau_seconds);
}
