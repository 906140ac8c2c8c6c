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

/* How long a connection waits, by default, for another process that holds
 * the store (another p3 ingesting, an open sqlite3 shell) before giving up
 * with "the store is busy": 5 minutes, in milliseconds. */
#define STORE_BUSY_LIMIT_MS (300L * 1000)

/* Told about a wait for the store, once a second from its first second on:
 * ctx as given in store_options, the store's path as given to
 * store_open_opt(), how long this wait has lasted and the limit, in ms. */
typedef void store_busy_fn(void *ctx, const char *path, long waited_ms, long limit_ms);

/* Optional settings of store_open_opt(); NULL or zeroed fields mean the
 * defaults. They hold for the connection's whole life, not just the open. */
typedef struct store_options {
    long busy_limit_ms;     /* longest wait for another process; 0: STORE_BUSY_LIMIT_MS */
    store_busy_fn *on_busy; /* called while waiting; NULL: wait silently */
    void *busy_ctx;         /* passed to on_busy */
} store_options;

/* Opens the store at path into *db, as store_open_opt() with the defaults
 * (waiting up to STORE_BUSY_LIMIT_MS, silently). A store from a newer p3, or
 * a file that is not a p3 store, is refused. Returns STATUS_OK, or
 * STATUS_FAILURE with a diagnostic in diags. Close with store_close(). */
int store_open(const char *path, store_mode mode, sqlite3 **db, diag_list *diags);

/* store_open() with options (NULL: the defaults). Creating and migrating
 * happen in one write transaction that looks at the version again once it
 * holds the store, so processes opening one store at once all succeed.
 * While another process holds the store, this connection waits up to the
 * limit, telling on_busy, then fails with "the store is busy". A write
 * mode refuses, before any work, a store whose folder or file cannot be
 * written, and any mode refuses a path that is a folder. */
int store_open_opt(const char *path, store_mode mode, const store_options *opts, sqlite3 **db,
                   diag_list *diags);

/* The schema version of an open store. */
int store_version(sqlite3 *db);

/* Closes; NULL is a no-op. */
void store_close(sqlite3 *db);

/* Adds "<store>: error: <what>: <sqlite message>" to diags and returns
 * STATUS_FAILURE, for callers to `return store_fail(...)`. Where SQLite's
 * message would not tell the user what to do, the cause is said instead:
 * the store busy for longer than the limit, its folder or file not
 * writable, no room left on the disk or in the temporary folder (TMPDIR,
 * where the private store "" of a compared run folder lives). */
int store_fail(sqlite3 *db, diag_list *diags, const char *what);

/* Runs SQL that returns no rows; STATUS_OK or store_fail(). */
int store_exec(sqlite3 *db, const char *sql, diag_list *diags);

/* Prepares sql into *stmt; STATUS_OK or store_fail(). */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, diag_list *diags);

#endif
