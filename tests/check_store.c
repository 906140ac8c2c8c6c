/* The store: created at the current schema version, refused when newer or
 * not a p3 store, never written when opened read-only; created and migrated
 * by many processes at once; waiting for another process that holds it;
 * saying in the user's terms why it cannot be written. */
#define _XOPEN_SOURCE 700 /* posix_openpt() and its kin, for a terminal */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "schema_scripts.h"
#include "status.h"
#include "store.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

static char *first_message(diag_list *diags)
{
    ck_assert_uint_ge(diag_list_count(diags), 1);
    return diag_format(diag_list_get(diags, 0));
}

START_TEST(test_store_is_created_at_the_current_version)
{
    char *dir = test_tmpdir("store-new");
    char *path = xasprintf("%s/p3.db", dir);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, diags), STATUS_OK);
    ck_assert_int_eq(store_version(db), store_schema_version());
    ck_assert_int_ge(store_schema_version(), 1);
    store_close(db);
    /* Reopening keeps it as it is. */
    ck_assert_int_eq(store_open(path, STORE_WRITE, &db, diags), STATUS_OK);
    ck_assert_int_eq(store_version(db), store_schema_version());
    store_close(db);
    diag_list_free(diags);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_store_from_a_newer_p3_is_refused_naming_both_versions)
{
    char *dir = test_tmpdir("store-newer");
    char *path = xasprintf("%s/p3.db", dir);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(path, STORE_CREATE, &db, diags), STATUS_OK);
    char *sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 5);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    store_close(db);
    ck_assert_int_eq(store_open(path, STORE_WRITE, &db, diags), STATUS_FAILURE);
    ck_assert_ptr_null(db);
    char *msg = first_message(diags);
    char *want = xasprintf("%s: error: store has schema version %d, written by a newer p3; this "
                           "p3 (%s) reads versions up to %d",
                           path, store_schema_version() + 5, P3_VERSION, store_schema_version());
    ck_assert_str_eq(msg, want);
    free(want), free(msg), free(sql);
    diag_list_free(diags);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_store_refuses_files_that_are_not_p3_stores)
{
    char *dir = test_tmpdir("store-foreign");
    char *other = xasprintf("%s/other.db", dir), *text = xasprintf("%s/text.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(other, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    test_write_text(text, "this is not a database, just text long enough to have a header.....");
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_open(other, STORE_CREATE, &db, diags), STATUS_FAILURE);
    char *msg = first_message(diags);
    char *want = xasprintf("%s: error: not a p3 store", other);
    ck_assert_str_eq(msg, want);
    free(msg), free(want);
    diag_list_clear(diags);
    ck_assert_int_eq(store_open(text, STORE_WRITE, &db, diags), STATUS_FAILURE);
    msg = first_message(diags);
    ck_assert_ptr_nonnull(strstr(msg, "file is not a database"));
    free(msg);
    diag_list_free(diags);
    free(other), free(text), free(dir);
}
END_TEST

START_TEST(test_store_read_only_open_does_not_create_a_store)
{
    char *dir = test_tmpdir("store-ro");
    char *path = xasprintf("%s/missing.db", dir);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(path, STORE_READ_ONLY, &db, diags), STATUS_FAILURE);
    ck_assert_int_ne(access(path, F_OK), 0);
    char *msg = first_message(diags);
    char *want = xasprintf("%s: error: cannot open store: No such file or directory "
                           "(p3 ingest creates one)",
                           path);
    ck_assert_str_eq(msg, want);
    free(msg), free(want);
    diag_list_free(diags);
    free(path), free(dir);
}
END_TEST

START_TEST(test_store_from_an_older_p3_is_migrated_keeping_its_data)
{
    /* A store as the first schema version made it, with a run in it. */
    char *dir = test_tmpdir("store-old");
    char *path = xasprintf("%s/p3.db", dir);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(schema_scripts[0].version, 1);
    ck_assert_int_eq(sqlite3_exec(db, schema_scripts[0].sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "PRAGMA user_version = 1; PRAGMA application_id = 1345537090;"
                                  "INSERT INTO run (name, title) VALUES ('old', 'Old run')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    diag_list *diags = diag_list_new();
    /* Read-only leaves it at version 1... */
    ck_assert_int_eq(store_open(path, STORE_READ_ONLY, &db, diags), STATUS_OK);
    ck_assert_int_eq(store_version(db), 1);
    store_close(db);
    /* ...writing brings it up to date, and the run is still there. */
    ck_assert_int_eq(store_open(path, STORE_WRITE, &db, diags), STATUS_OK);
    ck_assert_int_eq(store_version(db), store_schema_version());
    sqlite3_stmt *stmt;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT title FROM run WHERE name = 'old'", -1, &stmt,
                                        NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 0), "Old run");
    sqlite3_finalize(stmt);
    /* And the tables of later versions exist. */
    ck_assert_int_eq(sqlite3_exec(db, "SELECT count(*) FROM counter_file", NULL, NULL, NULL),
                     SQLITE_OK);
    store_close(db);
    diag_list_free(diags);
    free(path), free(dir);
}
END_TEST

/* ---- Many processes at once ---------------------------------------------- */

/* How many processes open one store at once in the concurrency tests. */
#define RACERS 8

/* Waits for a child; its exit status, or -1 when it did not exit. */
static int wait_child(pid_t pid)
{
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

/* Reads what is left in fd into a string (caller frees). */
static char *read_all(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
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

/* Starts RACERS processes that wait on one pipe and then all open path in
 * mode at the same moment. Returns how many failed (or opened a store not
 * at the current version); their diagnostics go to *messages (caller
 * frees). */
static int open_at_once(const char *path, store_mode mode, char **messages)
{
    int start[2], report[2];
    ck_assert_int_eq(pipe(start), 0);
    ck_assert_int_eq(pipe(report), 0);
    pid_t pids[RACERS];
    fflush(NULL);
    for (int i = 0; i < RACERS; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(start[1]);
            close(report[0]);
            char go;
            while (read(start[0], &go, 1) < 0 && errno == EINTR)
                ;
            diag_list *diags = diag_list_new();
            sqlite3 *db;
            int status = store_open(path, mode, &db, diags);
            if (status == STATUS_OK && store_version(db) != store_schema_version())
                diag_add(diags, DIAG_ERROR, path, 0, 0, "opened at version %d", store_version(db));
            char *text = test_diag_text(diags, NULL);
            /* One short write is atomic on a pipe, so reports do not mix. */
            if (write(report[1], text, strlen(text)) < 0)
                _exit(3);
            _exit(diag_list_count(diags) ? 1 : 0);
        }
    }
    close(start[0]);
    close(report[1]);
    close(start[1]); /* every racer's read returns now */
    int failed = 0;
    for (int i = 0; i < RACERS; i++)
        failed += pids[i] < 0 || wait_child(pids[i]) != 0;
    *messages = read_all(report[0]);
    close(report[0]);
    return failed;
}

START_TEST(test_store_created_by_many_processes_at_once_opens_in_each)
{
    char *dir = test_tmpdir("store-race-new");
    char *path = xasprintf("%s/p3.db", dir);
    char *messages;
    int failed = open_at_once(path, STORE_CREATE, &messages);
    ck_assert_msg(failed == 0, "%d of %d failed:\n%s", failed, RACERS, messages);
    ck_assert_int_eq(test_query_int_at(path, "PRAGMA user_version"), store_schema_version());
    free(messages), free(path), free(dir);
}
END_TEST

/* Writes a store as p3 wrote it at schema version 1: the first script only. */
static void write_version_1_store(const char *path)
{
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(schema_scripts[0].version, 1);
    ck_assert_int_eq(sqlite3_exec(db, schema_scripts[0].sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "PRAGMA user_version = 1; PRAGMA application_id = 1345537090;"
                                  "INSERT INTO run (name, title) VALUES ('old', 'Old run')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

START_TEST(test_store_migrated_by_many_processes_at_once_opens_in_each)
{
    char *dir = test_tmpdir("store-race-old");
    char *path = xasprintf("%s/p3.db", dir);
    write_version_1_store(path);
    char *messages;
    int failed = open_at_once(path, STORE_WRITE, &messages);
    ck_assert_msg(failed == 0, "%d of %d failed:\n%s", failed, RACERS, messages);
    ck_assert_int_eq(test_query_int_at(path, "PRAGMA user_version"), store_schema_version());
    ck_assert_int_eq(test_query_int_at(path, "SELECT count(*) FROM run WHERE name = 'old'"), 1);
    free(messages), free(path), free(dir);
}
END_TEST

/* ---- Another process holding the store ---------------------------------- */

/* A child process that holds the store in an exclusive transaction, as
 * another program writing to it would. */
typedef struct holder {
    pid_t pid;   /* the child */
    int release; /* closing it ends the hold early */
} holder;

/* Starts a holder of the store at path and returns once it holds it; it
 * lets go after hold_ms, or sooner when released. */
static holder hold_store(const char *path, int hold_ms)
{
    int ready[2], release[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(release), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(ready[0]);
        close(release[1]);
        sqlite3 *db;
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (x)", NULL, NULL,
                         NULL) != SQLITE_OK)
            _exit(1);
        if (write(ready[1], "h", 1) != 1)
            _exit(2);
        struct pollfd p = {.fd = release[0], .events = POLLIN};
        while (poll(&p, 1, hold_ms) < 0 && errno == EINTR)
            ;
        _exit(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 3);
    }
    close(ready[1]);
    close(release[0]);
    char byte = 0;
    ssize_t got;
    while ((got = read(ready[0], &byte, 1)) < 0 && errno == EINTR)
        ;
    close(ready[0]);
    ck_assert_msg(got == 1, "the holder could not take the store");
    return (holder){pid, release[1]};
}

/* Ends the hold (if still on) and returns the holder's exit status. */
static int release_store(holder h)
{
    close(h.release);
    return wait_child(h.pid);
}

/* Creates a current store at path. */
static void create_store(const char *path)
{
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    int status = store_open(path, STORE_CREATE, &db, diags);
    test_assert_ok("store_open", path, status, diags);
    store_close(db);
    diag_list_free(diags);
}

/* What on_busy was told. */
typedef struct busy_log {
    int calls;          /* how many times it was called */
    long max_waited_ms; /* the longest wait it was told of */
    long limit_ms;      /* the limit it was told of, last time */
    char path[PATH_MAX]; /* the path it was told of, last time */
} busy_log;

static void note_busy(void *ctx, const char *path, long waited_ms, long limit_ms)
{
    busy_log *log = ctx;
    log->calls++;
    if (waited_ms > log->max_waited_ms)
        log->max_waited_ms = waited_ms;
    log->limit_ms = limit_ms;
    snprintf(log->path, sizeof log->path, "%s", path);
}

START_TEST(test_store_waits_for_another_process_and_says_how_long)
{
    char *dir = test_tmpdir("store-wait");
    char *path = xasprintf("%s/p3.db", dir);
    create_store(path);
    holder h = hold_store(path, 2500);
    busy_log log = {0};
    store_options opts = {.busy_limit_ms = 60000, .on_busy = note_busy, .busy_ctx = &log};
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    int status = store_open_opt(path, STORE_WRITE, &opts, &db, diags);
    test_assert_ok("store_open_opt", path, status, diags);
    ck_assert_int_eq(release_store(h), 0);
    /* It waited for the holder (which made its table meanwhile), telling
     * on_busy once a second. */
    ck_assert_int_eq(test_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'holder'"),
                     1);
    ck_assert_msg(log.calls >= 1 && log.max_waited_ms >= 1000 && log.limit_ms == 60000 &&
                      strcmp(log.path, path) == 0,
                  "on_busy: %d calls, longest %ld ms, limit %ld ms, path '%s'", log.calls,
                  log.max_waited_ms, log.limit_ms, log.path);
    store_close(db);
    diag_list_free(diags);
    free(path), free(dir);
}
END_TEST

START_TEST(test_store_busy_past_the_limit_names_the_cause)
{
    char *dir = test_tmpdir("store-busy");
    char *path = xasprintf("%s/p3.db", dir);
    create_store(path);
    store_options opts = {.busy_limit_ms = 1000};
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    /* Held while opening... */
    holder h = hold_store(path, 20000);
    ck_assert_int_eq(store_open_opt(path, STORE_WRITE, &opts, &db, diags), STATUS_FAILURE);
    ck_assert_int_eq(release_store(h), 0);
    char *msg = first_message(diags);
    char *want = xasprintf("%s: error: the store is busy: another p3 (or program) has held it "
                           "for 1 s; try again when it ends",
                           path);
    ck_assert_str_eq(msg, want);
    free(msg);
    diag_list_clear(diags);
    /* ...and while writing to an open store. */
    ck_assert_int_eq(store_open_opt(path, STORE_WRITE, &opts, &db, diags), STATUS_OK);
    h = hold_store(path, 20000);
    ck_assert_int_eq(store_exec(db, "BEGIN IMMEDIATE", diags), STATUS_FAILURE);
    ck_assert_int_eq(release_store(h), 0);
    msg = first_message(diags);
    const char *tail = strstr(want, ": error: ");
    ck_assert_msg(strstr(msg, tail) != NULL, "'%s' does not end with '%s'", msg, tail);
    store_close(db);
    free(msg), free(want);
    diag_list_free(diags);
    free(path), free(dir);
}
END_TEST

/* Runs p3 with stderr on a terminal (a pseudo-terminal) and stdout to
 * /dev/null; returns its exit status and what the terminal showed in *shown
 * (caller frees). */
static int p3_on_terminal(const char *const *args, char **shown)
{
    const char *bin = getenv("P3_BIN");
    ck_assert_msg(bin && *bin, "P3_BIN is not set: run the tests with 'make check'");
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(slave, 0);
    size_t argc = 0;
    while (args[argc])
        argc++;
    char **argv = xcalloc(argc + 2, sizeof *argv);
    argv[0] = (char *)bin;
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = (char *)args[i];
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        close(master);
        if (null < 0 || dup2(null, 1) < 0 || dup2(slave, 2) < 0)
            _exit(127);
        execv(bin, argv);
        _exit(127);
    }
    free(argv);
    close(slave);
    /* Read while it runs; the read fails (EIO) once p3 has closed the
     * terminal. */
    *shown = read_all(master);
    close(master);
    return wait_child(pid);
}

START_TEST(test_p3_waits_for_a_busy_store_showing_it_on_a_terminal)
{
    char *dir = test_tmpdir("store-wait-cli");
    char *path = xasprintf("%s/p3.db", dir);
    char *run = test_source_path("samples/lab/guest-msvs");
    create_store(path);
    holder h = hold_store(path, 2500);
    const char *args[] = {"ingest", "--db", path, run, NULL};
    char *shown;
    int status = p3_on_terminal(args, &shown);
    ck_assert_int_eq(release_store(h), 0);
    ck_assert_msg(status == 0 && strstr(shown, "the store is busy for 1 s") != NULL,
                  "p3 exited %d, showing:\n%.2000s", status, shown);
    ck_assert_int_eq(test_query_int_at(path, "SELECT count(*) FROM run"), 1);
    free(shown), free(run), free(path), free(dir);
}
END_TEST

/* ---- Saying why a store cannot be used ----------------------------------- */

START_TEST(test_store_path_that_is_a_folder_is_named_as_one)
{
    char *dir = test_tmpdir("store-folder");
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    int failed = 0;
    const store_mode modes[] = {STORE_CREATE, STORE_WRITE, STORE_READ_ONLY};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        failed += store_open(dir, modes[i], &db, diags) == STATUS_FAILURE;
    char *text = test_diag_text(diags, NULL);
    char *want = xasprintf("%s: error: is a folder, not a store file\n"
                           "%s: error: is a folder, not a store file\n"
                           "%s: error: is a folder, not a store file\n",
                           dir, dir, dir);
    ck_assert_int_eq(failed, 3);
    ck_assert_str_eq(text, want);
    free(text), free(want);
    diag_list_free(diags);
    free(dir);
}
END_TEST

/* In a child process that cannot write folder nor file (as nobody when the
 * tests run as root, whom permissions do not stop), opens path for writing,
 * and writes to it through plain SQLite, reporting both with store_fail().
 * Returns the diagnostics as text (caller frees). */
static char *write_as_someone_else(const char *path)
{
    int report[2];
    ck_assert_int_eq(pipe(report), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(report[0]);
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
            _exit(2);
        diag_list *diags = diag_list_new();
        sqlite3 *db;
        store_open(path, STORE_WRITE, &db, diags);
        if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
            sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL) != SQLITE_OK)
            store_fail(db, diags, "cannot update the store");
        sqlite3_close(db);
        char *text = test_diag_text(diags, NULL);
        if (write(report[1], text, strlen(text)) < 0)
            _exit(3);
        _exit(0);
    }
    close(report[1]);
    char *text = read_all(report[0]);
    close(report[0]);
    ck_assert_int_eq(wait_child(pid), 0);
    return text;
}

START_TEST(test_store_in_a_folder_that_cannot_be_written_names_the_folder)
{
    char *dir = test_tmpdir("store-rofolder");
    char *folder = xasprintf("%s/ro", dir), *path = xasprintf("%s/p3.db", folder);
    ck_assert_int_eq(chmod(dir, 0755), 0);
    ck_assert_int_eq(mkdir(folder, 0755), 0);
    create_store(path);
    /* The store can be written; its folder (root's, or read-only) cannot. */
    ck_assert_int_eq(chmod(path, 0666), 0);
    if (geteuid() != 0)
        ck_assert_int_eq(chmod(folder, 0555), 0);
    char *text = write_as_someone_else(path);
    chmod(folder, 0755);
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(folder, real));
    char *want = xasprintf("%s: error: cannot write the store: its folder %s is not writable "
                           "(SQLite keeps its journal beside it)\n"
                           "%s/p3.db: error: cannot write the store: its folder %s is not "
                           "writable (SQLite keeps its journal beside it)\n",
                           path, folder, real, real);
    ck_assert_str_eq(text, want);
    free(text), free(want), free(path), free(folder), free(dir);
}
END_TEST

START_TEST(test_store_file_that_cannot_be_written_is_named)
{
    char *dir = test_tmpdir("store-rofile");
    char *path = xasprintf("%s/p3.db", dir);
    ck_assert_int_eq(chmod(dir, 0777), 0);
    create_store(path);
    ck_assert_int_eq(chmod(path, 0444), 0);
    char *text = write_as_someone_else(path);
    chmod(dir, 0755);
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(path, real));
    char *want = xasprintf("%s: error: cannot write the store: the file is not writable "
                           "(Permission denied)\n"
                           "%s: error: cannot write the store: the file is not writable "
                           "(Permission denied)\n",
                           path, real);
    ck_assert_str_eq(text, want);
    free(text), free(want), free(path), free(dir);
}
END_TEST

/* Fills the store db by one more page than max_page_count allows (SQLite's
 * SQLITE_FULL, as from a full disk) and returns store_fail()'s message
 * (caller frees). */
static char *message_when_full(sqlite3 *db)
{
    long long pages = test_query_int(db, "PRAGMA page_count");
    char *sql = xasprintf("PRAGMA max_page_count = %lld; CREATE TABLE filler (x)", pages + 2);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    free(sql);
    diag_list *diags = diag_list_new();
    ck_assert_int_eq(store_exec(db, "INSERT INTO filler VALUES (zeroblob(100000))", diags),
                     STATUS_FAILURE);
    char *msg = first_message(diags);
    diag_list_free(diags);
    return msg;
}

/* Whether msg is head, a size such as "12.5 MiB", then tail. */
static bool is_with_size(const char *msg, const char *head, const char *tail)
{
    size_t h = strlen(head), t = strlen(tail), n = strlen(msg);
    if (n < h + t || strncmp(msg, head, h) != 0 || strcmp(msg + n - t, tail) != 0)
        return false;
    double size;
    char unit[4];
    int used;
    char *size_text = xstrndup(msg + h, n - h - t);
    bool ok = sscanf(size_text, "%lf %3s%n", &size, unit, &used) == 2 &&
              (size_t)used == strlen(size_text) &&
              (strcmp(unit, "KiB") == 0 || strcmp(unit, "MiB") == 0 || strcmp(unit, "GiB") == 0);
    free(size_text);
    return ok;
}

START_TEST(test_store_full_temporary_folder_names_tmpdir_and_its_room)
{
    /* A compared run folder's private store lives in the temporary folder. */
    char *dir = test_tmpdir("store-tmpfull");
    ck_assert_int_eq(setenv("TMPDIR", dir, 1), 0);
    ck_assert_int_eq(unsetenv("SQLITE_TMPDIR"), 0);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    int status = store_open("", STORE_CREATE, &db, diags);
    test_assert_ok("store_open", "(private)", status, diags);
    char *msg = message_when_full(db);
    char *head = xasprintf("%s: error: cannot update the store: the temporary folder is full (",
                           dir);
    const char *tail = " free); p3 compare ingests each run folder into a temporary store "
                       "there: set TMPDIR to a folder with more room";
    ck_assert_msg(is_with_size(msg, head, tail), "'%s'", msg);
    store_close(db);
    free(msg), free(head);
    diag_list_free(diags);
    free(dir);
}
END_TEST

START_TEST(test_store_full_disk_names_both_folders_and_their_room)
{
    char *dir = test_tmpdir("store-full");
    char *tmp = xasprintf("%s/tmp", dir), *path = xasprintf("%s/p3.db", dir);
    ck_assert_int_eq(mkdir(tmp, 0755), 0);
    ck_assert_int_eq(setenv("TMPDIR", tmp, 1), 0);
    ck_assert_int_eq(unsetenv("SQLITE_TMPDIR"), 0);
    create_store(path);
    diag_list *diags = diag_list_new();
    sqlite3 *db;
    ck_assert_int_eq(store_open(path, STORE_WRITE, &db, diags), STATUS_OK);
    char *msg = message_when_full(db);
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(dir, real));
    /* "...: no room left: its folder D has 1.2 GiB free, the temporary
     * folder T (TMPDIR) has 1.2 GiB free" */
    char *head = xasprintf("%s/p3.db: error: cannot update the store: no room left: its folder %s "
                           "has ",
                           real, real);
    char *middle = xasprintf(" free, the temporary folder %s (TMPDIR) has ", tmp);
    char *split = strstr(msg, middle);
    ck_assert_msg(split != NULL, "'%s'", msg);
    char *first = xstrndup(msg, (size_t)(split - msg) + strlen(" free"));
    bool ok = is_with_size(first, head, " free") &&
              is_with_size(split + strlen(middle) - strlen(" has "), " has ", " free");
    ck_assert_msg(ok, "'%s'", msg);
    store_close(db);
    free(first), free(msg), free(head), free(middle);
    diag_list_free(diags);
    free(path), free(tmp), free(dir);
}
END_TEST

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_store_is_created_at_the_current_version);
    tcase_add_test(tc, test_store_from_a_newer_p3_is_refused_naming_both_versions);
    tcase_add_test(tc, test_store_refuses_files_that_are_not_p3_stores);
    tcase_add_test(tc, test_store_read_only_open_does_not_create_a_store);
    tcase_add_test(tc, test_store_from_an_older_p3_is_migrated_keeping_its_data);
    tcase_add_test(tc, test_store_path_that_is_a_folder_is_named_as_one);
    tcase_add_test(tc, test_store_in_a_folder_that_cannot_be_written_names_the_folder);
    tcase_add_test(tc, test_store_file_that_cannot_be_written_is_named);
    tcase_add_test(tc, test_store_full_temporary_folder_names_tmpdir_and_its_room);
    tcase_add_test(tc, test_store_full_disk_names_both_folders_and_their_room);
    suite_add_tcase(s, tc);
    /* Processes that race, wait and hold the store for seconds. */
    TCase *together = tcase_create("concurrency");
    tcase_set_timeout(together, 60);
    tcase_add_test(together, test_store_created_by_many_processes_at_once_opens_in_each);
    tcase_add_test(together, test_store_migrated_by_many_processes_at_once_opens_in_each);
    tcase_add_test(together, test_store_waits_for_another_process_and_says_how_long);
    tcase_add_test(together, test_store_busy_past_the_limit_names_the_cause);
    tcase_add_test(together, test_p3_waits_for_a_busy_store_showing_it_on_a_terminal);
    suite_add_tcase(s, together);
    return s;
}
