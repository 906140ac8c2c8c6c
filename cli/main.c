/* p3: Perceived Performance Profiles from performance-lab results.
 * main only dispatches: one table entry per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "status.h"
#include "store.h"

static int cmd_help(const cli_command *self, int argc, char **argv);

/* The options of p3 ingest, for its help. */
#define INGEST_OPTIONS_HELP                                                                        \
    "  --db FILE          the store (default ./p3.db), created if missing\n"                      \
    "  --tz +HH:MM        the UTC offset of local times in files that do not say\n"               \
    "                     (perfmon headers cut short); run.ini: tz\n"                              \
    "  --encoding NAME    the code page of files that are not UTF-8 or UTF-16, e.g.\n"            \
    "                     CP932 (default: Windows-1252, with a warning); run.ini: encoding\n"     \
    "  --date YYYY-MM-DD  the date of files whose timestamps carry only a time of day;\n"         \
    "                     run.ini: date\n"                                                         \
    "  --date-order ORDER mdy, dmy or ymd: how dates re-saved by Excel are written when\n"        \
    "                     the file cannot tell; run.ini: date_order\n"                             \
    "The command line wins over run.ini.\n"

static const cli_command commands[] = {
    {"ingest", cmd_ingest, "p3 ingest [--db FILE] [--tz +HH:MM] [--encoding NAME] [--date YYYY-MM-DD] [--date-order mdy|dmy|ymd] PATH...",
     "Read lab folders, run folders or single files into the store.",
     "PATH is a lab folder (one sub-folder per run), a run folder (probe logs and\n"
     "an optional run.ini, sub-folders included) or a single file. Each file goes\n"
     "in whole or not at all; a file whose bytes the run already holds is skipped.\n"
     "A broken file is reported as path:line:col and left out; the good files\n"
     "beside it still go in, and p3 exits with 1.\n"
     "\n"
     "Files p3 reads: probe logs (format 1), perfmon CSV (PDH-CSV 4.0, from relog,\n"
     "typeperf or perfmon), esxtop batch output, sadf -d, pidstat -h and virt-top\n"
     "--csv. A counter file is recorded as measured on the host or in a guest by the\n"
     "machine its counter paths name (run.ini's host and guest), else by a host/ or\n"
     "guest/ folder; esxtop and virt-top are host-side.\n"
     "\n"
     "options:\n"
     INGEST_OPTIONS_HELP},
    {"analyze", cmd_analyze, "p3 analyze [--db FILE] [--buckets MS,MS,...] [--endurance MS]",
     "Compute each run's per-level delay distribution and statistics.",
     "For every run and load level: the share of samples in each delay bucket\n"
     "(upper-inclusive edges 50, 250, ..., 1850 ms and an overflow bucket), n,\n"
     "mean, sample standard deviation and variance, CV, min, max, the\n"
     "PERCENTILE.INC percentiles p50, p90, p95, p99, p99.9, 95 % confidence\n"
     "intervals of the mean (t) and of p50, p95, p99 (order statistics), the shares\n"
     "over the endurance line and at or under 50 ms, the onset of degradation, and\n"
     "CPU accounting: host-measured against guest-reported CPU, the virtualization\n"
     "overhead and useful work. Samples whose probe log gives no level are placed\n"
     "by schedule.csv, else by the guest's measured CPU. A run whose files and\n"
     "settings are unchanged since its last analysis is left as it is.\n"
     "\n"
     "options:\n"
     "  --db FILE              the store (default ./p3.db)\n"
     "  --buckets MS,MS,...    bucket edges for every run (default: run.ini, else\n"
     "                         50,250,450,...,1850)\n"
     "  --endurance MS         the endurance line (default: run.ini, else 1000)\n"},
    {"stats", cmd_stats, "p3 stats [--db FILE] [--run NAME] [--format table|csv|json]",
     "Print the statistics of analysed runs.",
     "One row per run and level, runs by name, levels in their order. The CSV\n"
     "header is run,level,n,mean_ms,stddev_ms,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,\n"
     "max_ms,pct_over_1000,b50,b250,...,b1850,bover: times in ms with 3 decimals,\n"
     "shares in % with 4; bN is the share in the bucket with upper edge N, bover\n"
     "the share above the last edge. An undefined value (the sd of one sample) is\n"
     "empty. JSON adds each bucket's count.\n"
     "\n"
     "options:\n"
     "  --db FILE        the store (default ./p3.db)\n"
     "  --run NAME       only this run\n"
     "  --format FORMAT  table (default), csv or json\n"},
    {"render", cmd_render, "p3 render [--db FILE] -o DIR [--run NAME] [--overflow fold|column] "
                           "[--size WxH]",
     "Draw the P3 chart of every analysed run.",
     "Writes DIR/<run>/p3.png: a 3-D column chart of the run's delay distribution\n"
     "per load level, as the 2005 paper drew it.\n"
     "\n"
     "options:\n"
     "  --db FILE          the store (default ./p3.db)\n"
     "  -o, --output DIR   where the charts go (created if missing)\n"
     "  --run NAME         only this run\n"
     "  --overflow MODE    fold (default): delays over the last edge join the last\n"
     "                     column, with a note; column: they get a column of their own\n"
     "  --size WxH         image size in pixels (default 1600x1000)\n"},
    {"report", cmd_report, "p3 report [-o DIR] [--overflow fold|column] [--size WxH] [ingest and analyze options] LAB...",
     "The main job: ingest, analyse and draw every run of each LAB.",
     "Ingests every run of each LAB folder into DIR/p3.db, analyses them, draws\n"
     "DIR/<run>/p3.png, and prints one line per run: samples, levels and the worst\n"
     "p95. Running it again on the same inputs changes nothing in the store.\n"
     "Progress goes to stderr when it is a terminal.\n"
     "\n"
     "options:\n"
     "  -o, --output DIR   the report folder (default ./p3-report)\n"
     "  --overflow MODE    as for p3 render\n"
     "  --size WxH         as for p3 render\n"
     "  --tz, --encoding, --date, --date-order   as for p3 ingest\n"
     "  --buckets, --endurance                   as for p3 analyze\n"},
    {"counters", cmd_counters, "p3 counters [--db FILE] [--run NAME] [--format table|csv] [PATTERN]",
     "List the counters stored from perfmon, esxtop and Linux host traces.",
     "One line per counter: its run, file, path, the side it was measured on (host,\n"
     "guest or unknown), how many values it has, and their min, mean and max. The CSV\n"
     "header is run,file,path,side,samples,min,mean,max. PATTERN is a glob over the\n"
     "whole counter path, ignoring case: '*' matches anything (backslashes too), '?'\n"
     "one character; quote it. Example: p3 counters '*\\Processor(_Total)\\*'\n"
     "\n"
     "options:\n"
     "  --db FILE        the store (default ./p3.db)\n"
     "  --run NAME       only this run\n"
     "  --format FORMAT  table (default) or csv\n"},
    {"export", cmd_export, "p3 export [--db FILE] [--run NAME] --counter PATTERN",
     "Write counter series as CSV.",
     "Writes run,time_utc,path,value: one line per timestamp of every counter whose\n"
     "path matches PATTERN (as for p3 counters), in time order, times in UTC, the\n"
     "value empty where the file had none.\n"
     "\n"
     "options:\n"
     "  --db FILE          the store (default ./p3.db)\n"
     "  --run NAME         only this run\n"
     "  --counter PATTERN  which counters\n"},
    {"help", cmd_help, "p3 help [COMMAND]", "Show help for p3 or one command.", ""},
};

static const size_t command_count = sizeof commands / sizeof *commands;

static const char main_usage[] = "usage: p3 [--help] [--version] COMMAND [ARGS]\n";

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_main_help(void)
{
    printf("%s\n"
           "p3 turns performance-lab results into Perceived Performance Profiles: what\n"
           "users of a server feel as delay at each level of load.\n\n"
           "commands:\n",
           main_usage);
    for (size_t i = 0; i < command_count; i++)
        printf("  %-9s %s\n", commands[i].name, commands[i].summary);
    printf("\n'p3 help COMMAND' or 'p3 COMMAND --help' tells more.\n"
           "exit status: 0 ok, 1 bad input (some file rejected), 2 usage, 3 internal or\n"
           "I/O failure.\n");
}

static int cmd_help(const cli_command *self, int argc, char **argv)
{
    (void)self;
    (void)argv;
    if (argc < 2) {
        print_main_help();
        return STATUS_OK;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "p3 help: error: unknown command '%s'\n%s", argv[1], main_usage);
        return STATUS_USAGE;
    }
    cli_print_help(cmd);
    return STATUS_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "p3: error: no command given\n%s", main_usage);
        return STATUS_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_main_help();
        return cli_finish(STATUS_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("p3 %s (store schema %d)\n", P3_VERSION, store_schema_version());
        return cli_finish(STATUS_OK);
    }
    const cli_command *cmd = find_command(name);
    if (!cmd) {
        if (name[0] == '-')
            fprintf(stderr, "p3: error: unknown option '%s'\n%s", name, main_usage);
        else
            fprintf(stderr, "p3: error: unknown command '%s'\n%s", name, main_usage);
        return STATUS_USAGE;
    }
    return cli_finish(cmd->run(cmd, argc - 1, argv + 1));
}
