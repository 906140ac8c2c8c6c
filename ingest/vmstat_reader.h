/* Linux procps `vmstat` output as counters: `vmstat -t N` (a timestamp on
 * every row, the zone in the header) and `date; vmstat N COUNT` blocks
 * (a `date` line, then rows without times). Streams the file into a
 * counter_sink in constant memory and reports broken lines as
 * path:line:col; a file with any error is refused whole.
 *
 * Counter paths carry no machine (the file does not name one), as sadf's
 * would without a host: \CPU(all)\%usr, %sys, %idle, %iowait and, when
 * the column is there, %steal (vmstat's us, sy, id, wa, st; gu is
 * %guest), so analysis finds them as it finds sysstat's; every other
 * column (r b swpd free buff cache si so bi bo in cs, inact active of -a)
 * is \vmstat\<its vmstat name>.
 * Rows: the first row after each start (the file's, or a `date` line's) is
 * vmstat's average since boot and is left out. Repeated headers are
 * skipped.
 * Times: -t timestamps are read at the header's zone when it is UTC, GMT
 * or a numeric offset, else at opts->tz_minutes, or as UTC with one
 * warning (an abbreviation such as IST names several zones). Rows of a
 * `date` block are taken 1 s apart from the date line (vmstat's interval
 * is not in the file; one warning says so): the k-th row after the
 * since-boot one is at date + k s. Rows with neither are refused.
 * Refused: `vmstat -s` (totals, not samples), a row whose field count
 * differs from its header's or holding a non-number, a last line without
 * a line end (a truncated file, as sysstat's readers refuse it). */
#ifndef P3_VMSTAT_READER_H
#define P3_VMSTAT_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

/* Whether the first bytes of a file (up to 4096) are vmstat output: after
 * blank lines and an optional `date` line, vmstat's `procs ---` header or
 * a `vmstat -s` line (which vmstat_reader_read refuses with a message
 * naming the form to record instead). */
bool vmstat_reader_sniff(const char *head, size_t len);

/* Reads vmstat output (kind "vmstat") into sink. A counter_read_fn
 * (counter_sink.h): STATUS_OK, STATUS_BAD_INPUT when the file has errors,
 * or STATUS_FAILURE. */
int vmstat_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags);

#endif
