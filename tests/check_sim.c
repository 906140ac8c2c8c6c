/* Tests of the simulator (sim). */
#include <check.h>

#include "suites.h"

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    return s;
}
