/* Runs in the store: finds or creates the row of a run by name, applies its
 * run.ini, and loads its level names for the readers. Writes only what
 * changed, so re-ingesting the same inputs leaves the store as it was. */
#ifndef P3_RUN_RECORD_H
#define P3_RUN_RECORD_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "run_ini.h"
#include "source_file.h"

/* The paper's load levels, the default of every run. */
extern const char *const run_record_default_levels[];
extern const size_t run_record_default_level_count;

/* Where a run's description comes from. */
typedef struct run_spec {
    const char *name;     /* the run's name */
    const char *folder;   /* the run folder, or NULL for a lone file */
    const run_ini *ini;   /* its parsed run.ini, or NULL */
    const char *ini_path; /* where run.ini was read, for messages and the file record */
    source_file_changed changed; /* what to do with a file (run.ini too) whose path
                                    the run holds with other content */
} run_spec;

/* A run as the readers need it. */
typedef struct run_record {
    int64_t run_id;
    char **levels;        /* level names in order, owned */
    size_t level_count;
} run_record;

/* Parses a `levels = a, b, c` value into a new array of names (*out, count
 * in *count); false after reporting an empty, duplicate or too long list. */
int run_record_parse_levels(const char *value, const char *path, long line, long col,
                            char ***out, size_t *count, diag_list *diags);

/* Finds or creates the run of spec and brings its description up to date;
 * call inside a transaction. A run.ini whose path the run holds with other
 * content replaces that record (with a note), or is refused when
 * spec->changed says so. Returns STATUS_OK with *out filled (release with
 * run_record_clear()), STATUS_BAD_INPUT when run.ini contradicts what the
 * store holds or is refused, or STATUS_FAILURE. */
int run_record_ensure(sqlite3 *db, const run_spec *spec, run_record *out, diag_list *diags);

/* The id of the run called name, or 0 if there is none. */
int64_t run_record_find(sqlite3 *db, const char *name);

/* The folder the run called name was first ingested from, as given then;
 * NULL when there is no such run or it came from lone files. Caller frees. */
char *run_record_folder(sqlite3 *db, const char *name);

/* The level a run.ini [levels] binding (`NAME = GLOB, ...`: globs over
 * the data files' names in the run folder) gives the file at path: an
 * index into r->levels, or -1 when no binding matches (or the run has no
 * run.ini). The first binding that matches wins. */
int run_record_file_level(const run_spec *spec, const run_record *r, const char *path);

/* Whether a [levels] key names a level rather than a setting. */
bool run_record_is_level_binding(const char *key);

/* Frees what *r owns and zeroes it. */
void run_record_clear(run_record *r);

#endif
