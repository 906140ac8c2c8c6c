/* Fuzz target: JMeter JTL XML, read by ingest/jtl_xml_reader.c (libxml2's xmlTextReader). */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "results.xml",
    .kind = FUZZ_KIND_LOADTEST,
    .load_format = "jmeter-xml",
    .first_byte = -1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
