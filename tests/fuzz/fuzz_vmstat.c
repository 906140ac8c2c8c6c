/* Fuzz target: procps vmstat output (-t, or date + vmstat blocks), read by
 * ingest/vmstat_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "vmstat.log",
    .kind = FUZZ_KIND_VMSTAT,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
