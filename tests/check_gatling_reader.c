/* Gatling simulation.log: every file of the shared corpus ingests with the
 * requests, failures, delays and active users that an independent count of
 * the file finds (and that LOADTEST-FORMATS.md records); bad inputs give
 * their exact messages and store nothing; hand-built binary logs (UTF-16
 * and Latin-1 strings, groups, the string cache, gzip) and text variants
 * (CRLF, no final newline, missing messages, records out of time order)
 * read as they should.
 *
 * The binary files under tests/data/gatling/bad were written for these
 * tests from the layout (not cut from a real log): a RUN record (3.14.3,
 * class p3.Sim, start 1700000000000, one scenario S, no assertion; 49
 * bytes), USER S START +0 (10 bytes), then REQUEST `home` +10..+30 OK at
 * byte 59 with one fault each: cut at byte 83, coder 2, a record of type 7
 * after it, end before start, a reference to string 5 of a cache of 2. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "diag.h"
#include "gatling_reader.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

/* ---- Golden bad inputs ---- */

/* Ingests one bad file (named relative to the source folder, as the
 * expected messages name it): exact stderr, exit 1, nothing stored. */
static void check_golden(const char *name)
{
    test_golden_bad_input("tests/data/gatling/bad", name, ".log");
}

START_TEST(test_gatling_reader_bad_inputs_match_golden_messages)
{
    int cases = test_each_file("tests/data/gatling/bad", ".log", check_golden);
    /* Short REQUEST lines (3.4 and 2.0 layouts), bad timestamps, end before
     * start, truncated binary, and the rest. */
    ck_assert_int_ge(cases, 16);
}
END_TEST

/* ---- The corpus ---- */

/* Where a text layout keeps what the count needs (0-based fields). */
typedef struct layout_cols {
    int type;                        /* record type */
    int start, end, status;          /* of a REQUEST; end: of the response */
    int event, user_start, user_end; /* of a USER: START/END and their times */
} layout_cols;

static const layout_cols v2_0 = {2, 5, 8, 9, 3, 4, 5};
static const layout_cols v2_2 = {0, 5, 6, 7, 3, 4, 5};
static const layout_cols v3_0 = {0, 4, 5, 6, 3, 4, 5};
static const layout_cols v3_4 = {0, 3, 4, 5, 2, 3, 3};

/* A corpus file and what LOADTEST-FORMATS.md says of it. */
typedef struct corpus_case {
    const char *name;
    const layout_cols *cols;
    long long requests, failures;
    long min_users, max_users; /* active users at request starts */
    const char *levels;        /* every distinct value, or NULL */
    const char *plateaus;      /* the values that 10 or more requests share, or NULL */
    long long at_max;          /* requests at max_users, or -1 when not recorded */
} corpus_case;

static const corpus_case corpus_cases[] = {
    {"nuxeo_simulation-small.log", &v2_0, 2, 0, 1, 1, "1", NULL, -1},
    {"nuxeo_simulation-v2.3.log", &v2_2, 1000, 0, 1, 8, "1,2,3,4,5,6,7,8", NULL, -1},
    {"nuxeo_simulation-small-v3.2.log", &v3_0, 2, 0, 1, 1, "1", NULL, -1},
    {"polarnik_gatling331_KO_errors_closedmodel.log", &v3_0, 907, 443, 1, 38, NULL,
     "2,6,10,14,18,22,26,30,34,38", -1},
    {"nuxeo_simulation-small-v3.4.log", &v3_4, 31, 0, 1, 3, "1,2,3", NULL, -1},
    {"abhijeet_gatling374_text_simulation.log", &v3_4, 245, 0, 5, 14, "5,6,7,8,11,14", NULL, -1},
    {"francisco9403_gatling395_text_simulation.log", &v3_4, 60, 0, 1, 5, "1,2,3,4,5", NULL, -1},
    {"nuxeo_simulation-v3.10.log.gz", &v3_4, 16029, 0, 6, 85, NULL, NULL, 15796},
};

typedef struct counted_request {
    int64_t start, end;
    int ok;
    long users;
} counted_request;

/* The file's requests and users, counted the simple way: every line split
 * at tabs, every request checked against every user. */
typedef struct counted {
    counted_request *requests;
    size_t count;
    int64_t *starts, *ends;
    size_t start_count, end_count;
} counted;

static void push_time(int64_t **list, size_t *n, int64_t t)
{
    *list = xreallocarray(*list, *n + 1, sizeof **list);
    (*list)[(*n)++] = t;
}

static counted count_file(const char *path, const layout_cols *c)
{
    counted k = {0};
    gzFile gz = gzopen(path, "rb");
    ck_assert_msg(gz != NULL, "cannot open %s", path);
    static char line[1 << 16];
    while (gzgets(gz, line, sizeof line)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *field[32];
        int n = 0;
        for (char *p = line; n < 32;) {
            field[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n <= c->type)
            continue;
        if (strcmp(field[c->type], "REQUEST") == 0) {
            k.requests = xreallocarray(k.requests, k.count + 1, sizeof *k.requests);
            k.requests[k.count++] = (counted_request){atoll(field[c->start]), atoll(field[c->end]),
                                                      strcmp(field[c->status], "OK") == 0, 0};
        } else if (strcmp(field[c->type], "USER") == 0) {
            if (strcmp(field[c->event], "START") == 0)
                push_time(&k.starts, &k.start_count, atoll(field[c->user_start]));
            else
                push_time(&k.ends, &k.end_count, atoll(field[c->user_end]));
        }
    }
    gzclose(gz);
    for (size_t i = 0; i < k.count; i++) {
        long users = 0;
        for (size_t j = 0; j < k.start_count; j++)
            users += k.starts[j] <= k.requests[i].start;
        for (size_t j = 0; j < k.end_count; j++)
            users -= k.ends[j] <= k.requests[i].start;
        k.requests[i].users = users;
    }
    return k;
}

static void counted_free(counted *k)
{
    free(k->requests);
    free(k->starts);
    free(k->ends);
}

/* "a,b,c" of the distinct values of users (sorted), those shared by at
 * least min requests. */
static char *distinct_users(const counted *k, long long min)
{
    long max = 0;
    for (size_t i = 0; i < k->count; i++)
        max = k->requests[i].users > max ? k->requests[i].users : max;
    long long *per = xcalloc((size_t)max + 1, sizeof *per);
    for (size_t i = 0; i < k->count; i++)
        per[k->requests[i].users]++;
    char *out = xstrdup("");
    for (long v = 0; v <= max; v++) {
        if (per[v] < min || per[v] == 0)
            continue;
        char *next = xasprintf("%s%s%ld", out, *out ? "," : "", v);
        free(out);
        out = next;
    }
    free(per);
    return out;
}

static void check_corpus_file(const char *corpus, const corpus_case *c)
{
    char *path = xasprintf("%s/gatling/%s", corpus, c->name);
    char *dir = test_tmpdir("gatling-corpus");
    char *db_path = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db_path, path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "%s: exit %d: %s", c->name, r.status, r.err);
    test_run_free(&r);

    counted k = count_file(path, c->cols);
    /* The independent count agrees with the recorded facts... */
    ck_assert_msg((long long)k.count == c->requests, "%s: %zu requests", c->name, k.count);
    long long failures = 0;
    long min = LONG_MAX, max = LONG_MIN;
    long long at_max = 0;
    for (size_t i = 0; i < k.count; i++) {
        failures += !k.requests[i].ok;
        min = k.requests[i].users < min ? k.requests[i].users : min;
        max = k.requests[i].users > max ? k.requests[i].users : max;
    }
    for (size_t i = 0; i < k.count; i++)
        at_max += k.requests[i].users == max;
    ck_assert_int_eq(failures, c->failures);
    ck_assert_int_eq(min, c->min_users);
    ck_assert_int_eq(max, c->max_users);
    if (c->at_max >= 0)
        ck_assert_int_eq(at_max, c->at_max);
    if (c->levels) {
        char *levels = distinct_users(&k, 1);
        ck_assert_str_eq(levels, c->levels);
        free(levels);
    }
    if (c->plateaus) {
        char *plateaus = distinct_users(&k, 10);
        ck_assert_str_eq(plateaus, c->plateaus);
        free(plateaus);
    }

    /* ...and the store holds exactly those requests, in file order. */
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT t_ns, delay_ms, ok, concurrency, weight, role "
                                        "FROM sample ORDER BY sample_id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    size_t i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        ck_assert_msg(i < k.count, "%s: more samples than requests", c->name);
        const counted_request *q = &k.requests[i];
        ck_assert_int_eq(sqlite3_column_int64(st, 0), q->start * 1000000);
        ck_assert_double_eq(sqlite3_column_double(st, 1), (double)(q->end - q->start));
        ck_assert_int_eq(sqlite3_column_int(st, 2), q->ok);
        ck_assert_msg(sqlite3_column_int64(st, 3) == q->users, "%s: request %zu: %lld users, not %ld",
                      c->name, i + 1, (long long)sqlite3_column_int64(st, 3), q->users);
        ck_assert(sqlite3_column_type(st, 4) == SQLITE_NULL || sqlite3_column_double(st, 4) == 1);
        ck_assert(sqlite3_column_type(st, 5) == SQLITE_NULL);
        i++;
    }
    ck_assert_msg(i == k.count, "%s: %zu samples for %zu requests", c->name, i, k.count);
    sqlite3_finalize(st);
    sqlite3_close(db);
    char *format = test_query_text_at(db_path, "SELECT format FROM source_file");
    ck_assert_str_eq(format, "gatling");
    free(format);
    counted_free(&k);
    free(path);
    free(dir);
    free(db_path);
}

START_TEST(test_gatling_reader_text_corpus_matches_independent_count)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("gatling_reader: ../shared/corpus not found; corpus test skipped\n");
        return;
    }
    for (size_t i = 0; i < sizeof corpus_cases / sizeof *corpus_cases; i++)
        check_corpus_file(corpus, &corpus_cases[i]);
    free(corpus);
}
END_TEST

START_TEST(test_gatling_reader_binary_corpus_file_has_one_session_request)
{
    char *corpus = test_corpus_dir();
    if (!corpus) {
        printf("gatling_reader: ../shared/corpus not found; binary corpus test skipped\n");
        return;
    }
    char *path = xasprintf("%s/gatling/hazem_gatling3143_binary_simulation.log", corpus);
    size_t len;
    unsigned char *bytes = (unsigned char *)test_read_file(path, &len);
    ck_assert_uint_eq(len, 150);
    /* The run start is the int64 at byte 40 (after the version and class strings). */
    int64_t run_start = 0;
    for (int i = 0; i < 8; i++)
        run_start = run_start << 8 | bytes[40 + i];
    char *dir = test_tmpdir("gatling-binary");
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(test_count_rows(db, "sample"), 1);
    char *row = test_query_text_at(
        db, "SELECT t_ns || '|' || delay_ms || '|' || label || '|' || ok || '|' || concurrency "
            "FROM sample");
    char *expected = xasprintf("%lld|458.0|Session|1|1", (long long)(run_start + 1022) * 1000000);
    ck_assert_str_eq(row, expected);
    char *version =
        test_query_text_at(db, "SELECT value FROM file_meta WHERE key = 'gatling_version'");
    ck_assert_str_eq(version, "3.14.3");
    test_run_free(&r);
    free(version);
    free(row);
    free(expected);
    free(bytes);
    free(db);
    free(dir);
    free(path);
    free(corpus);
}
END_TEST

/* ---- The reader through its interface ---- */

typedef struct captured {
    int64_t t_ns;
    double delay_ms;
    char label[128];
    int ok;
    long concurrency;
    double weight;
    load_role role;
} captured;

typedef struct capture {
    captured rows[32];
    size_t count;
    size_t calls;       /* sample and meta calls */
    size_t fail_at;     /* the sample call that fails (1-based), 0: none */
    char meta[8][2][64];
    size_t meta_count;
} capture;

static int capture_sample(void *ctx, const load_sample *s)
{
    capture *c = ctx;
    c->calls++;
    if (c->fail_at && c->count + 1 == c->fail_at)
        return STATUS_FAILURE;
    ck_assert_uint_lt(c->count, 32);
    captured *r = &c->rows[c->count++];
    r->t_ns = s->t_ns;
    r->delay_ms = s->delay_ms;
    snprintf(r->label, sizeof r->label, "%.*s", (int)s->label_len, s->label);
    r->ok = s->ok;
    r->concurrency = s->concurrency;
    r->weight = s->weight;
    r->role = s->role;
    return STATUS_OK;
}

static int capture_aggregate(void *ctx, const load_aggregate *a)
{
    (void)ctx;
    (void)a;
    ck_abort_msg("a Gatling log has no aggregates");
    return STATUS_FAILURE;
}

static int capture_meta(void *ctx, const char *key, const char *value)
{
    capture *c = ctx;
    c->calls++;
    if (c->meta_count < 8) {
        snprintf(c->meta[c->meta_count][0], 64, "%s", key);
        snprintf(c->meta[c->meta_count][1], 64, "%s", value);
        c->meta_count++;
    }
    return STATUS_OK;
}

static const char *meta_value(const capture *c, const char *key)
{
    for (size_t i = 0; i < c->meta_count; i++)
        if (strcmp(c->meta[i][0], key) == 0)
            return c->meta[i][1];
    return NULL;
}

/* Reads the file at path into c; the diagnostics' text (path prefix taken
 * off) into *messages when not NULL. */
static int read_into(const char *path, capture *c, char sha[65], long long *size, char **messages)
{
    load_sink sink = {c, capture_sample, capture_aggregate, capture_meta};
    load_options opts = {0};
    diag_list *diags = diag_list_new();
    sha[0] = '\0';
    *size = 0;
    int status = gatling_format.read(path, &opts, &sink, sha, size, diags);
    char *prefix = xasprintf("%s", path);
    char *text = test_diag_text(diags, prefix);
    if (messages)
        *messages = text;
    else
        free(text);
    free(prefix);
    diag_list_free(diags);
    return status;
}

static void check_row(const captured *r, int64_t t_ms, double delay, const char *label, int ok,
                      long users)
{
    ck_assert_int_eq(r->t_ns, t_ms * 1000000);
    ck_assert_double_eq(r->delay_ms, delay);
    ck_assert_str_eq(r->label, label);
    ck_assert_int_eq(r->ok, ok);
    ck_assert_int_eq(r->concurrency, users);
    ck_assert_double_eq(r->weight, 1);
    ck_assert_int_eq(r->role, LOAD_SAMPLE);
}

/* A binary log under construction. */
typedef struct bytes {
    unsigned char *p;
    size_t n;
} bytes;

static void put(bytes *b, const void *data, size_t n)
{
    b->p = xrealloc(b->p, b->n + n);
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_u8(bytes *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put_i32(bytes *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    unsigned char x[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16),
                          (unsigned char)(u >> 8), (unsigned char)u};
    put(b, x, 4);
}

static void put_i64(bytes *b, int64_t v)
{
    put_i32(b, (int32_t)(uint32_t)((uint64_t)v >> 32));
    put_i32(b, (int32_t)(uint32_t)(uint64_t)v);
}

/* A `string` of Latin-1 bytes (coder 0). */
static void put_latin1(bytes *b, const char *s)
{
    size_t n = strlen(s);
    put_i32(b, (int32_t)n);
    if (n) {
        put(b, s, n);
        put_u8(b, 0);
    }
}

/* A `string` of UTF-16 code units, little-endian (coder 1). */
static void put_utf16(bytes *b, const uint16_t *units, size_t n)
{
    put_i32(b, (int32_t)(2 * n));
    for (size_t i = 0; i < n; i++) {
        put_u8(b, units[i] & 0xFF);
        put_u8(b, units[i] >> 8);
    }
    put_u8(b, 1);
}

#define T0 INT64_C(1700000000000)

/* Users: S0 at +0, S1 at +5, S0 at +100; S1 ends at +70, the first S0
 * at +500, the last never. Requests (in file order, not time order):
 *   Checkout / Pay / Zahlung ✓😀  +10..+60  KO   2 users
 *   café                          +70..+70  OK   1 (an end at +70 counts)
 *   café (cached)                 +150..+450 OK  2
 *   Zahlung ✓😀 (cached)          +1..+2    OK   1
 *   `line<TAB>break<LF>`          +600..+601 OK  1 */
static bytes binary_log(void)
{
    static const uint16_t zahlung[] = {'Z', 'a', 'h', 'l', 'u', 'n', 'g', ' ', 0x2713, 0xD83D, 0xDE00};
    bytes b = {0};
    put_u8(&b, 0); /* RUN */
    put_latin1(&b, "3.14.3");
    put_latin1(&b, "p3.Checkout");
    put_i64(&b, T0);
    put_latin1(&b, "nightly");
    put_i32(&b, 2);
    put_latin1(&b, "Browse");
    put_latin1(&b, "Buy");
    put_i32(&b, 1); /* one assertion of 5 opaque bytes */
    put_i32(&b, 5);
    put(&b, "\x01\x02\x03\x04\x05", 5);
    const struct { int scenario, start, at; } users[] = {{0, 1, 0}, {1, 1, 5}, {0, 1, 100}};
    for (int i = 0; i < 3; i++) {
        put_u8(&b, 2);
        put_i32(&b, users[i].scenario);
        put_u8(&b, (unsigned)users[i].start);
        put_i32(&b, users[i].at);
    }
    put_u8(&b, 3); /* GROUP Checkout: caches "Checkout" as 1 */
    put_i32(&b, 1);
    put_i32(&b, 1);
    put_latin1(&b, "Checkout");
    put_i32(&b, 0);
    put_i32(&b, 50);
    put_i32(&b, 40);
    put_u8(&b, 1);
    put_u8(&b, 1); /* REQUEST in Checkout, Pay */
    put_i32(&b, 2);
    put_i32(&b, -1);
    put_i32(&b, 2);
    put_latin1(&b, "Pay");
    put_i32(&b, 3);
    put_utf16(&b, zahlung, sizeof zahlung / sizeof *zahlung);
    put_i32(&b, 10);
    put_i32(&b, 60);
    put_u8(&b, 0);
    put_i32(&b, 4);
    put_latin1(&b, "timeout, retry (3)");
    put_u8(&b, 4); /* ERROR */
    put_i32(&b, -4);
    put_i32(&b, 61);
    put_u8(&b, 2); /* USER S1 END +70 */
    put_i32(&b, 1);
    put_u8(&b, 0);
    put_i32(&b, 70);
    put_u8(&b, 1); /* REQUEST café */
    put_i32(&b, 0);
    put_i32(&b, 5);
    put_latin1(&b, "caf\xE9");
    put_i32(&b, 70);
    put_i32(&b, 70);
    put_u8(&b, 1);
    put_i32(&b, 6);
    put_i32(&b, 0);
    put_u8(&b, 1); /* REQUEST café again, from the cache */
    put_i32(&b, 0);
    put_i32(&b, -5);
    put_i32(&b, 150);
    put_i32(&b, 450);
    put_u8(&b, 1);
    put_i32(&b, -6);
    put_u8(&b, 2); /* USER S0 END +500 */
    put_i32(&b, 0);
    put_u8(&b, 0);
    put_i32(&b, 500);
    put_u8(&b, 1); /* REQUEST Zahlung, recorded late */
    put_i32(&b, 0);
    put_i32(&b, -3);
    put_i32(&b, 1);
    put_i32(&b, 2);
    put_u8(&b, 1);
    put_i32(&b, -6);
    put_u8(&b, 1); /* REQUEST with a tab and a line feed in its name */
    put_i32(&b, 0);
    put_i32(&b, 7);
    put_latin1(&b, "line\tbreak\n");
    put_i32(&b, 600);
    put_i32(&b, 601);
    put_u8(&b, 1);
    put_i32(&b, -6);
    return b;
}

static void check_binary_log(const capture *c)
{
    const char *zahlung = "Zahlung \xE2\x9C\x93\xF0\x9F\x98\x80";
    char *grouped = xasprintf("Checkout / Pay / %s", zahlung);
    ck_assert_uint_eq(c->count, 5);
    check_row(&c->rows[0], T0 + 10, 50, grouped, 0, 2);
    check_row(&c->rows[1], T0 + 70, 0, "caf\xC3\xA9", 1, 1);
    check_row(&c->rows[2], T0 + 150, 300, "caf\xC3\xA9", 1, 2);
    check_row(&c->rows[3], T0 + 1, 1, zahlung, 1, 1);
    check_row(&c->rows[4], T0 + 600, 1, "line break ", 1, 1);
    ck_assert_str_eq(meta_value(c, "gatling_version"), "3.14.3");
    ck_assert_str_eq(meta_value(c, "gatling_layout"), "binary 3.13+");
    ck_assert_str_eq(meta_value(c, "simulation"), "p3.Checkout");
    ck_assert_str_eq(meta_value(c, "description"), "nightly");
    free(grouped);
}

START_TEST(test_gatling_reader_reads_binary_strings_groups_cache_and_users)
{
    bytes b = binary_log();
    ck_assert(gatling_format.sniff(NULL, (const char *)b.p, b.n));
    char *dir = test_tmpdir("gatling-bin");
    char *path = xasprintf("%s/simulation.log", dir);
    test_write_file(path, (const char *)b.p, b.n);
    capture c = {0};
    char sha[65];
    long long size;
    char *messages;
    ck_assert_int_eq(read_into(path, &c, sha, &size, &messages), STATUS_OK);
    ck_assert_str_eq(messages, "");
    check_binary_log(&c);
    ck_assert_str_eq(sha, ""); /* the driver hashes binary logs */
    free(messages);

    /* The same bytes gzip-compressed read the same. */
    char *gz_path = xasprintf("%s/simulation.log.gz", dir);
    gzFile gz = gzopen(gz_path, "wb");
    ck_assert(gz != NULL);
    ck_assert_int_eq(gzwrite(gz, b.p, (unsigned)b.n), (int)b.n);
    ck_assert_int_eq(gzclose(gz), Z_OK);
    capture z = {0};
    ck_assert_int_eq(read_into(gz_path, &z, sha, &size, NULL), STATUS_OK);
    check_binary_log(&z);

    /* Cut 3 bytes short, it is refused, saying where: the last record (a
     * REQUEST of 38 bytes: type, group count, cache index, the 11-byte
     * name as a string of 16, start, end, status, message index) is cut. */
    test_write_file(path, (const char *)b.p, b.n - 3);
    capture cut = {0};
    ck_assert_int_eq(read_into(path, &cut, sha, &size, &messages), STATUS_BAD_INPUT);
    char *expected = xasprintf(": error: truncated file: it ends at byte %zu, inside the REQUEST "
                               "record that starts at byte %zu\n",
                               b.n - 3, b.n - 38);
    ck_assert_str_eq(messages, expected);
    ck_assert_uint_eq(cut.calls, 0);
    free(expected);
    free(messages);
    free(gz_path);
    free(path);
    free(dir);
    free(b.p);
}
END_TEST

/* Reads the first n bytes of b (with byte `flip` xor-ed with `mask` when
 * flip < n): OK or one clean refusal, never a failure or a crash. */
static int read_damaged(const char *path, const bytes *b, size_t n, size_t flip, unsigned mask)
{
    unsigned char *copy = xmalloc(n + 1);
    memcpy(copy, b->p, n);
    if (flip < n)
        copy[flip] ^= (unsigned char)mask;
    test_write_file(path, (const char *)copy, n);
    free(copy);
    capture c = {0};
    char sha[65];
    long long size;
    char *messages;
    int status = read_into(path, &c, sha, &size, &messages);
    ck_assert_msg(status == STATUS_OK || status == STATUS_BAD_INPUT, "%zu bytes, flip %zu: %d", n,
                  flip, status);
    if (status == STATUS_BAD_INPUT)
        ck_assert_msg(c.calls == 0 && strstr(messages, "error: "), "%zu bytes, flip %zu: %s", n,
                      flip, messages);
    free(messages);
    return status;
}

START_TEST(test_gatling_reader_refuses_every_truncation_and_survives_byte_flips)
{
    bytes b = binary_log();
    char *dir = test_tmpdir("gatling-damage");
    char *path = xasprintf("%s/simulation.log", dir);
    /* Records end at these lengths; a cut anywhere else is refused. */
    size_t ok_cuts = 0;
    for (size_t n = 0; n < b.n; n++)
        ok_cuts += read_damaged(path, &b, n, SIZE_MAX, 0) == STATUS_OK;
    /* 13 records (RUN, 3 USER, GROUP, REQUEST, ERROR, USER, 2 REQUEST,
     * USER, 2 REQUEST): a cut after any of the first 12 leaves a whole log. */
    ck_assert_uint_eq(ok_cuts, 12);
    srand(42);
    for (int i = 0; i < 400; i++)
        read_damaged(path, &b, b.n, (size_t)rand() % b.n, 1u << (rand() % 8));
    free(path);
    free(dir);
    free(b.p);
}
END_TEST

START_TEST(test_gatling_reader_reads_text_groups_crlf_missing_message_and_late_users)
{
    static const char text[] =
        "ASSERTION\tAAECAAIFAAAAAAAAAFlA\r\n"
        "RUN\tp3.Sim\tsim\t1700000000000\tsmoke test\t3.2.1\r\n"
        "USER\tS\t2\tSTART\t1700000000050\t1700000000050\r\n"
        "REQUEST\t2\tShop,Cart\tadd\t1700000000060\t1700000000090\tKO\tstatus.find.in(200,304), "
        "found 500\r\n"
        "USER\tS\t1\tSTART\t1700000000000\t1700000000000\r\n"
        "GROUP\t1\tShop\t1700000000000\t1700000000100\t30\tOK\r\n"
        "ERROR\tsomething, bad\t1700000000070\r\n"
        "REQUEST\t1\t\tindex\t1700000000010\t1700000000020\tOK\r\n"
        "USER\tS\t1\tEND\t1700000000000\t1700000000095\r\n"
        "REQUEST\t2\t\tindex\t1700000000100\t1700000000130\tOK\t \textra\tinfo\r\n"
        "REQUEST\t2\t\tlast\t1700000000095\t1700000000096\tOK\t ";
    ck_assert(gatling_format.sniff(NULL, text, sizeof text - 1));
    char *dir = test_tmpdir("gatling-text");
    char *path = xasprintf("%s/simulation.log", dir);
    test_write_file(path, text, sizeof text - 1);
    capture c = {0};
    char sha[65];
    long long size;
    char *messages;
    ck_assert_int_eq(read_into(path, &c, sha, &size, &messages), STATUS_OK);
    ck_assert_str_eq(messages, "");
    ck_assert_uint_eq(c.count, 4);
    check_row(&c.rows[0], T0 + 60, 30, "Shop / Cart / add", 0, 2);
    check_row(&c.rows[1], T0 + 10, 10, "index", 1, 1);
    check_row(&c.rows[2], T0 + 100, 30, "index", 1, 1);
    check_row(&c.rows[3], T0 + 95, 1, "last", 1, 1); /* the END at +95 counts */
    ck_assert_str_eq(meta_value(&c, "gatling_layout"), "text 3.0-3.3");
    ck_assert_str_eq(meta_value(&c, "description"), "smoke test");
    char *digest = test_file_sha256(path, NULL);
    ck_assert_str_eq(sha, digest);
    ck_assert_int_eq(size, (long long)(sizeof text - 1));
    free(digest);
    free(messages);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_gatling_reader_takes_2_0_delay_from_request_start_to_response_end)
{
    static const char text[] =
        "home\t1\tRUN\t1700000000000\t \t2.0\n"
        "home\t1\tUSER\tSTART\t1700000000000\t0\n"
        "home\t2\tUSER\tSTART\t1700000000005\t0\n"
        "home\t1\tREQUEST\tG\tindex\t1700000000010\t1700000000011\t1700000000020\t1700000000035"
        "\tOK\t \textra\n"
        "home\t1\tUSER\tEND\t1700000000000\t1700000000040\n"
        "home\t2\tREQUEST\t\tmid\t1700000000020\t1700000000021\t1700000000022\t1700000000023\tOK"
        "\t \n"
        "home\t2\tREQUEST\t\tindex\t1700000000050\t1700000000051\t1700000000060\t1700000000061\tKO"
        "\tboom\n";
    ck_assert(gatling_format.sniff(NULL, text, sizeof text - 1));
    char *dir = test_tmpdir("gatling-2.0");
    char *path = xasprintf("%s/simulation.log", dir);
    test_write_file(path, text, sizeof text - 1);
    capture c = {0};
    char sha[65];
    long long size;
    ck_assert_int_eq(read_into(path, &c, sha, &size, NULL), STATUS_OK);
    ck_assert_uint_eq(c.count, 3);
    check_row(&c.rows[0], T0 + 10, 25, "G / index", 1, 2);
    /* The END's time is its sixth field (+40), not the user's start (+0). */
    check_row(&c.rows[1], T0 + 20, 3, "mid", 1, 2);
    check_row(&c.rows[2], T0 + 50, 11, "index", 0, 1);
    ck_assert_str_eq(meta_value(&c, "gatling_layout"), "text 2.0-2.1");
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_gatling_reader_makes_no_sink_call_for_a_file_with_an_error)
{
    static const char text[] = "RUN\tp3.Sim\tsim\t1700000000000\t \t3.9.5\n"
                               "USER\tS\tSTART\t1700000000000\n"
                               "REQUEST\t\thome\t1700000000010\t1700000000030\tOK\t \n"
                               "REQUEST\t\thome\t1700000000010\t1700000000030\tOK\t \n"
                               "REQUEST\t\thome\t1700000000010\t1700000000030\tMAYBE\t \n";
    char *dir = test_tmpdir("gatling-late-error");
    char *path = xasprintf("%s/simulation.log", dir);
    test_write_file(path, text, sizeof text - 1);
    capture c = {0};
    char sha[65];
    long long size;
    char *messages;
    ck_assert_int_eq(read_into(path, &c, sha, &size, &messages), STATUS_BAD_INPUT);
    ck_assert_str_eq(messages, ":5:43: error: bad status 'MAYBE': expected OK or KO\n");
    ck_assert_uint_eq(c.calls, 0);
    free(messages);

    /* A sink that fails stops the reading at once. */
    test_write_file(path, text, sizeof text - 1 - strlen("REQUEST\t\thome\t1700000000010\t"
                                                         "1700000000030\tMAYBE\t \n"));
    capture f = {.fail_at = 1};
    ck_assert_int_eq(read_into(path, &f, sha, &size, NULL), STATUS_FAILURE);
    ck_assert_uint_eq(f.count, 0);
    ck_assert_uint_eq(f.calls - f.meta_count, 1);

    /* An empty file says what is missing. */
    test_write_file(path, "", 0);
    capture e = {0};
    ck_assert_int_eq(read_into(path, &e, sha, &size, &messages), STATUS_BAD_INPUT);
    ck_assert_str_eq(messages,
                     ":1:1: error: empty file: a Gatling simulation.log starts with a RUN record\n");
    free(messages);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_gatling_reader_sniffs_every_layout_and_nothing_else)
{
    const char *yes[] = {
        "RUN\tp3.Sim\tsim\t1700000000000\t \t3.9.5\nUSER\tS\tSTART\t1700000000000\n",
        "RUN\tp3.Sim\t\tsim\t1700000000000\tnull\t2.0\n",
        "p3.Sim\tsim\tRUN\t1700000000000\t \t2.0\n",
        "ASSERTION\tAAEC\nASSERTION\tAAED\nRUN\tp3.Sim\tsim\t1700000000000\t \t3.9.5\n",
        "ASSERTION\tAAECAAIFAAAAAAAAAFlA", /* the head ends inside the assertions */
        "RUN\tp3.VeryLongSimulationClassNameThatTheHeadCuts",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(gatling_format.sniff(NULL, yes[i], strlen(yes[i])), "not taken: %s", yes[i]);
    const char *no[] = {
        "time,level,delay_ms\n",
        "timeStamp,elapsed,label,responseCode\n1700000000000,12,home,200\n",
        "RUN\tfast\tnow\n",
        "RUNNING\tp3.Sim\tsim\t1700000000000\t \t3.9.5\n",
        "USER\tS\tSTART\t1700000000000\n",
        "p3.Sim\tsim\tRUN\tsoon\n",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(!gatling_format.sniff(NULL, no[i], strlen(no[i])), "taken: %s", no[i]);
    /* Binary: type 0, the version as a Latin-1 string. */
    static const char binary[] = "\0\0\0\0\0063.14.3\0\0\0\0\6p3.Sim";
    ck_assert(gatling_format.sniff(NULL, binary, sizeof binary - 1));
    static const char utf16_version[] = "\0\0\0\0\0063.14.3\1";
    ck_assert(!gatling_format.sniff(NULL, utf16_version, sizeof utf16_version - 1));
    static const char zeros[16] = {0};
    ck_assert(!gatling_format.sniff(NULL, zeros, sizeof zeros));
}
END_TEST

Suite *gatling_reader_suite(void)
{
    Suite *s = suite_create("gatling_reader");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_gatling_reader_bad_inputs_match_golden_messages);
    tcase_add_test(tc, test_gatling_reader_text_corpus_matches_independent_count);
    tcase_add_test(tc, test_gatling_reader_binary_corpus_file_has_one_session_request);
    tcase_add_test(tc, test_gatling_reader_reads_binary_strings_groups_cache_and_users);
    tcase_add_test(tc, test_gatling_reader_refuses_every_truncation_and_survives_byte_flips);
    tcase_add_test(tc, test_gatling_reader_reads_text_groups_crlf_missing_message_and_late_users);
    tcase_add_test(tc, test_gatling_reader_takes_2_0_delay_from_request_start_to_response_end);
    tcase_add_test(tc, test_gatling_reader_makes_no_sink_call_for_a_file_with_an_error);
    tcase_add_test(tc, test_gatling_reader_sniffs_every_layout_and_nothing_else);
    suite_add_tcase(s, tc);
    return s;
}
