/* p3 simulate: runs scenarios through the scheduling model and writes each
 * as a lab's run folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lab_writer.h"
#include "scenario.h"
#include "sched_model.h"
#include "status.h"
#include "xalloc.h"

/* The scenario file's name without folder and ".ini": the run's name. */
static char *scenario_stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
        len -= 4;
    return xstrndup(base, len);
}

/* Simulates one scenario into dir; prints its line. */
static int simulate_one(const char *path, const char *dir, bool force)
{
    diag_list *diags = diag_list_new();
    scenario *s = NULL;
    sched_model_result *r = NULL;
    int status = scenario_read(path, &s, diags);
    if (!status)
        status = sched_model_run(s, &r, diags);
    if (!status) {
        const char *base = strrchr(path, '/');
        lab_writer_options o = {.force = force, .source = base ? base + 1 : path,
                                .version = P3_VERSION};
        status = lab_writer_write(dir, s, r, &o, diags);
    }
    cli_print_diags(diags);
    if (!status) {
        long long secs = (long long)(r->end_us / 1000000);
        cli_printf(stdout, "%s: %zu samples, %d levels, %lldh%02lldm%02llds simulated\n", dir,
                   r->sample_count, s->level_count, secs / 3600, secs / 60 % 60, secs % 60);
    }
    sched_model_result_free(r);
    scenario_free(s);
    diag_list_free(diags);
    return status;
}

int cmd_simulate(const cli_command *self, int argc, char **argv)
{
    const char *output = NULL, *lab = NULL;
    bool force = false;
    cli_option opts[] = {{"output", 'o', &output, NULL},
                         {"lab", 0, &lab, NULL},
                         {"force", 0, NULL, &force}};
    char **paths;
    int count;
    int status = cli_parse(self, argc, argv, opts, sizeof opts / sizeof *opts, &paths, &count);
    if (status == STATUS_OK && count == 0)
        status = cli_usage_error(self, "no SCENARIO file to simulate");
    else if (status == STATUS_OK && !output == !lab)
        status = cli_usage_error(self, "give either -o RUN_DIR or --lab LAB_DIR");
    else if (status == STATUS_OK && output && count > 1)
        status = cli_usage_error(self, "-o names one run folder: use --lab for %d scenarios",
                                 count);
    if (status) {
        free(paths);
        return status == CLI_HELP_SHOWN ? STATUS_OK : status;
    }
    for (int i = 0; i < count; i++) {
        char *dir;
        if (output) {
            dir = xstrdup(output);
        } else {
            char *stem = scenario_stem(paths[i]);
            dir = xasprintf("%s/%s", lab, stem);
            free(stem);
        }
        status = status_worst(status, simulate_one(paths[i], dir, force));
        free(dir);
    }
    free(paths);
    return status;
}
