/* PLACEHOLDER: the k6_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *k6_reader_suite(void)
{
    return suite_create("k6_reader");
}
