/* Fuzz target: JMeter JTL CSV (with a header or without), read by ingest/jtl_csv_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "results.jtl",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "jmeter-csv",
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
