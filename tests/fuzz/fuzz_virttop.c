/* Fuzz target: virt-top --csv, read by ingest/virttop_reader.c. virt-top writes times
 * of day only, so the date is given as --date would. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "virttop.csv",
    .kind = FUZZ_KIND_VIRTTOP,
    .first_byte = -1,
    .options = {.counters = {.has_date = true, .year = 2024, .month = 3, .day = 1}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
