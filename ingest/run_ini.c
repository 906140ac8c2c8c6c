#include "run_ini.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "line_reader.h"
#include "status.h"
#include "text.h"
#include "xalloc.h"

static char *lower_dup(const char *s, size_t len)
{
    char *p = xstrndup(s, len);
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

static void add_entry(run_ini *ini, const char *section, const char *key, size_t key_len,
                      const char *value, size_t value_len, long line)
{
    ini->entries = xreallocarray(ini->entries, ini->count + 1, sizeof *ini->entries);
    run_ini_entry *e = &ini->entries[ini->count++];
    e->section = xstrdup(section);
    e->key = lower_dup(key, key_len);
    e->name = xstrndup(key, key_len);
    e->value = xstrndup(value, value_len);
    e->line = line;
}

static bool valid_name(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

/* Handles one line; adds diagnostics for bad ones. */
static void parse_line(run_ini *ini, char **section, const char *line, size_t len, long number,
                       diag_file *df)
{
    ini_line l = ini_split(line, len);
    switch (l.kind) {
    case INI_NOTHING:
        return;
    case INI_BAD_UTF8:
        diag_file_error(df, number, l.col, "invalid UTF-8 byte 0x%02X",
                        (unsigned char)line[l.col - 1]);
        return;
    case INI_BAD_SECTION:
        diag_file_error(df, number, l.col, "bad section header: expected '[name]'");
        return;
    case INI_NO_EQUALS:
        diag_file_error(df, number, l.col, "expected 'key = value' or '[section]'");
        return;
    case INI_SECTION:
        if (!valid_name(l.name, l.name_len)) {
            diag_file_error(df, number, l.col, "bad section header: expected '[name]'");
            return;
        }
        free(*section);
        *section = lower_dup(l.name, l.name_len);
        return;
    case INI_KEY:
        break;
    }
    if (!valid_name(l.name, l.name_len)) {
        diag_file_error(df, number, l.col, "bad key: use letters, digits, '_', '-' and '.'");
        return;
    }
    if (!*section) {
        diag_file_error(df, number, l.col, "key before any section: start with '[run]'");
        return;
    }
    /* Values end up in messages, charts and the workbook: a control
     * character (C0 but tab, DEL, C1) is never meant, and would reach a
     * terminal as it is. */
    for (size_t i = 0; i < l.value_len; i++) {
        const unsigned char c = (unsigned char)l.value[i];
        bool c1 = c == 0xC2 && i + 1 < l.value_len && (unsigned char)l.value[i + 1] < 0xA0;
        if ((c < 0x20 && c != '\t') || c == 0x7F || c1) {
            char code[8];
            if (c1)
                snprintf(code, sizeof code, "U+%04X", (unsigned char)l.value[i + 1]);
            else
                snprintf(code, sizeof code, "0x%02X", c);
            diag_file_error(df, number, l.value_col + (long)i,
                            "control character %s in the value of '%.*s'", code,
                            (int)l.name_len, l.name);
            return;
        }
    }
    char *lkey = lower_dup(l.name, l.name_len);
    const run_ini_entry *dup = run_ini_get(ini, *section, lkey);
    if (dup)
        diag_file_error(df, number, l.col, "'%s' is set twice in [%s] (first on line %ld)", lkey,
                        *section, dup->line);
    else
        add_entry(ini, *section, l.name, l.name_len, l.value, l.value_len, number);
    free(lkey);
}

int run_ini_read(const char *path, run_ini **out, diag_list *diags)
{
    *out = NULL;
    line_reader *r;
    int status = line_reader_open(path, NULL, &r, diags);
    if (status)
        return status;
    run_ini *ini = xcalloc(1, sizeof *ini);
    diag_file df = {.list = diags, .path = path};
    char *section = NULL;
    const char *line;
    size_t len;
    line_status ls;
    while ((ls = line_reader_next(r, &line, &len)) != LINE_EOF) {
        long number = line_reader_line(r);
        if (ls == LINE_IO_ERROR) {
            status = STATUS_FAILURE;
            break;
        }
        if (ls == LINE_TOO_LONG) {
            diag_file_error(&df, number, (long)len + 1, "line longer than 1 MiB");
            continue;
        }
        if (number == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3; /* a UTF-8 byte order mark */
            len -= 3;
        }
        parse_line(ini, &section, line, len, number, &df);
    }
    free(section);
    uint64_t size = 0;
    if (status == STATUS_OK)
        status = line_reader_digest(r, ini->sha256, &size, diags);
    ini->size = (long long)size;
    line_reader_free(r);
    diag_file_finish(&df);
    if (status == STATUS_OK && df.errors)
        status = STATUS_BAD_INPUT;
    if (status) {
        run_ini_free(ini);
        return status;
    }
    *out = ini;
    return STATUS_OK;
}

void run_ini_free(run_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->count; i++) {
        free(ini->entries[i].section);
        free(ini->entries[i].key);
        free(ini->entries[i].name);
        free(ini->entries[i].value);
    }
    free(ini->entries);
    free(ini);
}

const run_ini_entry *run_ini_get(const run_ini *ini, const char *section, const char *key)
{
    for (size_t i = 0; i < ini->count; i++)
        if (strcmp(ini->entries[i].section, section) == 0 && strcmp(ini->entries[i].key, key) == 0)
            return &ini->entries[i];
    return NULL;
}
