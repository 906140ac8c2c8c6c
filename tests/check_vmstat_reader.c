/* PLACEHOLDER: the vmstat_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *vmstat_reader_suite(void)
{
    return suite_create("vmstat_reader");
}
