#include "setting.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decimal.h"
#include "text.h"
#include "xalloc.h"

bool setting_parse_number(const char *s, double lo, double hi, double *out)
{
    size_t len = strlen(s);
    text_trim(&s, &len);
    double v;
    if (!decimal_parse(s, len, &v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool setting_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool setting_parse_increasing(const char *s, size_t min_count, double **values, size_t *count)
{
    double *v = NULL;
    size_t n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *item = p;
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        text_trim(&item, &len);
        double x;
        if (!decimal_parse(item, len, &x) || x <= 0 || x > 3600000 || (n && x <= v[n - 1])) {
            free(v);
            return false;
        }
        v = xreallocarray(v, n + 1, sizeof *v);
        v[n++] = x;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (n < min_count) {
        free(v);
        return false;
    }
    *values = v;
    *count = n;
    return true;
}

const setting_key setting_keys[] = {
    {"analysis.buckets", "a list of at least two increasing delays in ms, e.g. 50, 250, 450"},
    {"analysis.endurance_ms", "a delay in ms from 1 to 3600000"},
    {"analysis.onset_margin_ms", "a delay in ms from 0 to 3600000"},
    {"levels.cpu_thresholds", "a list of increasing CPU percentages, e.g. 12.5, 37.5, 75"},
    {"cpu.vcpus", "a number of virtual CPUs from 1 to 1024"},
    {"cpu.host_cpus", "a number of host CPUs from 1 to 4096"},
    {"cpu.host_counter", "a counter path or pattern"},
    {"cpu.guest_counter", "a counter path or pattern"},
    {"cpu.ready_counter", "a counter path or pattern"},
    {"cpu.overhead_pct", "a percentage of a CPU from 0 to 100"},
    {"cpu.trust_margin_pct", "a percentage from 0 to 100"},
    {"cpu.native", "yes or no"},
    {NULL, NULL},
};

bool setting_check(const char *name, const char *value, const char **why)
{
    double x, *list;
    size_t n;
    bool b, ok = true;
    if (strcmp(name, "analysis.buckets") == 0) {
        ok = setting_parse_increasing(value, 2, &list, &n);
        if (ok)
            free(list);
    } else if (strcmp(name, "levels.cpu_thresholds") == 0) {
        ok = setting_parse_increasing(value, 1, &list, &n);
        if (ok) {
            ok = list[n - 1] <= 100;
            free(list);
        }
    } else if (strcmp(name, "analysis.endurance_ms") == 0) {
        ok = setting_parse_number(value, 1, 3600000, &x);
    } else if (strcmp(name, "analysis.onset_margin_ms") == 0) {
        ok = setting_parse_number(value, 0, 3600000, &x);
    } else if (strcmp(name, "cpu.vcpus") == 0) {
        ok = setting_parse_number(value, 1, 1024, &x);
    } else if (strcmp(name, "cpu.host_cpus") == 0) {
        ok = setting_parse_number(value, 1, 4096, &x);
    } else if (strcmp(name, "cpu.overhead_pct") == 0 || strcmp(name, "cpu.trust_margin_pct") == 0) {
        ok = setting_parse_number(value, 0, 100, &x);
    } else if (strcmp(name, "cpu.native") == 0) {
        ok = setting_parse_bool(value, &b);
    } else {
        ok = *value != '\0'; /* patterns: anything but empty */
    }
    if (!ok) {
        *why = "";
        for (const setting_key *k = setting_keys; k->name; k++)
            if (strcmp(k->name, name) == 0)
                *why = k->expected;
    }
    return ok;
}
