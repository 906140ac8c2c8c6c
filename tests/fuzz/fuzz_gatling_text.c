/* Fuzz target: Gatling simulation.log in its text layouts (2.0 to 3.12), read by
 * ingest/gatling_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "simulation.log",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "gatling",
    .first_byte = 1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
