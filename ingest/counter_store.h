/* Puts one counter file into the store, all of it or nothing: whatever its
 * format's reader pushes through a counter_sink (counters, timestamps,
 * values) goes into counter_file, counter_row, counter and counter_chunk in
 * one transaction. Also decides which side of the virtualization the file
 * was measured on, and which virtual machine a counter is about. */
#ifndef P3_COUNTER_STORE_H
#define P3_COUNTER_STORE_H

#include <sqlite3.h>

#include "counter_sink.h"
#include "diag.h"
#include "probe_ingest.h"
#include "run_record.h"

/* Ingests the counter file at path with the reader `read` into the run of
 * spec (or, when spec->name is NULL, the run called fallback_name).
 * Returns the status (STATUS_OK also for a file already stored); details
 * in *result, freed with ingest_file_result_clear(). */
int counter_store_file(sqlite3 *db, const run_spec *spec, const char *fallback_name,
                       const char *path, counter_read_fn read, const counter_options *opts,
                       ingest_file_result *result, diag_list *diags);

/* The virtual machine a counter path is about, when the path says: the
 * name in esxtop's Group Cpu(<id>:<name>), Hyper-V's
 * ...Virtual Processor(<name>:Hv VP n), Virtual Server's Virtual
 * Machines(<name>), virt-top's Domain(<name>), or a qemu process
 * Process(qemu:<name>). A new string (caller frees), or NULL. */
char *counter_store_vm_of(const counter_path *path);

#endif
