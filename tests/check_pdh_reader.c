/* Tests of ingest/pdh_reader.c. */
#include <check.h>

#include "suites.h"

Suite *pdh_reader_suite(void)
{
    Suite *s = suite_create("pdh_reader");
    return s;
}
