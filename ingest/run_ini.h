/* run.ini: the description a run folder may carry. An INI file: `[section]`
 * lines, `key = value` lines, comments starting with `;` or `#`. This module
 * reads it into entries; ingest decides what the keys mean. */
#ifndef P3_RUN_INI_H
#define P3_RUN_INI_H

#include <stddef.h>

#include "diag.h"

typedef struct run_ini_entry {
    char *section; /* lowercased section name */
    char *key;     /* lowercased key */
    char *name;    /* the key as written (a level name in [levels]) */
    char *value;   /* trimmed value, UTF-8 */
    long line;     /* where it was written */
} run_ini_entry;

typedef struct run_ini {
    run_ini_entry *entries; /* in file order */
    size_t count;
    char sha256[65];        /* of the file's bytes */
    long long size;         /* bytes */
} run_ini;

/* Reads path into a new run_ini (*out). Returns STATUS_OK, STATUS_BAD_INPUT
 * with path:line:col diagnostics (nothing returned), or STATUS_FAILURE. */
int run_ini_read(const char *path, run_ini **out, diag_list *diags);
/* Frees; NULL is a no-op. */
void run_ini_free(run_ini *ini);
/* The entry for section/key (lowercase), or NULL. Borrowed from ini. */
const run_ini_entry *run_ini_get(const run_ini *ini, const char *section, const char *key);

#endif
