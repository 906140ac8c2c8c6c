#include "f64blob.h"

#include <stdint.h>
#include <string.h>

void f64blob_encode(const double *values, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &values[i], 8);
        for (int b = 0; b < 8; b++)
            out[8 * i + (size_t)b] = (unsigned char)(bits >> (8 * b));
    }
}

double f64blob_get(const unsigned char *blob, size_t i)
{
    uint64_t bits = 0;
    for (int b = 7; b >= 0; b--)
        bits = bits << 8 | blob[8 * i + (size_t)b];
    double v;
    memcpy(&v, &bits, 8);
    return v;
}
