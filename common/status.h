/* Status codes shared by every stage: what a library function returns and
 * what the p3 process exits with. 0 is success; the rest are named. */
#ifndef P3_STATUS_H
#define P3_STATUS_H

enum {
    STATUS_OK = 0,        /* everything worked */
    STATUS_BAD_INPUT = 1, /* some input was rejected; the rest went through */
    STATUS_USAGE = 2,     /* the command line was wrong */
    STATUS_FAILURE = 3    /* an internal, I/O or database failure */
};

/* The worse of two statuses (FAILURE > USAGE > BAD_INPUT > OK). */
static inline int status_worst(int a, int b) { return a > b ? a : b; }

#endif
