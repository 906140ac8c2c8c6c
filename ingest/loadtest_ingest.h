/* Puts one result file of a load-testing tool into the store, all of it or
 * nothing: its samples (or aggregates), its metadata and the record of the
 * file, in one transaction. The formats are recognised by content. */
#ifndef P3_LOADTEST_INGEST_H
#define P3_LOADTEST_INGEST_H

#include <sqlite3.h>
#include <stddef.h>

#include "diag.h"
#include "load_sink.h"
#include "probe_ingest.h"
#include "run_ini.h"
#include "run_record.h"

/* The formats, in the order they are tried. */
extern const load_format *const loadtest_formats[];
extern const size_t loadtest_format_count;

/* The format whose sniff() takes head[0..len) (already decompressed when
 * the file is gzip), or NULL. */
const load_format *loadtest_sniff(const char *path, const char *head, size_t len);

/* The options of a run: the command line's where it gives them, else the
 * run.ini's ([run] unit, fio_log, k6_metric). Strings borrowed from both. */
load_options loadtest_options_merge(const load_options *command_line, const run_ini *ini);

/* Ingests path, of the given format, into the run of spec (or, for a lone
 * file, the run fallback_name). Returns the status (STATUS_OK also for a
 * duplicate); details in *result, which the caller frees with
 * ingest_file_result_clear(). */
int loadtest_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                         const char *path, const load_format *format, const load_options *opts,
                         ingest_file_result *result, diag_list *diags);

#endif
