/* Fuzz target: Gatling's binary simulation.log (3.13 on), read by ingest/gatling_reader.c:
 * inputs start with the RUN record's type byte 0. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "simulation.log",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "gatling",
    .first_byte = 0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
