/* Temporary files beside the file they become: "<path>.tmp-<pid>-XXXXXX",
 * renamed into place when whole. The pid in the name lets a later p3 remove
 * what a killed one left behind without touching a live one's. */
#ifndef P3_TEMPNAME_H
#define P3_TEMPNAME_H

/* A mkstemp() template for path (caller frees). */
char *tempname_template(const char *path);

/* Removes the temporaries of path left by processes that no longer run
 * (and, of p3's older "<path>.tmp-XXXXXX" names, those untouched for an
 * hour). Problems are ignored: the files are litter, not data. Returns how
 * many were removed. */
int tempname_sweep(const char *path);

/* The same for every file of the folder dir. */
int tempname_sweep_dir(const char *dir);

#endif
