/* Fuzz target: Locust's stats history CSV, read by ingest/locust_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "results_stats_history.csv",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "locust",
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
