/* Writes a simulated run as a lab's run folder, in the formats real labs
 * produce: run.ini, the probe log (format 1), perfmon CSV (PDH-CSV 4.0)
 * from inside the guest and from the host, or esxtop batch output for an
 * ESX host. Every file is written whole or not at all. */
#ifndef P3_LAB_WRITER_H
#define P3_LAB_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "scenario.h"
#include "sched_model.h"

/* What the caller can set; NULL means all defaults. */
typedef struct lab_writer_options {
    bool force;          /* replace the files in a folder that is not empty */
    const char *source;  /* the scenario's file name, for run.ini and the log; NULL: none */
    const char *version; /* p3's version, for the log's # generator: line; NULL: none */
} lab_writer_options;

/* Writes the run folder dir (created, parents too, if missing): run.ini,
 * probe.probe, guest/<guest>-perfmon.csv (not for a native server), and
 * host/<host>-perfmon.csv or, for ESX, host/<host>-esxtop.csv. run.ini's
 * [cpu] section names the exact counters of the measured machine's CPU on
 * each side. A folder that exists and holds anything is refused with
 * STATUS_BAD_INPUT unless opts->force, which replaces the files this
 * function writes and leaves any other alone. Returns STATUS_OK,
 * STATUS_BAD_INPUT, or STATUS_FAILURE when a file cannot be written
 * (nothing of the run is then replaced). */
int lab_writer_write(const char *dir, const scenario *s, const sched_model_result *r,
                     const lab_writer_options *opts, diag_list *diags);

#endif
