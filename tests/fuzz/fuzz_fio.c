/* Fuzz target: fio latency logs (lat, clat, slat), read by ingest/fio_reader.c; the log
 * type is in the file's name. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "job_lat.1.log",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "fio",
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
