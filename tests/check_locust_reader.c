/* PLACEHOLDER: the locust_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *locust_reader_suite(void)
{
    return suite_create("locust_reader");
}
