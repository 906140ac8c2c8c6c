#include "file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

static file_stamp stamp_of(const struct stat *st)
{
    return (file_stamp){.dev = st->st_dev,
                        .ino = st->st_ino,
                        .size = (long long)st->st_size,
                        .mtime = st->st_mtim};
}

bool file_stamp_changed(const file_stamp *before, const file_stamp *after, long long bytes)
{
    return before->dev != after->dev || before->ino != after->ino ||
           before->size != after->size || before->mtime.tv_sec != after->mtime.tv_sec ||
           before->mtime.tv_nsec != after->mtime.tv_nsec || bytes != before->size;
}

int file_guard_open(file_guard *g, const char *path, diag_list *diags)
{
    struct stat st;
    g->fd = open(path, O_RDONLY);
    if (g->fd < 0 || fstat(g->fd, &st) != 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        file_guard_close(g);
        return STATUS_BAD_INPUT;
    }
    g->before = stamp_of(&st);
    return STATUS_OK;
}

int file_guard_check(file_guard *g, const char *path, long long bytes, diag_list *diags)
{
    struct stat st;
    file_stamp after = g->before;
    after.size = -1; /* unknown: counts as changed */
    if (g->fd >= 0 && fstat(g->fd, &st) == 0)
        after = stamp_of(&st);
    /* The path may lead to another file by now (a copy renamed into
     * place): then that file is the one the reader may have read. */
    if (stat(path, &st) == 0 && (st.st_dev != after.dev || st.st_ino != after.ino))
        after = stamp_of(&st);
    if (!file_stamp_changed(&g->before, &after, bytes < 0 ? g->before.size : bytes))
        return STATUS_OK;
    diag_add(diags, DIAG_ERROR, path, 0, 0,
             "the file changed while it was read (size %lld, now %lld): nothing stored; ingest it "
             "again when it is complete",
             g->before.size,
             after.size >= 0 && (after.size != g->before.size || bytes < 0) ? after.size : bytes);
    return STATUS_BAD_INPUT;
}

void file_guard_close(file_guard *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}
