/* PLACEHOLDER: replaced by the real reader in this session. */
#include "load_sink.h"
#include "status.h"

static bool sniff(const char *path, const char *head, size_t len)
{
    (void)path;
    (void)head;
    (void)len;
    return false;
}

static int read_file(const char *path, const load_options *opts, const load_sink *sink,
                     char sha256_hex[65], long long *size, diag_list *diags)
{
    (void)path;
    (void)opts;
    (void)sink;
    (void)sha256_hex;
    (void)size;
    (void)diags;
    return STATUS_FAILURE;
}

const load_format hlog_format = {"hlog", sniff, read_file};
