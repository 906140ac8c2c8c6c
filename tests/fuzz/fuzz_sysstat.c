/* Fuzz target: sysstat's sadf -d, sar text reports and pidstat -h, read by
 * ingest/sysstat_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "sysstat.txt",
    .kind = FUZZ_KIND_SADF,
    .kind2 = FUZZ_KIND_PIDSTAT,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
