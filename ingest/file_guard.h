/* Watches a file while it is read, so that a file changed during the read (a
 * log still being written, a copy still arriving) is refused rather than
 * stored as a mix of two versions: its size and modification time (to the
 * nanosecond) are taken from the open file before the read and again
 * after it, and the bytes the reader took in must be the whole file. */
#ifndef P3_FILE_GUARD_H
#define P3_FILE_GUARD_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "diag.h"

/* What identifies one version of a file. */
typedef struct file_stamp {
    dev_t dev;             /* which file: device... */
    ino_t ino;             /* ...and inode, so a file replaced by another shows */
    long long size;        /* st_size, bytes */
    struct timespec mtime; /* st_mtim, to the nanosecond */
} file_stamp;

/* A file being watched: plain data, filled by file_guard_open(). */
typedef struct file_guard {
    int fd;            /* the file, open for fstat() only; -1 when closed */
    file_stamp before; /* the stamp taken when it was opened */
} file_guard;

/* Whether a file stamped `before` ahead of a read, `after` behind it, and
 * of which the reader took in `bytes`, changed during the read: a new
 * size, modification time or identity, or bytes other than its size. */
bool file_stamp_changed(const file_stamp *before, const file_stamp *after, long long bytes);

/* Opens path and takes its stamp, before the read. Returns STATUS_OK, or
 * STATUS_BAD_INPUT with a diagnostic when it cannot be opened; g is
 * closed (fd -1) either way on failure. */
int file_guard_open(file_guard *g, const char *path, diag_list *diags);

/* After the read, of which the reader took in `bytes` (the size its
 * digest covers; -1 when not known, as after errors: then the stamps alone
 * tell): STATUS_OK when the file is the one opened and unchanged; else
 * STATUS_BAD_INPUT with "<path>: error: the file changed while it was read
 * (size N, now M): nothing stored; ...". Call before the transaction that
 * stores the file commits. */
int file_guard_check(file_guard *g, const char *path, long long bytes, diag_list *diags);

/* Closes the file; a closed guard is a no-op. */
void file_guard_close(file_guard *g);

#endif
