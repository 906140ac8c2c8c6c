/* Linux host traces from sysstat: `sadf -d` output (every sar activity),
 * the CPU utilization tables of sar's text reports (`sar -u`, and mpstat's
 * alike), and `pidstat` output (-h or one table per activity, -t threads,
 * -l command lines). Each reader streams its file into a counter_sink in
 * memory that grows with the counters, never with the rows, and reports
 * broken lines as path:line:col.
 *
 * Counter paths are \\<host>\<object>(<parent>/<instance>#<index>)\<counter>:
 *   sadf -d   object = the block's activity ("CPU", "Memory", "Disk",
 *             "Network Interface", ...; an unknown block is named by its
 *             first column), instance = the block's device column (DEV,
 *             IFACE, CPU with -1 as "all", ...; none for blocks without
 *             one), parent = the DEVICE of FAN, TEMP and IN blocks,
 *             counter = the column name ("%steal"). INTR;CPU*, whose
 *             header does not name its columns, is skipped with a warning;
 *             the USB device list (an inventory) and text columns such as
 *             BAT's status are left out. LINUX-RESTART and COM records are
 *             no data.
 *   sar -u    object "CPU", instance "all" or the CPU number, as sadf.
 *   pidstat   object "Process" (instance_index = PID) or, for -t thread
 *             rows, "Thread" (parent = its process, instance_index = TID);
 *             counter = the column name ("%CPU"); a -1 value (pidstat's
 *             "not available", as its I/O columns without permission) is
 *             missing. The instance is the command name (a thread's
 *             without -t's `|__`); from -l command lines (which pidstat
 *             ends with a space, or cuts at 127 bytes) the program's
 *             basename; from a process title (`sshd: root@pts/0`) the word
 *             before the colon; for qemu or kvm started with
 *             `-name guest=NAME,...` or `-name NAME` it is "qemu:NAME", so
 *             analysis can find a guest by its name.
 * Times: sadf's `YYYY-MM-DD HH:MM:SS UTC` (another zone or none is read
 * at opts->tz_minutes, or as UTC with a warning) or Unix seconds (-U); the
 * text reports' times of day take their date from the first line
 * (`Linux ... (host) 11/25/15 ...`; MM/DD/YY unless opts->date_order or
 * the numbers say otherwise) and pass midnight when they go backwards;
 * pidstat -h may write Unix seconds.
 * Rows: one per distinct time. sadf -d writes each activity as a block of
 * its own over the same times; the reader indexes the blocks in a first
 * pass and merges them by time in a second, so that a row holds every
 * activity. Times that go backwards inside a block, or in a text report
 * with Unix seconds, start rows of their own: every value keeps its time.
 * A file whose last line has no line end is truncated and rejected, as
 * p3's probe logs are. */
#ifndef P3_SYSSTAT_READER_H
#define P3_SYSSTAT_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

/* Whether the first bytes of a file (up to 4096) are sadf -d output, or
 * sar's text report (which sysstat_reader_read_sadf reads or rejects with
 * a message naming the command to use instead). */
bool sysstat_reader_sniff_sadf(const char *head, size_t len);
/* Whether the first bytes of a file are pidstat output. */
bool sysstat_reader_sniff_pidstat(const char *head, size_t len);

/* Reads `sadf -d` output (kind "sadf"), or a sar text report of CPU
 * utilization tables (kind "sar"). Rejects `sadf -dh` ("sadf -dh layout is
 * not supported; use sadf -d") and sar text tables of other activities.
 * A counter_read_fn (counter_sink.h). */
int sysstat_reader_read_sadf(const char *path, const counter_options *opts,
                             const counter_sink *sink, counter_read_result *result,
                             diag_list *diags);
/* Reads pidstat output (kind "pidstat"). A counter_read_fn. */
int sysstat_reader_read_pidstat(const char *path, const counter_options *opts,
                                const counter_sink *sink, counter_read_result *result,
                                diag_list *diags);

#endif
