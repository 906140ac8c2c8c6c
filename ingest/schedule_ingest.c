#include "schedule_ingest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "file_guard.h"
#include "isotime.h"
#include "line_reader.h"
#include "source_file.h"
#include "status.h"
#include "store.h"
#include "text.h"
#include "xalloc.h"

/* The columns a schedule has, in the order of the header. */
enum { COL_START, COL_END, COL_LEVEL, COLUMNS };
static const char *const column_names[COLUMNS] = {"start", "end", "level"};

/* One interval, with the line it came from for overlap messages. */
typedef struct interval {
    int64_t start, end;
    int level;
    long line;
} interval;

typedef struct schedule {
    csv_splitter *csv;   /* splits the header and the rows */
    interval *items;
    size_t count;
    int where[COLUMNS];  /* field index of each column */
    size_t fields;       /* fields per row */
    int tz_minutes;      /* `# tz:` */
} schedule;

bool schedule_ingest_is_schedule(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strcasecmp(slash ? slash + 1 : path, "schedule.csv") == 0;
}

/* Splits a line into s->csv: fields quoted or not (a quoted one may hold
 * commas, "" for a quote), blanks around them dropped, a quote inside an
 * unquoted field kept as text; a field never spans lines. False after
 * reporting a broken quote. */
static bool split(schedule *s, const char *line, size_t len, long number, diag_file *df)
{
    csv_status st = csv_split(s->csv, line, len, number);
    if (st == CSV_MORE)
        st = csv_finish(s->csv);
    if (st == CSV_RECORD)
        return true;
    long at_line, col;
    const char *message = csv_error(s->csv, &at_line, &col);
    diag_file_error(df, number, col, "%s", message);
    return false;
}

static bool parse_header(schedule *s, const char *line, size_t len, long number, diag_file *df)
{
    if (!split(s, line, len, number, df))
        return false;
    const csv_field *field = csv_fields(s->csv);
    s->fields = csv_count(s->csv);
    for (int c = 0; c < COLUMNS; c++)
        s->where[c] = -1;
    for (size_t f = 0; f < s->fields; f++)
        for (int c = 0; c < COLUMNS; c++)
            if (text_equal_nocase(field[f].text, field[f].len, column_names[c]))
                s->where[c] = (int)f;
    bool ok = true;
    for (int c = 0; c < COLUMNS; c++)
        if (s->where[c] < 0) {
            diag_file_error(df, number, 1, "schedule header has no '%s' column: expected "
                            "'start,end,level'", column_names[c]);
            ok = false;
        }
    return ok;
}

static int find_level(const run_record *run, const char *s, size_t len)
{
    for (size_t i = 0; i < run->level_count; i++)
        if (text_equal_nocase(s, len, run->levels[i]))
            return (int)i;
    return -1;
}

static void parse_row(schedule *s, const run_record *run, const char *line, size_t len,
                      long number, diag_file *df)
{
    if (!split(s, line, len, number, df))
        return;
    const csv_field *field = csv_fields(s->csv);
    size_t n = csv_count(s->csv);
    if (n != s->fields) {
        diag_file_error(df, number, 1, "expected %zu fields as in the header, found %zu",
                        s->fields, n);
        return;
    }
    interval iv = {.line = number};
    char quoted[80];
    int64_t *times[2] = {&iv.start, &iv.end};
    for (int c = COL_START; c <= COL_END; c++) {
        int f = s->where[c];
        if (!isotime_parse(field[f].text, field[f].len, s->tz_minutes, times[c])) {
            diag_file_error(df, number, field[f].col, "bad %s time %s: expected ISO 8601 such as "
                            "2005-03-01T10:00:00 or Unix seconds", column_names[c],
                            diag_quote(quoted, sizeof quoted, field[f].text, field[f].len));
            return;
        }
    }
    if (iv.end <= iv.start) {
        diag_file_error(df, number, field[s->where[COL_END]].col, "end is not after start");
        return;
    }
    int f = s->where[COL_LEVEL];
    iv.level = find_level(run, field[f].text, field[f].len);
    if (iv.level < 0) {
        diag_file_error(df, number, field[f].col, "unknown level %s",
                        diag_quote(quoted, sizeof quoted, field[f].text, field[f].len));
        return;
    }
    s->items = xreallocarray(s->items, s->count + 1, sizeof *s->items);
    s->items[s->count++] = iv;
}

static int by_start(const void *a, const void *b)
{
    const interval *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static void check_overlaps(schedule *s, diag_file *df)
{
    if (s->count < 2)
        return; /* (qsort() may not be given the NULL of no items) */
    qsort(s->items, s->count, sizeof *s->items, by_start);
    for (size_t i = 1; i < s->count; i++)
        if (s->items[i].start < s->items[i - 1].end) {
            const interval *a = &s->items[i - 1], *b = &s->items[i];
            const interval *later = a->line > b->line ? a : b, *earlier = later == a ? b : a;
            diag_file_error(df, later->line, 1, "interval overlaps the one on line %ld",
                            earlier->line);
        }
}

/* Reads the whole file into *s; errors go to df. */
static int read_schedule(const char *path, const run_record *run, schedule *s, diag_file *df,
                         char sha[65], long long *size)
{
    line_reader *r;
    int status = line_reader_open(path, NULL, &r, df->list);
    if (status)
        return status;
    s->csv = csv_splitter_new(&(csv_options){.trim = true, .bare_quotes = true});
    bool header = false;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(r, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(r);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            break;
        }
        if (number == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
        size_t bad = text_utf8_invalid_at(line, len);
        if (ls == LINE_TOO_LONG || bad < len || memchr(line, '\0', len)) {
            diag_file_error(df, number, 1, "not a text line");
            continue;
        }
        const char *t = line;
        size_t tl = len;
        text_trim(&t, &tl);
        if (tl == 0)
            continue;
        if (t[0] == '#') {
            const char *v = memchr(t, ':', tl);
            if (!header && v && tl > 4 && strncasecmp(t + 1, " tz", 3) == 0) {
                const char *value = v + 1;
                size_t vl = tl - (size_t)(value - t);
                text_trim(&value, &vl);
                if (!isotime_parse_offset(value, vl, &s->tz_minutes))
                    diag_file_error(df, number, (long)(value - line) + 1,
                                    "bad tz: expected +HH:MM or -HH:MM");
            }
            continue;
        }
        if (!header) {
            header = true;
            if (!parse_header(s, line, len, number, df))
                break;
            continue;
        }
        parse_row(s, run, line, len, number, df);
    }
    if (!status && !header)
        diag_file_error(df, 1, 1, "empty schedule: expected a 'start,end,level' header");
    uint64_t bytes = 0;
    if (!status)
        status = line_reader_digest(r, sha, &bytes, df->list);
    *size = (long long)bytes;
    line_reader_free(r);
    csv_splitter_free(s->csv);
    s->csv = NULL;
    if (!status)
        check_overlaps(s, df);
    return status;
}

static int store_intervals(sqlite3 *db, int64_t file_id, const schedule *s, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "INSERT INTO schedule (file_id, start_ns, end_ns, level) VALUES (?,?,?,?)",
                      &stmt, diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < s->count && !status; i++) {
        sqlite3_bind_int64(stmt, 1, file_id);
        sqlite3_bind_int64(stmt, 2, s->items[i].start);
        sqlite3_bind_int64(stmt, 3, s->items[i].end);
        sqlite3_bind_int(stmt, 4, s->items[i].level);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store the schedule");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

int schedule_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                         const char *path, ingest_file_result *result, diag_list *diags)
{
    memset(result, 0, sizeof *result);
    result->outcome = INGEST_REJECTED;
    run_spec lone = *spec;
    if (!lone.name)
        lone.name = fallback_name;
    result->run = xstrdup(lone.name);
    source_file_prior prior = {0};
    file_guard guard = {.fd = -1};
    run_record run = {0};
    schedule s = {0};
    bool in_transaction = false;
    int status = file_guard_open(&guard, path, diags);
    if (status)
        goto out;
    bool stored_already;
    status = source_file_verdict_status(
        source_file_admit(db, lone.name, path, lone.changed, &prior, diags), &stored_already);
    if (stored_already)
        result->outcome = INGEST_DUPLICATE;
    if (status || stored_already)
        goto out;
    if ((status = store_exec(db, "BEGIN IMMEDIATE", diags)))
        goto out;
    in_transaction = true;
    diag_file df = {.list = diags, .path = path};
    char sha[65];
    long long size = 0;
    int64_t file_id = 0;
    if ((status = run_record_ensure(db, &lone, &run, diags)))
        goto out;
    status = read_schedule(path, &run, &s, &df, sha, &size);
    diag_file_finish(&df);
    if (!status && df.errors)
        status = STATUS_BAD_INPUT;
    /* A file that changed while it was read is refused as such, even when
     * the read found errors: they may be the change's doing. */
    if (status != STATUS_FAILURE)
        status = status_worst(status, file_guard_check(&guard, path, status ? -1 : size, diags));
    if (status)
        goto out;
    char *copy = source_file_with_digest(db, run.run_id, sha);
    if (copy) {
        /* The same bytes under another name: found only now, rolled back. */
        source_file_note_copy(diags, path, copy);
        free(copy);
        result->outcome = INGEST_DUPLICATE;
        goto out;
    }
    if ((status = source_file_insert(db, run.run_id, path, "schedule", &file_id, diags)) ||
        (status = store_intervals(db, file_id, &s, diags)) ||
        (status = source_file_complete(db, file_id, sha, size, 0, 0, 0, diags)) ||
        (status = source_file_remove(db, &prior, diags)) ||
        (status = store_exec(db, "COMMIT", diags)))
        goto out;
    in_transaction = false;
    result->outcome = INGEST_STORED;
    if (prior.count) {
        result->replaced = true;
        source_file_note_replaced(diags, path, prior.size, size);
    }
out:
    if (in_transaction)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (status == STATUS_FAILURE)
        result->outcome = INGEST_FAILED;
    run_record_clear(&run);
    free(s.items);
    file_guard_close(&guard);
    source_file_prior_clear(&prior);
    return result->outcome == INGEST_DUPLICATE ? STATUS_OK : status;
}
