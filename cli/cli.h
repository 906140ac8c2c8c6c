/* The command layer: the one place that prints. Each subcommand is a
 * cmd_<name>() entry in main's command table; this header declares them and
 * the helpers they share (option parsing, printing diagnostics, progress). */
#ifndef P3_CLI_H
#define P3_CLI_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyze.h"
#include "diag.h"
#include "ingest.h"
#include "p3chart.h"
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

/* The options that say how to read counter files, shared by ingest and
 * report: --tz, --encoding, --date, --date-order. */
typedef struct cli_ingest_args {
    const char *tz, *encoding, *date, *date_order;
} cli_ingest_args;
#define CLI_INGEST_OPTIONS(a)                                                                      \
    {"tz", 0, &(a).tz, NULL}, {"encoding", 0, &(a).encoding, NULL}, {"date", 0, &(a).date, NULL}, \
        {"date-order", 0, &(a).date_order, NULL}
/* Checks those options into *opts; returns STATUS_USAGE after printing
 * what is wrong. */
int cli_ingest_options(const cli_command *self, const cli_ingest_args *args, ingest_options *opts);

/* Ingests paths into db, printing per-file diagnostics and (unless quiet)
 * the totals. */
int cli_ingest_paths(sqlite3 *db, const char *db_path, const char *const *paths, size_t count,
                     const ingest_options *opts, bool quiet);
/* --buckets and --endurance, shared by analyze and report; the analysis
 * options they make hold the edges (release with cli_analysis_clear()). */
typedef struct cli_analysis_args {
    const char *buckets, *endurance;
} cli_analysis_args;
#define CLI_ANALYSIS_OPTIONS(a) {"buckets", 0, &(a).buckets, NULL}, {"endurance", 0, &(a).endurance, NULL}
int cli_analysis_options(const cli_command *self, const cli_analysis_args *args,
                         analyze_options *opts);
void cli_analysis_clear(analyze_options *opts);

/* Analyses every run, printing notes and (unless quiet) the totals. */
int cli_analyze(sqlite3 *db, const analyze_options *opts, bool quiet);
/* Renders every analysed run (or run) under dir. */
int cli_render(sqlite3 *db, const char *dir, const char *run, const p3chart_options *chart);
/* Reads --overflow and --size values into *chart; returns STATUS_USAGE
 * after printing what is wrong. */
int cli_chart_options(const cli_command *self, const char *overflow, const char *size,
                      p3chart_options *chart);

int cmd_ingest(const cli_command *self, int argc, char **argv);
int cmd_analyze(const cli_command *self, int argc, char **argv);
int cmd_stats(const cli_command *self, int argc, char **argv);
int cmd_render(const cli_command *self, int argc, char **argv);
int cmd_report(const cli_command *self, int argc, char **argv);
int cmd_counters(const cli_command *self, int argc, char **argv);
int cmd_export(const cli_command *self, int argc, char **argv);

#endif
