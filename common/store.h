/* The store: one SQLite database that holds runs, the files they came from,
 * their samples and the results of analysis. This module opens it, creates
 * it, and brings an older one up to the schema this p3 writes. */
#ifndef P3_STORE_H
#define P3_STORE_H

#include <sqlite3.h>

#include "diag.h"

typedef enum store_mode {
    STORE_CREATE,    /* read-write; created if missing, migrated if older */
    STORE_WRITE,     /* read-write; must exist; migrated if older */
    STORE_READ_ONLY  /* must exist; never written, so an older one stays as it is */
} store_mode;

/* The schema version this p3 writes (the highest schemas/NNN). */
int store_schema_version(void);

/* Opens the store at path into *db. A store from a newer p3, or a file that
 * is not a p3 store, is refused. Returns STATUS_OK, or STATUS_FAILURE with a
 * diagnostic in diags. Close with store_close(). */
int store_open(const char *path, store_mode mode, sqlite3 **db, diag_list *diags);

/* The schema version of an open store. */
int store_version(sqlite3 *db);

/* Closes; NULL is a no-op. */
void store_close(sqlite3 *db);

/* Adds "<store>: error: <what>: <sqlite message>" to diags and returns
 * STATUS_FAILURE, for callers to `return store_fail(...)`. */
int store_fail(sqlite3 *db, diag_list *diags, const char *what);

/* Runs SQL that returns no rows; STATUS_OK or store_fail(). */
int store_exec(sqlite3 *db, const char *sql, diag_list *diags);

/* Prepares sql into *stmt; STATUS_OK or store_fail(). */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, diag_list *diags);

#endif
