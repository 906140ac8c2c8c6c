/* Fuzz target: run.ini, read by ingest/run_ini.c, run_options.c and run_record.c: the
 * run folder is ingested with a small probe log beside it, so that what the
 * run.ini says (levels, bindings, options) meets a data file. */
#include "fuzz_harness.h"

static const fuzz_ingest_target target = {
    .file_name = "run.ini",
    .kind = FUZZ_KIND_RUN_INI,
    .first_byte = -1,
    .companion_name = "probe.probe",
    .companion_text = "# p3-probe 1\n"
                      "# host: LABHOST01\n"
                      "# guest: W2K-GUEST08\n"
                      "time,level,delay_ms\n"
                      "2005-03-01T10:00:00.981,None,13.444\n"
                      "2005-03-01T10:00:02.087,Low,23.486\n"
                      "1109671203.5,,17.856\n",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest_one(&target, data, size);
}
