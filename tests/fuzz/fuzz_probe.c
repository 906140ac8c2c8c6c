/* Fuzz target: Probe logs (format 1), read by ingest/probe_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "fuzz.probe",
    .kind = FUZZ_KIND_PROBE,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
