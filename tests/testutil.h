/* Helpers the test suites share: scratch folders, files, running the p3
 * binary under test and capturing what it prints. */
#ifndef P3_TESTUTIL_H
#define P3_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

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

/* The project's source folder ($P3_SOURCE_DIR, else "."). */
const char *test_source_dir(void);
/* A path under the project: test_source_path("tests/data/x") -> "<src>/tests/data/x". Caller frees. */
char *test_source_path(const char *relative);
/* The shared corpus folder (<src>/../shared/corpus), or NULL if absent. Caller frees. */
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
void test_run_free(test_run *r);

/* Whether a program is on PATH. */
bool test_have_program(const char *name);

#endif
