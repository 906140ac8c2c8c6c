/* vmstat output as counters (PLACEHOLDER: written in this session). */
#ifndef P3_VMSTAT_READER_H
#define P3_VMSTAT_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "counter_sink.h"
#include "diag.h"

bool vmstat_reader_sniff(const char *head, size_t len);
int vmstat_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags);

#endif
