/* Fuzz target: schedule.csv (when each level ran), read by ingest/schedule_ingest.c;
 * the run has the paper's default levels. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "schedule.csv",
    .kind = FUZZ_KIND_SCHEDULE,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
