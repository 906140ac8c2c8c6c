#include "report_pdf.h"

#include <cairo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "canvas.h"
#include "charts.h"
#include "compare_pdf.h"
#include "compare_results.h"
#include "isotime.h"
#include "pdfdoc.h"
#include "results.h"
#include "status.h"
#include "xalloc.h"

/* The charts on the pages, and the size their tick labels should print
 * at. Both chart modules size text for a 1600 x 1000 canvas with 17-pixel
 * tick labels; the report scales their text to this. */
#define P3_HEIGHT (PDFDOC_CONTENT_W * 0.56)
#define COMPANION_GAP 14.0
#define COMPANION_W ((PDFDOC_CONTENT_W - COMPANION_GAP) / 2)
#define COMPANION_H 250.0
#define SUMMARY_CHART_H 330.0
#define CHART_TICK_PX 17.0
#define P3_TICK_PT 7.0
#define COMPANION_TICK_PT 6.0

/* The report being laid out. pdfdoc lays it out twice: the first pass
 * finds where each part starts, so that the second can print the contents'
 * page numbers. */
typedef struct doc {
    pdfdoc *pd;             /* the pages, during a pass */
    const report_pdf_options *o;
    const results_run *runs;
    size_t run_count;
    const char *lab;        /* the cover's name */
    int summary_page, appendix_page;
    int *run_page;          /* first page of each run */
    const compare_results *comparisons; /* what the store compares (p3 report --baseline) */
    size_t comparison_count;
    int comparisons_page;
} doc;

/* ---- text ---- */

static char *fmt_ms(double v)
{
    return isfinite(v) ? xasprintf("%.1f", v) : xstrdup(PDFDOC_DASH);
}

static char *fmt_count(long long n)
{
    return canvas_group_digits(n);
}

/* The UTC date "2005-03-01" and time of day "10:00" of nanoseconds since
 * 1970. */
static void utc_parts(int64_t ns, char date[16], char clock[8])
{
    char iso[40];
    isotime_format(ns, 0, iso); /* "2005-03-01T10:00:00Z" */
    snprintf(date, 16, "%.10s", iso);
    snprintf(clock, 8, "%.5s", iso + 11);
}

/* "1 s" or "1500 ms": the endurance line in words. Caller frees. */
static char *endurance_words(double ms)
{
    return fmod(ms, 1000) == 0 ? xasprintf("%g s", ms / 1000) : xasprintf("%g ms", ms);
}

/* ---- the cover ---- */

/* The UTC dates the runs' samples span, "2005-03-01 to 2005-03-04" or
 * one date; NULL when no run knows its span. Caller frees. */
static char *date_range(const results_run *runs, size_t count)
{
    bool any = false;
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < count; i++) {
        if (!runs[i].has_span)
            continue;
        if (!any || runs[i].first_ns < first)
            first = runs[i].first_ns;
        if (!any || runs[i].last_ns > last)
            last = runs[i].last_ns;
        any = true;
    }
    if (!any)
        return NULL;
    char d0[16], d1[16], t[8];
    utc_parts(first, d0, t);
    utc_parts(last, d1, t);
    return strcmp(d0, d1) == 0 ? xstrdup(d0) : xasprintf("%s to %s", d0, d1);
}

static void cover_band(doc *d, const char *dates)
{
    cairo_t *cr = d->pd->cr;
    const double band = 250;
    cairo_rectangle(cr, 0, 0, PDFDOC_PAGE_W, band);
    canvas_rgb(cr, PDFDOC_COLOUR_ACCENT);
    cairo_fill(cr);
    /* A strip of the level colours, the P3's own, along the band's foot. */
    size_t levels = d->run_count ? d->runs[0].level_count : 0;
    if (levels == 0)
        levels = 6;
    double w = PDFDOC_PAGE_W / (double)levels;
    for (size_t j = 0; j < levels; j++) {
        double rgb[3];
        p3chart_palette_rgb(d->o->palette, j, rgb);
        cairo_rectangle(cr, w * (double)j, band, w + 0.5, 7);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_fill(cr);
    }
    pdfdoc_font kicker = {10, CANVAS_BOLD, 0xAFC3DA};
    pdfdoc_text_at(cr, &kicker, "PERCEIVED PERFORMANCE PROFILES", PDFDOC_MARGIN_X, 82, 0);
    /* The title in three lines of 30 points, or in smaller type and more
     * lines when it needs them; only a title the band cannot hold even
     * then is cut, and said to be. */
    static const double sizes[] = {30, 24, 19, 15};
    const double room = 80; /* from the first line's baseline to the last's */
    pdfdoc_font big = {30, CANVAS_BOLD, 0xFFFFFF};
    char *clean = canvas_clean_text(d->lab);
    char **lines = NULL;
    size_t n = 0;
    bool shortened = false;
    double lead = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        if (lines)
            canvas_lines_free(lines, n);
        big.size = sizes[k];
        lead = 1.2 * big.size;
        canvas_font(cr, big.size, big.style);
        n = canvas_wrap_checked(cr, clean, PDFDOC_CONTENT_W, 1 + (size_t)floor(room / lead),
                                &lines, &shortened);
        if (!shortened)
            break;
    }
    if (shortened)
        pdfdoc_shortened(d->pd, clean);
    double y = 124;
    for (size_t i = 0; i < n; i++, y += lead)
        pdfdoc_text_at(cr, &big, lines[i], PDFDOC_MARGIN_X, y, 0);
    canvas_lines_free(lines, n);
    free(clean);
    pdfdoc_font sub = {13, CANVAS_REGULAR, PDFDOC_COLOUR_ACCENT_SOFT};
    char *line = dates ? xasprintf("Delay measured under load, %s (UTC)", dates)
                       : xstrdup("Delay measured under load");
    pdfdoc_text_at(cr, &sub, line, PDFDOC_MARGIN_X, y + 14, 0);
    free(line);
    d->pd->y = band + 40;
}

static void cover_facts(doc *d, const char *dates)
{
    long long samples = 0, unplaced = 0;
    for (size_t i = 0; i < d->run_count; i++) {
        samples += d->runs[i].samples;
        unplaced += d->runs[i].unplaced;
    }
    char *runs = fmt_count((long long)d->run_count);
    char *n = fmt_count(samples);
    char *un = fmt_count(unplaced);
    char *sample_line = unplaced
                            ? xasprintf("%s in load levels, %s no level could be given to", n, un)
                            : xasprintf("%s, every one in a load level", n);
    const char *const keys[] = {"Runs", "Samples", "Data from", "Made with"};
    char *version = xasprintf("p3 %s", P3_VERSION);
    const char *values[] = {runs, sample_line, dates ? dates : "unknown", version};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        pdfdoc_labelled(d->pd, keys[i], values[i], 90);
    free(version);
    free(sample_line);
    free(runs);
    free(n);
    free(un);
    d->pd->y += 16;
}

/* One entry of the contents: text (wrapped when long), dotted leader after
 * its last line, page number (the whole a link). */
static void contents_line(doc *d, const char *text, int page)
{
    cairo_t *cr = d->pd->cr;
    pdfdoc_font f = pdfdoc_body_font;
    double num_w = pdfdoc_width_of(cr, &f, "000");
    char *clean = canvas_clean_text(text);
    canvas_font(cr, f.size, f.style);
    char **lines;
    size_t n = canvas_wrap(cr, clean, PDFDOC_CONTENT_W - num_w - 30, 0, &lines);
    free(clean);
    char *num = d->pd->final ? xasprintf("%d", page) : xstrdup("");
    char *link = xasprintf("page=%d", page);
    for (size_t i = 0; i < n; i++) {
        pdfdoc_need(d->pd, pdfdoc_line_height(&f));
        double base = d->pd->y + f.size;
        if (d->pd->final)
            cairo_tag_begin(cr, CAIRO_TAG_LINK, link);
        pdfdoc_text_at(cr, &f, lines[i], PDFDOC_MARGIN_X, base, 0);
        if (i + 1 == n) {
            double x0 = PDFDOC_MARGIN_X + pdfdoc_width_of(cr, &f, lines[i]) + 6,
                   x1 = PDFDOC_PAGE_W - PDFDOC_MARGIN_X - num_w - 6;
            canvas_rgb(cr, PDFDOC_COLOUR_RULE);
            cairo_set_line_width(cr, 0.8);
            const double dots[] = {0.8, 2.6};
            cairo_set_dash(cr, dots, 2, 0);
            if (x1 > x0) {
                cairo_move_to(cr, x0, base);
                cairo_line_to(cr, x1, base);
                cairo_stroke(cr);
            }
            cairo_set_dash(cr, NULL, 0, 0);
            pdfdoc_text_at(cr, &f, num, PDFDOC_PAGE_W - PDFDOC_MARGIN_X, base, 1);
        }
        if (d->pd->final)
            cairo_tag_end(cr, CAIRO_TAG_LINK);
        d->pd->y += pdfdoc_line_height(&f) + (i + 1 == n ? 2 : 0);
    }
    canvas_lines_free(lines, n);
    free(link);
    free(num);
}

static void cover(doc *d)
{
    char *dates = date_range(d->runs, d->run_count);
    cover_band(d, dates);
    cover_facts(d, dates);
    free(dates);
    pdfdoc_heading(d->pd, "How to read this report", PDFDOC_H2_PT, 4);
    pdfdoc_paragraph(
        d->pd, &pdfdoc_body_font,
        "A Perceived Performance Profile (P3) shows, for each level of user load on a "
        "server, how long its users waited for a small everyday action: the share of "
        "actions in each band of delay. The lightest load is in front; each row of "
        "columns adds up to 100 %. A delay of one second is about the limit of user "
        "endurance for occasional delays, and consistent response matters more than the "
        "average, so look at how far each row spreads to the right, and where it "
        "crosses the red endurance line.",
        6);
    pdfdoc_paragraph(
        d->pd, &pdfdoc_body_font,
        "Each run has its P3 and statistics, then its companion charts: the delay "
        "percentiles by load, the cumulative distribution of delay, and, where the run "
        "measured CPU, what the guest's own counters reported against what the host "
        "measured, and delay against useful work. The appendix states how every "
        "number is computed.",
        0);
    d->pd->y += 14;
    pdfdoc_heading(d->pd, "Contents", PDFDOC_H2_PT, 6);
    contents_line(d, "Summary of the runs", d->summary_page);
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        char *line = strcmp(r->name, r->title) == 0
                         ? xasprintf("%s", r->name)
                         : xasprintf("%s" PDFDOC_DOT "%s", r->name, r->title);
        contents_line(d, line, d->run_page[i]);
        free(line);
    }
    if (d->comparison_count)
        contents_line(d, "Comparisons", d->comparisons_page);
    contents_line(d, "Appendix: conventions", d->appendix_page);
}

/* ---- the summary ---- */

/* The level names the summary's columns are headed with: the union of
 * the runs' levels in order of first appearance (names compared ignoring
 * ASCII case). *count set; the strings are borrowed from runs. */
static const char **summary_levels(const results_run *runs, size_t run_count, size_t *count)
{
    const char **names = NULL;
    size_t n = 0;
    for (size_t i = 0; i < run_count; i++) {
        for (size_t j = 0; j < runs[i].level_count; j++) {
            const char *name = runs[i].levels[j].name;
            size_t k = 0;
            while (k < n && strcasecmp(names[k], name) != 0)
                k++;
            if (k == n) {
                names = xreallocarray(names, n + 1, sizeof *names);
                names[n++] = name;
            }
        }
    }
    *count = n;
    return names;
}

/* The run's level with that name, or NULL. */
static const results_level *level_named(const results_run *r, const char *name)
{
    for (size_t j = 0; j < r->level_count; j++)
        if (strcasecmp(r->levels[j].name, name) == 0)
            return &r->levels[j];
    return NULL;
}

/* More levels than this and the summary lists each run's p95s in one cell. */
#define SUMMARY_MAX_LEVEL_COLUMNS 8

static char *onset_cell(const results_run *r, uint32_t *colour)
{
    *colour = 0;
    if (r->onset_endurance.level < 0 || (size_t)r->onset_endurance.level >= r->level_count)
        return xstrdup("none");
    *colour = PDFDOC_COLOUR_ALERT;
    const char *name = r->levels[r->onset_endurance.level].name;
    if (isfinite(r->onset_endurance.cpu_pct))
        return xasprintf("%s\n%.0f %% %s CPU", name, r->onset_endurance.cpu_pct,
                         r->onset_cpu_source ? r->onset_cpu_source : "host");
    return xstrdup(name);
}

static char *guest_cell(const results_run *r, uint32_t *colour, bool *bold)
{
    bool host = results_has_host_cpu(r), guest = results_has_guest_cpu(r);
    *colour = 0;
    *bold = false;
    if (r->guest_untrusted) {
        *colour = PDFDOC_COLOUR_ALERT;
        *bold = true;
        return xstrdup("over-report\ntrust the host");
    }
    if (r->native)
        return xstrdup(host ? "native" : "native, no counters");
    if (guest && host)
        return xstrdup("agree with host");
    if (guest)
        return xstrdup("unchecked\nno host counter");
    return xstrdup(host ? "none" : "no counters");
}

/* Every run's p95 against useful work on one axis, under the summary
 * table, when a run has the figures for it. */
static void summary_chart(doc *d)
{
    bool any = false;
    for (size_t i = 0; i < d->run_count && !any; i++)
        any = charts_run_has_useful(&d->runs[i]);
    if (!any)
        return;
    double unit = fmin(PDFDOC_CONTENT_W / 1600.0, SUMMARY_CHART_H / 1000.0);
    charts_options opts = {.palette = d->o->palette,
                           .log_delay = d->o->log_delay,
                           .text_scale = COMPANION_TICK_PT / (CHART_TICK_PX * unit)};
    d->pd->y += 6;
    pdfdoc_need(d->pd, SUMMARY_CHART_H);
    cairo_save(d->pd->cr);
    cairo_translate(d->pd->cr, PDFDOC_MARGIN_X, d->pd->y);
    charts_draw_runs(d->pd->cr, d->runs, d->run_count, &opts, PDFDOC_CONTENT_W, SUMMARY_CHART_H);
    cairo_restore(d->pd->cr);
    d->pd->y += SUMMARY_CHART_H + 8;
}

static void summary(doc *d)
{
    pdfdoc_new_page(d->pd);
    d->summary_page = d->pd->page;
    pdfdoc_bookmark(d->pd, "Summary of the runs");
    pdfdoc_heading(d->pd, "Summary of the runs", PDFDOC_H1_PT, 6);
    double e = d->run_count ? d->runs[0].endurance_ms : 1000;
    bool same_e = true;
    for (size_t i = 1; i < d->run_count; i++)
        same_e = same_e && d->runs[i].endurance_ms == e;
    char *ew = endurance_words(e);
    char *intro = xasprintf(
        "p95 is the delay that 95 %% of the actions at a load level stayed within, in "
        "milliseconds; red marks a p95 over the endurance line (%s%s). The onset is the lightest "
        "level whose p95 crosses it, with the CPU measured there. Guest counters: whether the "
        "guest's own CPU counters can be trusted, checked against the host's.",
        ew, same_e ? "" : ", as each run sets it");
    pdfdoc_paragraph(d->pd, &pdfdoc_body_font, intro, 8);
    free(intro);
    free(ew);

    size_t level_count;
    const char **levels = summary_levels(d->runs, d->run_count, &level_count);
    bool wide = level_count > SUMMARY_MAX_LEVEL_COLUMNS;
    size_t cols = 4 + (wide ? 1 : level_count);
    const char **head = xcalloc(cols, sizeof *head);
    bool *right = xcalloc(cols, sizeof *right);
    head[0] = "Run";
    head[1] = "Samples";
    right[1] = true;
    for (size_t k = 0; k < (wide ? 1 : level_count); k++) {
        head[2 + k] = wide ? "p95 by level (ms)" : levels[k];
        right[2 + k] = !wide;
    }
    head[cols - 2] = "Onset";
    head[cols - 1] = "Guest counters";
    pdfdoc_table t = {cols, d->run_count, head, right, pdfdoc_table_cells(d->run_count, cols),
                      "Summary of the runs"};
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        pdfdoc_table_set(&t, i, 0, xstrdup(r->name), 0, true);
        char *n = fmt_count(r->samples), *un = fmt_count(r->unplaced);
        pdfdoc_table_set(&t, i, 1, r->unplaced ? xasprintf("%s\n+%s unplaced", n, un) : xstrdup(n),
                         0, false);
        free(n);
        free(un);
        if (wide) {
            char *list = xstrdup("");
            for (size_t j = 0; j < r->level_count; j++) {
                char *v = fmt_ms(r->levels[j].p95);
                char *next = xasprintf("%s%s%s %s", list,
                                       j == 0       ? ""
                                       : j % 4 == 0 ? "\n"
                                                    : PDFDOC_DOT,
                                       r->levels[j].name, v);
                free(list);
                free(v);
                list = next;
            }
            pdfdoc_table_set(&t, i, 2, list, 0, false);
        } else {
            for (size_t k = 0; k < level_count; k++) {
                const results_level *l = level_named(r, levels[k]);
                double v = l && l->n > 0 ? l->p95 : NAN;
                bool over = isfinite(v) && v > r->endurance_ms;
                pdfdoc_table_set(&t, i, 2 + k, fmt_ms(v), over ? PDFDOC_COLOUR_ALERT : 0, over);
            }
        }
        uint32_t colour;
        bool bold;
        char *onset = onset_cell(r, &colour);
        pdfdoc_table_set(&t, i, cols - 2, onset, colour, false);
        char *guest = guest_cell(r, &colour, &bold);
        pdfdoc_table_set(&t, i, cols - 1, guest, colour, bold);
    }
    pdfdoc_draw_table(d->pd, &t);
    pdfdoc_table_free(&t);
    free(head);
    free(right);
    free(levels);
    summary_chart(d);
}

/* ---- a run ---- */

static char *run_span(const results_run *r)
{
    if (!r->has_span)
        return NULL;
    char d0[16], d1[16], t0[8], t1[8];
    utc_parts(r->first_ns, d0, t0);
    utc_parts(r->last_ns, d1, t1);
    if (strcmp(d0, d1) == 0)
        return xasprintf("%s %s" PDFDOC_DASH "%s UTC", d0, t0, t1);
    return xasprintf("%s %s to %s %s UTC", d0, t0, d1, t1);
}

/* "Host X · Guest Y · platform · dates · N samples in L levels". */
static void run_meta_line(doc *d, const results_run *r)
{
    char *line = xstrdup("");
    char *span = run_span(r);
    char *n = fmt_count(r->samples);
    char *samples = xasprintf("%s samples in %zu level%s", n, r->level_count,
                              r->level_count == 1 ? "" : "s");
    char *host = r->host ? xasprintf("Host %s", r->host) : NULL;
    char *guest = r->guest ? xasprintf("Guest %s", r->guest) : NULL;
    const char *parts[] = {host, guest, r->platform, span, samples};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        char *next = xasprintf("%s%s%s", line, *line ? PDFDOC_DOT : "", parts[i]);
        free(line);
        line = next;
    }
    pdfdoc_paragraph(d->pd, &pdfdoc_small_font, line, 8);
    free(line);
    free(span);
    free(n);
    free(samples);
    free(host);
    free(guest);
}

static void draw_p3(doc *d, const results_run *r)
{
    cairo_t *cr = d->pd->cr;
    pdfdoc_need(d->pd, P3_HEIGHT);
    p3chart_level *levels = xcalloc(r->level_count + 1, sizeof *levels);
    for (size_t j = 0; j < r->level_count; j++)
        levels[j] = (p3chart_level){r->levels[j].name, r->levels[j].bucket_pct, r->levels[j].n};
    char *note = results_p3_note(r);
    p3chart_data data = {"", (const char *const *)r->bucket_labels, r->bucket_upper,
                         r->bucket_count, levels, r->level_count, r->endurance_ms, note};
    double unit = fmin(PDFDOC_CONTENT_W / 1600.0, P3_HEIGHT / 1000.0);
    p3chart_options opts = {.overflow = d->o->overflow,
                            .palette = d->o->palette,
                            .text_scale = P3_TICK_PT / (CHART_TICK_PX * unit)};
    cairo_save(cr);
    cairo_translate(cr, PDFDOC_MARGIN_X, d->pd->y);
    diag_list *ignored = diag_list_new();
    if (r->bucket_count < 2 || r->level_count == 0 ||
        p3chart_draw(cr, &data, &opts, PDFDOC_CONTENT_W, P3_HEIGHT, ignored) != STATUS_OK) {
        pdfdoc_font f = pdfdoc_small_font;
        f.style = CANVAS_ITALIC;
        pdfdoc_text_at(cr, &f, "This run has no distribution to draw.", 0, 20, 0);
    }
    diag_list_free(ignored);
    cairo_restore(cr);
    d->pd->y += P3_HEIGHT + 8;
    free(levels);
    free(note);
}

/* "23.2-25.5"; a one-sided bound, "at least 48.0" written with the sign,
 * where too few samples give only one; else a dash. Caller frees. */
static char *interval_text(double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi))
        return xasprintf("%.1f" PDFDOC_DASH "%.1f", lo, hi);
    if (isfinite(lo))
        return xasprintf("\xE2\x89\xA5 %.1f", lo);
    if (isfinite(hi))
        return xasprintf("\xE2\x89\xA4 %.1f", hi);
    return xstrdup(PDFDOC_DASH);
}

enum { STAT_COLS = 15 };
static const char *const stat_head[STAT_COLS] = {"Level", "n",   "mean", "sd",   "p50",
                                                 "p90",   "p95", "p95 95 % CI", "p99", "max",
                                                 "> 1 s", "errors", "host", "guest", "useful"};

static bool run_has_errors(const results_run *r)
{
    for (size_t j = 0; j < r->level_count; j++)
        if (r->levels[j].errors > 0)
            return true;
    return false;
}

static void stats_table(doc *d, const results_run *r)
{
    /* The errors column for runs with failures, the CPU columns for runs
     * with CPU figures: load-test runs seldom have both. */
    bool errors = run_has_errors(r);
    bool cpu = results_has_host_cpu(r) || results_has_guest_cpu(r) || results_has_useful_cpu(r);
    int cols[STAT_COLS], count = 0;
    for (int c = 0; c < STAT_COLS; c++)
        if ((c != 11 || errors) && (c < 12 || cpu))
            cols[count++] = c;
    const char *head[STAT_COLS];
    char *ew = endurance_words(r->endurance_ms);
    char *over = xasprintf("> %s", ew);
    bool right[STAT_COLS];
    for (int k = 0; k < count; k++) {
        head[k] = cols[k] == 10 ? over : stat_head[cols[k]];
        right[k] = cols[k] != 0;
    }
    pdfdoc_table t = {(size_t)count, r->level_count, head, right,
                      pdfdoc_table_cells(r->level_count, (size_t)count), "Statistics"};
    for (size_t j = 0; j < r->level_count; j++) {
        const results_level *l = &r->levels[j];
        bool none = l->n <= 0;
        const double ms[] = {l->mean, l->sd, l->p50, l->p90, l->p95};
        for (int k = 0; k < count; k++) {
            int c = cols[k];
            if (c == 0) {
                pdfdoc_table_set(&t, j, k, xstrdup(l->name), 0, true);
            } else if (c == 1) {
                pdfdoc_table_set(&t, j, k, fmt_count(l->n), 0, false);
            } else if (c <= 6) {
                double v = none ? NAN : ms[c - 2];
                bool alert = c >= 4 && isfinite(v) && v > r->endurance_ms;
                pdfdoc_table_set(&t, j, k, fmt_ms(v), alert ? PDFDOC_COLOUR_ALERT : 0,
                                 alert && c == 6);
            } else if (c == 7) {
                pdfdoc_table_set(&t, j, k,
                                 none ? xstrdup(PDFDOC_DASH) : interval_text(l->p95_lo, l->p95_hi),
                                 PDFDOC_COLOUR_MUTED, false);
            } else if (c <= 9) {
                double v = none ? NAN : c == 8 ? l->p99 : l->max;
                bool alert = isfinite(v) && v > r->endurance_ms;
                pdfdoc_table_set(&t, j, k, fmt_ms(v), alert ? PDFDOC_COLOUR_ALERT : 0, false);
            } else if (c == 10) {
                pdfdoc_table_set(&t, j, k, fmt_ms(none ? NAN : l->pct_over), 0, false);
            } else if (c == 11) {
                pdfdoc_table_set(&t, j, k, fmt_ms(l->errors > 0 ? l->error_pct : 0),
                                 l->errors > 0 ? PDFDOC_COLOUR_ALERT : 0, false);
            } else if (c == 12) {
                pdfdoc_table_set(&t, j, k, fmt_ms(l->host_cpu), 0, false);
            } else if (c == 13) {
                pdfdoc_table_set(&t, j, k, fmt_ms(l->guest_cpu),
                                 l->guest_untrusted ? PDFDOC_COLOUR_ALERT : 0, l->guest_untrusted);
            } else {
                pdfdoc_table_set(&t, j, k, fmt_ms(l->useful_cpu), 0, false);
            }
        }
    }
    pdfdoc_font caption = pdfdoc_small_font;
    caption.style = CANVAS_ITALIC;
    char *line = xasprintf("Times in ms. > %s: the %% of samples over the endurance line.%s%s A "
                           "dash: unknown or undefined.",
                           ew,
                           errors ? " Errors: the % of the level's samples that failed; they "
                                    "are not in its delays."
                                  : "",
                           cpu ? " Host, guest and useful CPU: % of the guest's vCPUs." : "");
    pdfdoc_paragraph(d->pd, &caption, line, 3);
    free(line);
    pdfdoc_draw_table(d->pd, &t);
    pdfdoc_table_free(&t);
    free(over);
    free(ew);
}

/* "p95 over 1 s from Busy (host CPU 50.2 %)". Caller frees. */
static char *onset_words(const results_run *r, const results_onset *o)
{
    if (o->level < 0 || (size_t)o->level >= r->level_count)
        return xstrdup("at no level");
    const char *name = r->levels[o->level].name;
    if (isfinite(o->cpu_pct))
        return xasprintf("from %s (%s CPU %.1f %%)", name,
                         r->onset_cpu_source ? r->onset_cpu_source : "host", o->cpu_pct);
    return xasprintf("from %s", name);
}

static void run_findings(doc *d, const results_run *r)
{
    const double w = 110;
    char *ew = endurance_words(r->endurance_ms);
    char *a = onset_words(r, &r->onset_endurance), *b = onset_words(r, &r->onset_margin);
    char *onset = xasprintf("p95 over %s %s; p95 more than %g ms over the lightest level's %s.", ew,
                            a, r->margin_ms, b);
    pdfdoc_need(d->pd, 60);
    pdfdoc_labelled(d->pd, "Onset of degradation", onset, w);
    free(onset);
    free(a);
    free(b);
    free(ew);
    if (r->native) {
        pdfdoc_labelled(d->pd, "Overhead", "none: a native server, without virtualization", w);
    } else if (isfinite(r->overhead)) {
        char *ci = isfinite(r->overhead_lo) && isfinite(r->overhead_hi)
                       ? xasprintf(" (95 %% CI %.1f to %.1f)", r->overhead_lo, r->overhead_hi)
                       : xstrdup("");
        char *s = xasprintf("%.1f %% of a vCPU%s, %s", r->overhead, ci,
                            r->overhead_method ? r->overhead_method
                            : r->overhead_assumed ? "assumed" : "measured");
        pdfdoc_labelled(d->pd, "Overhead", s, w);
        free(s);
        free(ci);
    }
    if (r->host_counter)
        pdfdoc_labelled(d->pd, "Host CPU from", r->host_counter, w);
    if (r->guest_counter)
        pdfdoc_labelled(d->pd, "Guest CPU from", r->guest_counter, w);
    if (!r->host_counter && !r->guest_counter)
        pdfdoc_labelled(d->pd, "CPU",
                        "no host-side CPU measurement and no guest counters in this run", w);
    if (r->unplaced) {
        char *n = fmt_count(r->unplaced);
        char *s = xasprintf("%s samples no level could be given to; they are left out of the "
                            "statistics",
                            n);
        pdfdoc_labelled(d->pd, "Unplaced", s, w);
        free(s);
        free(n);
    }
}

/* Whether the report shows companion chart kind of the run: a CPU chart
 * without any CPU figure to show is left out (a note under the others
 * says so), as on paper an empty chart is a page's worth of nothing. */
static bool companion_shown(const results_run *r, charts_kind kind)
{
    if (kind == CHARTS_CPU)
        return results_has_host_cpu(r) || results_has_guest_cpu(r) || results_has_ready(r);
    if (kind == CHARTS_USEFUL)
        return results_has_useful_cpu(r);
    return true;
}

static int companion_count(const results_run *r)
{
    int n = 0;
    for (int k = 0; k < CHARTS_KIND_COUNT; k++)
        n += companion_shown(r, (charts_kind)k);
    return n;
}

/* The companion charts two by two, those companion_shown(). */
static void companions(doc *d, const results_run *r)
{
    cairo_t *cr = d->pd->cr;
    double unit = fmin(COMPANION_W / 1600.0, COMPANION_H / 1000.0);
    charts_options opts = {.palette = d->o->palette,
                           .log_delay = d->o->log_delay,
                           .text_scale = COMPANION_TICK_PT / (CHART_TICK_PX * unit),
                           .hide_run_title = true};
    bool cpu = companion_shown(r, CHARTS_CPU), useful = companion_shown(r, CHARTS_USEFUL);
    int placed = 0;
    for (int k = 0; k < CHARTS_KIND_COUNT; k++) {
        if (!companion_shown(r, (charts_kind)k))
            continue;
        if (placed % 2 == 0)
            pdfdoc_need(d->pd, COMPANION_H);
        double x = PDFDOC_MARGIN_X + (placed % 2) * (COMPANION_W + COMPANION_GAP);
        cairo_save(cr);
        cairo_translate(cr, x, d->pd->y);
        charts_draw(cr, (charts_kind)k, r, &opts, COMPANION_W, COMPANION_H);
        cairo_restore(cr);
        if (++placed % 2 == 0)
            d->pd->y += COMPANION_H + COMPANION_GAP;
    }
    if (placed % 2 == 1)
        d->pd->y += COMPANION_H + COMPANION_GAP;
    pdfdoc_font f = pdfdoc_small_font;
    f.style = CANVAS_ITALIC;
    if (!cpu)
        pdfdoc_paragraph(
            d->pd, &f,
            "No CPU measurement in this run: no host-side CPU measurement and no guest "
            "counters were found, so the charts of CPU and of delay against useful work "
            "are left out.",
            6);
    else if (!useful)
        pdfdoc_paragraph(d->pd, &f,
                         "No host-side CPU measurement in this run: useful work is unknown, so the "
                         "chart of delay against useful work is left out.",
                         6);
}

static void analysis_notes(doc *d, const results_run *r)
{
    const double w = 110;
    pdfdoc_heading(d->pd, "Analysis notes", PDFDOC_H2_PT, 4);
    if (r->analysis_note_count == 0)
        pdfdoc_paragraph(d->pd, &pdfdoc_small_font, "Analysis had nothing to warn about.", 0);
    for (size_t k = 0; k < r->analysis_note_count; k++) {
        const results_note *n = &r->analysis_notes[k];
        bool warning = strcmp(n->severity, "warning") == 0;
        pdfdoc_font tag = {PDFDOC_SMALL_PT + 0.5, CANVAS_BOLD,
                           warning ? PDFDOC_COLOUR_ALERT : PDFDOC_COLOUR_MUTED};
        pdfdoc_font text = pdfdoc_body_font;
        text.size = PDFDOC_SMALL_PT + 0.5;
        pdfdoc_need(d->pd, pdfdoc_line_height(&text));
        pdfdoc_text_at(d->pd->cr, &tag, warning ? "Warning" : "Note", PDFDOC_MARGIN_X,
                       d->pd->y + tag.size, 0);
        pdfdoc_paragraph_at(d->pd, &text, n->message, PDFDOC_MARGIN_X + w, PDFDOC_CONTENT_W - w);
        d->pd->y += 2;
    }
    d->pd->y += 8;
}

/* The run.ini keys p3 keeps as metadata: a table of two key-value pairs
 * a row, as they are many and short. */
static void run_meta(doc *d, const results_run *r)
{
    if (r->meta_count == 0)
        return;
    static const char *const head[4] = {"Setting", "Value", "Setting", "Value"};
    static const bool right[4] = {false, false, false, false};
    size_t rows = (r->meta_count + 1) / 2;
    pdfdoc_table t = {4, rows, head, right, pdfdoc_table_cells(rows, 4), "Other settings"};
    for (size_t k = 0; k < 2 * rows; k++) {
        size_t row = k % rows, col = 2 * (k / rows);
        bool have = k < r->meta_count;
        pdfdoc_table_set(&t, row, col, xstrdup(have ? r->meta[k].key : ""), PDFDOC_COLOUR_MUTED,
                         false);
        pdfdoc_table_set(&t, row, col + 1, xstrdup(have ? r->meta[k].value : ""), 0, false);
    }
    d->pd->y += 4;
    pdfdoc_draw_table(d->pd, &t);
    pdfdoc_table_free(&t);
}

static void description(doc *d, const results_run *r)
{
    const double w = 110;
    pdfdoc_heading(d->pd, "Run description", PDFDOC_H2_PT, 4);
    if (r->folder)
        pdfdoc_labelled(d->pd, "Folder", r->folder, w);
    if (r->host)
        pdfdoc_labelled(d->pd, "Host", r->host, w);
    if (r->guest)
        pdfdoc_labelled(d->pd, "Guest", r->guest, w);
    if (r->platform)
        pdfdoc_labelled(d->pd, "Platform", r->platform, w);
    if (isfinite(r->vcpus)) {
        char *v = xasprintf("%g", r->vcpus);
        pdfdoc_labelled(d->pd, "Guest vCPUs", v, w);
        free(v);
    }
    if (r->notes)
        pdfdoc_labelled(d->pd, "Notes", r->notes, w);
    run_meta(d, r);
}

static void run_pages(doc *d, size_t i)
{
    const results_run *r = &d->runs[i];
    pdfdoc_new_page(d->pd);
    d->run_page[i] = d->pd->page;
    pdfdoc_bookmark(d->pd, r->name);
    pdfdoc_heading(d->pd, r->name, PDFDOC_H1_PT, 2);
    if (strcmp(r->title, r->name) != 0) {
        pdfdoc_font f = {PDFDOC_H2_PT, CANVAS_REGULAR, PDFDOC_COLOUR_MUTED};
        pdfdoc_paragraph(d->pd, &f, r->title, 2);
    }
    run_meta_line(d, r);
    draw_p3(d, r);
    stats_table(d, r);
    run_findings(d, r);
    /* The companion charts stay together: on this page if they fit. */
    int rows = (companion_count(r) + 1) / 2;
    d->pd->y += 10;
    pdfdoc_need(d->pd, 30 + rows * (COMPANION_H + COMPANION_GAP));
    pdfdoc_font f = {PDFDOC_H2_PT, CANVAS_BOLD, PDFDOC_COLOUR_ACCENT};
    char *title = xasprintf("%s: companion charts", r->name);
    pdfdoc_paragraph_at(d->pd, &f, title, PDFDOC_MARGIN_X, PDFDOC_CONTENT_W);
    d->pd->y += 6;
    free(title);
    companions(d, r);
    d->pd->y += 4;
    analysis_notes(d, r);
    description(d, r);
}

/* ---- the appendix ---- */

/* "50, 250, ..., 1850 ms" of a run's edges. Caller frees. */
static char *edges_text(const results_run *r)
{
    char *s = xstrdup("");
    for (size_t k = 0; k < r->bucket_count; k++) {
        if (!isfinite(r->bucket_upper[k]))
            continue;
        char *next = xasprintf("%s%s%g", s, *s ? ", " : "", r->bucket_upper[k]);
        free(s);
        s = next;
    }
    char *out = xasprintf("%s ms", s);
    free(s);
    return out;
}

static void appendix_item(doc *d, const char *title, const char *text)
{
    pdfdoc_font bold = pdfdoc_body_font;
    bold.style = CANVAS_BOLD;
    pdfdoc_need(d->pd, 3 * pdfdoc_line_height(&pdfdoc_body_font));
    pdfdoc_text_at(d->pd->cr, &bold, title, PDFDOC_MARGIN_X, d->pd->y + bold.size, 0);
    d->pd->y += pdfdoc_line_height(&bold);
    pdfdoc_paragraph(d->pd, &pdfdoc_body_font, text, 7);
}

static void appendix_buckets(doc *d)
{
    char *first = d->run_count ? edges_text(&d->runs[0]) : xstrdup("");
    bool same = true;
    for (size_t i = 1; i < d->run_count; i++) {
        char *e = edges_text(&d->runs[i]);
        same = same && strcmp(e, first) == 0;
        free(e);
    }
    char *text;
    if (same)
        text = xasprintf("The buckets' upper edges are %s. Buckets are upper-inclusive, as a "
                         "spreadsheet histogram makes them: a delay d falls in the first bucket "
                         "whose edge is at or above it, and delays above the last edge in an "
                         "overflow bucket. The P3 charts %s; the tables always show the overflow "
                         "separately. Shares are percentages of the level's samples, so each "
                         "level's buckets add up to 100.",
                         first,
                         d->o->overflow == P3CHART_OVERFLOW_COLUMN
                             ? "give the overflow a column of its own"
                             : "count the overflow in the last column, as their note says");
    else
        text = xasprintf("Buckets are upper-inclusive, as a spreadsheet histogram makes them; "
                         "delays above the last edge fall in an overflow bucket. The runs of "
                         "this report were analysed with different edges; each run's P3 is "
                         "labelled with its own. Shares are percentages of the level's samples.");
    appendix_item(d, "Delay buckets", text);
    free(text);
    free(first);
}

static void appendix_overhead(doc *d)
{
    char *assumed = xstrdup("");
    size_t n = 0;
    double pct = NAN;
    for (size_t i = 0; i < d->run_count; i++) {
        const results_run *r = &d->runs[i];
        if (r->native || !r->overhead_assumed)
            continue;
        char *next = xasprintf("%s%s%s", assumed, n ? ", " : "", r->name);
        free(assumed);
        assumed = next;
        pct = r->overhead;
        n++;
    }
    char *text;
    if (n)
        text = xasprintf("Useful work is the host-measured CPU of the guest minus the "
                         "virtualization overhead. The overhead is estimated from the run itself "
                         "at its lightest level with host-side measurements; where a run cannot "
                         "measure it, a configured default is assumed (%.1f %% of a vCPU, from "
                         "the paper's finding of about 5 %%). Assumed in: %s. CPU figures are "
                         "%% of the measured guest's virtual CPUs.",
                         pct, assumed);
    else
        text = xstrdup("Useful work is the host-measured CPU of the guest minus the "
                       "virtualization overhead, estimated from each run itself at its lightest "
                       "level with host-side measurements (native servers have none). CPU "
                       "figures are % of the measured guest's virtual CPUs.");
    appendix_item(d, "CPU, overhead and useful work", text);
    free(text);
    free(assumed);
}

static void appendix(doc *d)
{
    pdfdoc_new_page(d->pd);
    d->appendix_page = d->pd->page;
    pdfdoc_bookmark(d->pd, "Appendix: conventions");
    pdfdoc_heading(d->pd, "Appendix: conventions", PDFDOC_H1_PT, 8);
    appendix_buckets(d);
    appendix_item(d, "Percentiles",
                  "p50, p90, p95, p99 and p99.9 are linear interpolation between closest ranks: "
                  "for sorted values x0 ... xn-1 and p in [0, 1], h = (n - 1) p and the "
                  "percentile is x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). This "
                  "is Excel's PERCENTILE.INC, NumPy's default and R's type 7. They are computed "
                  "exactly over every sample, without sampling windows or sketches.");
    appendix_item(d, "Standard deviation",
                  "The sample standard deviation and variance, dividing by n - 1 as Excel's "
                  "STDEV.S and VAR.S; undefined for a single sample.");
    appendix_item(
        d, "Confidence intervals",
        "95 %. The mean's is Student's t: mean \xC2\xB1 t(0.975, n - 1) sd / \xE2\x88\x9An. "
        "The percentiles' are distribution-free order-statistic intervals from the "
        "exact binomial distribution, so they hold whatever the shape of the delays; "
        "a bound that too few samples cannot give is left out (p95 needs 59 samples "
        "for an upper bound).");
    char *ew = endurance_words(d->run_count ? d->runs[0].endurance_ms : 1000);
    char *endurance = xasprintf("The endurance line is at %s, from the study the P3 comes from: "
                                "\"a one second delay is about the limit of user endurance for "
                                "occasional delays\". The share over it counts delays strictly "
                                "greater than the line. The onset of degradation is the lightest "
                                "level whose p95 is over the line; a second rule reports the "
                                "lightest level whose p95 exceeds the lightest level's by more "
                                "than a margin.",
                                ew);
    appendix_item(d, "Endurance line and onset", endurance);
    free(endurance);
    free(ew);
    appendix_overhead(d);
    appendix_item(d, "Guest counters",
                  "CPU counters read inside a guest are misleading: a paused virtual machine "
                  "charges the pause to whatever the guest was running. A level whose guest "
                  "figure exceeds the host's by more than the trust margin is flagged, and only "
                  "host-side and user-side (delay) measurements are relied on.");
    appendix_item(d, "Load levels",
                  "A sample's level comes from its probe log, else from the run's schedule, "
                  "else from the guest's measured CPU at that moment. Samples no method can "
                  "place are counted and left out of the statistics. Times are UTC.");
}

/* ---- the document ---- */

/* Lays out the report; ctx is the doc. */
static void build(pdfdoc *pd, void *ctx)
{
    doc *d = ctx;
    d->pd = pd;
    cover(d);
    summary(d);
    for (size_t i = 0; i < d->run_count; i++)
        run_pages(d, i);
    if (d->comparison_count) {
        compare_pdf_options compare = {d->o->palette, d->o->overflow};
        pdfdoc_new_page(pd);
        d->comparisons_page = pd->page;
        compare_pdf_pages(pd, d->comparisons, d->comparison_count, &compare);
    }
    appendix(d);
}

char *report_pdf_lab_name(const char *const *folders, size_t count)
{
    char *common = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!folders[i] || !*folders[i])
            continue;
        /* The folder that holds the run folder. */
        char *parent = xstrdup(folders[i]);
        size_t len = strlen(parent);
        while (len > 1 && parent[len - 1] == '/')
            parent[--len] = '\0';
        char *slash = strrchr(parent, '/');
        if (!slash) {
            parent[0] = '\0';
        } else {
            *slash = '\0';
        }
        if (!common) {
            common = parent;
            continue;
        }
        /* The longest run of whole components both start with. */
        size_t k = 0, last = 0;
        while (common[k] && common[k] == parent[k]) {
            k++;
            if ((common[k] == '/' || common[k] == '\0') && (parent[k] == '/' || parent[k] == '\0'))
                last = k;
        }
        common[last] = '\0';
        free(parent);
    }
    if (!common)
        return NULL;
    size_t len = strlen(common);
    while (len > 0 && common[len - 1] == '/')
        common[--len] = '\0';
    const char *base = strrchr(common, '/');
    base = base ? base + 1 : common;
    char *name = *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 ? xstrdup(base) : NULL;
    free(common);
    return name;
}

static char *lab_name(const report_pdf_options *o, const results_run *runs, size_t count)
{
    if (o->title && *o->title)
        return xstrdup(o->title);
    const char **folders = xcalloc(count + 1, sizeof *folders);
    for (size_t i = 0; i < count; i++)
        folders[i] = runs[i].folder;
    char *name = report_pdf_lab_name(folders, count);
    free(folders);
    return name ? name : xstrdup("p3 report");
}

int report_pdf_write(sqlite3 *db, const char *path, const report_pdf_options *opts,
                     diag_list *diags)
{
    report_pdf_options o = opts ? *opts : (report_pdf_options){0};
    results_run *runs;
    size_t count;
    int status = results_read(db, o.run_name, &runs, &count, diags);
    if (status)
        return status;
    if (count == 0) {
        if (o.run_name)
            diag_add(diags, DIAG_ERROR, path, 0, 0, "no analysed run named '%s' in the store",
                     o.run_name);
        else
            diag_add(diags, DIAG_ERROR, path, 0, 0,
                     "nothing to report: the store holds no analysed run");
        return STATUS_BAD_INPUT;
    }
    /* The comparisons go with a report of every run, not of one. */
    compare_results *comparisons = NULL;
    size_t comparison_count = 0;
    if (!o.run_name && (status = compare_results_read(db, &comparisons, &comparison_count, diags)))
        goto out;
    char *lab = lab_name(&o, runs, count);
    doc d = {.o = &o, .runs = runs, .run_count = count, .lab = lab,
             .run_page = xcalloc(count + 1, sizeof *d.run_page),
             .comparisons = comparisons, .comparison_count = comparison_count};
    char *title = xasprintf("%s: Perceived Performance Profiles", lab);
    char *footer = xasprintf("%s" PDFDOC_DOT "Perceived Performance Profiles", lab);
    /* The cover has no footer. */
    status = pdfdoc_write(path, title, "report", footer, 2, build, &d, diags);
    free(footer);
    free(title);
    free(d.run_page);
    free(lab);
    compare_results_free(comparisons, comparison_count);
out:
    results_free(runs, count);
    return status;
}
