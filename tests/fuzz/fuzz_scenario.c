/* Fuzz target: scenario files of `p3 simulate`, read by sim/scenario.c. No
 * store is involved: a scenario that is refused must say why at a line of
 * the file; one that is accepted must hold only what the simulator can run
 * (the limits of sim/scenario.h and the README's rules), since the
 * simulator trusts it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_harness.h"
#include "scenario.h"
#include "status.h"
#include "xalloc.h"

/* What an accepted scenario promises the simulator. */
static void check_accepted(const scenario *s, const diag_list *diags)
{
    const char *what = "scenario.ini";
    if (diag_list_errors(diags))
        fuzz_fail(what, diags, "accepted with errors");
    if (s->cpus < 1 || s->cpus > SCENARIO_MAX_CPUS)
        fuzz_fail(what, diags, "%d host CPUs", s->cpus);
    if (s->guests < 0 || s->guests > SCENARIO_MAX_GUESTS ||
        (s->platform == SCENARIO_NATIVE) != (s->guests == 0))
        fuzz_fail(what, diags, "%d guests on platform %d", s->guests, (int)s->platform);
    if (s->level_count < 1 || s->level_count > SCENARIO_MAX_LEVELS)
        fuzz_fail(what, diags, "%d levels", s->level_count);
    for (int i = 0; i < s->level_count; i++) {
        const scenario_level *l = &s->levels[i];
        if (!l->name || !*l->name || strchr(l->name, '"'))
            fuzz_fail(what, diags, "level %d has a bad name", i);
        if (l->threads < 0 || l->threads > SCENARIO_MAX_THREADS || l->duty_ppm < 0 ||
            l->duty_ppm > SCENARIO_PPM || (l->threads > 0 && l->duty_ppm == 0))
            fuzz_fail(what, diags, "level %d: %d threads at %lld ppm", i, l->threads,
                      (long long)l->duty_ppm);
        for (int j = 0; j < i; j++)
            if (strcasecmp(l->name, s->levels[j].name) == 0)
                fuzz_fail(what, diags, "level '%s' twice", l->name);
    }
    if (s->cap_ppm < 0 || (s->cap_ppm && (s->cap_ppm <= s->overhead_ppm ||
                                           s->platform == SCENARIO_NATIVE ||
                                           s->platform == SCENARIO_GSX)))
        fuzz_fail(what, diags, "cap %lld ppm with overhead %lld", (long long)s->cap_ppm,
                  (long long)s->overhead_ppm);
    if (s->platform != SCENARIO_NATIVE && s->host_name && s->guest_name &&
        strcasecmp(s->host_name, s->guest_name) == 0)
        fuzz_fail(what, diags, "the guest is named as the host");
    if (!s->title || !s->time_zone || strpbrk(s->time_zone, "\"()"))
        fuzz_fail(what, diags, "no title or a bad time zone");
    if (s->host_quantum_us <= 0 || s->guest_quantum_us <= 0 || s->cap_period_us <= 0 ||
        s->counter_interval_us <= 0 || s->steps < 1 || s->samples < 1 || s->interval_us < 0 ||
        s->jitter_us < 0 || s->step_cpu_us < 0 || s->step_wait_us < 0 || s->settle_us < 0 ||
        s->background_gap_us < 0 || s->background_width < 0 || s->background_burst_us < 0 ||
        s->load_burst_us <= 0 || s->overhead_ppm < 0 || s->overhead_ppm > SCENARIO_PPM ||
        s->others_load_ppm < 0 || s->others_load_ppm > SCENARIO_PPM)
        fuzz_fail(what, diags, "a time or share out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *dir = xasprintf("%s/sim", fuzz_scratch_dir());
    char *path = fuzz_write_input(dir, "scenario.ini", data, size);
    diag_list *diags = diag_list_new();
    scenario *s = NULL;
    int status = scenario_read(path, &s, diags);
    const char *paths[] = {path};
    fuzz_check_diags("scenario.ini", diags, paths, 1, data, size, false);
    if (status == STATUS_OK) {
        if (!s)
            fuzz_fail("scenario.ini", diags, "accepted without a scenario");
        check_accepted(s, diags);
    } else if (status == STATUS_BAD_INPUT) {
        if (s)
            fuzz_fail("scenario.ini", diags, "refused, yet a scenario came back");
        size_t located = 0;
        for (size_t i = 0; i < diag_list_count(diags); i++) {
            const diag *d = diag_list_get(diags, i);
            if (d->severity == DIAG_ERROR && d->line < 1)
                fuzz_fail("scenario.ini", diags, "error %zu names no line: '%s'", i, d->message);
            located += d->severity == DIAG_ERROR;
        }
        if (!located)
            fuzz_fail("scenario.ini", diags, "refused without an error");
    } else {
        fuzz_fail("scenario.ini", diags, "status %d reading a file that is there", status);
    }
    scenario_free(s);
    diag_list_free(diags);
    free(path);
    free(dir);
    return 0;
}
