/* Arrays of doubles as the store keeps them in blobs: little-endian
 * IEEE-754 binary64, 8 bytes each, whatever the machine; a NaN marks a
 * missing value. */
#ifndef P3_F64BLOB_H
#define P3_F64BLOB_H

#include <stddef.h>

/* Writes values[0..n) into out (8n bytes). */
void f64blob_encode(const double *values, size_t n, unsigned char *out);

/* The i-th double of a blob. */
double f64blob_get(const unsigned char *blob, size_t i);

#endif
