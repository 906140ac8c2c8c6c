/* Fuzz target: perfmon and esxtop CSV (PDH-CSV 4.0), read by ingest/pdh_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "perfmon.csv",
    .kind = FUZZ_KIND_PDH,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
