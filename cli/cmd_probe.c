/* p3 probe: measures a P3 on this Linux machine (probe/experiment.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "experiment.h"
#include "scenario.h"
#include "setting.h"
#include "status.h"
#include "xalloc.h"

/* A number option in [lo, hi] scaled by `scale` (1000 for ms to us). */
static int number_option(const cli_command *self, const char *name, const char *text, double lo,
                         double hi, double scale, int64_t *out)
{
    double v;
    if (!setting_parse_number(text, lo, hi, &v))
        return cli_usage_error(self, "--%s '%s': expected a number from %g to %g", name, text, lo,
                               hi);
    *out = (int64_t)(v * scale + 0.5);
    return STATUS_OK;
}

/* --levels: names of the paper's six, in any order given. */
static int choose_levels(const cli_command *self, const char *list, int n, probe_options *o)
{
    o->level_count = 0;
    for (int i = 0; !list && i < SCENARIO_DEFAULT_LEVELS; i++) {
        probe_level *l = &o->levels[o->level_count++];
        l->name = scenario_default_level(i, n, &l->threads, &l->duty_ppm);
    }
    if (!list)
        return STATUS_OK;
    char *copy = xstrdup(list), *save = NULL;
    int status = STATUS_OK;
    for (char *tok = strtok_r(copy, ",", &save); tok && !status; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        int found = -1;
        for (int i = 0; i < SCENARIO_DEFAULT_LEVELS; i++) {
            int threads;
            int64_t duty;
            if (strcasecmp(tok, scenario_default_level(i, n, &threads, &duty)) == 0)
                found = i;
        }
        if (found < 0)
            status = cli_usage_error(self,
                                     "--levels: unknown level '%s': expected some of None, Low, "
                                     "Medium, Busy, Maximum, Overload",
                                     tok);
        else if (o->level_count >= PROBE_MAX_LEVELS)
            status = cli_usage_error(self, "--levels: at most %d levels", PROBE_MAX_LEVELS);
        else {
            probe_level *l = &o->levels[o->level_count++];
            l->name = scenario_default_level(found, n, &l->threads, &l->duty_ppm);
        }
    }
    free(copy);
    if (!status && o->level_count == 0)
        status = cli_usage_error(self, "--levels: no level named");
    return status;
}

static void print_progress(void *ctx, const char *line)
{
    (void)ctx;
    cli_printf(stderr, "p3 probe: %s\n", line);
}

int cmd_probe(const cli_command *self, int argc, char **argv)
{
    const char *output = NULL, *cpus = NULL, *cap = NULL, *cap_period = NULL, *samples = NULL,
               *duration = NULL, *interval = NULL, *jitter = NULL, *settle = NULL,
               *steps = NULL, *step_cpu = NULL, *step_wait = NULL, *action = NULL,
               *levels = NULL, *limit = NULL, *title = NULL, *seed = NULL, *burst = NULL;
    bool force = false, manage = false, quiet = false;
    cli_option opts[] = {{"output", 'o', &output, NULL},
                         {"force", 0, NULL, &force},
                         {"cpus", 0, &cpus, NULL},
                         {"cap", 0, &cap, NULL},
                         {"cap-period", 0, &cap_period, NULL},
                         {"manage-priority", 0, NULL, &manage},
                         {"samples", 0, &samples, NULL},
                         {"duration", 0, &duration, NULL},
                         {"interval", 0, &interval, NULL},
                         {"jitter", 0, &jitter, NULL},
                         {"settle", 0, &settle, NULL},
                         {"steps", 0, &steps, NULL},
                         {"step-cpu", 0, &step_cpu, NULL},
                         {"step-wait", 0, &step_wait, NULL},
                         {"action", 0, &action, NULL},
                         {"levels", 0, &levels, NULL},
                         {"load-burst", 0, &burst, NULL},
                         {"time-limit", 0, &limit, NULL},
                         {"title", 0, &title, NULL},
                         {"seed", 0, &seed, NULL},
                         {"quiet", 'q', NULL, &quiet}};
    char **paths;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &paths, &count);
    free(paths);
    if (status)
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    if (count > 0)
        return cli_usage_error(self, "p3 probe takes no file arguments");
    if (!output)
        return cli_usage_error(self, "give the run folder to write with -o RUN_DIR");
    probe_options o;
    probe_options_defaults(&o);
    o.output = output;
    o.force = force;
    o.cpus = cpus;
    o.manage_priority = manage;
    o.title = title;
    o.version = P3_VERSION;
    int64_t v = 0;
    if (cap && !(status = number_option(self, "cap", cap, 0.1, 100000, 10000, &v)))
        o.cap_ppm = v;
    if (!status && cap_period &&
        !(status = number_option(self, "cap-period", cap_period, 1, 1000, 1000, &v)))
        o.cap_period_us = v;
    if (!status && samples && !(status = number_option(self, "samples", samples, 0, 1e7, 1, &v)))
        o.samples = (int)v;
    if (!status && duration &&
        !(status = number_option(self, "duration", duration, 0.1, 86400, 1e6, &v))) {
        o.duration_us = v;
        if (!samples)
            o.samples = 0; /* --duration alone: as many as fit */
    }
    if (!status && interval &&
        !(status = number_option(self, "interval", interval, 1, 3600000, 1000, &v))) {
        o.interval_us = v;
        o.jitter_us = v / 4; /* the paper's proportion, unless --jitter says */
    }
    if (!status && jitter && !(status = number_option(self, "jitter", jitter, 0, 3600000, 1000, &v)))
        o.jitter_us = v;
    if (!status && settle && !(status = number_option(self, "settle", settle, 0, 3600, 1e6, &v)))
        o.settle_us = v;
    if (!status && steps && !(status = number_option(self, "steps", steps, 1, 1000, 1, &v)))
        o.steps = (int)v;
    if (!status && step_cpu &&
        !(status = number_option(self, "step-cpu", step_cpu, 0.01, 10000, 1000, &v)))
        o.step_cpu_us = v;
    if (!status && step_wait &&
        !(status = number_option(self, "step-wait", step_wait, 0, 10000, 1000, &v)))
        o.step_wait_us = v;
    if (!status && burst && !(status = number_option(self, "load-burst", burst, 1, 60000, 1000, &v)))
        o.load_burst_us = v;
    if (!status && limit && !(status = number_option(self, "time-limit", limit, 1, 7 * 86400, 1e6, &v)))
        o.time_limit_us = v;
    if (!status && seed && !(status = number_option(self, "seed", seed, 0, 9e15, 1, &v)))
        o.seed = (uint64_t)v;
    if (!status && o.jitter_us > o.interval_us)
        status = cli_usage_error(self, "--jitter must not exceed --interval");
    if (!status && action) {
        if (strcmp(action, "cpu") == 0)
            o.exec_path = NULL;
        else if (strncmp(action, "exec=", 5) == 0 && action[5])
            o.exec_path = action + 5;
        else
            status = cli_usage_error(self, "--action '%s': expected cpu or exec=PATH", action);
    }
    int n = 0;
    if (!status) {
        n = probe_count_cpus(cpus);
        if (n <= 0)
            status = cli_usage_error(self, "--cpus '%s': expected a CPU list such as 0, 0-3 or 0,2",
                                     cpus);
    }
    if (!status)
        status = choose_levels(self, levels, n, &o);
    if (status)
        return status;
    if (!quiet) {
        o.progress = print_progress;
        o.progress_ctx = NULL;
    }
    diag_list *diags = diag_list_new();
    probe_summary sum = {0};
    status = probe_run(&o, &sum, diags);
    cli_print_diags(diags);
    diag_list_free(diags);
    if (status == STATUS_OK || sum.levels_done > 0 || sum.counter_rows > 0) {
        bool any = false;
        for (int i = 0; i < o.level_count; i++)
            any |= sum.samples[i] > 0;
        if (any) {
            cli_printf(stdout, "%s: %d of %d levels, %d counter rows, %.0f s\n", output,
                       sum.levels_done, o.level_count, sum.counter_rows, sum.seconds);
            for (int i = 0; i < o.level_count; i++)
                if (sum.samples[i])
                    cli_printf(stdout, "  %-9s %5d samples, mean %8.3f ms, max %8.3f ms\n",
                               o.levels[i].name, sum.samples[i], sum.mean_ms[i], sum.max_ms[i]);
        }
    }
    return status;
}
