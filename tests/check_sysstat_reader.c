/* Tests of ingest/sysstat_reader.c. */
#include <check.h>

#include "suites.h"

Suite *sysstat_reader_suite(void)
{
    Suite *s = suite_create("sysstat_reader");
    return s;
}
