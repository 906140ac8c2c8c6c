/* The options a user gives about how to read counter files, on the
 * command line (--tz, --encoding, --date, --date-order) or in a run's
 * run.ini ([run] tz, encoding, date, date_order). The command line wins
 * where both say something. */
#ifndef P3_RUN_OPTIONS_H
#define P3_RUN_OPTIONS_H

#include <stdbool.h>

#include "counter_sink.h"
#include "diag.h"
#include "run_ini.h"

/* "+HH:MM", "-HH:MM" or "Z" into minutes east of UTC. */
bool run_options_parse_tz(const char *s, int *minutes);
/* "YYYY-MM-DD" (a real date) into its parts. */
bool run_options_parse_date(const char *s, int *year, int *month, int *day);
/* "mdy", "dmy", "ymd" or "auto" (any case). */
bool run_options_parse_date_order(const char *s, counter_date_order *order);
/* Whether iconv can convert from the encoding name to UTF-8. */
bool run_options_encoding_known(const char *name);

/* Reads the options of ini's [run] section into *out (zeroed first);
 * errors name the key's line. Strings in *out are borrowed from ini.
 * Returns STATUS_OK or STATUS_BAD_INPUT. */
int run_options_from_ini(const run_ini *ini, const char *ini_path, counter_options *out,
                         diag_list *diags);

/* Checks the analysis settings of ini ([analysis], [levels], [cpu]):
 * a bad value is an error at its line, an unknown key in those sections a
 * warning. Returns STATUS_OK or STATUS_BAD_INPUT. */
int run_options_check_settings(const run_ini *ini, const char *ini_path, diag_list *diags);

/* What applies to a run: each option from the command line when it gives
 * one, else from run.ini. */
counter_options run_options_merge(const counter_options *command_line,
                                  const counter_options *from_ini);

#endif
