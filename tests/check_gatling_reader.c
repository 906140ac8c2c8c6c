/* PLACEHOLDER: the gatling_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *gatling_reader_suite(void)
{
    return suite_create("gatling_reader");
}
