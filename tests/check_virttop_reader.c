/* Tests of ingest/virttop_reader.c. */
#include <check.h>

#include "suites.h"

Suite *virttop_reader_suite(void)
{
    Suite *s = suite_create("virttop_reader");
    return s;
}
