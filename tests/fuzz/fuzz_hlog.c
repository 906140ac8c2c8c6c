/* Fuzz target: HdrHistogram interval logs (V0 to V3), read by ingest/hlog_reader.c; the
 * unit is given as --unit would. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "fuzz.hlog",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "hlog",
    .first_byte = -1,
    .options = {.load = {.unit = "us"}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
