/* Fuzz target: k6 --out csv, read by ingest/k6_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "k6.csv",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "k6",
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
