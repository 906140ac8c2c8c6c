#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "schema_scripts.h"
#include "status.h"
#include "xalloc.h"

/* PRAGMA application_id of a p3 store: "P3DB" in ASCII. */
#define STORE_APPLICATION_ID 0x50334442

/* Page cache per connection, in KiB (negative cache_size means KiB). Enough
 * for bulk inserts to stay in memory between commits, small enough to keep
 * ingest's peak memory low whatever the file size. */
#define STORE_CACHE_KIB 16384

/* How a connection waits while another process holds the store: the state
 * of its busy handler. It lives as long as the connection (see
 * keep_with_connection()). */
typedef struct store_wait {
    sqlite3 *db;            /* the connection that waits */
    char *path;             /* the store as given to store_open_opt(), for on_busy */
    long limit_ms;          /* the longest one wait may last */
    store_busy_fn *on_busy; /* told about the wait about once a second; may be NULL */
    void *ctx;              /* on_busy's */
    long since_ms;          /* when the present wait began, on the monotonic clock */
    long told_ms;           /* how long the wait had lasted when on_busy was last told */
} store_wait;

/* The last wait this thread gave up, so that store_fail() can say for how
 * long the store was busy. The busy handler runs in the thread that uses
 * the connection, just before the failing call returns. */
static _Thread_local struct {
    sqlite3 *db;   /* whose wait it was; NULL: none */
    long limit_ms; /* how long it lasted: the limit */
} gave_up;

int store_schema_version(void)
{
    return schema_scripts[schema_script_count - 1].version;
}

/* ---- Saying what went wrong in the user's terms ------------------------- */

/* Whether path names a file of its own: not "" (SQLite's private store, a
 * temporary file that disappears with the connection), ":memory:" or a
 * URI. */
static bool is_store_file(const char *path)
{
    return path && *path && strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0;
}

/* The folder that holds path: "." when path names no folder. Caller frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* The folder where SQLite keeps its temporary files (the private store "",
 * sort and statement spill files), found as SQLite's unix layer finds it:
 * the first of these that is a folder this process can write. Borrowed
 * from the environment or static. */
static const char *temp_folder(void)
{
    const char *candidates[] = {sqlite3_temp_directory, getenv("SQLITE_TMPDIR"),
                                getenv("TMPDIR"),       "/var/tmp",
                                "/usr/tmp",             "/tmp"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        struct stat st;
        const char *dir = candidates[i];
        if (dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && access(dir, W_OK | X_OK) == 0)
            return dir;
    }
    return ".";
}

/* The room left for this process in the file system holding dir, as
 * "12.5 MiB", into out; "unknown" when it cannot be found. */
static char *room_in(const char *dir, char *out, size_t size)
{
    struct statvfs fs;
    if (statvfs(dir, &fs) != 0) {
        snprintf(out, size, "unknown");
        return out;
    }
    double bytes = (double)fs.f_bavail * (double)fs.f_frsize;
    if (bytes < 1024.0 * 1024.0)
        snprintf(out, size, "%.0f KiB", bytes / 1024.0);
    else if (bytes < 1024.0 * 1024.0 * 1024.0)
        snprintf(out, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
    else
        snprintf(out, size, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return out;
}

/* A span of milliseconds as the user reads it: "300 s", "1.5 s". */
static char *seconds(long ms, char *out, size_t size)
{
    if (ms % 1000 == 0)
        snprintf(out, size, "%ld s", ms / 1000);
    else
        snprintf(out, size, "%.1f s", (double)ms / 1000.0);
    return out;
}

/* Why this process cannot write the store file at path, or its folder
 * where SQLite must create the journal: adds the diagnostic (about `shown`,
 * the path as the user gave it) and returns true; false when both can be
 * written. */
static bool cannot_write(const char *path, const char *shown, diag_list *diags)
{
    if (access(path, W_OK) != 0) {
        diag_add(diags, DIAG_ERROR, shown, 0, 0,
                 "cannot write the store: the file is not writable (%s)", strerror(errno));
        return true;
    }
    /* The journal goes beside the file itself, not beside a link to it. */
    struct stat st;
    char *real = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL) : NULL;
    char *folder = folder_of(real ? real : path);
    bool refused = access(folder, W_OK | X_OK) != 0;
    if (refused)
        diag_add(diags, DIAG_ERROR, shown, 0, 0,
                 "cannot write the store: its folder %s is not writable (SQLite keeps its "
                 "journal beside it)",
                 folder);
    free(folder);
    free(real);
    return refused;
}

/* No room left: names the temporary folder and, for a store file, the
 * store's folder, with the room left in each. */
static void no_room(const char *path, const char *what, diag_list *diags)
{
    const char *tmp = temp_folder();
    char tmp_room[32], room[32];
    room_in(tmp, tmp_room, sizeof tmp_room);
    if (!is_store_file(path)) {
        /* The private store of a compared run folder, or one in memory
         * that spilled: both live in the temporary folder. */
        diag_add(diags, DIAG_ERROR, tmp, 0, 0,
                 "%s: the temporary folder is full (%s free); p3 compare ingests each run "
                 "folder into a temporary store there: set TMPDIR to a folder with more room",
                 what, tmp_room);
        return;
    }
    char *folder = folder_of(path);
    diag_add(diags, DIAG_ERROR, path, 0, 0,
             "%s: no room left: its folder %s has %s free, the temporary folder %s (TMPDIR) has "
             "%s free",
             what, folder, room_in(folder, room, sizeof room), tmp, tmp_room);
    free(folder);
}

/* Adds why SQLite's last call on db failed: in the user's terms where
 * SQLite's message would not tell them what to do (busy, not writable, no
 * room), else "<what>: <sqlite message>". path is the store as it should be
 * named. Returns STATUS_FAILURE. */
static int describe_failure(sqlite3 *db, const char *path, const char *what, diag_list *diags)
{
    if (!db) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "%s: out of memory", what);
        return STATUS_FAILURE;
    }
    const char *file = sqlite3_db_filename(db, "main");
    char span[32];
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_BUSY:
        if (gave_up.db == db)
            diag_add(diags, DIAG_ERROR, path, 0, 0,
                     "the store is busy: another p3 (or program) has held it for %s; try again "
                     "when it ends",
                     seconds(gave_up.limit_ms, span, sizeof span));
        else
            diag_add(diags, DIAG_ERROR, path, 0, 0,
                     "the store is busy: another p3 (or program) is writing to it; try again "
                     "when it ends");
        return STATUS_FAILURE;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        if (is_store_file(file) && cannot_write(file, path, diags))
            return STATUS_FAILURE;
        break;
    case SQLITE_FULL:
        no_room(is_store_file(file) ? path : "", what, diags);
        return STATUS_FAILURE;
    }
    diag_add(diags, DIAG_ERROR, path, 0, 0, "%s: %s", what, sqlite3_errmsg(db));
    return STATUS_FAILURE;
}

int store_fail(sqlite3 *db, diag_list *diags, const char *what)
{
    const char *path = db ? sqlite3_db_filename(db, "main") : NULL;
    return describe_failure(db, path && *path ? path : "store", what, diags);
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

/* ---- Schema versions ----------------------------------------------------- */

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

/* Reads the store's version into *version and checks that it is a p3 store
 * this p3 can use in mode: a new empty file counts as version 0. */
static int read_version(sqlite3 *db, const char *path, store_mode mode, int *version,
                        diag_list *diags)
{
    *version = store_version(db);
    int app_id = *version < 0 ? -1 : pragma_int(db, "PRAGMA application_id");
    int tables = 0; /* a version 0 store must be empty: a new file */
    if (*version == 0 && app_id >= 0)
        tables = pragma_int(db, "SELECT count(*) FROM sqlite_schema");
    if (*version < 0 || app_id < 0 || tables < 0)
        return describe_failure(db, path, "cannot read the store", diags);
    if (*version > store_schema_version()) {
        diag_add(diags, DIAG_ERROR, path, 0, 0,
                 "store has schema version %d, written by a newer p3; this p3 (%s) reads "
                 "versions up to %d",
                 *version, P3_VERSION, store_schema_version());
        return STATUS_FAILURE;
    }
    bool foreign = *version == 0 ? tables != 0 || mode == STORE_READ_ONLY
                                 : app_id != STORE_APPLICATION_ID;
    if (foreign) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "not a p3 store");
        return STATUS_FAILURE;
    }
    return STATUS_OK;
}

/* Applies every schema script above version `from` and records the new
 * version, inside the caller's transaction. */
static int apply_schemas(sqlite3 *db, const char *path, int from, diag_list *diags)
{
    for (int i = 0; i < schema_script_count; i++) {
        const schema_script *s = &schema_scripts[i];
        if (s->version <= from)
            continue;
        if (sqlite3_exec(db, s->sql, NULL, NULL, NULL) != SQLITE_OK) {
            char *what = xasprintf("cannot apply schema '%s'", s->name);
            describe_failure(db, path, what, diags);
            free(what);
            return STATUS_FAILURE;
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
             store_schema_version(), STORE_APPLICATION_ID);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return describe_failure(db, path, "cannot update the store", diags);
    return STATUS_OK;
}

/* Checks that an opened file is a p3 store this p3 can use and, unless
 * read-only, brings it up to date. Other processes may be opening the same
 * store at this moment: creating and migrating happen in one write
 * transaction that reads the version again once it holds the store, so
 * that what another process did meanwhile is not done twice. */
static int check_and_migrate(sqlite3 *db, const char *path, store_mode mode, diag_list *diags)
{
    int version;
    if (read_version(db, path, mode, &version, diags))
        return STATUS_FAILURE;
    if (version == store_schema_version() || mode == STORE_READ_ONLY)
        return STATUS_OK;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return describe_failure(db, path, "cannot update the store", diags);
    int status = read_version(db, path, mode, &version, diags);
    if (!status && version < store_schema_version())
        status = apply_schemas(db, path, version, diags);
    if (!status && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        status = describe_failure(db, path, "cannot update the store", diags);
    if (status)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* ---- Waiting for another process ----------------------------------------- */

/* Milliseconds on the monotonic clock. */
static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite's busy handler: called while another process holds a lock this
 * connection needs, count = the calls so far in this wait. Sleeps a little
 * longer each time (as SQLite's own timeout does, up to 100 ms) and returns
 * 1 to try again, or 0 once the wait has lasted the limit, when SQLite
 * returns SQLITE_BUSY. */
static int wait_while_busy(void *arg, int count)
{
    static const int delays_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    const int delay_count = (int)(sizeof delays_ms / sizeof *delays_ms);
    store_wait *w = arg;
    long now = now_ms();
    if (count == 0) {
        w->since_ms = now;
        w->told_ms = 0;
        gave_up.db = NULL;
    }
    long waited = now - w->since_ms;
    if (waited >= w->limit_ms) {
        gave_up.db = w->db;
        gave_up.limit_ms = w->limit_ms;
        return 0;
    }
    if (w->on_busy && waited / 1000 > w->told_ms / 1000) {
        w->told_ms = waited;
        w->on_busy(w->ctx, w->path, waited, w->limit_ms);
    }
    long delay = delays_ms[count < delay_count ? count : delay_count - 1];
    if (delay > w->limit_ms - waited)
        delay = w->limit_ms - waited;
    sqlite3_sleep((int)delay);
    return 1;
}

/* Never called: it exists so that SQLite frees the wait with the
 * connection (see keep_with_connection()). */
static void no_function(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite3_result_null(context);
}

static void free_wait(void *arg)
{
    store_wait *w = arg;
    free(w->path);
    free(w);
}

/* Ties the wait's life to the connection's, however it is closed: SQLite
 * frees a function's data when its connection closes. (sqlite3_set_clientdata
 * does this directly, from SQLite 3.44 on.) */
static int keep_with_connection(sqlite3 *db, store_wait *w)
{
    return sqlite3_create_function_v2(db, "p3_store_wait", 0, SQLITE_UTF8, w, no_function, NULL,
                                      NULL, free_wait);
}

/* Makes db wait for other processes as opts say. */
static int set_up_waiting(sqlite3 *db, const char *path, const store_options *opts)
{
    store_wait *w = xcalloc(1, sizeof *w);
    w->db = db;
    w->path = xstrdup(path);
    w->limit_ms = opts && opts->busy_limit_ms > 0 ? opts->busy_limit_ms : STORE_BUSY_LIMIT_MS;
    w->on_busy = opts ? opts->on_busy : NULL;
    w->ctx = opts ? opts->busy_ctx : NULL;
    if (keep_with_connection(db, w) != SQLITE_OK) {
        /* SQLite has called free_wait() already. */
        return STATUS_FAILURE;
    }
    sqlite3_busy_handler(db, wait_while_busy, w);
    return STATUS_OK;
}

/* ---- Opening --------------------------------------------------------------- */

/* Refuses, before SQLite tries, a path that cannot be a store in mode: a
 * missing file (unless creating), a folder, a file or folder this process
 * cannot write when it means to write. SQLite's own words for these ("disk
 * I/O error", "attempt to write a readonly database") say nothing of what
 * to change. */
static int check_path(const char *path, store_mode mode, diag_list *diags)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int err = errno;
        if (err != ENOENT || mode != STORE_CREATE) {
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open store: %s%s", strerror(err),
                     err == ENOENT ? " (p3 ingest creates one)" : "");
            return STATUS_FAILURE;
        }
        char *folder = folder_of(path);
        int status = STATUS_OK;
        if (access(folder, W_OK | X_OK) != 0) {
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot create the store: its folder %s %s",
                     folder, errno == ENOENT ? "does not exist" : "is not writable");
            status = STATUS_FAILURE;
        }
        free(folder);
        return status;
    }
    if (S_ISDIR(st.st_mode)) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "is a folder, not a store file");
        return STATUS_FAILURE;
    }
    if (mode != STORE_READ_ONLY && cannot_write(path, path, diags))
        return STATUS_FAILURE;
    return STATUS_OK;
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
    return store_open_opt(path, mode, NULL, out, diags);
}

int store_open_opt(const char *path, store_mode mode, const store_options *opts, sqlite3 **out,
                   diag_list *diags)
{
    *out = NULL;
    configure_sqlite();
    int flags = mode == STORE_READ_ONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (mode == STORE_CREATE)
        flags |= SQLITE_OPEN_CREATE;
    if (is_store_file(path) && check_path(path, mode, diags))
        return STATUS_FAILURE;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open store: %s",
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return STATUS_FAILURE;
    }
    if (set_up_waiting(db, path, opts)) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open store: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return STATUS_FAILURE;
    }
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
