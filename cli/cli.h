/* The command layer: the one place that prints. Each subcommand is a
 * cmd_<name>() entry in main's command table; this header declares them and
 * the helpers they share (option parsing, printing diagnostics, progress). */
#ifndef P3_CLI_H
#define P3_CLI_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyze.h"
#include "diag.h"
#include "ingest.h"
#include "p3chart.h"
#include "render.h"
#include "store.h"

typedef struct cli_command cli_command;

/* One subcommand: its entry point and its help. */
struct cli_command {
    const char *name;    /* "ingest" */
    int (*run)(const cli_command *self, int argc, char **argv); /* argv[0] is the name */
    const char *usage;   /* "p3 ingest [--db FILE] PATH..." */
    const char *summary; /* one line for `p3 --help` */
    const char *help;    /* what `p3 help COMMAND` prints after the usage */
};

/* One option of a subcommand. */
typedef struct cli_option {
    const char *name;    /* long name without dashes: "db" for --db */
    char short_name;     /* 'o' for -o, or 0 */
    const char **value;  /* receives the option's value; NULL for a flag */
    bool *flag;          /* set true when the flag is given; NULL for a valued option */
} cli_option;

/* cli_parse() result meaning "help was printed: exit 0". */
#define CLI_HELP_SHOWN (-1)

/* Parses argv[1..argc) against opts (plus --help). Arguments that are not
 * options are collected into positional (borrowed from argv; *positional is
 * the caller's to free). "--" ends options. Returns STATUS_OK,
 * CLI_HELP_SHOWN, or STATUS_USAGE after printing what is wrong and the
 * usage line. */
int cli_parse(const cli_command *cmd, int argc, char **argv, const cli_option *opts,
              size_t opt_count, char ***positional, int *positional_count);

/* Prints "p3 CMD: error: MESSAGE" and the usage line; returns STATUS_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the command's usage and help to stdout. */
void cli_print_help(const cli_command *cmd);

/* Prints every diagnostic to stderr and clears the list. */
void cli_print_diags(diag_list *diags);

/* Everything p3 prints goes through text_escape_controls() (common/text.h),
 * so a file or run name cannot move the cursor, clear or recolour the
 * terminal. cli_printf() is printf to out with control characters other
 * than newlines escaped. */
void cli_printf(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text output captured from a render function, to be escaped as a whole:
 * cli_capture_open() gives the FILE to write to (never NULL), and
 * cli_capture_close() writes what it got to out, control characters other
 * than newlines escaped, and releases it. CSV and JSON keep their own
 * quoting and are not captured. */
typedef struct cli_capture {
    FILE *mem;   /* the open_memstream() stream */
    char *text;  /* its buffer */
    size_t size; /* its length */
} cli_capture;
FILE *cli_capture_open(cli_capture *c);
void cli_capture_close(cli_capture *c, FILE *out);

/* Progress on stderr, only when it is a terminal: one line, rewritten. */
void cli_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Clears the progress line, if any. */
void cli_progress_end(void);

/* Opens the store, printing why not. Returns the status. */
int cli_open_store(const char *path, store_mode mode, sqlite3 **db);

/* Flushes stdout and checks it; returns status, or STATUS_FAILURE if the
 * output could not be written. */
int cli_finish(int status);

/* The default store of commands that take --db. */
#define CLI_DEFAULT_DB "p3.db"

/* The steps the commands share: each prints its diagnostics and returns
 * the status. */

/* The options that say how to read counter files and load-test results,
 * shared by ingest and report: --tz, --encoding, --date, --date-order,
 * --unit, --fio-log, --k6-metric; and what to do with files that changed
 * and how to name runs: --changed, --run-name. */
typedef struct cli_ingest_args {
    const char *tz, *encoding, *date, *date_order, *unit, *fio_log, *k6_metric;
    const char *changed, *run_name;
} cli_ingest_args;
#define CLI_INGEST_OPTIONS(a)                                                                      \
    {"tz", 0, &(a).tz, NULL}, {"encoding", 0, &(a).encoding, NULL}, {"date", 0, &(a).date, NULL}, \
        {"date-order", 0, &(a).date_order, NULL}, {"unit", 0, &(a).unit, NULL},                   \
        {"fio-log", 0, &(a).fio_log, NULL}, {"k6-metric", 0, &(a).k6_metric, NULL},               \
        {"changed", 0, &(a).changed, NULL}, {"run-name", 0, &(a).run_name, NULL}
/* Checks those options into *opts; returns STATUS_USAGE after printing
 * what is wrong. */
int cli_ingest_options(const cli_command *self, const cli_ingest_args *args, ingest_options *opts);

/* Ingests paths into db, printing per-file diagnostics and (unless quiet)
 * the totals. */
int cli_ingest_paths(sqlite3 *db, const char *db_path, const char *const *paths, size_t count,
                     const ingest_options *opts, bool quiet);
/* --buckets, --endurance, --label and --include-failures, shared by
 * analyze, report and compare; the analysis options they make hold the
 * edges (release with cli_analysis_clear()). */

typedef struct cli_analysis_args {
    const char *buckets, *endurance, *label;
    bool include_failures;
} cli_analysis_args;
#define CLI_ANALYSIS_OPTIONS(a)                                                                    \
    {"buckets", 0, &(a).buckets, NULL}, {"endurance", 0, &(a).endurance, NULL},                   \
        {"label", 0, &(a).label, NULL}, {"include-failures", 0, NULL, &(a).include_failures}
int cli_analysis_options(const cli_command *self, const cli_analysis_args *args,
                         analyze_options *opts);
void cli_analysis_clear(analyze_options *opts);

/* Analyses every run, printing notes and (unless quiet) the totals. */
int cli_analyze(sqlite3 *db, const analyze_options *opts, bool quiet);
/* The options that say what to draw, shared by render and report:
 * --format, --charts, --palette, --overflow, --size, --dpi, --log-delay,
 * --title. */
typedef struct cli_render_args {
    const char *format, *charts, *palette, *overflow, *size, *dpi, *title, *jobs;
    bool log_delay, redraw;
} cli_render_args;
#define CLI_RENDER_OPTIONS(a)                                                                      \
    {"format", 0, &(a).format, NULL}, {"charts", 0, &(a).charts, NULL},                           \
        {"palette", 0, &(a).palette, NULL},                                                        \
        {"overflow", 0, &(a).overflow, NULL}, {"size", 0, &(a).size, NULL},                       \
        {"dpi", 0, &(a).dpi, NULL}, {"title", 0, &(a).title, NULL},                               \
        {"log-delay", 0, NULL, &(a).log_delay}, {"jobs", 'j', &(a).jobs, NULL},                \
        {"redraw", 0, NULL, &(a).redraw}
/* The workbook DIR/p3.xlsx, as a --format bit above the charts' formats. */
#define CLI_FORMAT_XLSX (1u << 8)
/* What to draw and write, checked. */
typedef struct cli_render_setup {
    render_options render; /* the charts; render.formats may hold bits above the charts' */
    bool report;           /* also DIR/report.pdf */
    const char *title;     /* the report cover's lab name; NULL: from the runs' folders */
} cli_render_setup;
/* Checks those options into *setup; default_formats (RENDER_* bits) when
 * --format is not given. Returns STATUS_USAGE after printing what is wrong. */
int cli_render_options(const cli_command *self, const cli_render_args *args,
                       unsigned default_formats, cli_render_setup *setup);
/* Renders every analysed run (or run) under dir, and the report and the
 * workbook when the setup asks for them. */
int cli_render(sqlite3 *db, const char *dir, const char *run, const cli_render_setup *setup);

int cmd_ingest(const cli_command *self, int argc, char **argv);
int cmd_analyze(const cli_command *self, int argc, char **argv);
int cmd_stats(const cli_command *self, int argc, char **argv);
int cmd_render(const cli_command *self, int argc, char **argv);
int cmd_report(const cli_command *self, int argc, char **argv);
int cmd_compare(const cli_command *self, int argc, char **argv);
int cmd_counters(const cli_command *self, int argc, char **argv);
int cmd_export(const cli_command *self, int argc, char **argv);
int cmd_simulate(const cli_command *self, int argc, char **argv);
int cmd_labels(const cli_command *self, int argc, char **argv);
int cmd_probe(const cli_command *self, int argc, char **argv);

#endif
