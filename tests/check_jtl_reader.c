/* PLACEHOLDER: the jtl_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *jtl_reader_suite(void)
{
    return suite_create("jtl_reader");
}
