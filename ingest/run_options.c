#include "run_options.h"

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "isotime.h"
#include "run_record.h"
#include "setting.h"
#include "xalloc.h"
#include "status.h"

bool run_options_parse_tz(const char *s, int *minutes)
{
    return isotime_parse_offset(s, strlen(s), minutes);
}

bool run_options_parse_date(const char *s, int *year, int *month, int *day)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return false;
    /* A real date: it survives the trip through days and back. */
    int y2, m2, d2;
    if (y < ISOTIME_MIN_YEAR || y > ISOTIME_MAX_YEAR || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    isotime_civil_from_days(isotime_days_from_civil(y, m, d), &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return false;
    *year = y;
    *month = m;
    *day = d;
    return true;
}

bool run_options_parse_date_order(const char *s, counter_date_order *order)
{
    static const struct {
        const char *name;
        counter_date_order order;
    } names[] = {{"auto", COUNTER_DATE_AUTO},
                 {"mdy", COUNTER_DATE_MDY},
                 {"dmy", COUNTER_DATE_DMY},
                 {"ymd", COUNTER_DATE_YMD}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *order = names[i].order;
            return true;
        }
    return false;
}

bool run_options_encoding_known(const char *name)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    iconv_close(cd);
    return true;
}

/* Reports a bad value of a run.ini key; returns STATUS_BAD_INPUT. */
static int bad_value(diag_list *diags, const char *ini_path, const run_ini_entry *e,
                     const char *expected)
{
    diag_add(diags, DIAG_ERROR, ini_path, e->line, 1, "bad %s '%s': %s", e->key, e->value,
             expected);
    return STATUS_BAD_INPUT;
}

int run_options_from_ini(const run_ini *ini, const char *ini_path, counter_options *out,
                         diag_list *diags)
{
    memset(out, 0, sizeof *out);
    int status = STATUS_OK;
    const run_ini_entry *e;
    if ((e = run_ini_get(ini, "run", "tz"))) {
        if (run_options_parse_tz(e->value, &out->tz_minutes))
            out->has_tz = true;
        else
            status = bad_value(diags, ini_path, e, "expected +HH:MM or -HH:MM");
    }
    if ((e = run_ini_get(ini, "run", "encoding"))) {
        if (run_options_encoding_known(e->value))
            out->encoding = e->value;
        else
            status = bad_value(diags, ini_path, e,
                               "not an encoding iconv knows; use a name such as CP1252, CP932 "
                               "or CP1251 (iconv -l lists them)");
    }
    if ((e = run_ini_get(ini, "run", "date"))) {
        if (run_options_parse_date(e->value, &out->year, &out->month, &out->day))
            out->has_date = true;
        else
            status = bad_value(diags, ini_path, e, "expected a date as YYYY-MM-DD");
    }
    if ((e = run_ini_get(ini, "run", "date_order")) &&
        !run_options_parse_date_order(e->value, &out->date_order))
        status = bad_value(diags, ini_path, e, "use mdy, dmy, ymd or auto");
    return status;
}

/* The [run] keys that say how to read and level load-test results, and
 * the words each takes (NULL: checked otherwise). */
static const struct {
    const char *key;
    const char *words[6];
    const char *expected;
} run_choices[] = {
    {"unit", {"ns", "us", "ms"}, "use ns, us or ms"},
    {"fio_log", {"lat", "clat", "slat"}, "use lat, clat or slat"},
    {"locust_percentiles", {"window", "cumulative"}, "use window or cumulative"},
    {"level_by", {"auto", "probe", "concurrency", "schedule", "cpu"},
     "use auto, concurrency, probe, schedule or cpu"},
    {"probe", {"samplers", "transactions"}, "use samplers or transactions"},
    {"concurrency", {"threads", "in_flight"}, "use threads or in_flight"},
};

static int check_run_keys(const run_ini *ini, const char *ini_path, diag_list *diags)
{
    int status = STATUS_OK;
    for (size_t i = 0; i < sizeof run_choices / sizeof *run_choices; i++) {
        const run_ini_entry *e = run_ini_get(ini, "run", run_choices[i].key);
        if (!e)
            continue;
        bool known = false;
        for (size_t w = 0; run_choices[i].words[w] && !known; w++)
            known = strcasecmp(e->value, run_choices[i].words[w]) == 0;
        if (!known)
            status = bad_value(diags, ini_path, e, run_choices[i].expected);
    }
    const run_ini_entry *e;
    bool flag;
    double number;
    if ((e = run_ini_get(ini, "run", "include_failures")) && !setting_parse_bool(e->value, &flag))
        status = bad_value(diags, ini_path, e, "use yes or no");
    if ((e = run_ini_get(ini, "run", "plateau_seconds")) &&
        !setting_parse_number(e->value, 0.001, 1e7, &number))
        status = bad_value(diags, ini_path, e, "expected seconds, more than 0");
    return status;
}

int run_options_check_settings(const run_ini *ini, const char *ini_path, diag_list *diags)
{
    int status = check_run_keys(ini, ini_path, diags);
    for (size_t i = 0; i < ini->count; i++) {
        const run_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, "analysis") != 0 && strcmp(e->section, "levels") != 0 &&
            strcmp(e->section, "cpu") != 0)
            continue;
        if (strcmp(e->section, "levels") == 0 && run_record_is_level_binding(e->key))
            continue; /* NAME = GLOB: binds a level to data files */
        char *name = xasprintf("%s.%s", e->section, e->key);
        bool known = false;
        for (const setting_key *k = setting_keys; k->name && !known; k++)
            known = strcmp(k->name, name) == 0;
        const char *why;
        if (!known)
            diag_add(diags, DIAG_WARNING, ini_path, e->line, 1,
                     "unknown key '%s' in [%s] is kept but not used (README.md lists the keys)",
                     e->key, e->section);
        else if (!setting_check(name, e->value, &why))
            status = bad_value(diags, ini_path, e, why);
        free(name);
    }
    return status;
}

counter_options run_options_merge(const counter_options *command_line,
                                  const counter_options *from_ini)
{
    counter_options o = *from_ini;
    const counter_options *c = command_line;
    if (c->has_tz) {
        o.has_tz = true;
        o.tz_minutes = c->tz_minutes;
    }
    if (c->encoding)
        o.encoding = c->encoding;
    if (c->has_date) {
        o.has_date = true;
        o.year = c->year;
        o.month = c->month;
        o.day = c->day;
    }
    if (c->date_order != COUNTER_DATE_AUTO)
        o.date_order = c->date_order;
    return o;
}
