/* PLACEHOLDER: replaced by the real reader in this session. */
#include "vmstat_reader.h"

#include "status.h"

bool vmstat_reader_sniff(const char *head, size_t len)
{
    (void)head;
    (void)len;
    return false;
}

int vmstat_reader_read(const char *path, const counter_options *opts, const counter_sink *sink,
                       counter_read_result *result, diag_list *diags)
{
    (void)path;
    (void)opts;
    (void)sink;
    (void)result;
    (void)diags;
    return STATUS_FAILURE;
}
