/* PLACEHOLDER: the hlog_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *hlog_reader_suite(void)
{
    return suite_create("hlog_reader");
}
