/* schedule.csv: when each load level ran, for probe logs whose rows do not
 * say. A header `start,end,level` (any order), then one interval per row;
 * times as in probe logs (ISO 8601 or Unix seconds, `# tz: +HH:MM` for
 * times without an offset); start inclusive, end exclusive; intervals of
 * one file must not overlap. Read and stored whole or not at all. */
#ifndef P3_SCHEDULE_INGEST_H
#define P3_SCHEDULE_INGEST_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "probe_ingest.h"
#include "run_record.h"

/* Whether a file is a schedule: it is named schedule.csv (any case). */
bool schedule_ingest_is_schedule(const char *path);

/* Ingests the schedule at path into the run of spec (or fallback_name when
 * spec->name is NULL). Returns the status; details in *result. */
int schedule_ingest_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                         const char *path, ingest_file_result *result, diag_list *diags);

#endif
