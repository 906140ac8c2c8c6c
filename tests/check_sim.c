/* Tests of the simulator: the scheduling model on cases with known answers,
 * the scenario file's errors, and the run folder it writes (formats,
 * determinism, refusing to overwrite). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab_writer.h"
#include "scenario.h"
#include "sched_model.h"
#include "status.h"
#include "suites.h"
#include "testutil.h"
#include "xalloc.h"

#define MS 1000 /* microseconds */

/* A scenario of one level with `threads` load threads at `duty_ppm`, no
 * host OS work, and a probe of one CPU step, so that only the scheduler
 * under test shapes the delays. */
static scenario *one_level(scenario_platform platform, int threads, int64_t duty_ppm)
{
    scenario *s = scenario_new(platform);
    s->title = xstrdup("test");
    s->level_count = 1;
    free(s->levels[0].name);
    s->levels[0].name = xstrdup("Busy");
    s->levels[0].threads = threads;
    s->levels[0].duty_ppm = duty_ppm;
    s->background_gap_us = 0;
    s->steps = 1;
    s->settle_us = 0;
    s->samples = 200;
    return s;
}

static sched_model_result *run_model(const scenario *s)
{
    diag_list *diags = diag_list_new();
    sched_model_result *r = NULL;
    ck_assert_int_eq(sched_model_run(s, &r, diags), STATUS_OK);
    ck_assert_uint_eq(diag_list_count(diags), 0);
    diag_list_free(diags);
    return r;
}

static const int64_t *last_tick(const sched_model_result *r)
{
    ck_assert_uint_gt(r->tick_count, 1);
    return sched_model_tick(r, r->tick_count - 1);
}

/* ---- the model --------------------------------------------------------- */

/* On a native server of one CPU (the host's scheduler) and in a guest
 * (the guest's scheduler, its host otherwise idle and without overhead). */
START_TEST(test_sched_model_cpu_bound_thread_delays_equal_priority_probe_up_to_a_quantum)
{
    scenario *s = one_level(_i == 0 ? SCENARIO_NATIVE : SCENARIO_MSVS, 1, SCENARIO_PPM);
    if (_i == 0) {
        s->cpus = 1;
        s->host_quantum_us = 100 * MS;
    } else {
        s->guests = 1;
        s->overhead_ppm = 0;
        s->guest_quantum_us = 100 * MS;
    }
    sched_model_result *r = run_model(s);
    ck_assert_uint_eq(r->sample_count, 200);
    int64_t min = INT64_MAX, max = 0, sum = 0;
    for (size_t i = 0; i < r->sample_count; i++) {
        int64_t d = r->samples[i].delay_us;
        min = d < min ? d : min;
        max = d > max ? d : max;
        sum += d;
    }
    /* The probe waits for the rest of the load's quantum, then runs 1 ms:
     * never more than a quantum, and every wait from 0 to a quantum occurs. */
    ck_assert_int_le(max, 100 * MS + s->step_cpu_us);
    ck_assert_int_ge(max, 90 * MS);
    ck_assert_int_le(min, 10 * MS);
    int64_t mean = sum / (int64_t)r->sample_count;
    ck_assert_int_ge(mean, 35 * MS);
    ck_assert_int_le(mean, 65 * MS);
    sched_model_result_free(r);
    scenario_free(s);
}
END_TEST

START_TEST(test_sched_model_probe_waits_nothing_on_an_idle_machine)
{
    scenario *s = one_level(SCENARIO_NATIVE, 0, 0);
    s->cpus = 1;
    sched_model_result *r = run_model(s);
    for (size_t i = 0; i < r->sample_count; i++)
        ck_assert_int_eq(r->samples[i].delay_us, s->step_cpu_us);
    sched_model_result_free(r);
    scenario_free(s);
}
END_TEST

START_TEST(test_sched_model_static_cap_pauses_guest_for_half_the_period)
{
    scenario *s = one_level(SCENARIO_MSVS, 1, SCENARIO_PPM);
    s->guests = 1;
    s->cap_ppm = 500000;
    s->cap_period_us = 200 * MS;
    s->samples = 50;
    sched_model_result *r = run_model(s);
    /* A busy guest uses its 100 ms (overhead included) from the start of
     * each period, then is switched off for the other 100 ms. */
    ck_assert_int_ge(r->cap_pauses, 10);
    ck_assert_int_eq(r->cap_pause_min_us, 100 * MS);
    ck_assert_int_eq(r->cap_pause_max_us, 100 * MS);
    /* The host measures the cap; the guest, charging the pauses to what it
     * was running, sees itself busy all the time. */
    const int64_t *t = last_tick(r);
    double host = (double)t[sched_model_vm_run_col(s->cpus, 0)] / (double)t[SCHED_MODEL_T];
    double guest = (double)t[SCHED_MODEL_GUEST_BUSY] / (double)t[SCHED_MODEL_T];
    ck_assert_double_eq_tol(host, 0.5, 0.01);
    ck_assert_double_ge(guest, 0.99);
    sched_model_result_free(r);
    scenario_free(s);
}
END_TEST

START_TEST(test_sched_model_idle_host_gives_zero_ready_time)
{
    scenario *s = one_level(SCENARIO_MSVS, 0, 0);
    s->samples = 50;
    sched_model_result *r = run_model(s);
    const int64_t *t = last_tick(r);
    for (int g = 0; g < s->guests; g++) {
        ck_assert_int_eq(t[sched_model_vm_ready_col(s->cpus, g)], 0);
        ck_assert_int_eq(t[sched_model_vm_limited_col(s->cpus, g)], 0);
        /* An idle guest still costs its overhead, 5% of a CPU. */
        double run = (double)t[sched_model_vm_run_col(s->cpus, g)] / (double)t[SCHED_MODEL_T];
        ck_assert_double_eq_tol(run, 0.05, 0.005);
    }
    sched_model_result_free(r);
    /* The same host with every other guest CPU-bound: 8 guests on 4 CPUs
     * must wait, so the check above can fail. */
    s->others_load_ppm = SCENARIO_PPM;
    r = run_model(s);
    t = last_tick(r);
    ck_assert_int_gt(t[sched_model_vm_ready_col(s->cpus, 1)], 0);
    sched_model_result_free(r);
    scenario_free(s);
}
END_TEST

START_TEST(test_sched_model_priority_management_lifts_probe_over_the_load)
{
    scenario *s = one_level(SCENARIO_MSVS, 3, SCENARIO_PPM);
    s->steps = 3;
    s->samples = 100;
    sched_model_result *r = run_model(s);
    int64_t sum = 0;
    for (size_t i = 0; i < r->sample_count; i++)
        sum += r->samples[i].delay_us;
    /* Three CPU-bound threads ahead at each step: quanta of waiting. */
    ck_assert_int_ge(sum / (int64_t)r->sample_count, 500 * MS);
    sched_model_result_free(r);
    s->priority_management = true;
    r = run_model(s);
    for (size_t i = 0; i < r->sample_count; i++)
        ck_assert_int_le(r->samples[i].delay_us, 30 * MS);
    sched_model_result_free(r);
    scenario_free(s);
}
END_TEST

START_TEST(test_sched_model_is_deterministic_and_seeded)
{
    scenario *s = scenario_new(SCENARIO_MSVS);
    s->title = xstrdup("test");
    s->samples = 30;
    sched_model_result *a = run_model(s), *b = run_model(s);
    ck_assert_uint_eq(a->sample_count, b->sample_count);
    ck_assert_uint_eq(a->tick_count, b->tick_count);
    ck_assert(memcmp(a->samples, b->samples, a->sample_count * sizeof *a->samples) == 0);
    ck_assert(memcmp(a->ticks, b->ticks, a->tick_count * (size_t)a->tick_width * 8) == 0);
    s->seed = 2;
    sched_model_result *c = run_model(s);
    ck_assert(c->sample_count != a->sample_count ||
              memcmp(a->samples, c->samples, a->sample_count * sizeof *a->samples) != 0);
    sched_model_result_free(a);
    sched_model_result_free(b);
    sched_model_result_free(c);
    scenario_free(s);
}
END_TEST

/* ---- the scenario file ------------------------------------------------- */

/* Reads text as a scenario file; returns the diagnostics joined by
 * newlines ("" when it was read). Caller frees. */
static char *scenario_errors(const char *text)
{
    char *dir = test_tmpdir("scenario");
    char *path = xasprintf("%s/s.ini", dir);
    test_write_text(path, text);
    diag_list *diags = diag_list_new();
    scenario *s = NULL;
    int status = scenario_read(path, &s, diags);
    size_t len = 0;
    char *out = xstrdup("");
    for (size_t i = 0; i < diag_list_count(diags); i++) {
        char *line = diag_format(diag_list_get(diags, i));
        /* Drop the folder, keep the file name: messages are compared whole. */
        const char *base = strstr(line, "s.ini");
        out = xrealloc(out, len + strlen(base) + 2);
        len += (size_t)sprintf(out + len, "%s\n", base);
        free(line);
    }
    ck_assert_int_eq(status, diag_list_errors(diags) ? STATUS_BAD_INPUT : STATUS_OK);
    ck_assert(status == STATUS_OK ? s != NULL : s == NULL);
    scenario_free(s);
    diag_list_free(diags);
    free(path);
    free(dir);
    return out;
}

static void assert_scenario_errors(const char *text, const char *expected)
{
    char *got = scenario_errors(text);
    ck_assert_str_eq(got, expected);
    free(got);
}

START_TEST(test_scenario_defaults_are_the_papers_test_bed)
{
    char *dir = test_tmpdir("scenario");
    char *path = xasprintf("%s/s.ini", dir);
    test_write_text(path, "; nothing but a comment\n[scenario]\nseed = 7\n");
    diag_list *diags = diag_list_new();
    scenario *s = NULL;
    ck_assert_int_eq(scenario_read(path, &s, diags), STATUS_OK);
    ck_assert_int_eq(s->platform, SCENARIO_MSVS);
    ck_assert_int_eq(s->cpus, 4);
    ck_assert_int_eq(s->guests, 8);
    ck_assert_int_eq(s->overhead_ppm, 50000);
    ck_assert_int_eq(s->seed, 7);
    ck_assert_int_eq(s->level_count, 6);
    ck_assert_str_eq(s->levels[2].name, "Medium");
    ck_assert_int_eq(s->levels[5].threads, 3);
    ck_assert_str_eq(s->title, "P3 GuestOS: MicrosoftVS ; 1 Guest");
    scenario_free(s);
    /* A native server counts its default load per CPU of the whole machine. */
    test_write_text(path, "[scenario]\nplatform = native\n[host]\ncpus = 2\n");
    ck_assert_int_eq(scenario_read(path, &s, diags), STATUS_OK);
    ck_assert_int_eq(s->guests, 0);
    ck_assert_int_eq(s->levels[3].threads, 2);
    ck_assert_int_eq(s->levels[5].threads, 4);
    scenario_free(s);
    diag_list_free(diags);
    free(path);
    free(dir);
}
END_TEST

START_TEST(test_scenario_rejects_unknown_keys_and_sections_naming_the_known_ones)
{
    assert_scenario_errors("[scenario]\nplatfrom = msvs\n",
                           "s.ini:2:1: error: unknown key 'platfrom' in [scenario]: known keys "
                           "are title, notes, platform, seed\n");
    assert_scenario_errors("[hosts]\ncpus = 4\n",
                           "s.ini:1:2: error: unknown section 'hosts': use scenario, host, guests, "
                           "guest, load, probe or lab\n");
    assert_scenario_errors("cpus = 4\n",
                           "s.ini:1:1: error: key before any section: start with '[scenario]'\n");
    assert_scenario_errors("[host]\ncpus = 4\n  cpus = 2\n",
                           "s.ini:3:3: error: 'cpus' is set twice in [host] (first on line 2)\n");
}
END_TEST

START_TEST(test_scenario_reports_bad_values_at_their_column)
{
    assert_scenario_errors("[guest]\ncap = lots\n",
                           "s.ini:2:7: error: bad value 'lots' for 'cap': expected a percentage "
                           "from 0 to 100\n");
    assert_scenario_errors("[host]\ncpus = 0\nquantum_ms = 1e3\n",
                           "s.ini:2:8: error: bad value '0' for 'cpus': expected an integer from 1 "
                           "to 64\n"
                           "s.ini:3:14: error: bad value '1e3' for 'quantum_ms': expected "
                           "milliseconds from 1 to 10000\n");
    assert_scenario_errors("[scenario]\nplatform = xen\n",
                           "s.ini:2:12: error: unknown platform 'xen': use native, msvs, gsx or "
                           "esx\n");
    assert_scenario_errors("[load]\nlevels = Idle, Busy\nthreads = 0, 1, 2\nduty = 0, 100\n",
                           "s.ini:3:11: error: 'threads' has 3 values for 2 levels\n");
    assert_scenario_errors("[load]\nduty = 0, 25, 50, 100, 100, x%\n",
                           "s.ini:2:29: error: bad duty 'x%' in 'duty': expected a percentage "
                           "from 0 to 100\n");
}
END_TEST

START_TEST(test_scenario_rejects_parameters_that_do_not_fit_together)
{
    assert_scenario_errors("[scenario]\nplatform = gsx\n[guest]\ncap = 50\n",
                           "s.ini:4:7: error: VMware GSX Server has no CPU cap: use msvs or esx, "
                           "or remove 'cap'\n");
    assert_scenario_errors("[scenario]\nplatform = native\n[guests]\ncount = 8\n",
                           "s.ini:4:9: error: a native server has no guests: remove 'count' or "
                           "choose a platform\n");
    assert_scenario_errors("[guest]\ncap = 4\n",
                           "s.ini:2:7: error: a cap of 4% leaves nothing after the 5% overhead it "
                           "counts\n");
    assert_scenario_errors("[host]\nname = W2K-GUEST08\n",
                           "s.ini:2:8: error: the guest's name must differ from the host's: p3 "
                           "tells their counter files apart by it\n");
    assert_scenario_errors("[load]\nlevels = Idle, Busy\nthreads = 0, 1\nduty = 0, 0\n",
                           "s.ini:4:8: error: level 'Busy' has 1 threads with a duty of 0%\n");
    assert_scenario_errors("[lab]\ntime_zone = Pacific (US)\n",
                           "s.ini:2:13: error: a time zone name cannot hold '\"', '(' or ')': "
                           "perfmon's header encloses it in them\n");
}
END_TEST

/* ---- the run folder ---------------------------------------------------- */

/* The lines of text (split at LF; a CR before it is kept). */
static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        n++;
    return n;
}

/* Whether every line ends with CRLF and every field of it is quoted. */
static bool pdh_conventions(const char *text)
{
    for (const char *line = text; *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end || line[0] != '"' || end[-1] != '"')
            return false;
        for (const char *c = line; c < end; c++)
            if (*c == ',' && (c[-1] != '"' || c[1] != '"'))
                return false;
        line = end + 2;
    }
    return true;
}

static scenario *small_scenario(scenario_platform platform)
{
    scenario *s = scenario_new(platform);
    s->title = xstrdup("P3 test ; small");
    s->samples = 20;
    s->counter_interval_us = 5000000;
    return s;
}

/* Simulates s into dir; returns the status of the write. */
static int write_run(const char *dir, const scenario *s, bool force)
{
    sched_model_result *r = run_model(s);
    diag_list *diags = diag_list_new();
    lab_writer_options o = {.force = force, .source = "small.ini"};
    int status = lab_writer_write(dir, s, r, &o, diags);
    diag_list_free(diags);
    sched_model_result_free(r);
    return status;
}

static char *read_run_file(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "missing %s", path);
    free(path);
    return text;
}

/* The value of `key = ` in run.ini text (a new string). */
static char *ini_value(const char *ini, const char *key)
{
    char *pattern = xasprintf("\n%s = ", key);
    const char *p = strstr(ini, pattern);
    ck_assert_msg(p != NULL, "run.ini has no %s", key);
    p += strlen(pattern);
    free(pattern);
    return xstrndup(p, strcspn(p, "\n"));
}

START_TEST(test_lab_writer_writes_a_run_folder_in_the_real_formats)
{
    char *dir = test_tmpdir("sim-run");
    scenario *s = small_scenario(SCENARIO_MSVS);
    ck_assert_int_eq(write_run(dir, s, false), STATUS_OK);

    char *ini = read_run_file(dir, "run.ini");
    char *host = ini_value(ini, "host"), *guest = ini_value(ini, "guest");
    char *host_counter = ini_value(ini, "host_counter"), *guest_counter =
                                                             ini_value(ini, "guest_counter");
    ck_assert_str_eq(host, "VSHOST01");
    ck_assert_str_eq(guest, "W2K-GUEST08");
    ck_assert_str_eq(host_counter, "\\\\VSHOST01\\Thread(vssrvc/24)\\% Processor Time");
    ck_assert_str_eq(guest_counter, "\\\\W2K-GUEST08\\Processor(_Total)\\% Processor Time");
    ck_assert_ptr_nonnull(strstr(ini, "\nlevels = None, Low, Medium, Busy, Maximum, Overload\n"));

    char *probe = read_run_file(dir, "probe.probe");
    ck_assert(strncmp(probe, "# p3-probe 1\n# host: VSHOST01\n# guest: W2K-GUEST08\n# operation: "
                             "open-dialog\n# tz: -05:00\n",
                      86) == 0);
    ck_assert_ptr_nonnull(strstr(probe, "\ntime,level,delay_ms\n2005-03-01T10:00:"));
    ck_assert_uint_eq(count_lines(probe), 6 + 1 + 6 * 20);

    /* Each side's counters name its own machine, so p3 can tell the sides
     * apart, and hold the counters run.ini points at. */
    char *g = read_run_file(dir, "guest/W2K-GUEST08-perfmon.csv");
    char *h = read_run_file(dir, "host/VSHOST01-perfmon.csv");
    ck_assert(pdh_conventions(g));
    ck_assert(pdh_conventions(h));
    const char *first = "\"(PDH-CSV 4.0) (Eastern Standard Time)(300)\",";
    ck_assert(strncmp(g, first, strlen(first)) == 0);
    ck_assert(strncmp(h, first, strlen(first)) == 0);
    char *quoted = xasprintf("\"%s\"", guest_counter);
    ck_assert_ptr_nonnull(strstr(g, quoted));
    free(quoted);
    quoted = xasprintf("\"%s\"", host_counter);
    ck_assert_ptr_nonnull(strstr(h, quoted));
    free(quoted);
    ck_assert_ptr_null(strstr(g, "\\\\VSHOST01\\"));
    ck_assert_ptr_null(strstr(h, "\\\\W2K-GUEST08\\"));
    /* perfmon's first row has no rates yet: blank, but the queue length. */
    const char *row1 = strstr(g, "\r\n\"03/01/2005 10:00:00.");
    ck_assert_ptr_nonnull(row1);
    ck_assert_ptr_nonnull(strstr(row1, "\",\" \",\" \",\"0.000000\",\" \",\" \"\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "\r\n\"03/01/2005 10:00:05."));

    free(g), free(h), free(probe), free(host), free(guest), free(host_counter);
    free(guest_counter), free(ini);
    scenario_free(s);
    free(dir);
}
END_TEST

START_TEST(test_lab_writer_writes_esxtop_for_an_esx_host)
{
    char *dir = test_tmpdir("sim-esx");
    scenario *s = small_scenario(SCENARIO_ESX);
    ck_assert_int_eq(write_run(dir, s, false), STATUS_OK);
    char *ini = read_run_file(dir, "run.ini");
    char *host_counter = ini_value(ini, "host_counter"), *ready = ini_value(ini, "ready_counter");
    ck_assert_str_eq(host_counter, "\\\\esxhost01\\Group Cpu(1234:W2K-GUEST08)\\% Used");
    ck_assert_str_eq(ready, "\\\\esxhost01\\Group Cpu(1234:W2K-GUEST08)\\% Ready");
    char *e = read_run_file(dir, "host/esxhost01-esxtop.csv");
    ck_assert(pdh_conventions(e));
    const char *first =
        "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\esxhost01\\Physical Cpu(0)\\% Util Time\",";
    ck_assert(strncmp(e, first, strlen(first)) == 0);
    ck_assert_ptr_nonnull(strstr(e, "\"\\\\esxhost01\\Group Cpu(1234:W2K-GUEST08)\\% Ready\""));
    ck_assert_ptr_nonnull(strstr(e, "\"\\\\esxhost01\\Group Cpu(1227:GUEST01)\\% Used\""));
    /* esxtop writes UTC, without milliseconds, from the first interval on. */
    ck_assert_ptr_nonnull(strstr(e, "\r\n\"03/01/2005 15:00:05\","));
    ck_assert_ptr_null(strstr(e, "\" \""));
    char *missing = xasprintf("%s/host/esxhost01-perfmon.csv", dir);
    ck_assert_ptr_null(test_read_file(missing, NULL));
    free(missing), free(e), free(ready), free(host_counter), free(ini);
    scenario_free(s);
    free(dir);
}
END_TEST

START_TEST(test_lab_writer_refuses_a_folder_that_is_not_empty_unless_forced)
{
    char *dir = test_tmpdir("sim-force");
    char *other = xasprintf("%s/notes.txt", dir);
    test_write_text(other, "mine\n");
    scenario *s = small_scenario(SCENARIO_NATIVE);
    ck_assert_int_eq(write_run(dir, s, false), STATUS_BAD_INPUT);
    char *ini = xasprintf("%s/run.ini", dir);
    ck_assert_ptr_null(test_read_file(ini, NULL));
    ck_assert_int_eq(write_run(dir, s, true), STATUS_OK);
    char *text = test_read_file(ini, NULL);
    ck_assert_ptr_nonnull(strstr(text, "\n[cpu]\nnative = yes\n"));
    free(text);
    text = test_read_file(other, NULL);
    ck_assert_str_eq(text, "mine\n");
    free(text), free(ini), free(other);
    scenario_free(s);
    free(dir);
}
END_TEST

/* ---- the command ------------------------------------------------------- */

static char *sample_scenario(const char *name)
{
    char *rel = xasprintf("samples/paper-2005/%s", name), *path = test_source_path(rel);
    free(rel);
    return path;
}

START_TEST(test_simulate_writes_the_same_bytes_every_time)
{
    char *dir = test_tmpdir("sim-same");
    char *a = xasprintf("%s/a", dir), *b = xasprintf("%s/b", dir);
    char *fig = sample_scenario("fig09.ini");
    const char *args_a[] = {"simulate", "-o", a, fig, NULL}, *args_b[] = {"simulate", "-o", b, fig,
                                                                           NULL};
    test_run r = test_p3(NULL, args_a);
    ck_assert_msg(r.status == 0, "simulate failed: %s", r.err);
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, ": 1800 samples, 6 levels, "));
    test_run_free(&r);
    r = test_p3(NULL, args_b);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    const char *files[] = {"run.ini", "probe.probe", "guest/W2K-GUEST08-perfmon.csv",
                           "host/VSHOST01-perfmon.csv"};
    for (size_t i = 0; i < 4; i++) {
        char *pa = xasprintf("%s/%s", a, files[i]), *pb = xasprintf("%s/%s", b, files[i]);
        size_t la, lb;
        char *ta = test_read_file(pa, &la), *tb = test_read_file(pb, &lb);
        ck_assert_msg(ta && tb, "missing %s", files[i]);
        ck_assert_msg(la == lb && memcmp(ta, tb, la) == 0, "%s differs", files[i]);
        free(ta), free(tb), free(pa), free(pb);
    }
    /* Into a folder that now holds a run: refused, then replaced with --force. */
    r = test_p3(NULL, args_a);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s: error: folder exists and is not empty: use --force to replace the "
                           "run's files in it\n",
                           a);
    ck_assert_str_eq(r.err, want);
    free(want);
    test_run_free(&r);
    const char *forced[] = {"simulate", "--force", "-o", a, fig, NULL};
    r = test_p3(NULL, forced);
    ck_assert_int_eq(r.status, 0);
    test_run_free(&r);
    free(a), free(b), free(fig), free(dir);
}
END_TEST

/* Every file of every platform's run folder goes through p3's own ingest
 * without a single warning or note. */
START_TEST(test_simulated_runs_ingest_without_warnings)
{
    static const char *const platforms[] = {"native", "msvs", "gsx", "esx"};
    char *dir = test_tmpdir("sim-ingest");
    for (size_t i = 0; i < 4; i++) {
        char *ini = xasprintf("%s/%s.ini", dir, platforms[i]);
        char *text = xasprintf("[scenario]\nplatform = %s\n[guest%s]\n%s\n[probe]\nsamples = 20\n",
                               platforms[i], i == 0 ? "s" : "",
                               i == 0 ? "" : i == 2 ? "priority_management = yes" : "cap = 50");
        test_write_text(ini, text);
        char *run = xasprintf("%s/lab/%s", dir, platforms[i]), *db = xasprintf("%s/p3.db", dir);
        const char *sim[] = {"simulate", "-o", run, ini, NULL};
        test_run r = test_p3(NULL, sim);
        ck_assert_msg(r.status == 0, "%s: %s", platforms[i], r.err);
        test_run_free(&r);
        const char *ingest[] = {"ingest", "--db", db, run, NULL};
        r = test_p3(NULL, ingest);
        ck_assert_msg(r.status == 0, "%s: %s", platforms[i], r.err);
        ck_assert_str_eq(r.err, "");
        ck_assert_ptr_nonnull(strstr(r.out, i == 0 ? "ingested 2 files (120 samples)"
                                                   : "ingested 3 files (120 samples)"));
        test_run_free(&r);
        free(text), free(ini), free(run), free(db);
    }
    free(dir);
}
END_TEST

START_TEST(test_simulate_reports_bad_scenarios_and_usage)
{
    char *dir = test_tmpdir("sim-bad");
    char *bad = xasprintf("%s/bad.ini", dir), *out = xasprintf("%s/run", dir);
    test_write_text(bad, "[scenario]\nplatform = msvs\n[guest]\ncpas = 50\n");
    const char *args[] = {"simulate", "-o", out, bad, NULL};
    test_run r = test_p3(NULL, args);
    ck_assert_int_eq(r.status, STATUS_BAD_INPUT);
    char *want = xasprintf("%s:4:1: error: unknown key 'cpas' in [guest]: known keys are name, "
                           "quantum_ms, priority_management, cap, cap_period_ms\n",
                           bad);
    ck_assert_str_eq(r.err, want);
    ck_assert_str_eq(r.out, "");
    free(want);
    test_run_free(&r);
    const char *no_out[] = {"simulate", bad, NULL};
    r = test_p3(NULL, no_out);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    ck_assert(strncmp(r.err, "p3 simulate: error: give either -o RUN_DIR or --lab LAB_DIR\n", 60) ==
              0);
    test_run_free(&r);
    const char *two[] = {"simulate", "-o", out, bad, bad, NULL};
    r = test_p3(NULL, two);
    ck_assert_int_eq(r.status, STATUS_USAGE);
    test_run_free(&r);
    free(bad), free(out), free(dir);
}
END_TEST

Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *model = tcase_create("model");
    tcase_set_timeout(model, 60);
    tcase_add_loop_test(
        model, test_sched_model_cpu_bound_thread_delays_equal_priority_probe_up_to_a_quantum, 0, 2);
    tcase_add_test(model, test_sched_model_probe_waits_nothing_on_an_idle_machine);
    tcase_add_test(model, test_sched_model_static_cap_pauses_guest_for_half_the_period);
    tcase_add_test(model, test_sched_model_idle_host_gives_zero_ready_time);
    tcase_add_test(model, test_sched_model_priority_management_lifts_probe_over_the_load);
    tcase_add_test(model, test_sched_model_is_deterministic_and_seeded);
    suite_add_tcase(s, model);
    TCase *file = tcase_create("scenario");
    tcase_add_test(file, test_scenario_defaults_are_the_papers_test_bed);
    tcase_add_test(file, test_scenario_rejects_unknown_keys_and_sections_naming_the_known_ones);
    tcase_add_test(file, test_scenario_reports_bad_values_at_their_column);
    tcase_add_test(file, test_scenario_rejects_parameters_that_do_not_fit_together);
    suite_add_tcase(s, file);
    TCase *run = tcase_create("run folder");
    tcase_set_timeout(run, 60);
    tcase_add_test(run, test_lab_writer_writes_a_run_folder_in_the_real_formats);
    tcase_add_test(run, test_lab_writer_writes_esxtop_for_an_esx_host);
    tcase_add_test(run, test_lab_writer_refuses_a_folder_that_is_not_empty_unless_forced);
    tcase_add_test(run, test_simulate_writes_the_same_bytes_every_time);
    tcase_add_test(run, test_simulated_runs_ingest_without_warnings);
    tcase_add_test(run, test_simulate_reports_bad_scenarios_and_usage);
    suite_add_tcase(s, run);
    return s;
}
