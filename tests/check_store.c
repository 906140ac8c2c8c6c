/* The store: created at the current schema version, refused when newer or
 * not a p3 store, never written when opened read-only. */
#include <check.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
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

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_store_is_created_at_the_current_version);
    tcase_add_test(tc, test_store_from_a_newer_p3_is_refused_naming_both_versions);
    tcase_add_test(tc, test_store_refuses_files_that_are_not_p3_stores);
    tcase_add_test(tc, test_store_read_only_open_does_not_create_a_store);
    tcase_add_test(tc, test_store_from_an_older_p3_is_migrated_keeping_its_data);
    suite_add_tcase(s, tc);
    return s;
}
