/* What JMeter's two result-file layouts (JTL as CSV, ingest/jtl_csv_reader.c,
 * and as XML, ingest/jtl_xml_reader.c) share: the rules JMeter's own code
 * follows (which rows are Transaction Controller totals, how numbers and
 * booleans are written), the checks of a sample's fields with their
 * messages, and the finding of runs appended to one file. */
#ifndef P3_JTL_READER_H
#define P3_JTL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "load_sink.h"

/* How a Transaction Controller's row begins its response message
 * (TransactionController.NUMBER_OF_SAMPLES_IN_TRANSACTION_PREFIX), the
 * test JMeter itself uses (TransactionController.isFromTransactionController). */
#define JTL_READER_TRANSACTION_PREFIX "Number of samples in transaction : "

/* The latest epoch ms p3 accepts: 2200-01-01T00:00:00Z (isotime's years). */
#define JTL_READER_MAX_EPOCH_MS INT64_C(7258118400000)

/* Whether a response message is that of a Transaction Controller row. */
bool jtl_reader_is_transaction(const char *message, size_t len);

/* Parses all of s[0..len) as Java's Long.parseLong does: an optional sign
 * and decimal digits, nothing else. False when it is not one or overflows. */
bool jtl_reader_parse_long(const char *s, size_t len, long long *value);

/* Parses "true" or "false" (ASCII case ignored). */
bool jtl_reader_parse_bool(const char *s, size_t len, bool *value);

/* Checks a delay (CSV elapsed, XML t): whole ms in 0..LOAD_MAX_DELAY_MS.
 * On failure reports at (line, col), naming the field as name ("elapsed",
 * "attribute t"), and returns false. */
bool jtl_reader_delay(diag_file *df, long line, long col, const char *name, const char *s,
                      size_t len, long long *ms);

/* Checks an epoch-ms timestamp (CSV timeStamp, XML ts): 0 up to
 * JTL_READER_MAX_EPOCH_MS. On failure reports as jtl_reader_delay(). */
bool jtl_reader_epoch_ms(diag_file *df, long line, long col, const char *name, const char *s,
                         size_t len, int64_t *ms);

/* Checks a thread count (allThreads, grpThreads, na, ng): a whole number
 * >= 0. On failure reports as jtl_reader_delay(). */
bool jtl_reader_threads(diag_file *df, long line, long col, const char *name, const char *s,
                        size_t len, long *threads);

/* Finds runs appended to one file: JMeter appends to an existing result
 * file, so a file may hold several tests, days apart. A sample more than an
 * hour before the latest start seen, or more than an hour after the latest
 * end seen (start + elapsed), starts another run. Plain data: zero it. */
typedef struct jtl_reader_runs {
    bool started;           /* a sample has been seen */
    int64_t latest_start;   /* ms, the latest start in the current run */
    int64_t latest_end;     /* ms, the latest start + elapsed in it */
    long appended;          /* runs found after the first one */
} jtl_reader_runs;

/* Notes a sample at start_ms lasting elapsed_ms. When it starts another run
 * it warns at (line, col), naming both times, counts the run and returns
 * true. */
bool jtl_reader_runs_see(jtl_reader_runs *r, diag_file *df, long line, long col, int64_t start_ms,
                         int64_t elapsed_ms);

#endif
