#include "source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run_record.h"
#include "sha256.h"
#include "status.h"
#include "store.h"
#include "xalloc.h"

/* Bytes hashed per read when checking a possible copy. */
#define HASH_CHUNK (1 << 16)

char *source_file_with_digest(sqlite3 *db, int64_t run_id, const char *sha256_hex)
{
    sqlite3_stmt *stmt = NULL;
    char *path = NULL;
    if (sqlite3_prepare_v2(db, "SELECT path FROM source_file WHERE run_id = ? AND sha256 = ?", -1,
                           &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_text(stmt, 2, sha256_hex, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            path = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return path;
}

static bool size_seen(sqlite3 *db, int64_t run_id, long long size)
{
    sqlite3_stmt *stmt = NULL;
    bool seen = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM source_file WHERE run_id = ? AND size = ?", -1,
                           &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, size);
        seen = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return seen;
}

static bool hash_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    sha256 ctx;
    sha256_init(&ctx);
    char *buf = xmalloc(HASH_CHUNK);
    size_t n;
    while ((n = fread(buf, 1, HASH_CHUNK, f)) > 0)
        sha256_update(&ctx, buf, n);
    bool ok = !ferror(f);
    fclose(f);
    free(buf);
    sha256_final_hex(&ctx, hex);
    return ok;
}

char *source_file_find_copy(sqlite3 *db, const char *run_name, const char *path)
{
    int64_t run_id = run_record_find(db, run_name);
    struct stat st;
    if (!run_id || stat(path, &st) != 0 || !size_seen(db, run_id, (long long)st.st_size))
        return NULL;
    char sha[65];
    return hash_file(path, sha) ? source_file_with_digest(db, run_id, sha) : NULL;
}

int source_file_insert(sqlite3 *db, int64_t run_id, const char *path, const char *kind,
                       int64_t *file_id, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "INSERT INTO source_file (run_id, path, size, sha256, kind, ingested_at) "
                      "VALUES (?, ?, 0, '', ?, ?)",
                      &stmt, diags))
        return STATUS_FAILURE;
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, when, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return store_fail(db, diags, "cannot record the file");
    *file_id = sqlite3_last_insert_rowid(db);
    return STATUS_OK;
}

int source_file_complete(sqlite3 *db, int64_t file_id, const char *sha256_hex, long long size,
                         long long samples, int64_t first_sample, int64_t last_sample,
                         diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "UPDATE source_file SET sha256 = ?, size = ?, samples = ?, first_sample = ?, "
                      "last_sample = ? WHERE file_id = ?",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, sha256_hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, size);
    sqlite3_bind_int64(stmt, 3, samples);
    if (samples) {
        sqlite3_bind_int64(stmt, 4, first_sample);
        sqlite3_bind_int64(stmt, 5, last_sample);
    }
    sqlite3_bind_int64(stmt, 6, file_id);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, "cannot record the file");
}

void source_file_note_copy(diag_list *diags, const char *path, const char *copy)
{
    diag_add(diags, DIAG_NOTE, path, 0, 0, "already in the store as '%s'; skipped", copy);
}

int source_file_set_format(sqlite3 *db, int64_t file_id, const char *format, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "UPDATE source_file SET format = ? WHERE file_id = ?", &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_text(stmt, 1, format, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, file_id);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, "cannot record the file");
}

int source_file_digest(const char *path, char hex[65], long long *size, diag_list *diags)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return STATUS_BAD_INPUT;
    }
    sha256 ctx;
    sha256_init(&ctx);
    enum { CHUNK = 1 << 18 };
    char *buf = xmalloc(CHUNK);
    long long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
            free(buf);
            close(fd);
            return STATUS_BAD_INPUT;
        }
        sha256_update(&ctx, buf, (size_t)n);
        total += n;
    }
    free(buf);
    close(fd);
    sha256_final_hex(&ctx, hex);
    *size = total;
    return STATUS_OK;
}

bool source_file_already_stored(sqlite3 *db, const char *run_name, const char *path,
                                diag_list *diags)
{
    char *copy = source_file_find_copy(db, run_name, path);
    if (!copy)
        return false;
    source_file_note_copy(diags, path, copy);
    free(copy);
    return true;
}
