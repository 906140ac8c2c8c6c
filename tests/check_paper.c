/* Tests of the simulator (paper). */
#include <check.h>

#include "suites.h"

Suite *paper_suite(void)
{
    Suite *s = suite_create("paper");
    return s;
}
