/* virt-top's CSV (`virt-top --csv FILE`), the host-side view of libvirt
 * guests: a header row, then one row per iteration with the host's totals
 * (Hostname, Time, Arch, Physical CPUs, Count, Running, Blocked, Paused,
 * Shutdown, Shutoff, Crashed, Active, Inactive, %CPU, Total hardware
 * memory (KB), Total memory (KB), Total guest memory (KB), Total CPU time
 * (ns)) followed by one group of columns per running domain, which the
 * header names once (Domain ID, Domain name, then as virt-top's options
 * chose: CPU (ns), %CPU, Mem (bytes), %Mem, Block RDRQ/WRRQ or RDBY/WRBY,
 * Net RXBY, Net TXBY). The reader streams a file into a counter_sink in
 * memory that grows with the domains, never with the rows.
 *
 * Counter paths: \\<Hostname>\Host\<column> for the totals, and
 * \\<Hostname>\Domain(<Domain name>)\<column> for each domain's group (the
 * Domain ID, which changes when a guest restarts, is not a counter). An
 * empty field (virt-top's "not known yet") is missing. Each line is a row;
 * virt-top writes only the local time of day, so the date of the first row
 * must come from opts (--date), and a time earlier than the last one is on
 * the next day; times are at opts' tz, or UTC with a warning. */
#ifndef P3_VIRTTOP_READER_H
#define P3_VIRTTOP_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

/* Whether the first bytes of a file (up to 4096) are virt-top's CSV. */
bool virttop_reader_sniff(const char *head, size_t len);

/* Reads virt-top CSV (kind "virt-top"). A counter_read_fn (counter_sink.h). */
int virttop_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                        counter_read_result *result, diag_list *diags);

#endif
