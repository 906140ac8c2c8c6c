/* PLACEHOLDER: the fio_reader suite is written in this session. */
#include <check.h>

#include "suites.h"

Suite *fio_reader_suite(void)
{
    return suite_create("fio_reader");
}
