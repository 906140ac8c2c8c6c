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

void source_file_prior_clear(source_file_prior *prior)
{
    free(prior->file_ids);
    memset(prior, 0, sizeof *prior);
}

void source_file_note_replaced(diag_list *diags, const char *path, long long before,
                               long long now)
{
    diag_add(diags, DIAG_NOTE, path, 0, 0,
             "replaced: the file changed since it was ingested (%lld bytes, now %lld)", before,
             now);
}

void source_file_note_refused(diag_list *diags, const char *path, long long before, long long now)
{
    diag_add(diags, DIAG_ERROR, path, 0, 0,
             "the file changed since it was ingested (%lld bytes, now %lld): the store keeps its "
             "old content (--changed refuse)",
             before, now);
}

/* Adds to *prior the run's rows of path (data files; run.ini is the run
 * record's) whose bytes are not sha256_hex (NULL: none are). */
static int find_prior(sqlite3 *db, int64_t run_id, const char *path, const char *sha256_hex,
                      source_file_prior *prior, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db,
                      "SELECT file_id, size FROM source_file WHERE run_id = ?1 AND path = ?2 AND "
                      "kind <> 'run-ini' AND sha256 <> coalesce(?3, '') ORDER BY file_id",
                      &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, run_id);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, sha256_hex, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        prior->file_ids = xreallocarray(prior->file_ids, prior->count + 1, sizeof *prior->file_ids);
        prior->file_ids[prior->count++] = sqlite3_column_int64(stmt, 0);
        prior->size = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, "cannot read the stored files");
}

source_file_verdict source_file_admit(sqlite3 *db, const char *run_name, const char *path,
                                      source_file_changed policy, source_file_prior *prior,
                                      diag_list *diags)
{
    memset(prior, 0, sizeof *prior);
    int64_t run_id = run_record_find(db, run_name);
    struct stat st;
    if (!run_id || stat(path, &st) != 0)
        return SOURCE_FILE_NEW; /* a file that cannot be read is the reader's to report */
    long long size = (long long)st.st_size;
    /* Only a file of a size the run holds can be a copy: only then hash it. */
    char sha[65];
    char *copy = size_seen(db, run_id, size) && hash_file(path, sha)
                     ? source_file_with_digest(db, run_id, sha)
                     : NULL;
    source_file_verdict verdict = copy ? SOURCE_FILE_COPY : SOURCE_FILE_NEW;
    if (find_prior(db, run_id, path, copy ? sha : NULL, prior, diags)) {
        verdict = SOURCE_FILE_FAILED;
    } else if (prior->count == 0) {
        if (copy)
            source_file_note_copy(diags, path, copy);
    } else if (policy == SOURCE_FILE_REFUSE) {
        source_file_note_refused(diags, path, prior->size, size);
        verdict = SOURCE_FILE_REFUSED;
    } else if (copy) {
        /* The new bytes are stored under another path already: only the
         * old ones go. */
        if (store_exec(db, "BEGIN IMMEDIATE", diags)) {
            verdict = SOURCE_FILE_FAILED;
        } else if (source_file_remove(db, prior, diags) || store_exec(db, "COMMIT", diags)) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            verdict = SOURCE_FILE_FAILED;
        } else {
            source_file_note_replaced(diags, path, prior->size, size);
            source_file_note_copy(diags, path, copy);
        }
    }
    free(copy);
    if (verdict != SOURCE_FILE_NEW)
        source_file_prior_clear(prior); /* only a file to be read replaces rows */
    return verdict;
}

/* Runs sql with ?1 bound to file_id. */
static int delete_of_file(sqlite3 *db, const char *sql, int64_t file_id, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, sql, &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, file_id);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK
                             : store_fail(db, diags, "cannot remove the file's old content");
}

int source_file_remove(sqlite3 *db, const source_file_prior *prior, diag_list *diags)
{
    /* Every table that holds what a file put in, children before their
     * parents. Samples go by their sample_id range (the table has no index
     * on file_id, and a file's samples are consecutive). */
    static const char *const deletes[] = {
        "DELETE FROM sample WHERE sample_id BETWEEN (SELECT first_sample FROM source_file WHERE "
        "file_id = ?1) AND (SELECT last_sample FROM source_file WHERE file_id = ?1) AND file_id = "
        "?1",
        "DELETE FROM file_meta WHERE file_id = ?1",
        "DELETE FROM counter_chunk WHERE counter_id IN (SELECT counter_id FROM counter WHERE "
        "file_id = ?1)",
        "DELETE FROM counter WHERE file_id = ?1",
        "DELETE FROM counter_row WHERE file_id = ?1",
        "DELETE FROM counter_file WHERE file_id = ?1",
        "DELETE FROM schedule WHERE file_id = ?1",
        "DELETE FROM aggregate_quantile WHERE aggregate_id IN (SELECT aggregate_id FROM aggregate "
        "WHERE file_id = ?1)",
        "DELETE FROM aggregate WHERE file_id = ?1",
        "DELETE FROM source_file WHERE file_id = ?1",
    };
    int status = STATUS_OK;
    for (size_t i = 0; i < prior->count && !status; i++)
        for (size_t d = 0; d < sizeof deletes / sizeof *deletes && !status; d++)
            status = delete_of_file(db, deletes[d], prior->file_ids[i], diags);
    return status;
}

int source_file_verdict_status(source_file_verdict verdict, bool *copy)
{
    *copy = verdict == SOURCE_FILE_COPY;
    return verdict == SOURCE_FILE_REFUSED ? STATUS_BAD_INPUT
           : verdict == SOURCE_FILE_FAILED ? STATUS_FAILURE
                                           : STATUS_OK;
}
