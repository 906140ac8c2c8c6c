#include "run_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "status.h"
#include "store.h"
#include "glob.h"
#include "text.h"
#include "xalloc.h"

const char *const run_record_default_levels[] = {"None", "Low", "Medium",
                                                 "Busy", "Maximum", "Overload"};
const size_t run_record_default_level_count = 6;

/* More levels than a chart can show apart. */
#define MAX_LEVELS 64

/* [run] keys that have a column of their own in `run`. */
static const char *const run_columns[] = {"title", "host", "guest", "platform", "notes"};

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

void run_record_clear(run_record *r)
{
    free_names(r->levels, r->level_count);
    memset(r, 0, sizeof *r);
}

int run_record_parse_levels(const char *value, const char *path, long line, long col,
                            char ***out, size_t *count, diag_list *diags)
{
    char **names = NULL;
    size_t n = 0;
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *name = p;
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        text_trim(&name, &len);
        const char *problem = len == 0 ? "an empty level name" : NULL;
        for (size_t i = 0; !problem && i < n; i++)
            if (text_equal_nocase(name, len, names[i]))
                problem = "a level named twice";
        if (!problem && n == MAX_LEVELS)
            problem = "more than 64 levels";
        if (problem) {
            diag_add(diags, DIAG_ERROR, path, line, col, "bad levels: %s", problem);
            free_names(names, n);
            return STATUS_BAD_INPUT;
        }
        names = xreallocarray(names, n + 1, sizeof *names);
        names[n++] = xstrndup(name, len);
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = names;
    *count = n;
    return STATUS_OK;
}

int64_t run_record_find(sqlite3 *db, const char *name)
{
    sqlite3_stmt *stmt = NULL;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db, "SELECT run_id FROM run WHERE name = ?", -1, &stmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            id = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return id;
}

char *run_record_folder(sqlite3 *db, const char *name)
{
    sqlite3_stmt *stmt = NULL;
    char *folder = NULL;
    if (sqlite3_prepare_v2(db, "SELECT folder FROM run WHERE name = ?", -1, &stmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
            folder = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return folder;
}

/* Runs one statement with text/NULL parameters (NULL entries bind NULL,
 * `count` of them) and an optional int64 first. */
static int exec_bound(sqlite3 *db, const char *sql, int64_t id, const char *const *texts,
                      int count, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, sql, &stmt, diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, id);
    for (int i = 0; i < count; i++)
        sqlite3_bind_text(stmt, i + 2, texts[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? STATUS_OK : store_fail(db, diags, "cannot update the store");
}

static int load_levels(sqlite3 *db, run_record *out, diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (store_prepare(db, "SELECT name FROM run_level WHERE run_id = ? ORDER BY level", &stmt,
                      diags))
        return STATUS_FAILURE;
    sqlite3_bind_int64(stmt, 1, out->run_id);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        out->levels = xreallocarray(out->levels, out->level_count + 1, sizeof *out->levels);
        out->levels[out->level_count++] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return STATUS_OK;
}

static int store_levels(sqlite3 *db, int64_t run_id, char *const *names, size_t count,
                        diag_list *diags)
{
    sqlite3_stmt *stmt;
    if (exec_bound(db, "DELETE FROM run_level WHERE run_id = ?", run_id, NULL, 0, diags) ||
        store_prepare(db, "INSERT INTO run_level (run_id, level, name) VALUES (?, ?, ?)", &stmt,
                      diags))
        return STATUS_FAILURE;
    int status = STATUS_OK;
    for (size_t i = 0; i < count && !status; i++) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)i);
        sqlite3_bind_text(stmt, 3, names[i], -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            status = store_fail(db, diags, "cannot store the run's levels");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
}

/* Whether the stored level names equal names (same order, same spelling). */
static bool same_levels(const run_record *stored, char *const *names, size_t count)
{
    if (stored->level_count != count)
        return false;
    for (size_t i = 0; i < count; i++)
        if (strcmp(stored->levels[i], names[i]) != 0)
            return false;
    return true;
}

static int64_t count_samples(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *stmt = NULL;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(samples), 0) FROM source_file WHERE run_id = ?",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return n;
}

static bool ini_already_stored(sqlite3 *db, int64_t run_id, const run_ini *ini)
{
    sqlite3_stmt *stmt = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM source_file WHERE run_id = ? AND sha256 = ?", -1,
                           &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_text(stmt, 2, ini->sha256, -1, SQLITE_STATIC);
        found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
}

/* The size the run's record of a run.ini at path (with other content than
 * this one's: it is not stored) gives, or -1 when the run holds none. */
static long long stored_ini_size(sqlite3 *db, int64_t run_id, const char *path)
{
    sqlite3_stmt *stmt = NULL;
    long long size = -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT size FROM source_file WHERE run_id = ? AND path = ? AND kind = "
                           "'run-ini' ORDER BY file_id DESC",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, run_id);
        sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            size = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return size;
}

/* Writes the [run] section's description and other keys, and records the
 * run.ini file in place of an earlier version of it. */
static int apply_ini(sqlite3 *db, int64_t run_id, const run_spec *spec, diag_list *diags)
{
    const run_ini *ini = spec->ini;
    long long before = stored_ini_size(db, run_id, spec->ini_path);
    if (before >= 0 && spec->changed == SOURCE_FILE_REFUSE) {
        source_file_note_refused(diags, spec->ini_path, before, ini->size);
        return STATUS_BAD_INPUT;
    }
    if (before >= 0) {
        const char *texts[] = {spec->ini_path};
        if (exec_bound(db,
                       "DELETE FROM source_file WHERE run_id = ?1 AND path = ?2 AND kind = "
                       "'run-ini'",
                       run_id, texts, 1, diags))
            return STATUS_FAILURE;
        source_file_note_replaced(diags, spec->ini_path, before, ini->size);
    }
    for (size_t i = 0; i < sizeof run_columns / sizeof *run_columns; i++) {
        const run_ini_entry *e = run_ini_get(ini, "run", run_columns[i]);
        if (!e)
            continue;
        char *sql = xasprintf("UPDATE run SET %s = ?2 WHERE run_id = ?1", run_columns[i]);
        const char *value = e->value;
        int status = exec_bound(db, sql, run_id, &value, 1, diags);
        free(sql);
        if (status)
            return status;
    }
    if (exec_bound(db, "DELETE FROM run_meta WHERE run_id = ?", run_id, NULL, 0, diags))
        return STATUS_FAILURE;
    for (size_t i = 0; i < ini->count; i++) {
        const run_ini_entry *e = &ini->entries[i];
        bool own_column = strcmp(e->key, "levels") == 0 && strcmp(e->section, "run") == 0;
        for (size_t c = 0; c < sizeof run_columns / sizeof *run_columns; c++)
            own_column |= strcmp(e->section, "run") == 0 && strcmp(e->key, run_columns[c]) == 0;
        if (own_column)
            continue;
        char *key = strcmp(e->section, "run") == 0 ? xstrdup(e->key)
                                                   : xasprintf("%s.%s", e->section, e->key);
        const char *texts[] = {key, e->value};
        int status = exec_bound(db, "INSERT INTO run_meta (run_id, key, value) VALUES (?, ?, ?)",
                                run_id, texts, 2, diags);
        free(key);
        if (status)
            return status;
    }
    char size[32], when[32];
    snprintf(size, sizeof size, "%lld", ini->size);
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    const char *texts[] = {spec->ini_path, size, ini->sha256, when};
    return exec_bound(db,
                      "INSERT INTO source_file (run_id, path, size, sha256, kind, ingested_at) "
                      "VALUES (?, ?, ?, ?, 'run-ini', ?)",
                      run_id, texts, 4, diags);
}

bool run_record_is_level_binding(const char *key)
{
    return strcmp(key, "cpu_thresholds") != 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Whether name matches one of the comma-separated globs of list. */
static bool matches_any(const char *list, const char *name)
{
    char *copy = xstrdup(list);
    bool hit = false;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !hit;
         tok = strtok_r(NULL, ",", &save)) {
        const char *g = tok;
        size_t len = strlen(g);
        text_trim(&g, &len);
        char *pattern = xstrndup(g, len);
        hit = len > 0 && glob_match(pattern, name);
        free(pattern);
    }
    free(copy);
    return hit;
}

/* The level a [levels] key names: keys cannot hold spaces, so `_` in a
 * key stands for one ("10_users" binds "10 users"). Caller frees. */
static char *binding_name(const char *key)
{
    char *name = xstrdup(key);
    for (char *p = name; *p; p++)
        if (*p == '_')
            *p = ' ';
    return name;
}

int run_record_file_level(const run_spec *spec, const run_record *r, const char *path)
{
    if (!spec || !spec->ini)
        return -1;
    const char *name = base_name(path);
    if (strcmp(name, "run.ini") == 0 || strcmp(name, "schedule.csv") == 0)
        return -1;
    for (size_t i = 0; i < spec->ini->count; i++) {
        const run_ini_entry *e = &spec->ini->entries[i];
        if (strcmp(e->section, "levels") != 0 || !run_record_is_level_binding(e->key) ||
            !matches_any(e->value, name))
            continue;
        char *wanted = binding_name(e->name);
        int found = -1;
        for (size_t l = 0; l < r->level_count && found < 0; l++)
            if (strcasecmp(r->levels[l], wanted) == 0)
                found = (int)l;
        free(wanted);
        if (found >= 0)
            return found;
    }
    return -1;
}

/* The level names of the [levels] bindings in file order, when run.ini
 * binds levels to files and its [run] section names none. */
static void binding_levels(const run_ini *ini, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    for (size_t i = 0; ini && i < ini->count; i++) {
        const run_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "levels") != 0 || !run_record_is_level_binding(e->key))
            continue;
        *names = xreallocarray(*names, *count + 1, sizeof **names);
        (*names)[(*count)++] = binding_name(e->name);
    }
}

int run_record_ensure(sqlite3 *db, const run_spec *spec, run_record *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    char **ini_levels = NULL;
    size_t ini_level_count = 0;
    const run_ini_entry *levels_entry = spec->ini ? run_ini_get(spec->ini, "run", "levels") : NULL;
    if (levels_entry && run_record_parse_levels(levels_entry->value, spec->ini_path,
                                                levels_entry->line, 1, &ini_levels,
                                                &ini_level_count, diags))
        return STATUS_BAD_INPUT;
    if (!levels_entry && spec->ini)
        binding_levels(spec->ini, &ini_levels, &ini_level_count);
    int status = STATUS_OK;
    out->run_id = run_record_find(db, spec->name);
    bool created = out->run_id == 0;
    if (created) {
        const char *texts[] = {spec->name, spec->name, spec->folder};
        if ((status = exec_bound(db, "INSERT INTO run (name, title, folder) VALUES (?2, ?3, ?4)",
                                 0, texts, 3, diags)))
            goto out;
        out->run_id = sqlite3_last_insert_rowid(db);
        if (ini_levels)
            status = store_levels(db, out->run_id, ini_levels, ini_level_count, diags);
        else
            status = store_levels(db, out->run_id, (char *const *)run_record_default_levels,
                                  run_record_default_level_count, diags);
        if (status)
            goto out;
    }
    if ((status = load_levels(db, out, diags)))
        goto out;
    if (!spec->ini || ini_already_stored(db, out->run_id, spec->ini))
        goto out;
    if (ini_levels && !same_levels(out, ini_levels, ini_level_count)) {
        if (count_samples(db, out->run_id) > 0) {
            diag_add(diags, DIAG_ERROR, spec->ini_path, levels_entry ? levels_entry->line : 0, 1,
                     "levels differ from those the store already holds samples of for run "
                     "'%s'; ingest into a new store or rename the run",
                     spec->name);
            status = STATUS_BAD_INPUT;
            goto out;
        }
        if ((status = store_levels(db, out->run_id, ini_levels, ini_level_count, diags)))
            goto out;
        free_names(out->levels, out->level_count);
        out->levels = NULL;
        out->level_count = 0;
        if ((status = load_levels(db, out, diags)))
            goto out;
    }
    status = apply_ini(db, out->run_id, spec, diags);
out:
    free_names(ini_levels, ini_level_count);
    if (status)
        run_record_clear(out);
    return status;
}
