/* Gatling's simulation.log: the tab-separated text layouts of Gatling 2.0
 * to 3.12 (plain or gzip) and the binary layout of 3.13 on. Each REQUEST
 * record becomes a sample: when it started, how long it took, its group
 * path and name, OK or KO, and how many users were active when it started.
 *
 * The file is read twice: the first pass checks every record and keeps the
 * times of the USER start and end records (records are not in time order),
 * the second sends the requests to the sink. Memory grows with the number
 * of users (16 bytes each) and, in binary logs, with the distinct strings
 * the file caches; not with the number of requests. */
#ifndef P3_GATLING_READER_H
#define P3_GATLING_READER_H

#include "load_sink.h"

/* The format "gatling" for the table of loadtest_ingest.c. */
extern const load_format gatling_format;

#endif
