#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini.h"
#include "isotime.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

/* The defaults. Those of the test bed come from the paper; the rest are
 * the model's choices, explained in the README's "The simulator". */
#define DEFAULT_CPUS 4                     /* 2 Xeons with HyperThreading */
#define DEFAULT_GUESTS 8                   /* eight guests, one vCPU each */
#define WINDOWS_SERVER_QUANTUM_US 187500   /* 12 clock ticks of 15.625 ms (2003, SMP) */
#define W2K_GUEST_QUANTUM_US 120000        /* 12 clock ticks of 10 ms (2000, UP HAL) */
#define ESX_QUANTUM_US 50000               /* ESX's scheduling quantum */
#define DEFAULT_OVERHEAD_PPM 50000         /* "about 5% CPU overhead" */
/* The host OS's own work comes in bursts of a few threads of the host's
 * services. A host of guests also runs the virtualization product's
 * management services (Virtual Server's administration web site, VMware's
 * management processes), so it gets more than the native server. */
#define VM_HOST_BACKGROUND_GAP_US 700000     /* a burst every 0.7 s on average... */
#define VM_HOST_BACKGROUND_WIDTH 8           /* ...of up to 8 threads... */
#define VM_HOST_BACKGROUND_BURST_US 120000   /* ...of 120 ms each on average */
#define SERVER_BACKGROUND_GAP_US 1000000     /* the native server and ESX: a burst a second... */
#define SERVER_BACKGROUND_WIDTH 4            /* ...of up to 4 threads... */
#define SERVER_BACKGROUND_BURST_US 100000    /* ...of 100 ms each on average */
#define DEFAULT_LOAD_BURST_US 60000        /* a duty-cycled load thread's burst */
#define DEFAULT_CAP_PERIOD_US 100000       /* the cap's timer period */
#define DEFAULT_INTERVAL_US 1000000        /* the probe acts about once a second */
#define DEFAULT_JITTER_US 250000
#define DEFAULT_STEPS 3                    /* open a dialog: three short steps... */
#define DEFAULT_STEP_CPU_US 1000           /* ...of 1 ms CPU each... */
#define DEFAULT_STEP_WAIT_US 4000          /* ...with 4 ms of I/O between them */
#define DEFAULT_SAMPLES 300                /* actions per level */
#define DEFAULT_SETTLE_US 5000000          /* the load settles before the probe resumes */
#define DEFAULT_PERFMON_INTERVAL_US 15000000 /* perfmon's default sample interval */
#define DEFAULT_ESXTOP_INTERVAL_US 5000000   /* esxtop's default delay */

static const char *const default_level_names[] = {"None", "Low", "Medium",
                                                  "Busy", "Maximum", "Overload"};
/* The load generator's threads on a machine of n CPUs: n threads at
 * 25 % and 50 % (Low, Medium), n CPU-bound threads (Busy: it is full), and
 * one and two CPU-bound threads more than it can run (Maximum, Overload). */
static int default_threads(int level, int n)
{
    static const int per_cpu[] = {0, 1, 1, 1, 1, 1}, extra[] = {0, 0, 0, 0, 1, 2};
    return per_cpu[level] * n + extra[level];
}
static const int64_t default_duty_ppm[] = {0, 250000, 500000, 1000000, 1000000, 1000000};
#define DEFAULT_LEVELS SCENARIO_DEFAULT_LEVELS

const char *scenario_default_level(int i, int n, int *threads, int64_t *duty_ppm)
{
    *threads = default_threads(i, n);
    *duty_ppm = default_duty_ppm[i];
    return default_level_names[i];
}

const char *scenario_platform_key(scenario_platform p)
{
    switch (p) {
    case SCENARIO_NATIVE:
        return "native";
    case SCENARIO_MSVS:
        return "msvs";
    case SCENARIO_GSX:
        return "gsx";
    case SCENARIO_ESX:
        return "esx";
    }
    return "?";
}

const char *scenario_platform_description(scenario_platform p)
{
    switch (p) {
    case SCENARIO_NATIVE:
        return "Windows Server 2003, no virtualization";
    case SCENARIO_MSVS:
        return "Microsoft Virtual Server 1.1 EE on Windows Server 2003";
    case SCENARIO_GSX:
        return "VMware GSX Server 3.1.0 on Windows Server 2003";
    case SCENARIO_ESX:
        return "VMware ESX Server";
    }
    return "?";
}

bool scenario_virtual(const scenario *s)
{
    return s->platform != SCENARIO_NATIVE;
}

static const char *default_host_name(scenario_platform p)
{
    switch (p) {
    case SCENARIO_NATIVE:
        return "SERVER01";
    case SCENARIO_MSVS:
        return "VSHOST01";
    case SCENARIO_GSX:
        return "GSXHOST01";
    case SCENARIO_ESX:
        return "esxhost01";
    }
    return "HOST";
}

/* Fills the levels with the defaults for a machine of n CPUs. */
static void default_levels(scenario *s, int n)
{
    for (int i = 0; i < SCENARIO_MAX_LEVELS; i++) {
        free(s->levels[i].name);
        s->levels[i].name = NULL;
    }
    s->level_count = DEFAULT_LEVELS;
    for (int i = 0; i < DEFAULT_LEVELS; i++) {
        s->levels[i].name = xstrdup(default_level_names[i]);
        s->levels[i].threads = default_threads(i, n);
        s->levels[i].duty_ppm = default_duty_ppm[i];
    }
}

scenario *scenario_new(scenario_platform platform)
{
    scenario *s = xcalloc(1, sizeof *s);
    s->platform = platform;
    s->seed = 1;
    s->host_name = xstrdup(default_host_name(platform));
    s->cpus = DEFAULT_CPUS;
    s->host_quantum_us = platform == SCENARIO_ESX ? ESX_QUANTUM_US : WINDOWS_SERVER_QUANTUM_US;
    bool vm_host = platform == SCENARIO_MSVS || platform == SCENARIO_GSX;
    s->background_gap_us = vm_host ? VM_HOST_BACKGROUND_GAP_US : SERVER_BACKGROUND_GAP_US;
    s->background_width = vm_host ? VM_HOST_BACKGROUND_WIDTH : SERVER_BACKGROUND_WIDTH;
    s->background_burst_us = vm_host ? VM_HOST_BACKGROUND_BURST_US : SERVER_BACKGROUND_BURST_US;
    s->guests = platform == SCENARIO_NATIVE ? 0 : DEFAULT_GUESTS;
    s->overhead_ppm = platform == SCENARIO_NATIVE ? 0 : DEFAULT_OVERHEAD_PPM;
    s->others_burst_us = DEFAULT_LOAD_BURST_US;
    s->guest_name = platform == SCENARIO_NATIVE ? NULL : xstrdup("W2K-GUEST08");
    s->guest_quantum_us = W2K_GUEST_QUANTUM_US;
    s->cap_period_us = DEFAULT_CAP_PERIOD_US;
    default_levels(s, platform == SCENARIO_NATIVE ? s->cpus : 1);
    s->load_burst_us = DEFAULT_LOAD_BURST_US;
    s->operation = xstrdup("open-dialog");
    s->interval_us = DEFAULT_INTERVAL_US;
    s->jitter_us = DEFAULT_JITTER_US;
    s->steps = DEFAULT_STEPS;
    s->step_cpu_us = DEFAULT_STEP_CPU_US;
    s->step_wait_us = DEFAULT_STEP_WAIT_US;
    s->samples = DEFAULT_SAMPLES;
    s->settle_us = DEFAULT_SETTLE_US;
    /* 2005-03-01 10:00 in Massachusetts, where the paper's lab was. */
    s->start_local_us = isotime_days_from_civil(2005, 3, 1) * INT64_C(86400000000) +
                        INT64_C(10) * 3600 * 1000000;
    s->time_zone = xstrdup("Eastern Standard Time");
    s->bias_minutes = 300;
    s->counter_interval_us =
        platform == SCENARIO_ESX ? DEFAULT_ESXTOP_INTERVAL_US : DEFAULT_PERFMON_INTERVAL_US;
    return s;
}

void scenario_free(scenario *s)
{
    if (!s)
        return;
    free(s->path);
    free(s->title);
    free(s->notes);
    free(s->host_name);
    free(s->guest_name);
    for (int i = 0; i < SCENARIO_MAX_LEVELS; i++)
        free(s->levels[i].name);
    free(s->operation);
    free(s->time_zone);
    free(s);
}

/* A new string: the title a scenario gets when it names none. */
static char *default_title(const scenario *s)
{
    if (s->platform == SCENARIO_NATIVE)
        return xasprintf("P3 Native Server: typical server, no virtualization%s",
                         s->priority_management ? " w/Priority Management" : "");
    const char *product = s->platform == SCENARIO_MSVS  ? "MicrosoftVS"
                          : s->platform == SCENARIO_GSX ? "VMware GSX"
                                                        : "VMware ESX";
    char cap[64] = "";
    if (s->cap_ppm)
        snprintf(cap, sizeof cap, " w/%lld%% Limit", (long long)(s->cap_ppm / 10000));
    const char *host_rm = s->host_resource_management ? " w/Host Resource Management" : "";
    const char *loaded = s->others_load_ppm ? " under Contention" : "";
    return xasprintf("P3 GuestOS: %s%s%s ; %d Guest%s%s%s", product, cap, host_rm,
                     s->others_load_ppm ? s->guests : 1,
                     s->others_load_ppm && s->guests > 1 ? "s" : "", loaded,
                     s->priority_management ? " w/Priority Management" : "");
}

/* ---- the file ---------------------------------------------------------- */

/* One `key = value` line of the file. */
typedef struct entry {
    char section[16]; /* lowercased */
    char key[32];     /* lowercased */
    const char *value; /* trimmed, in the file buffer (NUL-terminated there) */
    size_t value_len;
    long line, key_col, value_col;
} entry;

typedef enum value_type {
    V_TEXT,     /* free text on one line */
    V_MACHINE,  /* a machine name for counter paths */
    V_BOOL,     /* yes/no */
    V_INT,      /* an integer in [min, max] */
    V_SEED,     /* an unsigned 64-bit integer */
    V_MS,       /* milliseconds with up to 3 decimals, stored in microseconds */
    V_SECONDS,  /* seconds with up to 6 decimals, stored in microseconds */
    V_PERCENT,  /* a percentage with up to 4 decimals, stored in ppm */
    V_PLATFORM, /* native, msvs, gsx, esx */
    V_START,    /* YYYY-MM-DDTHH:MM:SS local */
    V_NAMES,    /* the level names */
    V_THREADS,  /* per-level thread counts */
    V_DUTIES    /* per-level duties */
} value_type;

/* A key the file may set: where it goes and what it accepts. */
typedef struct key_spec {
    const char *section;
    const char *key;
    value_type type;
    size_t offset;    /* into scenario */
    int64_t min, max; /* bounds in stored units (V_INT, V_MS, V_SECONDS, V_PERCENT) */
} key_spec;

#define F(field) offsetof(scenario, field)
#define MS(x) ((int64_t)(x) * 1000)
#define S(x) ((int64_t)(x) * 1000000)
#define PCT(x) ((int64_t)(x) * 10000)

static const key_spec keys[] = {
    {"scenario", "title", V_TEXT, F(title), 0, 0},
    {"scenario", "notes", V_TEXT, F(notes), 0, 0},
    {"scenario", "platform", V_PLATFORM, F(platform), 0, 0},
    {"scenario", "seed", V_SEED, F(seed), 0, 0},
    {"host", "name", V_MACHINE, F(host_name), 0, 0},
    {"host", "cpus", V_INT, F(cpus), 1, SCENARIO_MAX_CPUS},
    {"host", "quantum_ms", V_MS, F(host_quantum_us), MS(1), MS(10000)},
    {"host", "resource_management", V_BOOL, F(host_resource_management), 0, 0},
    {"host", "background_interval_ms", V_MS, F(background_gap_us), 0, S(3600)},
    {"host", "background_width", V_INT, F(background_width), 1, SCENARIO_MAX_CPUS},
    {"host", "background_burst_ms", V_MS, F(background_burst_us), MS(1), S(60)},
    {"guests", "count", V_INT, F(guests), 0, SCENARIO_MAX_GUESTS},
    {"guests", "overhead", V_PERCENT, F(overhead_ppm), 0, PCT(50)},
    {"guests", "others_load", V_PERCENT, F(others_load_ppm), 0, PCT(100)},
    {"guests", "others_burst_ms", V_MS, F(others_burst_us), MS(1), S(60)},
    {"guest", "name", V_MACHINE, F(guest_name), 0, 0},
    {"guest", "quantum_ms", V_MS, F(guest_quantum_us), MS(1), MS(10000)},
    {"guest", "priority_management", V_BOOL, F(priority_management), 0, 0},
    {"guest", "cap", V_PERCENT, F(cap_ppm), 0, PCT(100)},
    {"guest", "cap_period_ms", V_MS, F(cap_period_us), MS(1), S(60)},
    {"load", "levels", V_NAMES, 0, 0, 0},
    {"load", "threads", V_THREADS, 0, 0, SCENARIO_MAX_THREADS},
    {"load", "duty", V_DUTIES, 0, 0, PCT(100)},
    {"load", "burst_ms", V_MS, F(load_burst_us), MS(1), S(60)},
    {"probe", "operation", V_TEXT, F(operation), 0, 0},
    {"probe", "interval_ms", V_MS, F(interval_us), MS(1), S(3600)},
    {"probe", "jitter_ms", V_MS, F(jitter_us), 0, S(3600)},
    {"probe", "steps", V_INT, F(steps), 1, 1000},
    {"probe", "step_cpu_ms", V_MS, F(step_cpu_us), 1, S(10)},
    {"probe", "step_wait_ms", V_MS, F(step_wait_us), 0, S(10)},
    {"probe", "samples", V_INT, F(samples), 1, 1000000},
    {"probe", "settle_s", V_SECONDS, F(settle_us), 0, S(3600)},
    {"lab", "start", V_START, F(start_local_us), 0, 0},
    {"lab", "time_zone", V_TEXT, F(time_zone), 0, 0},
    {"lab", "bias", V_INT, F(bias_minutes), -840, 720},
    {"lab", "counter_interval_s", V_SECONDS, F(counter_interval_us), S(1), S(3600)},
};

static const size_t key_count = sizeof keys / sizeof *keys;

static const char *const sections[] = {"scenario", "host", "guests", "guest",
                                       "load",     "probe", "lab"};

/* The keys of section as "a, b, c" (caller frees). */
static char *known_keys(const char *section)
{
    size_t len = 0;
    for (size_t i = 0; i < key_count; i++)
        if (strcmp(keys[i].section, section) == 0)
            len += strlen(keys[i].key) + 2;
    char *out = xmalloc(len + 1), *p = out;
    *p = '\0';
    for (size_t i = 0; i < key_count; i++)
        if (strcmp(keys[i].section, section) == 0)
            p += sprintf(p, "%s%s", p == out ? "" : ", ", keys[i].key);
    return out;
}

static const key_spec *find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < key_count; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

static bool known_section(const char *name)
{
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        if (strcmp(sections[i], name) == 0)
            return true;
    return false;
}

/* Copies s[0..len) lowercased into out (size outsize); false if too long or
 * not made of letters, digits and '_'. */
static bool copy_name(char *out, size_t outsize, const char *s, size_t len)
{
    if (len == 0 || len >= outsize)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[len] = '\0';
    return true;
}

/* The parse in progress. */
typedef struct parser {
    diag_file df;
    entry *entries;
    size_t count;
    char section[16]; /* current section, "" before the first */
    bool section_known; /* whether the current section is one of ours */
} parser;

static const entry *find_entry(const parser *p, const char *section, const char *key)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->entries[i].section, section) == 0 && strcmp(p->entries[i].key, key) == 0)
            return &p->entries[i];
    return NULL;
}

static void parse_line(parser *p, char *line, size_t len, long number)
{
    ini_line l = ini_split(line, len);
    char quoted[64];
    switch (l.kind) {
    case INI_NOTHING:
        return;
    case INI_BAD_UTF8:
        diag_file_error(&p->df, number, l.col, "invalid UTF-8 byte 0x%02X",
                        (unsigned char)line[l.col - 1]);
        return;
    case INI_BAD_SECTION:
        diag_file_error(&p->df, number, l.col, "bad section header: expected '[name]'");
        return;
    case INI_NO_EQUALS:
        diag_file_error(&p->df, number, l.col, "expected 'key = value' or '[section]'");
        return;
    case INI_SECTION: {
        char lower[16];
        if (!copy_name(lower, sizeof lower, l.name, l.name_len) || !known_section(lower)) {
            diag_file_error(&p->df, number, l.col + 1,
                            "unknown section %s: use scenario, host, guests, guest, load, "
                            "probe or lab",
                            diag_quote(quoted, sizeof quoted, l.name, l.name_len));
            p->section_known = false;
            strcpy(p->section, "?");
            return;
        }
        strcpy(p->section, lower);
        p->section_known = true;
        return;
    }
    case INI_KEY:
        break;
    }
    if (!p->section[0]) {
        diag_file_error(&p->df, number, l.col, "key before any section: start with '[scenario]'");
        return;
    }
    if (!p->section_known)
        return; /* the section header is already reported */
    char lower[32];
    if (!copy_name(lower, sizeof lower, l.name, l.name_len) || !find_key(p->section, lower)) {
        char *known = known_keys(p->section);
        diag_file_error(&p->df, number, l.col, "unknown key %s in [%s]: known keys are %s",
                        diag_quote(quoted, sizeof quoted, l.name, l.name_len), p->section,
                        known);
        free(known);
        return;
    }
    const entry *dup = find_entry(p, p->section, lower);
    if (dup) {
        diag_file_error(&p->df, number, l.col, "'%s' is set twice in [%s] (first on line %ld)",
                        lower, p->section, dup->line);
        return;
    }
    p->entries = xreallocarray(p->entries, p->count + 1, sizeof *p->entries);
    entry *e = &p->entries[p->count++];
    strcpy(e->section, p->section);
    strcpy(e->key, lower);
    line[l.value - line + l.value_len] = '\0'; /* the buffer is ours; the line end is past it */
    e->value = l.value;
    e->value_len = l.value_len;
    e->line = number;
    e->key_col = l.col;
    e->value_col = l.value_col;
}

/* ---- values ------------------------------------------------------------ */

static void value_error(parser *p, const entry *e, const char *fmt, const char *want)
{
    char quoted[64];
    diag_quote(quoted, sizeof quoted, e->value, e->value_len);
    diag_file_error(&p->df, e->line, e->value_col, fmt, quoted, e->key, want);
}

/* Parses a non-negative decimal with at most `decimals` fraction digits,
 * scaled by 10^decimals. */
static bool parse_fixed(const char *s, size_t len, int decimals, int64_t *out)
{
    int64_t v = 0;
    size_t i = 0;
    int frac = -1;
    bool any = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        if (frac >= 0 && ++frac > decimals)
            return false;
        if (v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (c - '0');
        any = true;
    }
    if (!any)
        return false;
    for (int k = frac < 0 ? 0 : frac; k < decimals; k++) {
        if (v > INT64_MAX / 10)
            return false;
        v *= 10;
    }
    *out = v;
    return true;
}

static bool parse_int(const char *s, size_t len, int64_t *out)
{
    bool neg = len > 0 && s[0] == '-';
    if (!parse_fixed(s + neg, len - neg, 0, out))
        return false;
    if (neg)
        *out = -*out;
    return memchr(s, '.', len) == NULL;
}

/* A percentage: "50", "50%", "12.5 %". */
static bool parse_percent(const char *s, size_t len, int64_t *ppm)
{
    if (len > 0 && s[len - 1] == '%') {
        len--;
        text_trim(&s, &len);
    }
    return parse_fixed(s, len, 4, ppm);
}

static bool parse_bool(const char *s, size_t len, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
                                                                                "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (text_equal_nocase(s, len, yes[i])) {
            *out = true;
            return true;
        }
        if (text_equal_nocase(s, len, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool valid_machine(const char *s, size_t len)
{
    if (len == 0 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return false;
    return true;
}

static bool valid_text(const char *s, size_t len)
{
    if (len == 0 || len > 300)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* Splits a comma-separated list into trimmed items; returns the count, or
 * -1 when there are more than max. */
static int split_list(const char *s, size_t len, const char **item, size_t *item_len, int max)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        if (n == max)
            return -1;
        item[n] = s + start;
        item_len[n] = i - start;
        text_trim(&item[n], &item_len[n]);
        n++;
        start = i + 1;
    }
    return n;
}

/* Applies one list key to the levels; *count receives the list's length. */
static void apply_list(parser *p, scenario *s, const entry *e, const key_spec *k, int *count)
{
    const char *item[SCENARIO_MAX_LEVELS];
    size_t item_len[SCENARIO_MAX_LEVELS];
    int n = split_list(e->value, e->value_len, item, item_len, SCENARIO_MAX_LEVELS);
    if (n < 0) {
        diag_file_error(&p->df, e->line, e->value_col, "more than %d levels in '%s'",
                        SCENARIO_MAX_LEVELS, e->key);
        return;
    }
    for (int i = 0; i < n; i++) {
        long col = e->value_col + (long)(item[i] - e->value);
        char quoted[64];
        diag_quote(quoted, sizeof quoted, item[i], item_len[i]);
        int64_t v = 0;
        switch (k->type) {
        case V_NAMES:
            if (!valid_text(item[i], item_len[i])) {
                diag_file_error(&p->df, e->line, col, "empty level name in 'levels'");
                return;
            }
            free(s->levels[i].name);
            s->levels[i].name = xstrndup(item[i], item_len[i]);
            break;
        case V_THREADS:
            if (!parse_int(item[i], item_len[i], &v) || v < 0 || v > k->max) {
                diag_file_error(&p->df, e->line, col,
                                "bad thread count %s in 'threads': expected 0 to %d", quoted,
                                SCENARIO_MAX_THREADS);
                return;
            }
            s->levels[i].threads = (int)v;
            break;
        default:
            if (!parse_percent(item[i], item_len[i], &v) || v > k->max) {
                diag_file_error(&p->df, e->line, col,
                                "bad duty %s in 'duty': expected a percentage from 0 to 100",
                                quoted);
                return;
            }
            s->levels[i].duty_ppm = v;
            break;
        }
    }
    *count = n;
}

/* Applies one entry; reports a bad value. */
static void apply(parser *p, scenario *s, const entry *e, int *list_counts)
{
    const key_spec *k = find_key(e->section, e->key);
    char *field = (char *)s + k->offset;
    int64_t v = 0;
    switch (k->type) {
    case V_TEXT:
        if (!valid_text(e->value, e->value_len)) {
            value_error(p, e, "bad text %s for '%s': %s", "expected one line of text");
            return;
        }
        free(*(char **)field);
        *(char **)field = xstrndup(e->value, e->value_len);
        return;
    case V_MACHINE:
        if (!valid_machine(e->value, e->value_len)) {
            value_error(p, e, "bad machine name %s for '%s': %s",
                        "use up to 63 letters, digits, '-', '_' and '.'");
            return;
        }
        free(*(char **)field);
        *(char **)field = xstrndup(e->value, e->value_len);
        return;
    case V_BOOL:
        if (!parse_bool(e->value, e->value_len, (bool *)field))
            value_error(p, e, "bad value %s for '%s': %s", "expected yes or no");
        return;
    case V_INT:
        if (!parse_int(e->value, e->value_len, &v) || v < k->min || v > k->max) {
            char want[64];
            snprintf(want, sizeof want, "expected an integer from %lld to %lld",
                     (long long)k->min, (long long)k->max);
            value_error(p, e, "bad value %s for '%s': %s", want);
            return;
        }
        *(int *)field = (int)v;
        return;
    case V_SEED:
        errno = 0;
        {
            char *end;
            unsigned long long seed = strtoull(e->value, &end, 10);
            if (errno || end != e->value + e->value_len || e->value_len == 0 ||
                !isdigit((unsigned char)e->value[0])) {
                value_error(p, e, "bad seed %s for '%s': %s",
                            "expected an integer from 0 to 18446744073709551615");
                return;
            }
            *(uint64_t *)field = seed;
        }
        return;
    case V_MS:
    case V_SECONDS:
    case V_PERCENT: {
        bool ok = k->type == V_PERCENT ? parse_percent(e->value, e->value_len, &v)
                                        : parse_fixed(e->value, e->value_len,
                                                      k->type == V_MS ? 3 : 6, &v);
        if (!ok || v < k->min || v > k->max) {
            char want[96];
            if (k->type == V_PERCENT)
                snprintf(want, sizeof want, "expected a percentage from %g to %g",
                         (double)k->min / 10000, (double)k->max / 10000);
            else if (k->type == V_MS)
                snprintf(want, sizeof want, "expected milliseconds from %g to %g",
                         (double)k->min / 1000, (double)k->max / 1000);
            else
                snprintf(want, sizeof want, "expected seconds from %g to %g",
                         (double)k->min / 1000000, (double)k->max / 1000000);
            value_error(p, e, "bad value %s for '%s': %s", want);
            return;
        }
        *(int64_t *)field = v;
        return;
    }
    case V_PLATFORM:
        return; /* applied first, by scenario_read */
    case V_START: {
        int64_t ns;
        bool ok = e->value_len == 19 && e->value[10] == 'T' &&
                  isotime_parse(e->value, e->value_len, 0, &ns);
        if (!ok) {
            value_error(p, e, "bad time %s for '%s': %s",
                        "expected local time as YYYY-MM-DDTHH:MM:SS");
            return;
        }
        *(int64_t *)field = ns / 1000;
        return;
    }
    case V_NAMES:
        apply_list(p, s, e, k, &list_counts[0]);
        return;
    case V_THREADS:
        apply_list(p, s, e, k, &list_counts[1]);
        return;
    case V_DUTIES:
        apply_list(p, s, e, k, &list_counts[2]);
        return;
    }
}

static bool platform_from(const char *s, size_t len, scenario_platform *out)
{
    for (int p = SCENARIO_NATIVE; p <= SCENARIO_ESX; p++)
        if (text_equal_nocase(s, len, scenario_platform_key((scenario_platform)p))) {
            *out = (scenario_platform)p;
            return true;
        }
    return false;
}

/* ---- consistency ------------------------------------------------------- */

/* Where a complaint about section.key points: its line when the file set it. */
static void check_error(diag_file *df, const parser *p, const char *section, const char *key,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void check_error(diag_file *df, const parser *p, const char *section, const char *key,
                        const char *fmt, ...)
{
    const entry *e = p ? find_entry(p, section, key) : NULL;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_file_error(df, e ? e->line : 0, e ? e->value_col : 0, "%s", msg);
    free(msg);
}

static void check(const scenario *s, const parser *p, diag_file *df)
{
    if (s->platform == SCENARIO_NATIVE) {
        if (s->guests)
            check_error(df, p, "guests", "count",
                        "a native server has no guests: remove 'count' or choose a platform");
        if (s->cap_ppm)
            check_error(df, p, "guest", "cap", "a native server has no guest to cap");
    } else {
        if (s->guests < 1)
            check_error(df, p, "guests", "count",
                        "'count' must be at least 1: the measured guest is one of them");
        if (s->platform == SCENARIO_GSX && s->cap_ppm)
            check_error(df, p, "guest", "cap",
                        "VMware GSX Server has no CPU cap: use msvs or esx, or remove 'cap'");
        if (s->cap_ppm && s->cap_ppm <= s->overhead_ppm)
            check_error(df, p, "guest", "cap",
                        "a cap of %g%% leaves nothing after the %g%% overhead it counts",
                        (double)s->cap_ppm / 10000, (double)s->overhead_ppm / 10000);
        if (s->host_name && s->guest_name && strcasecmp(s->host_name, s->guest_name) == 0)
            check_error(df, p, p && find_entry(p, "host", "name") ? "host" : "guest", "name",
                        "the guest's name must differ from the host's: p3 tells their "
                        "counter files apart by it");
    }
    if (strpbrk(s->time_zone, "\"()"))
        check_error(df, p, "lab", "time_zone",
                    "a time zone name cannot hold '\"', '(' or ')': perfmon's header "
                    "encloses it in them");
    for (int i = 0; i < s->level_count; i++) {
        if (strchr(s->levels[i].name, '"'))
            check_error(df, p, "load", "levels", "level name '%s' holds a '\"'",
                        s->levels[i].name);
        if (s->levels[i].threads > 0 && s->levels[i].duty_ppm == 0)
            check_error(df, p, "load", "duty", "level '%s' has %d threads with a duty of 0%%",
                        s->levels[i].name, s->levels[i].threads);
        for (int j = 0; j < i; j++)
            if (strcasecmp(s->levels[i].name, s->levels[j].name) == 0)
                check_error(df, p, "load", "levels", "level '%s' is named twice",
                            s->levels[i].name);
    }
    if (s->level_count == 0)
        check_error(df, p, "load", "levels", "no load levels");
}

/* ---- reading ----------------------------------------------------------- */

static char *read_all(const char *path, size_t *len, diag_list *diags)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= (size_t)1 << 24) {
                diag_add(diags, DIAG_ERROR, path, 0, 0, "larger than 16 MiB: not a scenario");
                fclose(f);
                free(buf);
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int scenario_read(const char *path, scenario **out, diag_list *diags)
{
    *out = NULL;
    size_t len;
    char *buf = read_all(path, &len, diags);
    if (!buf)
        return STATUS_BAD_INPUT;
    parser p = {.df = {.list = diags, .path = path}};
    char *line = buf;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        line += 3;
    long number = 0;
    while (line < buf + len) {
        number++;
        char *nl = memchr(line, '\n', (size_t)(buf + len - line));
        char *end = nl ? nl : buf + len;
        size_t n = (size_t)(end - line);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (memchr(line, '\0', n))
            diag_file_error(&p.df, number, (long)((char *)memchr(line, '\0', n) - line) + 1,
                            "NUL byte: not a text file");
        else
            parse_line(&p, line, n, number);
        line = nl ? nl + 1 : buf + len;
    }
    scenario_platform platform = SCENARIO_MSVS;
    const entry *pe = find_entry(&p, "scenario", "platform");
    if (pe && !platform_from(pe->value, pe->value_len, &platform)) {
        char quoted[64];
        diag_file_error(&p.df, pe->line, pe->value_col,
                        "unknown platform %s: use native, msvs, gsx or esx",
                        diag_quote(quoted, sizeof quoted, pe->value, pe->value_len));
    }
    scenario *s = scenario_new(platform);
    s->path = xstrdup(path);
    int list_counts[3] = {-1, -1, -1}; /* levels, threads, duty as given */
    for (size_t i = 0; i < p.count; i++)
        apply(&p, s, &p.entries[i], list_counts);
    if (!p.df.errors) {
        /* Levels: a list the file gives sets that many levels; the others
         * must match it, or keep the defaults when the count agrees. */
        int n = list_counts[0] >= 0 ? list_counts[0] : DEFAULT_LEVELS;
        static const char *const list_keys[] = {"levels", "threads", "duty"};
        for (int k = 1; k < 3; k++)
            if (list_counts[k] >= 0 && list_counts[k] != n)
                check_error(&p.df, &p, "load", list_keys[k],
                            "'%s' has %d values for %d levels", list_keys[k], list_counts[k],
                            n);
        if (n != DEFAULT_LEVELS && (list_counts[1] < 0 || list_counts[2] < 0))
            check_error(&p.df, &p, "load", "levels",
                        "%d levels need their own 'threads' and 'duty' lists", n);
        s->level_count = n;
        /* A native server's default load counts threads per CPU. */
        if (list_counts[1] < 0 && s->platform == SCENARIO_NATIVE)
            for (int i = 0; i < n && i < DEFAULT_LEVELS; i++)
                s->levels[i].threads = default_threads(i, s->cpus);
        if (!find_entry(&p, "lab", "counter_interval_s"))
            s->counter_interval_us = s->platform == SCENARIO_ESX ? DEFAULT_ESXTOP_INTERVAL_US
                                                                 : DEFAULT_PERFMON_INTERVAL_US;
        if (!s->title)
            s->title = default_title(s);
    }
    if (!p.df.errors)
        check(s, &p, &p.df);
    diag_file_finish(&p.df);
    size_t errors = p.df.errors;
    free(p.entries);
    free(buf);
    if (errors) {
        scenario_free(s);
        return STATUS_BAD_INPUT;
    }
    *out = s;
    return STATUS_OK;
}
