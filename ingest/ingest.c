#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "counter_store.h"
#include "fio_reader.h"
#include "loadtest_ingest.h"
#include "pdh_reader.h"
#include "probe_reader.h"
#include "run_ini.h"
#include "run_options.h"
#include "run_record.h"
#include "schedule_ingest.h"
#include "status.h"
#include "store.h"
#include "sysstat_reader.h"
#include "virttop_reader.h"
#include "vmstat_reader.h"
#include "xalloc.h"

/* What a file holds, judged from its name and first bytes. */
typedef enum file_kind {
    FILE_UNKNOWN,  /* nothing p3 reads */
    FILE_RUN_INI,  /* a run's description */
    FILE_SCHEDULE, /* schedule.csv: when each level ran */
    FILE_PROBE,    /* a probe log */
    FILE_COUNTERS, /* a counter file of one of counter_formats */
    FILE_LOADTEST  /* a result file of a load-testing tool */
} file_kind;

/* Bytes read to recognise a format: enough for sysstat's header lines. */
#define SNIFF_BYTES 4096

/* The counter file formats, tried in this order on a file's first bytes
 * (and its name, for the formats whose content alone cannot say). */
static const struct counter_format {
    bool (*sniff)(const char *head, size_t len);
    bool (*sniff_path)(const char *path, const char *head, size_t len);
    counter_read_fn read;
} counter_formats[] = {
    {pdh_reader_sniff, NULL, pdh_reader_read},
    {sysstat_reader_sniff_sadf, NULL, sysstat_reader_read_sadf},
    {sysstat_reader_sniff_pidstat, NULL, sysstat_reader_read_pidstat},
    {virttop_reader_sniff, NULL, virttop_reader_read},
    {NULL, fio_reader_sniff_counters, fio_reader_read_counters},
    {vmstat_reader_sniff, NULL, vmstat_reader_read},
};
#define COUNTER_FORMATS (sizeof counter_formats / sizeof *counter_formats)

typedef struct walk {
    sqlite3 *db;
    counter_options command_line; /* options given on the command line */
    load_options load_command_line; /* the same for load-test results */
    source_file_changed changed;  /* --changed */
    ingest_run_name run_name;     /* --run-name */
    ingest_file_fn on_file;
    void *ctx;
    ingest_totals *totals;
    diag_list *diags;
    int status;
    struct visited {
        dev_t dev;
        ino_t ino;
    } *visited;                   /* folders of the run being read, so a link
                                     back to one of them is not followed */
    size_t visited_count;
} walk;

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The first bytes of path into head (SNIFF_BYTES), decompressed when the
 * file is gzip; -1 when it cannot be read. */
static ssize_t read_head(const char *path, char *head)
{
    gzFile gz = gzopen(path, "rb"); /* reads plain files as they are */
    if (!gz)
        return -1;
    int n = gzread(gz, head, SNIFF_BYTES);
    gzclose(gz);
    return n;
}

/* What path holds; for counter files *format receives which format, for
 * load-test results *load. */
static file_kind classify(const char *path, const struct counter_format **format,
                          const load_format **load)
{
    *format = NULL;
    *load = NULL;
    if (strcmp(base_name(path), "run.ini") == 0)
        return FILE_RUN_INI;
    if (schedule_ingest_is_schedule(path))
        return FILE_SCHEDULE;
    if (has_suffix(path, ".probe"))
        return FILE_PROBE; /* read as one even if damaged, so damage is reported */
    char *head = xmalloc(SNIFF_BYTES);
    ssize_t n = read_head(path, head);
    file_kind kind = FILE_UNKNOWN;
    if (n > 0 && probe_reader_sniff(head, (size_t)n))
        kind = FILE_PROBE;
    for (size_t i = 0; n > 0 && kind == FILE_UNKNOWN && i < COUNTER_FORMATS; i++)
        if (counter_formats[i].sniff ? counter_formats[i].sniff(head, (size_t)n)
                                     : counter_formats[i].sniff_path(path, head, (size_t)n)) {
            *format = &counter_formats[i];
            kind = FILE_COUNTERS;
        }
    if (n > 0 && kind == FILE_UNKNOWN && (*load = loadtest_sniff(path, head, (size_t)n)))
        kind = FILE_LOADTEST;
    free(head);
    return kind;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", (int)n, dir, name);
}

/* The name a folder gives its run: its last path component, resolved for
 * "." and "..". Caller frees. */
static char *folder_name(const char *dir)
{
    char resolved[PATH_MAX];
    const char *use = realpath(dir, resolved) ? resolved : dir;
    char *copy = xstrdup(use);
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    char *name = xstrdup(base_name(copy));
    free(copy);
    return name;
}

/* The name of the run whose folder is dir: the folder's name, or with
 * --run-name lab the name of the folder above it first ("labA/run1").
 * Caller frees. */
static char *run_name_of(const walk *w, const char *dir)
{
    char *name = folder_name(dir);
    char resolved[PATH_MAX];
    if (w->run_name != INGEST_RUN_NAME_LAB || !realpath(dir, resolved))
        return name;
    char *slash = strrchr(resolved, '/');
    if (!slash || slash == resolved)
        return name; /* a folder at the root has no lab folder above it */
    *slash = '\0';
    char *full = xasprintf("%s/%s", base_name(resolved), name);
    free(name);
    return full;
}

/* Whether two spellings of a folder lead to the same folder; true when
 * one cannot be reached (a store's folder given from elsewhere): then
 * nothing says they differ. */
static bool same_folder(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0 || stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return true;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Warns when the run called name was first ingested from another folder
 * than dir: their files and descriptions go into one run. The same folder
 * again is the same run, and nothing is said. */
static void check_run_folder(walk *w, const char *name, const char *dir)
{
    char *stored = run_record_folder(w->db, name);
    if (stored && !same_folder(stored, dir))
        diag_add(w->diags, DIAG_WARNING, dir, 0, 0,
                 "run '%s' is in two folders: %s and %s; their files are stored as one run; %s",
                 name, stored, dir,
                 w->run_name == INGEST_RUN_NAME_LAB ? "rename one of them to keep them apart"
                                                    : "use --run-name lab to keep them apart");
    free(stored);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of dir, sorted, without hidden ones (names that start with
 * '.', such as ".git" or "..."); with note_hidden, each hidden one left out
 * gets a note, so that no folder is skipped without a word. *count set.
 * Caller frees each and the array. NULL (with a diagnostic) if dir cannot
 * be read. */
static char **list_dir(const char *dir, size_t *count, bool note_hidden, diag_list *diags)
{
    DIR *d = opendir(dir);
    *count = 0;
    if (!d) {
        diag_add(diags, DIAG_ERROR, dir, 0, 0, "cannot read folder: %s", strerror(errno));
        return NULL;
    }
    char **names = NULL, **hidden = NULL;
    size_t hidden_count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') {
            bool self_or_parent = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
            if (note_hidden && !self_or_parent) {
                hidden = xreallocarray(hidden, hidden_count + 1, sizeof *hidden);
                hidden[hidden_count++] = xstrdup(e->d_name);
            }
            continue;
        }
        names = xreallocarray(names, *count + 1, sizeof *names);
        names[(*count)++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (*count)
        qsort(names, *count, sizeof *names, compare_names);
    /* The notes in name order, as the files are read: the same every run. */
    if (hidden_count)
        qsort(hidden, hidden_count, sizeof *hidden, compare_names);
    for (size_t i = 0; i < hidden_count; i++) {
        char *path = join(dir, hidden[i]);
        diag_add(diags, DIAG_NOTE, path, 0, 0, "skipped: a hidden name (it starts with '.')");
        free(path);
        free(hidden[i]);
    }
    free(hidden);
    return names;
}

static void free_list(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void report(walk *w, const char *path, const ingest_file_result *r)
{
    switch (r->outcome) {
    case INGEST_STORED:
        w->totals->stored++;
        w->totals->replaced += r->replaced;
        w->totals->samples += r->samples;
        break;
    case INGEST_DUPLICATE:
        w->totals->duplicates++;
        break;
    case INGEST_REJECTED:
        w->totals->rejected++;
        w->status = status_worst(w->status, STATUS_BAD_INPUT);
        break;
    case INGEST_IGNORED:
        w->totals->ignored++;
        break;
    case INGEST_FAILED:
        w->status = STATUS_FAILURE;
        break;
    }
    if (w->on_file)
        w->on_file(w->ctx, path, r, w->diags);
}

static void ingest_file(walk *w, const run_spec *spec, const counter_options *options,
                        const char *fallback, const char *path, bool named)
{
    ingest_file_result r = {.outcome = INGEST_IGNORED};
    const struct counter_format *format;
    const load_format *load;
    switch (classify(path, &format, &load)) {
    case FILE_LOADTEST: {
        load_options lo = loadtest_options_merge(&w->load_command_line, spec->ini);
        lo.has_tz = options->has_tz;
        lo.tz_minutes = options->tz_minutes;
        loadtest_ingest_file(w->db, spec, fallback, path, load, &lo, &r, w->diags);
        break;
    }
    case FILE_PROBE:
        probe_ingest_file(w->db, spec, fallback, path, &r, w->diags);
        break;
    case FILE_COUNTERS:
        counter_store_file(w->db, spec, fallback, path, format->read, options, &r, w->diags);
        break;
    case FILE_SCHEDULE:
        schedule_ingest_file(w->db, spec, fallback, path, &r, w->diags);
        break;
    case FILE_RUN_INI:
        return; /* read with its folder */
    case FILE_UNKNOWN:
        if (has_suffix(path, ".blg") || has_suffix(path, ".BLG")) {
            /* Binary perfmon logs: the user can convert them. */
            diag_add(w->diags, named ? DIAG_ERROR : DIAG_NOTE, path, 0, 0,
                     "binary perfmon logs are not read: convert with 'relog FILE.blg -f csv "
                     "-o FILE.csv'");
            r.outcome = named ? INGEST_REJECTED : INGEST_IGNORED;
        } else if (named) {
            diag_add(w->diags, DIAG_ERROR, path, 0, 0,
                     "not a format p3 reads (probe logs, JMeter JTL, k6 CSV, Gatling "
                     "simulation.log, HdrHistogram .hlog, fio logs, Locust stats history, "
                     "perfmon and esxtop CSV, sadf -d, pidstat -h, virt-top --csv, vmstat -t)");
            r.outcome = INGEST_REJECTED;
        } else {
            diag_add(w->diags, DIAG_NOTE, path, 0, 0, "skipped: not a format p3 reads");
        }
        break;
    }
    report(w, path, &r);
    ingest_file_result_clear(&r);
}

/* Records a folder as read; false when it was read before (a link loop). */
static bool first_visit(walk *w, const struct stat *st)
{
    for (size_t i = 0; i < w->visited_count; i++)
        if (w->visited[i].dev == st->st_dev && w->visited[i].ino == st->st_ino)
            return false;
    w->visited = xreallocarray(w->visited, w->visited_count + 1, sizeof *w->visited);
    w->visited[w->visited_count++] = (struct visited){st->st_dev, st->st_ino};
    return true;
}

/* Every file under dir, recursively (sub-folders such as host/ and guest/
 * belong to the run), in name order. */
static void ingest_tree(walk *w, const run_spec *spec, const counter_options *options,
                        const char *dir)
{
    size_t count;
    char **names = list_dir(dir, &count, true, w->diags);
    if (!names && diag_list_errors(w->diags)) {
        w->status = status_worst(w->status, STATUS_BAD_INPUT);
        return;
    }
    for (size_t i = 0; i < count && w->status != STATUS_FAILURE; i++) {
        char *path = join(dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            diag_add(w->diags, DIAG_NOTE, path, 0, 0, "skipped: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (first_visit(w, &st))
                ingest_tree(w, spec, options, path);
            else
                diag_add(w->diags, DIAG_NOTE, path, 0, 0,
                         "skipped: a link to a folder already read (a loop)");
        } else if (!S_ISREG(st.st_mode)) {
            /* A FIFO or device would block the read or never end. */
            diag_add(w->diags, DIAG_NOTE, path, 0, 0, "skipped: not a regular file");
        } else {
            ingest_file(w, spec, options, NULL, path, false);
        }
        free(path);
    }
    free_list(names, count);
}

/* Reads dir/run.ini if there is one, and the options that apply to the
 * run (*options: the command line's, completed from run.ini); false after
 * reporting a broken run.ini. */
static bool read_ini(walk *w, const char *dir, run_ini **ini, char **ini_path,
                     counter_options *options)
{
    *ini = NULL;
    *ini_path = join(dir, "run.ini");
    *options = w->command_line;
    if (access(*ini_path, F_OK) != 0)
        return true;
    int status = run_ini_read(*ini_path, ini, w->diags);
    counter_options from_ini;
    if (status == STATUS_OK) {
        int read_status = run_options_from_ini(*ini, *ini_path, &from_ini, w->diags);
        int check_status = run_options_check_settings(*ini, *ini_path, w->diags);
        status = status_worst(read_status, check_status);
    }
    if (status != STATUS_OK && *ini) {
        run_ini_free(*ini);
        *ini = NULL;
    }
    if (status == STATUS_OK) {
        *options = run_options_merge(&w->command_line, &from_ini);
        return true;
    }
    ingest_file_result r = {.outcome = status == STATUS_FAILURE ? INGEST_FAILED : INGEST_REJECTED};
    diag_add(w->diags, DIAG_NOTE, dir, 0, 0, "run not ingested: its run.ini has errors");
    report(w, *ini_path, &r);
    return false;
}

/* Creates or updates the run of spec on its own, so that a run folder's
 * description is stored even before (or without) any data file. */
static bool ensure_run(walk *w, const run_spec *spec)
{
    run_record run;
    if (store_exec(w->db, "BEGIN IMMEDIATE", w->diags)) {
        w->status = STATUS_FAILURE;
        return false;
    }
    int status = run_record_ensure(w->db, spec, &run, w->diags);
    run_record_clear(&run);
    if (status || store_exec(w->db, "COMMIT", w->diags)) {
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        w->status = status_worst(w->status, status ? status : STATUS_FAILURE);
        if (spec->ini_path && status == STATUS_BAD_INPUT) {
            ingest_file_result r = {.outcome = INGEST_REJECTED};
            report(w, spec->ini_path, &r);
        }
        return false;
    }
    return true;
}

static void ingest_run_folder(walk *w, const char *dir)
{
    run_ini *ini;
    char *ini_path;
    counter_options options;
    char *name = run_name_of(w, dir);
    if (read_ini(w, dir, &ini, &ini_path, &options)) {
        run_spec spec = {.name = name,
                         .folder = dir,
                         .ini = ini,
                         .ini_path = ini_path,
                         .changed = w->changed};
        struct stat st;
        w->visited_count = 0;
        if (stat(dir, &st) == 0)
            first_visit(w, &st);
        check_run_folder(w, name, dir);
        if (ensure_run(w, &spec))
            ingest_tree(w, &spec, &options, dir);
    }
    run_ini_free(ini);
    free(ini_path);
    free(name);
}

/* A run folder holds a run.ini or a file p3 reads; a lab folder holds run
 * folders. */
static bool looks_like_run(const char *dir, diag_list *diags)
{
    size_t count;
    char **names = list_dir(dir, &count, false, diags);
    bool run = false;
    for (size_t i = 0; i < count && !run; i++) {
        char *path = join(dir, names[i]);
        const struct counter_format *format;
        const load_format *load;
        run = is_regular(path) && classify(path, &format, &load) != FILE_UNKNOWN;
        free(path);
    }
    free_list(names, count);
    return run;
}

static void ingest_lab(walk *w, const char *dir)
{
    size_t count;
    char **names = list_dir(dir, &count, true, w->diags);
    size_t runs = 0;
    for (size_t i = 0; i < count && w->status != STATUS_FAILURE; i++) {
        char *path = join(dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            /* Listed, then gone (deleted or renamed while ingest ran). */
            diag_add(w->diags, DIAG_NOTE, path, 0, 0, "skipped: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (looks_like_run(path, w->diags)) {
                ingest_run_folder(w, path);
                runs++;
            } else {
                diag_add(w->diags, DIAG_NOTE, path, 0, 0, "skipped: no run data in this folder");
            }
        }
        free(path);
    }
    free_list(names, count);
    if (runs == 0 && w->status != STATUS_FAILURE) {
        diag_add(w->diags, DIAG_ERROR, dir, 0, 0,
                 "no runs found: expected probe logs, or folders of them, one per run");
        w->status = status_worst(w->status, STATUS_BAD_INPUT);
    }
}

/* A file named on its own: it belongs to the run of its folder when that
 * folder has a run.ini, else to its `# run:` or its folder's name. */
static void ingest_lone_file(walk *w, const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    char *name = run_name_of(w, dir);
    run_ini *ini;
    char *ini_path;
    counter_options options;
    if (read_ini(w, dir, &ini, &ini_path, &options)) {
        run_spec spec = {.name = ini ? name : NULL,
                         .folder = ini ? dir : NULL,
                         .ini = ini,
                         .ini_path = ini_path,
                         .changed = w->changed};
        if (ini)
            check_run_folder(w, name, dir);
        if (!ini || ensure_run(w, &spec))
            ingest_file(w, &spec, &options, name, path, true);
    }
    run_ini_free(ini);
    free(ini_path);
    free(name);
    free(dir);
}

int ingest_paths(sqlite3 *db, const char *const *paths, size_t count, const ingest_options *opts,
                 ingest_file_fn on_file, void *ctx, ingest_totals *totals, diag_list *diags)
{
    memset(totals, 0, sizeof *totals);
    walk w = {.db = db, .on_file = on_file, .ctx = ctx, .totals = totals, .diags = diags};
    if (opts) {
        w.command_line = opts->counters;
        w.load_command_line = opts->load;
        w.changed = opts->changed;
        w.run_name = opts->run_name;
    }
    for (size_t i = 0; i < count && w.status != STATUS_FAILURE; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            diag_add(diags, DIAG_ERROR, paths[i], 0, 0, "cannot read: %s", strerror(errno));
            w.status = status_worst(w.status, STATUS_BAD_INPUT);
        } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
            diag_add(diags, DIAG_ERROR, paths[i], 0, 0,
                     "not a regular file (a pipe or device): p3 reads files and folders");
            w.status = status_worst(w.status, STATUS_BAD_INPUT);
        } else if (!S_ISDIR(st.st_mode)) {
            ingest_lone_file(&w, paths[i]);
        } else if (looks_like_run(paths[i], diags)) {
            ingest_run_folder(&w, paths[i]);
        } else {
            ingest_lab(&w, paths[i]);
        }
    }
    free(w.visited);
    return w.status;
}
