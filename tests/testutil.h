/* Helpers the test suites share: scratch folders, files, running the p3
 * binary under test and capturing what it prints, queries on a store and
 * diagnostics as text. */
#ifndef P3_TESTUTIL_H
#define P3_TESTUTIL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* A new empty folder under $P3_TMPDIR (or /tmp) named after tag; caller
 * frees the path. The folder is left for inspection after a failure. */
char *test_tmpdir(const char *tag);

/* Writes len bytes to path (creating parent folders); aborts the test on failure. */
void test_write_file(const char *path, const char *data, size_t len);
/* Writes a NUL-terminated string to path. */
void test_write_text(const char *path, const char *text);
/* The whole file as a NUL-terminated buffer (*len set when not NULL), or
 * NULL if it cannot be read. Caller frees. */
char *test_read_file(const char *path, size_t *len);

/* The SHA-256 of a file's bytes as 64 hex digits (*len set to its size when
 * not NULL); fails the test when the file cannot be read. Caller frees. */
char *test_file_sha256(const char *path, size_t *len);
/* Calls check(name) for each file <name><suffix> in folder (under the source
 * folder); returns how many. Fails the test when the folder cannot be opened. */
int test_each_file(const char *folder, const char *suffix,
                   void (*check)(const char *name));

/* The project's source folder ($P3_SOURCE_DIR, else "."). */
const char *test_source_dir(void);
/* A path under the project: test_source_path("tests/data/x") -> "<src>/tests/data/x". Caller frees. */
char *test_source_path(const char *relative);
/* The shared corpus folder (<src>/../shared/corpus, or $P3_CORPUS_DIR when
 * set: empty hides the corpus), or NULL if absent. Caller frees. Suites add
 * their corpus tests only when it is there, and say so otherwise. */
char *test_corpus_dir(void);

/* What a run of the p3 binary did. */
typedef struct test_run {
    int status;   /* exit status, or -1 if it did not exit normally */
    char *out;    /* everything it wrote to stdout */
    char *err;    /* everything it wrote to stderr */
} test_run;

/* Runs $P3_BIN with the NULL-terminated arguments in folder cwd (NULL: the
 * current one), capturing stdout and stderr. */
test_run test_p3(const char *cwd, const char *const *args);
/* Runs the NULL-terminated argv (argv[0] looked up on PATH) the same way, in
 * an environment changed by env (NULL, or NULL-terminated): "NAME=value"
 * sets NAME, a bare "NAME" removes it. */
test_run test_command(const char *cwd, const char *const *argv, const char *const *env);
void test_run_free(test_run *r);

/* The first column of sql's first row; these fail the test without one. */
long long test_query_int(sqlite3 *db, const char *sql);
/* As a double; NAN when it is NULL. */
double test_query_double(sqlite3 *db, const char *sql);
/* As text (caller frees); NULL when it is NULL. */
char *test_query_text(sqlite3 *db, const char *sql);
/* test_query_text() on the store at db_path, opened read-only for the query. */
char *test_query_text_at(const char *db_path, const char *sql);
/* test_query_int() and test_query_double() on the store at db_path. */
long long test_query_int_at(const char *db_path, const char *sql);
double test_query_double_at(const char *db_path, const char *sql);

/* Runs `p3 ingest` of path into a new store and fails the test unless it
 * exits 0. Returns the store's path; its stderr goes to *err when err is
 * not NULL. Caller frees both. */
char *test_ingest_new_store(const char *tag, const char *path, char **err);

/* The golden bad-input check of every reader: ingests
 * <folder>/<name><ext> (folder relative to the source folder, as the
 * messages name it) into a new store and fails the test unless p3 exits 1,
 * prints exactly <folder>/<name>.expected on stderr and stores nothing of
 * the file. */
void test_golden_bad_input(const char *folder, const char *name, const char *ext);

/* The rows of table in the store at db_path, opened read-only for the query. */
long long test_count_rows(const char *db_path, const char *table);

/* Fails the test, naming what, path and the first diagnostic, unless status
 * is STATUS_OK and diags is empty. */
void test_assert_ok(const char *what, const char *path, int status, const diag_list *diags);
/* As test_assert_ok(), but for notes that texts were shortened with an
 * ellipsis to fit a drawing, which it counts: returns how many there are. */
size_t test_assert_ok_but_shortened(const char *what, const char *path, int status,
                                    const diag_list *diags);
/* Every diagnostic as diag_format() writes it, one per line, with prefix
 * taken off the lines that start with it (NULL: none). Caller frees. */
char *test_diag_text(const diag_list *diags, const char *prefix);

/* Whether a program is on PATH. */
bool test_have_program(const char *name);

#endif
