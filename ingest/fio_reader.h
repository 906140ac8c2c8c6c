/* fio's logs (write_lat_log, write_bw_log, write_iops_log): one line per
 * I/O, or per averaging window with log_avg_msec, `time, value, ddir, bs`
 * then, as fio's version and options add them, offset, priority, a window
 * maximum after the value (log_window_value=both) and the issue time,
 * separated by ", ". The content cannot tell the log's type, so the file
 * name does: NAME_lat.N.log, NAME_clat..., NAME_slat..., NAME_bw...,
 * NAME_iops... (with or without the .N job index). Latency logs are
 * load-test samples (fio_format, "fio", in loadtest_ingest.c's table);
 * bandwidth and IOPS logs are counters, read through this header. */
#ifndef P3_FIO_READER_H
#define P3_FIO_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

/* Whether path names a fio bandwidth or IOPS log (`_bw`, `_iops`) and the
 * first line of head (the file's first bytes, decompressed) looks like
 * one: 4 to 8 whole numbers separated by ", ". */
bool fio_reader_sniff_counters(const char *path, const char *head, size_t len);

/* Reads a bandwidth (KiB/s) or IOPS log (kind "fio") into sink: one counter
 * per data direction, \fio(NAME#N)\read KiB/s or \fio(NAME#N)\write IOPS
 * (NAME the file's name before `_bw`/`_iops`, N its job index), with
 * `... max` counters beside them when the log holds window maxima. Lines
 * of one time make one row, at fio's time in ms from the job's start (or
 * since 1970 with log_unix_epoch). A counter_read_fn (counter_sink.h). */
int fio_reader_read_counters(const char *path, const counter_options *opts,
                             const counter_sink *sink, counter_read_result *result,
                             diag_list *diags);

#endif
