#include "counter_fixture.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter_store.h"
#include "ingest.h"
#include "run_ini.h"
#include "status.h"
#include "testutil.h"
#include "xalloc.h"

/* ---- Keeping what a reader pushes ---- */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Makes room for one more item in items (count used of *cap). */
static void *grow(void *items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? 2 * *cap : 64;
    return xreallocarray(items, *cap, size);
}

static void note_call(counter_fixture_sink *s)
{
    if (diag_list_errors(s->diags) > 0)
        s->late_calls++;
}

static int keep_file(void *ctx, const counter_file_info *info)
{
    counter_fixture_sink *s = ctx;
    note_call(s);
    s->file_calls++;
    s->kind = dup_or_null(info->kind);
    s->encoding = dup_or_null(info->encoding);
    s->time_zone = dup_or_null(info->time_zone);
    s->description = dup_or_null(info->description);
    s->has_bias = info->has_bias;
    s->bias_minutes = info->bias_minutes;
    return STATUS_OK;
}

static int keep_counter(void *ctx, const counter_path *p, size_t *index)
{
    counter_fixture_sink *s = ctx;
    note_call(s);
    s->counters = grow(s->counters, s->counter_count, &s->counter_cap, sizeof *s->counters);
    s->counters[s->counter_count] = (counter_fixture_seen){
        xstrdup(p->path),   dup_or_null(p->machine),  xstrdup(p->object), dup_or_null(p->parent),
        dup_or_null(p->instance), xstrdup(p->counter), p->instance_index};
    *index = s->counter_count++;
    return STATUS_OK;
}

static int keep_row(void *ctx, int64_t t_ns, const char *local_time)
{
    counter_fixture_sink *s = ctx;
    note_call(s);
    if (s->row_count == s->row_cap) {
        s->row_cap = s->row_cap ? 2 * s->row_cap : 64;
        s->times = xreallocarray(s->times, s->row_cap, sizeof *s->times);
        s->local = xreallocarray(s->local, s->row_cap, sizeof *s->local);
    }
    s->times[s->row_count] = t_ns;
    s->local[s->row_count++] = xstrdup(local_time);
    return STATUS_OK;
}

static int keep_value(void *ctx, size_t index, double value)
{
    counter_fixture_sink *s = ctx;
    note_call(s);
    ck_assert_uint_lt(index, s->counter_count);
    ck_assert_uint_gt(s->row_count, 0);
    s->values = grow(s->values, s->value_count, &s->value_cap, sizeof *s->values);
    s->values[s->value_count++] = (counter_fixture_value){s->row_count - 1, index, value};
    return s->value_count == s->fail_at_value ? STATUS_FAILURE : STATUS_OK;
}

static void sink_free(counter_fixture_sink *s)
{
    for (size_t i = 0; i < s->counter_count; i++) {
        counter_fixture_seen *c = &s->counters[i];
        free(c->path);
        free(c->machine);
        free(c->object);
        free(c->parent);
        free(c->instance);
        free(c->counter);
    }
    for (size_t i = 0; i < s->row_count; i++)
        free(s->local[i]);
    free(s->counters);
    free(s->times);
    free(s->local);
    free(s->values);
    free(s->kind);
    free(s->encoding);
    free(s->time_zone);
    free(s->description);
}

counter_fixture_outcome counter_fixture_read(counter_read_fn read, const char *path,
                                             const counter_options *opts, size_t fail_at_value)
{
    counter_fixture_outcome o;
    memset(&o, 0, sizeof o);
    o.diags = diag_list_new();
    o.sink.diags = o.diags;
    o.sink.fail_at_value = fail_at_value;
    counter_sink sink = {&o.sink, keep_file, keep_counter, keep_row, keep_value};
    o.status = read(path, opts, &sink, &o.result, o.diags);
    o.messages = test_diag_text(o.diags, NULL);
    return o;
}

void counter_fixture_outcome_free(counter_fixture_outcome *o)
{
    sink_free(&o->sink);
    diag_list_free(o->diags);
    free(o->messages);
}

void counter_fixture_check_golden(const counter_fixture_outcome *o, const char *name,
                                  const char *expected)
{
    char *expected_path = test_source_path(expected);
    char *want = test_read_file(expected_path, NULL);
    ck_assert_msg(want != NULL, "missing %s", expected_path);
    char *prefix = xasprintf("%s/", test_source_dir());
    char *got = test_diag_text(o->diags, prefix);
    ck_assert_msg(o->status == STATUS_BAD_INPUT, "%s: status %d", name, o->status);
    ck_assert_msg(strcmp(got, want) == 0, "%s: diagnostics differ.\nexpected:\n%s\ngot:\n%s", name,
                  want, got);
    ck_assert_msg(o->sink.late_calls == 0, "%s: %zu sink calls after an error", name,
                  o->sink.late_calls);
    free(got);
    free(prefix);
    free(want);
    free(expected_path);
}

long counter_fixture_counter_of(const counter_fixture_sink *s, const char *path)
{
    for (size_t i = 0; i < s->counter_count; i++)
        if (strcmp(s->counters[i].path, path) == 0)
            return (long)i;
    return -1;
}

bool counter_fixture_value_of(const counter_fixture_sink *s, size_t row, const char *path,
                              double *value)
{
    long index = counter_fixture_counter_of(s, path);
    for (size_t i = 0; index >= 0 && i < s->value_count; i++)
        if (s->values[i].row == row && s->values[i].index == (size_t)index) {
            *value = s->values[i].value;
            return true;
        }
    return false;
}

double counter_fixture_value_at(const counter_fixture_sink *s, size_t row, const char *path)
{
    double value;
    return counter_fixture_value_of(s, row, path, &value) ? value : NAN;
}

/* ---- Made-up counters through the counter store ---- */

void counter_fixture_digest(const char *path, counter_read_result *result)
{
    size_t len;
    char *hex = test_file_sha256(path, &len);
    memcpy(result->sha256, hex, sizeof result->sha256);
    result->size = (long long)len;
    free(hex);
}

/* The script read_script() plays, set by counter_fixture_store(): a reader
 * takes no context of its own. */
static const counter_fixture_script *playing;

/* A counter_read_fn that pushes the playing script, whatever path holds. */
static int read_script(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags)
{
    (void)opts;
    (void)diags;
    counter_fixture_digest(path, result);
    counter_file_info info = {playing->kind, "UTF-8", "UTC", true, 0, NULL};
    int status = sink->file(sink->ctx, &info);
    size_t *index = xcalloc(playing->counters + 1, sizeof *index);
    for (size_t i = 0; i < playing->counters && !status; i++) {
        const counter_fixture_counter *c = &playing->c[i];
        counter_path p = {c->path, c->machine, c->object, NULL, c->instance, -1, c->counter};
        status = sink->counter(sink->ctx, &p, &index[i]);
    }
    for (size_t r = 0; r < playing->rows && !status; r++) {
        status = sink->row(sink->ctx, (COUNTER_FIXTURE_T0 + (int64_t)playing->t[r]) * 1000000000,
                           "local");
        for (size_t i = 0; i < playing->counters && !status; i++) {
            double v = playing->v[r * playing->counters + i];
            if (!isnan(v))
                status = sink->value(sink->ctx, index[i], v);
        }
    }
    free(index);
    return status;
}

void counter_fixture_store(sqlite3 *db, const char *run_name, const char *folder,
                           const char *name, const counter_fixture_script *script,
                           diag_list *diags)
{
    char *path = xasprintf("%s/%s", folder, name);
    test_write_text(path, name);
    playing = script;
    char *ini_path = xasprintf("%s/run.ini", folder);
    run_ini *ini;
    ck_assert_int_eq(run_ini_read(ini_path, &ini, diags), STATUS_OK);
    run_spec spec = {.name = run_name, .folder = folder, .ini = ini, .ini_path = ini_path};
    ingest_file_result r;
    counter_options opts = {0};
    ck_assert_int_eq(counter_store_file(db, &spec, NULL, path, read_script, &opts, &r, diags),
                     STATUS_OK);
    ck_assert_int_eq(r.outcome, INGEST_STORED);
    ingest_file_result_clear(&r);
    run_ini_free(ini);
    free(ini_path);
    free(path);
}
