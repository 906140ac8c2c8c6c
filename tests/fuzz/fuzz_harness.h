/* The shared part of p3's fuzz targets (tests/fuzz/fuzz_<reader>.c): writes
 * the fuzzer's bytes into a file named as the reader expects, ingests it as
 * `p3 ingest` does into an in-memory store with the project's schema, and
 * checks what a good reader promises beyond not crashing. A broken promise
 * is printed on stderr and abort()s, so that libFuzzer keeps the input.
 *
 * The same targets build without libFuzzer (FUZZ_REPLAY): then main() runs
 * the target over the files named on the command line, so that a crash or
 * a regression input can be replayed with any compiler. */
#ifndef P3_FUZZ_HARNESS_H
#define P3_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"

/* What ingest decides a file is, from its name and first bytes (as
 * ingest.c's classify() does); the names are the readers'. */
typedef enum fuzz_kind {
    FUZZ_KIND_UNKNOWN,
    FUZZ_KIND_RUN_INI,
    FUZZ_KIND_SCHEDULE,
    FUZZ_KIND_PROBE,
    FUZZ_KIND_PDH,
    FUZZ_KIND_SADF,     /* sadf -d and sar text reports */
    FUZZ_KIND_PIDSTAT,
    FUZZ_KIND_VIRTTOP,
    FUZZ_KIND_FIO_COUNTERS, /* fio bandwidth and IOPS logs */
    FUZZ_KIND_VMSTAT,
    FUZZ_KIND_LOADTEST  /* a load-test format: see fuzz_ingest_target.load_format */
} fuzz_kind;

/* One target that drives ingest. */
typedef struct fuzz_ingest_target {
    const char *file_name;   /* what the input is called in its run folder */
    fuzz_kind kind;          /* the kind ingest must see, else the input is skipped */
    fuzz_kind kind2;         /* a second kind the target accepts, or FUZZ_KIND_UNKNOWN */
    const char *load_format; /* for FUZZ_KIND_LOADTEST: the load_format's name ("k6") */
    int first_byte;          /* -1: any; 0: the input must start with a NUL byte
                                (Gatling's binary log); 1: it must not */
    ingest_options options;  /* what the command line would say */
    /* A fixed file written beside the input (NULL: none); when set, the run
     * folder is ingested rather than the input alone (run.ini's target). */
    const char *companion_name;
    const char *companion_text;
} fuzz_ingest_target;

/* Runs one input through ingest and checks the invariants (aborting when
 * one breaks). Returns 0, or -1 when the input is not of the target's
 * kind (libFuzzer then leaves it out of the corpus). */
int fuzz_ingest_one(const fuzz_ingest_target *t, const uint8_t *data, size_t size);

/* The folder where a target writes its inputs (created on first use,
 * removed at exit); the path lives as long as the process. */
const char *fuzz_scratch_dir(void);

/* Writes data to dir/name (dir created when missing); aborts on failure.
 * Returns the path (caller frees). */
char *fuzz_write_input(const char *dir, const char *name, const uint8_t *data, size_t size);

/* Checks one diagnostic list against what every p3 message promises: a
 * path that is one of paths[0..npaths), a line within the file's lines
 * (counted over data) and a column within its bytes, no control bytes or
 * invalid UTF-8 in the message. what names the target in the report. */
void fuzz_check_diags(const char *what, const diag_list *diags, const char *const *paths,
                      size_t npaths, const uint8_t *data, size_t size, bool binary);

/* Prints "fuzz invariant broken (what): <message>" and every diagnostic,
 * then aborts. */
void fuzz_fail(const char *what, const diag_list *diags, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* libFuzzer's entry point, defined by each target. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
