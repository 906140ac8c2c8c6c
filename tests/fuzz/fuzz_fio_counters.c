/* Fuzz target: fio bandwidth and IOPS logs, read as counters by ingest/fio_reader.c. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "job_bw.1.log",
    .kind = FUZZ_KIND_FIO_COUNTERS,
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
