#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"
#include "text.h"
#include "xalloc.h"

/* Whether a progress line is on the terminal now. */
static bool progress_shown;

/* Writes text to out with every control character escaped but newlines. */
static void put_escaped(FILE *out, const char *text, size_t len)
{
    char *safe = text_escape_controls(text, len, true);
    fputs(safe, out);
    free(safe);
}

void cli_printf(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = xvasprintf(fmt, ap);
    va_end(ap);
    put_escaped(out, text, strlen(text));
    free(text);
}

FILE *cli_capture_open(cli_capture *c)
{
    *c = (cli_capture){0};
    c->mem = open_memstream(&c->text, &c->size);
    if (!c->mem) {
        fprintf(stderr, "p3: error: out of memory (capturing output)\n");
        exit(STATUS_FAILURE);
    }
    return c->mem;
}

void cli_capture_close(cli_capture *c, FILE *out)
{
    fclose(c->mem);
    put_escaped(out, c->text, c->size);
    free(c->text);
    *c = (cli_capture){0};
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    cli_progress_end();
    va_list ap;
    va_start(ap, fmt);
    char *message = xvasprintf(fmt, ap);
    va_end(ap);
    /* The message quotes what the user typed, which may hold anything. */
    char *safe = text_escape_controls(message, strlen(message), false);
    fprintf(stderr, "p3 %s: error: %s\nusage: %s\n", cmd->name, safe, cmd->usage);
    free(safe);
    free(message);
    return STATUS_USAGE;
}

void cli_print_help(const cli_command *cmd)
{
    printf("usage: %s\n\n%s\n\n%s", cmd->usage, cmd->summary, cmd->help);
}

static const cli_option *find_long(const cli_option *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

static const cli_option *find_short(const cli_option *opts, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c)
            return &opts[i];
    return NULL;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, const cli_option *opts,
              size_t opt_count, char ***positional, int *positional_count)
{
    *positional = xcalloc((size_t)argc + 1, sizeof **positional);
    *positional_count = 0;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            (*positional)[(*positional_count)++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_help(cmd);
            return CLI_HELP_SHOWN;
        }
        const cli_option *opt;
        const char *inline_value = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            opt = find_long(opts, opt_count, arg + 2, len);
            if (eq)
                inline_value = eq + 1;
        } else {
            opt = arg[2] == '\0' ? find_short(opts, opt_count, arg[1]) : NULL;
        }
        if (!opt)
            return cli_usage_error(cmd, "unknown option '%s'", arg);
        if (opt->flag) {
            if (inline_value)
                return cli_usage_error(cmd, "option '--%s' takes no value", opt->name);
            *opt->flag = true;
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option '%s' needs a value", arg);
            inline_value = argv[++i];
        }
        *opt->value = inline_value;
    }
    return STATUS_OK;
}

void cli_print_diags(diag_list *diags)
{
    size_t n = diag_list_count(diags);
    if (n)
        cli_progress_end();
    for (size_t i = 0; i < n; i++) {
        char *line = diag_format(diag_list_get(diags, i));
        /* Paths and quoted subjects come from file and run names. */
        char *safe = text_escape_controls(line, strlen(line), false);
        fprintf(stderr, "%s\n", safe);
        free(safe);
        free(line);
    }
    diag_list_clear(diags);
}

void cli_progress(const char *fmt, ...)
{
    if (!isatty(STDERR_FILENO))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *raw = xvasprintf(fmt, ap);
    va_end(ap);
    char *text = text_escape_controls(raw, strlen(raw), false);
    free(raw);
    /* Keep the line within a normal terminal's width. */
    if (strlen(text) > 78)
        memcpy(text + 75, "...", 4);
    fprintf(stderr, "\r\033[K%s", text);
    fflush(stderr);
    free(text);
    progress_shown = true;
}

void cli_progress_end(void)
{
    if (!progress_shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    progress_shown = false;
}

/* Whether show_busy_store() has put a line on the terminal. */
static bool busy_shown;

/* The store's on_busy: while another process holds the store, says so on
 * the progress line, once a second. */
static void show_busy_store(void *ctx, const char *path, long waited_ms, long limit_ms)
{
    (void)ctx;
    (void)path; /* the user named it; the line must fit the terminal */
    cli_progress("the store is busy for %ld s: another p3 or program holds it; will wait %ld s",
                 waited_ms / 1000, limit_ms / 1000);
    busy_shown = true;
}

int cli_open_store(const char *path, store_mode mode, sqlite3 **db)
{
    diag_list *diags = diag_list_new();
    /* Waits for another process up to store.h's default, the whole time the
     * store is open; the line goes when the open is done or the next
     * progress line or message replaces it. */
    store_options opts = {.on_busy = show_busy_store};
    int status = store_open_opt(path, mode, &opts, db, diags);
    if (busy_shown) {
        cli_progress_end();
        busy_shown = false;
    }
    cli_print_diags(diags);
    diag_list_free(diags);
    return status;
}

int cli_finish(int status)
{
    cli_progress_end();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "p3: error: cannot write the output\n");
        return STATUS_FAILURE;
    }
    return status;
}
