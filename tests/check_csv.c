/* PLACEHOLDER: the csv suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *csv_suite(void)
{
    return suite_create("csv");
}
