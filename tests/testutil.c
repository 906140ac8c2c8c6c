#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sha256.h"
#include "status.h"
#include "xalloc.h"

static void make_dirs(const char *path)
{
    char *copy = xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(copy, 0777);
        *p = '/';
    }
    mkdir(copy, 0777);
    free(copy);
}

char *test_tmpdir(const char *tag)
{
    const char *base = getenv("P3_TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    make_dirs(base);
    char *templ = xasprintf("%s/%s-XXXXXX", base, tag);
    ck_assert_msg(mkdtemp(templ) != NULL, "mkdtemp %s: %s", templ, strerror(errno));
    return templ;
}

void test_write_file(const char *path, const char *data, size_t len)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        make_dirs(dir);
    }
    free(dir);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

void test_write_text(const char *path, const char *text)
{
    test_write_file(path, text, strlen(text));
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *test_file_sha256(const char *path, size_t *len)
{
    size_t size;
    char *data = test_read_file(path, &size);
    ck_assert_msg(data != NULL, "cannot read %s", path);
    sha256 ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data, size);
    char *hex = xmalloc(65);
    sha256_final_hex(&ctx, hex);
    free(data);
    if (len)
        *len = size;
    return hex;
}

int test_each_file(const char *folder, const char *suffix,
                   void (*check)(const char *name))
{
    char *dir_path = test_source_path(folder);
    DIR *d = opendir(dir_path);
    ck_assert_msg(d != NULL, "cannot open %s", dir_path);
    size_t suffix_len = strlen(suffix);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n <= suffix_len || strcmp(e->d_name + n - suffix_len, suffix) != 0)
            continue;
        char *name = xstrndup(e->d_name, n - suffix_len);
        check(name);
        free(name);
        count++;
    }
    closedir(d);
    free(dir_path);
    return count;
}

const char *test_source_dir(void)
{
    const char *dir = getenv("P3_SOURCE_DIR");
    return dir && *dir ? dir : ".";
}

char *test_source_path(const char *relative)
{
    return xasprintf("%s/%s", test_source_dir(), relative);
}

char *test_corpus_dir(void)
{
    /* P3_CORPUS_DIR names another corpus folder; set but empty (or naming
     * no folder) it hides the corpus, to check what the suites do without. */
    const char *env = getenv("P3_CORPUS_DIR");
    char *dir = env ? xstrdup(env) : xasprintf("%s/../shared/corpus", test_source_dir());
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return dir;
    free(dir);
    return NULL;
}

/* Reads all of fd into a new string. */
static char *slurp(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    return buf;
}

test_run test_command(const char *cwd, const char *const *argv, const char *const *env)
{
    char out_path[] = "/tmp/p3-test-out-XXXXXX", err_path[] = "/tmp/p3-test-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    ck_assert(out_fd >= 0 && err_fd >= 0);
    unlink(out_path);
    unlink(err_path);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(127);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        for (size_t i = 0; env && env[i]; i++) {
            const char *eq = strchr(env[i], '=');
            if (!eq) {
                unsetenv(env[i]);
                continue;
            }
            char *name = xstrndup(env[i], (size_t)(eq - env[i]));
            setenv(name, eq + 1, 1);
            free(name);
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    test_run r = {.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1};
    lseek(out_fd, 0, SEEK_SET);
    lseek(err_fd, 0, SEEK_SET);
    r.out = slurp(out_fd);
    r.err = slurp(err_fd);
    close(out_fd);
    close(err_fd);
    return r;
}

test_run test_p3(const char *cwd, const char *const *args)
{
    const char *bin = getenv("P3_BIN");
    ck_assert_msg(bin && *bin, "P3_BIN is not set: run the tests with 'make check'");
    size_t argc = 0;
    while (args[argc])
        argc++;
    const char **argv = xcalloc(argc + 2, sizeof *argv);
    argv[0] = bin;
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = args[i];
    test_run r = test_command(cwd, argv, NULL);
    free(argv);
    return r;
}

void test_run_free(test_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

bool test_have_program(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = xstrdup(path);
    bool found = false;
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char *full = xasprintf("%s/%s", dir, name);
        found = access(full, X_OK) == 0;
        free(full);
    }
    free(copy);
    return found;
}

/* Prepares sql and steps to its first row, failing the test otherwise. */
static sqlite3_stmt *first_row(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW, "no row: %s", sql);
    return stmt;
}

long long test_query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = first_row(db, sql);
    long long v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

double test_query_double(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = first_row(db, sql);
    double v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

char *test_query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = first_row(db, sql);
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    char *v = text ? xstrdup((const char *)text) : NULL;
    sqlite3_finalize(stmt);
    return v;
}

static sqlite3 *open_read_only(const char *db_path)
{
    sqlite3 *db;
    ck_assert_msg(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
                  "cannot open %s", db_path);
    return db;
}

char *test_query_text_at(const char *db_path, const char *sql)
{
    sqlite3 *db = open_read_only(db_path);
    char *v = test_query_text(db, sql);
    sqlite3_close(db);
    return v;
}

long long test_query_int_at(const char *db_path, const char *sql)
{
    sqlite3 *db = open_read_only(db_path);
    long long v = test_query_int(db, sql);
    sqlite3_close(db);
    return v;
}

double test_query_double_at(const char *db_path, const char *sql)
{
    sqlite3 *db = open_read_only(db_path);
    double v = test_query_double(db, sql);
    sqlite3_close(db);
    return v;
}

char *test_ingest_new_store(const char *tag, const char *path, char **err)
{
    char *dir = test_tmpdir(tag);
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, path, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_msg(r.status == STATUS_OK, "%s: exit %d:\n%s", path, r.status, r.err);
    if (err) {
        *err = r.err;
        r.err = NULL;
    }
    test_run_free(&r);
    free(dir);
    return db;
}

void test_golden_bad_input(const char *folder, const char *name, const char *ext)
{
    char *rel = xasprintf("%s/%s%s", folder, name, ext);
    char *expected_path = xasprintf("%s/%s/%s.expected", test_source_dir(), folder, name);
    char *expected = test_read_file(expected_path, NULL);
    ck_assert_msg(expected != NULL, "missing %s", expected_path);
    char *dir = test_tmpdir("golden");
    char *db = xasprintf("%s/p3.db", dir);
    const char *args[] = {"ingest", "--db", db, rel, NULL};
    test_run r = test_p3(test_source_dir(), args);
    ck_assert_msg(r.status == STATUS_BAD_INPUT, "%s: exit %d, stderr:\n%s", rel, r.status, r.err);
    ck_assert_msg(strcmp(r.err, expected) == 0, "%s: stderr differs.\nexpected:\n%s\ngot:\n%s",
                  rel, expected, r.err);
    ck_assert_int_eq(test_count_rows(db, "sample"), 0);
    ck_assert_int_eq(test_count_rows(db, "aggregate"), 0);
    ck_assert_int_eq(test_count_rows(db, "source_file"), 0);
    test_run_free(&r);
    free(rel);
    free(expected_path);
    free(expected);
    free(db);
    free(dir);
}

long long test_count_rows(const char *db_path, const char *table)
{
    sqlite3 *db = open_read_only(db_path);
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    long long n = test_query_int(db, sql);
    free(sql);
    sqlite3_close(db);
    return n;
}

void test_assert_ok(const char *what, const char *path, int status, const diag_list *diags)
{
    char *first = diag_list_count(diags) ? diag_format(diag_list_get(diags, 0)) : NULL;
    ck_assert_msg(status == STATUS_OK, "%s %s: %s", what, path, first ? first : "?");
    ck_assert_uint_eq(diag_list_count(diags), 0);
    free(first);
}

size_t test_assert_ok_but_shortened(const char *what, const char *path, int status,
                                    const diag_list *diags)
{
    char *first = diag_list_count(diags) ? diag_format(diag_list_get(diags, 0)) : NULL;
    ck_assert_msg(status == STATUS_OK, "%s %s: %s", what, path, first ? first : "?");
    free(first);
    size_t shortened = 0, other = 0;
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        const diag *d = diag_list_get(diags, i);
        if (d->severity == DIAG_NOTE && strstr(d->message, "shortened with an ellipsis to fit"))
            shortened++;
        else
            other++;
    }
    ck_assert_msg(other == 0, "%s %s: %zu messages besides the shortened texts' notes", what,
                  path, other);
    return shortened;
}

char *test_diag_text(const diag_list *diags, const char *prefix)
{
    size_t prefix_len = prefix ? strlen(prefix) : 0;
    char *all = xstrdup("");
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        char *line = diag_format(diag_list_get(diags, i));
        bool strip = prefix_len && strncmp(line, prefix, prefix_len) == 0;
        char *joined = xasprintf("%s%s\n", all, strip ? line + prefix_len : line);
        free(all);
        free(line);
        all = joined;
    }
    return all;
}
