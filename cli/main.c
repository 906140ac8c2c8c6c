/* p3: Perceived Performance Profiles from performance-lab results.
 * main only dispatches: one table entry per subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <libxml/parser.h> /* xmlParserVersion */
#include <nettle/version.h>
#include <sqlite3.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "canvas.h"
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
    "  --unit ns|us|ms    the unit of HdrHistogram values and of 4-column fio logs\n"            \
    "                     (default: what the file or fio's output says, else ns, with\n"         \
    "                     a warning); run.ini: unit\n"                                            \
    "  --fio-log LOG      lat (default), clat or slat: which of a job's fio latency\n"           \
    "                     logs is the delay; run.ini: fio_log\n"                                  \
    "  --k6-metric NAME   the k6 Trend that is the delay (default http_req_duration);\n"         \
    "                     run.ini: k6_metric\n"                                                   \
    "  --changed replace|refuse\n"                                                                \
    "                     a file whose path the run holds with other content (a log\n"          \
    "                     that grew, a file edited): replace (default) removes what\n"          \
    "                     it stored before and stores it anew, with a note; refuse\n"           \
    "                     leaves the store as it is and exits 1\n"                              \
    "  --run-name folder|lab\n"                                                                   \
    "                     name runs after their folder (default: run1; run folders of\n"       \
    "                     one name in two labs are one run, with a warning) or after\n"        \
    "                     their lab and folder (labA/run1)\n"                                    \
    "The command line wins over run.ini.\n"

static const cli_command commands[] = {
    {"ingest", cmd_ingest, "p3 ingest [--db FILE] [--tz +HH:MM] [--encoding NAME] [--date YYYY-MM-DD] [--date-order mdy|dmy|ymd] [--unit ns|us|ms] [--fio-log lat|clat|slat] [--k6-metric NAME] [--changed replace|refuse] [--run-name folder|lab] PATH...",
     "Read lab folders, run folders or single files into the store.",
     "PATH is a lab folder (one sub-folder per run), a run folder (probe logs and\n"
     "an optional run.ini, sub-folders included) or a single file. Each file goes\n"
     "in whole or not at all; a file whose bytes the run already holds is skipped;\n"
     "a file that changed since it was ingested replaces what it stored (see\n"
     "--changed). A broken file, or one that changes while it is read, is reported\n"
     "and left out; the good files beside it still go in, and p3 exits with 1.\n"
     "\n"
     "Files p3 reads, recognised by content: probe logs (format 1); load-test\n"
     "results: JMeter JTL (CSV or XML), k6 CSV, Gatling simulation.log (text or\n"
     "binary), HdrHistogram .hlog, fio latency logs, Locust stats history (.gz where\n"
     "the tool writes it); perfmon CSV (PDH-CSV 4.0, from relog, typeperf or\n"
     "perfmon), esxtop batch output, sadf -d, pidstat -h, virt-top --csv and vmstat\n"
     "-t; fio bw and iops logs as counters. A counter file is recorded as measured\n"
     "on the host or in a guest by the machine its counter paths name (run.ini's\n"
     "host and guest), else by a host/ or guest/ folder; esxtop and virt-top are\n"
     "host-side.\n"
     "\n"
     "options:\n"
     INGEST_OPTIONS_HELP},
    {"analyze", cmd_analyze, "p3 analyze [--db FILE] [--buckets MS,MS,...] [--endurance MS] [--label GLOB,...] [--include-failures]",
     "Compute each run's per-level delay distribution and statistics.",
     "For every run and load level: the share of samples in each delay bucket\n"
     "(upper-inclusive edges 50, 250, ..., 1850 ms and an overflow bucket), n,\n"
     "mean, sample standard deviation and variance, CV, min, max, the\n"
     "PERCENTILE.INC percentiles p50, p90, p95, p99, p99.9, 95 % confidence\n"
     "intervals of the mean (t) and of p50, p95, p99 (order statistics), the shares\n"
     "over the endurance line and at or under 50 ms, the onset of degradation, and\n"
     "CPU accounting: host-measured against guest-reported CPU, the virtualization\n"
     "overhead and useful work. Samples whose probe log gives no level are placed\n"
     "by a run.ini [levels] binding of their file, schedule.csv, else by the\n"
     "guest's measured CPU. Load-test results are levelled by concurrency (users,\n"
     "threads, VUs): the plateaus the load held, or run.ini ranges; samples taken\n"
     "between plateaus are ramp samples. Failed samples are counted per level as\n"
     "errors and kept out of the delays; sub-results and transaction totals are\n"
     "left out. Where every sample went is stored (table placement). A run whose\n"
     "files and settings are unchanged since its last analysis is left as it is.\n"
     "\n"
     "options:\n"
     "  --db FILE              the store (default ./p3.db)\n"
     "  --buckets MS,MS,...    bucket edges for every run (default: run.ini, else\n"
     "                         50,250,450,...,1850)\n"
     "  --endurance MS         the endurance line (default: run.ini, else 1000)\n"
     "  --label GLOB,...       only samples whose label matches form the probe\n"
     "                         (default: run.ini probe_labels, else every label)\n"
     "  --include-failures     count failed samples in the delay distributions\n"
     "                         (run.ini: include_failures = yes)\n"},
    {"labels", cmd_labels, "p3 labels [--db FILE] [--run NAME] [--format table|csv]",
     "List the labels of analysed load-test runs, per level.",
     "One row per run, level and label (JMeter label, k6 name, Gatling request,\n"
     "HdrHistogram tag): whether it is in the probe, n, errors, the error share,\n"
     "mean, p50 and p95 in ms, so that run.ini probe_labels (or --label) can name\n"
     "the transactions that stand for what users wait for. The CSV header is\n"
     "run,level,label,in_probe,n,errors,error_pct,mean_ms,p50_ms,p95_ms.\n"
     "\n"
     "options:\n"
     "  --db FILE        the store (default ./p3.db)\n"
     "  --run NAME       only this run\n"
     "  --format FORMAT  table (default) or csv\n"},
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
    {"render", cmd_render, "p3 render [--db FILE] -o DIR [--run NAME] [--format png,pdf,svg,xlsx] "
                           "[--charts p3,ladder,cdf,cpu,useful] [--palette paper|colorblind] "
                           "[--overflow fold|column] "
                           "[--size WxH] [--dpi N] [--log-delay] [--title TEXT] "
                           "[--workbook-samples N] [-j N] [--redraw]",
     "Draw the charts of every analysed run, the PDF report and the workbook.",
     "Writes, for every analysed run, DIR/<run>/p3.png: the 3-D P3 chart of the\n"
     "run's delay distribution per load level, as the 2005 paper drew it; and its\n"
     "companion charts: ladder.png (p50, p90, p95, p99 by load level with 95 %\n"
     "confidence intervals), cdf.png (cumulative distribution of delay per level),\n"
     "cpu.png (guest-reported against host-measured CPU, overhead and useful work)\n"
     "and useful.png (p95 against useful CPU). With pdf among the formats it also\n"
     "writes DIR/report.pdf, the consulting report; with xlsx DIR/p3.xlsx, the Excel\n"
     "workbook whose formulas re-check p3's numbers. Same results, same bytes.\n"
     "Only what changed is drawn again: a run whose charts were drawn from the same\n"
     "results with the same options by this p3 (DIR/<run>/.p3-render says so) is\n"
     "left as it is, and the report and workbook are rewritten only when a run did.\n"
     "\n"
     "options:\n"
     "  --db FILE          the store (default ./p3.db)\n"
     "  -o, --output DIR   where the charts go (created if missing)\n"
     "  --run NAME         only this run\n"
     "  --format LIST      png, pdf, svg, xlsx, or a comma list of them (default png)\n"
     "  --charts LIST      p3, ladder, cdf, cpu, useful, or a comma list (default all)\n"
     "  --palette NAME     paper (default): the paper's fills, Medium in salmon;\n"
     "                     colorblind: told apart under the common colour-vision\n"
     "                     deficiencies\n"
     "  --overflow MODE    fold (default): delays over the last edge join the last\n"
     "                     column, with a note; column: they get a column of their own\n"
     "  --size WxH         chart size, pixels at 96 dpi for PNG, points for PDF and\n"
     "                     SVG (default 1600x1000)\n"
     "  --dpi N            PNG resolution, 48 to 600 (default 96): the image is\n"
     "                     WxH scaled by N/96, the same chart sharper\n"
     "  --log-delay        logarithmic delay axes in the companion charts (they turn\n"
     "                     logarithmic by themselves when the slowest delays lie past\n"
     "                     20 endurance lines)\n"
     "  --title TEXT       the lab's name on the report's cover (default: the folder\n"
     "                     that holds the runs' folders)\n"
     "  --workbook-samples N\n"
     "                     the most samples p3.xlsx carries in its Samples sheets\n"
     "                     (default 1000000). Past it they are left out: n and the\n"
     "                     shares are re-checked from the bucket counts, mean, SD\n"
     "                     and percentiles are p3's values, and each sheet says so\n"
     "                     and how to have the samples. 0: never carry samples\n"
     "  -j, --jobs N       runs drawn at once (default: the CPUs p3 may use); the\n"
     "                     bytes do not depend on it\n"
     "  --redraw           draw everything again, changed or not\n"},
    {"report", cmd_report, "p3 report [-o DIR] [--baseline RUN] [--title TEXT] [--workbook-samples N] [render options] [ingest and analyze options] LAB...",
     "The main job: ingest, analyse, draw and report on every run of each LAB.",
     "Ingests every run of each LAB folder into DIR/p3.db, analyses them, draws\n"
     "DIR/<run>/p3.png and the companion charts, writes the consulting report\n"
     "DIR/report.pdf (cover, summary of the runs, a P3, statistics and companion\n"
     "charts per run, conventions) and the workbook DIR/p3.xlsx, and prints one\n"
     "line per run: samples, levels and the worst p95. Running it again on the\n"
     "same inputs changes nothing in the store. Progress goes to stderr when it\n"
     "is a terminal.\n"
     "\n"
     "options:\n"
     "  -o, --output DIR   the report folder (default ./p3-report)\n"
     "  --baseline RUN     compare every other run with RUN, as p3 compare does:\n"
     "                     a Comparisons section in report.pdf, a Compare sheet\n"
     "                     in p3.xlsx, and a summary line per run\n"
     "  --title TEXT       the lab's name on the report's cover\n"
     "  --workbook-samples N\n"
     "                     the most samples p3.xlsx carries (default 1000000; 0:\n"
     "                     none), as for p3 render\n"
     "  --format, --charts, --palette, --overflow, --size, --dpi, --log-delay,\n"
     "  -j, --jobs, --redraw\n"
     "                     as for p3 render; --format chooses the charts' files\n"
     "                     (default png,xlsx), report.pdf is always written\n"
     "  --tz, --encoding, --date, --date-order, --unit, --fio-log, --k6-metric,\n"
     "  --changed, --run-name\n"
     "                     as for p3 ingest\n"
     "  --buckets, --endurance, --label, --include-failures\n"
     "                     as for p3 analyze\n"},
    {"compare", cmd_compare, "p3 compare [-o DIR] [--format table|csv|json] [--buckets MS,MS,...] "
                             "[--endurance MS] [--palette paper|colorblind] [--label GLOB,...] "
                             "[--include-failures] BASELINE OTHER...",
     "Compare runs level by level: what changed, and whether it is real.",
     "Compares each OTHER run with the BASELINE at every load level, the levels\n"
     "matched by name: the differences (OTHER minus BASELINE) of the mean, p50, p95,\n"
     "p99 and of the share over the endurance line, each with its 95 % confidence\n"
     "interval; the Mann-Whitney U and two-sample Kolmogorov-Smirnov tests; Cliff's\n"
     "delta; and a verdict per level, better, worse or no significant difference,\n"
     "at a family-wise 5 % level (Holm's correction across the levels), with a\n"
     "summary line per OTHER. A level only one run has is shown as such.\n"
     "\n"
     "A run is named by its run folder (ingested on the fly into a temporary\n"
     "store), by a store that holds one run, or as STORE#RUN (a path that names a\n"
     "file is a store, '#' and all). Stores of any earlier p3 are read without\n"
     "being changed. The CSV starts with the columns baseline,other,level,\n"
     "n_baseline,n_other,diff_mean_ms,diff_mean_lo,diff_mean_hi,diff_p50_ms,\n"
     "diff_p95_ms,diff_p95_lo,diff_p95_hi,diff_p99_ms,diff_pct_over_1000,mw_u,mw_p,\n"
     "ks_d,ks_p,cliffs_delta,p_holm,verdict. The README's \"Comparing runs\" tells\n"
     "how every number is computed.\n"
     "\n"
     "options:\n"
     "  -o, --output DIR       also write DIR/compare.pdf and the workbook\n"
     "                         DIR/p3.xlsx (its Compare sheet), keeping the\n"
     "                         comparisons in DIR/p3.db (created if missing)\n"
     "  --format FORMAT        table (default), csv or json\n"
     "  --buckets MS,MS,...    bucket edges (default: the baseline's run.ini, else\n"
     "                         50,250,450,...,1850)\n"
     "  --endurance MS         the endurance line (default: the baseline's run.ini,\n"
     "                         else 1000)\n"
     "  --palette NAME         paper (default) or colorblind, as for p3 render\n"
     "  --label, --include-failures\n"
     "                         as for p3 analyze\n"},
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
    {"simulate", cmd_simulate, "p3 simulate [--force] (-o RUN_DIR SCENARIO | --lab LAB_DIR SCENARIO...)",
     "Simulate a lab run from a scenario file and write its run folder.",
     "Runs the scenario (an INI file: the host, its guests, the load levels, the\n"
     "probe) through p3's scheduling model of the paper's machines and writes a run\n"
     "folder as a real lab holds it: run.ini, probe.probe (probe log format 1),\n"
     "guest/<guest>-perfmon.csv and host/<host>-perfmon.csv (PDH-CSV 4.0), or\n"
     "host/<host>-esxtop.csv for an ESX host. The same scenario gives the same bytes\n"
     "every time. samples/paper-2005/ holds the paper's ten scenarios; the README's\n"
     "\"The simulator\" lists every key and what the model leaves out.\n"
     "\n"
     "options:\n"
     "  -o, --output RUN_DIR  the run folder of one scenario\n"
     "  --lab LAB_DIR         write each scenario to LAB_DIR/<scenario name>/\n"
     "  --force               write into a folder that is not empty, replacing the\n"
     "                        run's files (others in it are left alone)\n"},
    {"probe", cmd_probe,
     "p3 probe -o RUN_DIR [--cpus LIST] [--cap PCT [--cap-period MS]] [--manage-priority]\n"
     "         [--samples N] [--duration SEC] [--interval MS] [--jitter MS] [--settle SEC]\n"
     "         [--action cpu|exec=PATH] [--levels NAME,...] [--time-limit SEC] [--force]",
     "Measure a P3 on this Linux machine and write its run folder.",
     "Runs the paper's experiment here. For each load level in turn (by default the\n"
     "paper's six, relative to the n CPUs the run may use: None; Low, n threads at\n"
     "25 %; Medium, n at 50 %; Busy, n CPU-bound; Maximum n+1; Overload n+2) it starts\n"
     "the load threads, waits --settle, then repeats a small action and records how\n"
     "long the user waited: from the action's scheduled start to its end, so a probe\n"
     "that is itself held up counts the wait. Every second it records the machine's\n"
     "CPU (/proc/stat), the run's CPU and ready time as the kernel counts them, its\n"
     "busy time as the run itself sees it, and with --cap the cgroup's throttling.\n"
     "The run folder holds run.ini, probe.probe and counter files in the sadf -d\n"
     "layout: 'p3 report' takes it as it is. SIGINT, SIGTERM and the time limit stop\n"
     "the run at once and leave whole files of what was recorded (exit status 3).\n"
     "\n"
     "options:\n"
     "  -o, --output RUN_DIR   the run folder to write\n"
     "  --force                write into a folder that is not empty\n"
     "  --cpus LIST            pin load and probe to these CPUs (0, 0-3, 0,2);\n"
     "                         --cpus 0 makes a one-CPU guest\n"
     "  --cap PCT              run in a cgroup whose CPU quota is PCT % of one CPU\n"
     "                         (cgroup v2 cpu.max, else v1 cpu.cfs_quota_us; needs root\n"
     "                         or a delegated cgroup)\n"
     "  --cap-period MS        the quota's period (default 100)\n"
     "  --manage-priority      load at SCHED_IDLE (else nice 19), probe at normal priority\n"
     "  --samples N            actions per level (default 300)\n"
     "  --duration SEC         longest probing per level; alone, it decides\n"
     "  --interval MS          time between actions (default 1000)\n"
     "  --jitter MS            the interval varies by up to this either way (default a\n"
     "                         quarter of the interval: 250)\n"
     "  --settle SEC           wait after starting a level's load (default 5)\n"
     "  --action cpu|exec=PATH the built-in action (default: --steps steps of\n"
     "                         --step-cpu ms of CPU, --step-wait ms apart: 3, 1, 4), or\n"
     "                         the time to start PATH and see it exit\n"
     "  --steps N              the built-in action's steps (default 3)\n"
     "  --step-cpu MS          CPU each step spends (default 1)\n"
     "  --step-wait MS         time between steps (default 4)\n"
     "  --levels NAME,...      only these of the six levels\n"
     "  --load-burst MS        a duty-cycled load thread's period (default 60)\n"
     "  --time-limit SEC       stop after this long (default: twice the planned time,\n"
     "                         and a minute)\n"
     "  --title TEXT           the chart title (default in the paper's style)\n"
     "  --seed N               the jitter's seed (default 1)\n"
     "  -q, --quiet            no progress lines\n"},
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
        cli_printf(stderr, "p3 help: error: unknown command '%s'\n%s", argv[1], main_usage);
        return STATUS_USAGE;
    }
    cli_print_help(cmd);
    return STATUS_OK;
}

/* libxml2's version as it runs, dotted: its xmlParserVersion is "20914"
 * for 2.9.14. */
static void print_libxml2_version(void)
{
    long v = strtol(xmlParserVersion, NULL, 10);
    printf("libxml2 %ld.%ld.%ld\n", v / 10000, v / 100 % 100, v % 100);
}

/* `p3 --version`: p3's version and the store schema it writes on the first
 * line (scripts read that line), then one line per library, "name version",
 * giving the version p3 runs with where the library can say (the shared
 * library's own answer), else the one it was built with. */
static void print_version(void)
{
    printf("p3 %s (store schema %d)\n", P3_VERSION, store_schema_version());
    printf("SQLite %s\n", sqlite3_libversion());
    printf("cairo %s\n", cairo_version_string());
    printf("Pango %s\n", canvas_pango_version());
    printf("libxlsxwriter %s\n", lxw_version());
    printf("zlib %s\n", zlibVersion());
    print_libxml2_version();
    printf("nettle %d.%d\n", nettle_version_major(), nettle_version_minor());
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
        print_version();
        return cli_finish(STATUS_OK);
    }
    const cli_command *cmd = find_command(name);
    if (!cmd) {
        if (name[0] == '-')
            cli_printf(stderr, "p3: error: unknown option '%s'\n%s", name, main_usage);
        else
            cli_printf(stderr, "p3: error: unknown command '%s'\n%s", name, main_usage);
        return STATUS_USAGE;
    }
    return cli_finish(cmd->run(cmd, argc - 1, argv + 1));
}
