#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "schema_scripts.h"
#include <stdio.h>

#include "status.h"

/* PRAGMA application_id of a p3 store: "P3DB" in ASCII. */
#define STORE_APPLICATION_ID 0x50334442

/* Page cache per connection, in KiB (negative cache_size means KiB). Enough
 * for bulk inserts to stay in memory between commits, small enough to keep
 * ingest's peak memory low whatever the file size. */
#define STORE_CACHE_KIB 16384

int store_schema_version(void)
{
    return schema_scripts[schema_script_count - 1].version;
}

int store_fail(sqlite3 *db, diag_list *diags, const char *what)
{
    const char *path = db ? sqlite3_db_filename(db, "main") : NULL;
    diag_add(diags, DIAG_ERROR, path && *path ? path : "store", 0, 0, "%s: %s", what,
             db ? sqlite3_errmsg(db) : "out of memory");
    return STATUS_FAILURE;
}

int store_exec(sqlite3 *db, const char *sql, diag_list *diags)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(db, diags, "cannot update the store");
    return STATUS_OK;
}

int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, diag_list *diags)
{
    if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) {
        *stmt = NULL;
        return store_fail(db, diags, "cannot read the store");
    }
    return STATUS_OK;
}

/* One integer from a PRAGMA, or -1 when it cannot be read. */
static int pragma_int(sqlite3 *db, const char *pragma)
{
    sqlite3_stmt *stmt = NULL;
    int value = -1;
    if (sqlite3_prepare_v2(db, pragma, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

int store_version(sqlite3 *db)
{
    return pragma_int(db, "PRAGMA user_version");
}

/* Applies every schema script above `from` in one transaction. */
static int migrate(sqlite3 *db, const char *path, int from, diag_list *diags)
{
    if (store_exec(db, "BEGIN IMMEDIATE", diags))
        return STATUS_FAILURE;
    for (int i = 0; i < schema_script_count; i++) {
        const schema_script *s = &schema_scripts[i];
        if (s->version <= from)
            continue;
        if (sqlite3_exec(db, s->sql, NULL, NULL, NULL) != SQLITE_OK) {
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot apply schema '%s': %s", s->name,
                     sqlite3_errmsg(db));
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return STATUS_FAILURE;
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
             store_schema_version(), STORE_APPLICATION_ID);
    if (store_exec(db, sql, diags) || store_exec(db, "COMMIT", diags)) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return STATUS_FAILURE;
    }
    return STATUS_OK;
}

/* Checks that an opened file is a p3 store this p3 can use, and brings it up
 * to date unless read-only. */
static int check_and_migrate(sqlite3 *db, const char *path, store_mode mode, diag_list *diags)
{
    int version = store_version(db);
    int app_id = pragma_int(db, "PRAGMA application_id");
    if (version < 0 || app_id < 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read the store: %s", sqlite3_errmsg(db));
        return STATUS_FAILURE;
    }
    if (version > store_schema_version()) {
        diag_add(diags, DIAG_ERROR, path, 0, 0,
                 "store has schema version %d, written by a newer p3; this p3 (%s) reads "
                 "versions up to %d",
                 version, P3_VERSION, store_schema_version());
        return STATUS_FAILURE;
    }
    if (version == 0) {
        int tables = pragma_int(db, "SELECT count(*) FROM sqlite_schema");
        if (tables != 0 || mode == STORE_READ_ONLY) {
            diag_add(diags, DIAG_ERROR, path, 0, 0, "not a p3 store");
            return STATUS_FAILURE;
        }
    } else if (app_id != STORE_APPLICATION_ID) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "not a p3 store");
        return STATUS_FAILURE;
    }
    if (version == store_schema_version() || mode == STORE_READ_ONLY)
        return STATUS_OK;
    return migrate(db, path, version, diags);
}

/* Configures SQLite once, before its first use: every connection of p3 is
 * used by one thread, so SQLite's own locking (serialized mode) and its
 * allocation statistics only cost time on every row. */
static void configure_sqlite(void)
{
    static bool configured;
    if (configured)
        return;
    configured = true;
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, store_mode mode, sqlite3 **out, diag_list *diags)
{
    *out = NULL;
    configure_sqlite();
    int flags = mode == STORE_READ_ONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (mode == STORE_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    sqlite3 *db = NULL;
    if (mode != STORE_CREATE && access(path, F_OK) != 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open store: %s%s", strerror(errno),
                 errno == ENOENT ? " (p3 ingest creates one)" : "");
        return STATUS_FAILURE;
    }
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open store: %s",
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return STATUS_FAILURE;
    }
    sqlite3_busy_timeout(db, 10000);
    char pragmas[64];
    snprintf(pragmas, sizeof pragmas, "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
    sqlite3_exec(db, pragmas, NULL, NULL, NULL);
    if (check_and_migrate(db, path, mode, diags) != STATUS_OK) {
        sqlite3_close(db);
        return STATUS_FAILURE;
    }
    *out = db;
    return STATUS_OK;
}

void store_close(sqlite3 *db)
{
    if (db)
        sqlite3_close(db);
}
