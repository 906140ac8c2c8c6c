/* PLACEHOLDER: the loadtest suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *loadtest_suite(void)
{
    return suite_create("loadtest");
}
