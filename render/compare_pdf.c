#include "compare_pdf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "charts.h"
#include "status.h"
#include "xalloc.h"

/* The charts on a comparison's pages. Both chart modules size their text
 * for a 1600 x 1000 canvas with 17-pixel tick labels; these pages scale
 * it to print sizes, as the report's do. */
#define GAP 14.0
#define P3_W ((PDFDOC_CONTENT_W - GAP) / 2)
#define P3_H 200.0
#define WIDE_H 235.0
#define CHART_TICK_PX 17.0
#define P3_TICK_PT 6.0
#define WIDE_TICK_PT 6.5

#define COLOUR_BETTER 0x2E7D32 /* a verdict of better: green */

/* The document compare_pdf_write() lays out. */
typedef struct doc {
    const compare_results *list;
    size_t count;
    const compare_pdf_options *o;
} doc;

/* ---- text ---- */

/* A difference in ms: one decimal under 100 ms, whole ms above, with its sign. */
static char *fmt_ms(double v)
{
    return fabs(v) < 100 ? xasprintf("%+.1f", v) : xasprintf("%+.0f", v);
}

/* "-12.3\n-20.1 to -4.5": a difference over its interval, in ms (points:
 * percentage points, two decimals). Caller frees. */
static char *diff_cell(const compare_results_diff *d, bool points)
{
    if (!isfinite(d->diff))
        return xstrdup(PDFDOC_DASH);
    char *v = points ? xasprintf("%+.2f", d->diff) : fmt_ms(d->diff);
    if (!isfinite(d->lo) || !isfinite(d->hi))
        return v;
    char *lo = points ? xasprintf("%+.2f", d->lo) : fmt_ms(d->lo);
    char *hi = points ? xasprintf("%+.2f", d->hi) : fmt_ms(d->hi);
    char *cell = xasprintf("%s\n%s to %s", v, lo, hi);
    free(v);
    free(lo);
    free(hi);
    return cell;
}

/* A p-value: four decimals, or two significant digits under 0.001. */
static char *fmt_p(double p)
{
    if (!isfinite(p))
        return xstrdup(PDFDOC_DASH);
    return p >= 0.001 || p == 0 ? xasprintf("%.4f", p) : xasprintf("%.1e", p);
}

static uint32_t verdict_colour(const char *verdict)
{
    if (strcmp(verdict, "better") == 0)
        return COLOUR_BETTER;
    if (strcmp(verdict, "worse") == 0)
        return PDFDOC_COLOUR_ALERT;
    return PDFDOC_COLOUR_MUTED;
}

static char *endurance_words(double ms)
{
    return fmod(ms, 1000) == 0 ? xasprintf("%g s", ms / 1000) : xasprintf("%g ms", ms);
}

/* ---- a comparison ---- */

/* "Title · from lab/fig09 · 1,800 samples in 6 levels, 3 left out without
 * a level": a side of the comparison in a line. Caller frees. */
static char *side_line(const compare_results *c, int side)
{
    const results_run *r = &c->sides[side];
    const char *source = side == COMPARE_RESULTS_BASELINE ? c->baseline_source : c->other_source;
    long long unplaced = side == COMPARE_RESULTS_BASELINE ? c->baseline_unplaced
                                                          : c->other_unplaced;
    const compare_results_level *levels = c->levels;
    size_t present = 0;
    for (size_t j = 0; j < c->level_count; j++)
        present += side == COMPARE_RESULTS_BASELINE ? levels[j].in_baseline : levels[j].in_other;
    char *n = canvas_group_digits(r->samples), *u = canvas_group_digits(unplaced);
    char *extra = unplaced ? xasprintf(", %s left out without a level", u) : xstrdup("");
    char *line = xasprintf("%s" PDFDOC_DOT "from %s" PDFDOC_DOT "%s samples in %zu level%s%s",
                           r->title, source, n, present, present == 1 ? "" : "s", extra);
    free(extra);
    free(n);
    free(u);
    return line;
}

/* Both P3s side by side, on the same buckets and the same 0-100 % scale,
 * with every level of the comparison in both (a level a run lacks shows
 * "(no samples)"), so that a level has one colour in both. */
static void p3_pair(pdfdoc *d, const compare_results *c, const compare_pdf_options *o)
{
    pdfdoc_need(d, P3_H);
    double unit = fmin(P3_W / 1600.0, P3_H / 1000.0);
    p3chart_options opts = {.overflow = o->overflow,
                            .palette = o->palette,
                            .text_scale = P3_TICK_PT / (CHART_TICK_PX * unit)};
    for (int s = 0; s < 2; s++) {
        const results_run *r = &c->sides[s];
        p3chart_level *levels = xcalloc(r->level_count + 1, sizeof *levels);
        for (size_t j = 0; j < r->level_count; j++)
            levels[j] = (p3chart_level){r->levels[j].name, r->levels[j].bucket_pct,
                                        r->levels[j].n};
        char *title = s == COMPARE_RESULTS_BASELINE ? xasprintf("%s (baseline)", r->name)
                                                    : xstrdup(r->name);
        p3chart_data data = {title,          (const char *const *)r->bucket_labels,
                             r->bucket_upper, r->bucket_count,
                             levels,          r->level_count,
                             r->endurance_ms, NULL};
        cairo_save(d->cr);
        cairo_translate(d->cr, PDFDOC_MARGIN_X + s * (P3_W + GAP), d->y);
        diag_list *ignored = diag_list_new();
        if (r->bucket_count < 2 || r->level_count == 0 ||
            p3chart_draw(d->cr, &data, &opts, P3_W, P3_H, ignored) != STATUS_OK) {
            pdfdoc_font f = pdfdoc_small_font;
            f.style = CANVAS_ITALIC;
            pdfdoc_text_at(d->cr, &f, "No distribution to draw.", 0, 20, 0);
        }
        diag_list_free(ignored);
        cairo_restore(d->cr);
        free(title);
        free(levels);
    }
    d->y += P3_H + 8;
}

/* A chart across the text block: the difference or the ladders. */
static void wide_chart(pdfdoc *d, const compare_results *c, const compare_pdf_options *o,
                       bool ladders)
{
    pdfdoc_need(d, WIDE_H);
    double unit = fmin(PDFDOC_CONTENT_W / 1600.0, WIDE_H / 1000.0);
    charts_options opts = {.palette = o->palette,
                           .text_scale = WIDE_TICK_PT / (CHART_TICK_PX * unit)};
    const results_run *b = &c->sides[COMPARE_RESULTS_BASELINE];
    const results_run *r = &c->sides[COMPARE_RESULTS_OTHER];
    cairo_save(d->cr);
    cairo_translate(d->cr, PDFDOC_MARGIN_X, d->y);
    if (ladders)
        charts_draw_ladders(d->cr, b, r, &opts, PDFDOC_CONTENT_W, WIDE_H);
    else
        charts_draw_difference(d->cr, b, r, &opts, PDFDOC_CONTENT_W, WIDE_H);
    cairo_restore(d->cr);
    d->y += WIDE_H + 8;
}

/* "300\n280": the samples of both runs at level j, a dash where a run lacks it. */
static char *n_cell(const compare_results *c, size_t j)
{
    const compare_results_level *l = &c->levels[j];
    char *nb = l->in_baseline ? canvas_group_digits(c->sides[COMPARE_RESULTS_BASELINE].levels[j].n)
                              : xstrdup(PDFDOC_DASH);
    char *no = l->in_other ? canvas_group_digits(c->sides[COMPARE_RESULTS_OTHER].levels[j].n)
                           : xstrdup(PDFDOC_DASH);
    char *cell = xasprintf("%s\n%s", nb, no);
    free(nb);
    free(no);
    return cell;
}

enum { DIFF_COLS = 7, TEST_COLS = 8 };

/* The differences with their intervals, a row per level. */
static void diff_table(pdfdoc *d, const compare_results *c)
{
    char *ew = endurance_words(c->endurance_ms);
    char *over = xasprintf("> %s (points)", ew);
    const char *head[DIFF_COLS] = {"Level", "n", "mean", "p50", "p95", "p99", over};
    bool right[DIFF_COLS] = {false, true, true, true, true, true, true};
    pdfdoc_table t = {DIFF_COLS, c->level_count, head, right,
                      pdfdoc_table_cells(c->level_count, DIFF_COLS), "Differences"};
    for (size_t j = 0; j < c->level_count; j++) {
        const compare_results_level *l = &c->levels[j];
        pdfdoc_table_set(&t, j, 0, xstrdup(c->sides[0].levels[j].name), 0, true);
        pdfdoc_table_set(&t, j, 1, n_cell(c, j), 0, false);
        const compare_results_diff *diffs[] = {&l->mean, &l->p50, &l->p95, &l->p99,
                                               &l->pct_over};
        for (size_t k = 0; k < 5; k++)
            pdfdoc_table_set(&t, j, 2 + k, diff_cell(diffs[k], k == 4), 0, false);
    }
    pdfdoc_font caption = pdfdoc_small_font;
    caption.style = CANVAS_ITALIC;
    char *line = xasprintf(
        "Differences: %s minus %s, in ms (the share over the endurance line in percentage "
        "points), each over its 95 %% confidence interval; below zero, %s is faster. n: the "
        "samples of %s, then of %s.",
        c->other, c->baseline, c->other, c->baseline, c->other);
    pdfdoc_paragraph(d, &caption, line, 3);
    free(line);
    pdfdoc_draw_table(d, &t);
    pdfdoc_table_free(&t);
    free(over);
    free(ew);
}

static char *fmt_exact(double v, const char *format)
{
    return isfinite(v) ? xasprintf(format, v) : xstrdup(PDFDOC_DASH);
}

/* The tests, the effect size and the verdicts, a row per level. */
static void test_table(pdfdoc *d, const compare_results *c)
{
    static const char *const head[TEST_COLS] = {"Level", "Mann-Whitney U", "p",      "KS D",
                                                "p",     "Cliff's \xCE\xB4", "Holm p", "Verdict"};
    static const bool right[TEST_COLS] = {false, true, true, true, true, true, true, false};
    pdfdoc_table t = {TEST_COLS, c->level_count, head, right,
                      pdfdoc_table_cells(c->level_count, TEST_COLS), "Tests and verdicts"};
    for (size_t j = 0; j < c->level_count; j++) {
        const compare_results_level *l = &c->levels[j];
        pdfdoc_table_set(&t, j, 0, xstrdup(c->sides[0].levels[j].name), 0, true);
        pdfdoc_table_set(&t, j, 1, fmt_exact(l->mw_u, "%.1f"), 0, false);
        pdfdoc_table_set(&t, j, 2, fmt_p(l->mw_p), 0, false);
        pdfdoc_table_set(&t, j, 3, fmt_exact(l->ks_d, "%.4f"), 0, false);
        pdfdoc_table_set(&t, j, 4, fmt_p(l->ks_p), 0, false);
        pdfdoc_table_set(&t, j, 5, fmt_exact(l->cliffs_delta, "%+.3f"), 0, false);
        bool significant = isfinite(l->p_holm) && l->p_holm <= c->alpha;
        pdfdoc_table_set(&t, j, 6, fmt_p(l->p_holm), 0, significant);
        bool decided = strcmp(l->verdict, "better") == 0 || strcmp(l->verdict, "worse") == 0;
        pdfdoc_table_set(&t, j, 7, xstrdup(l->verdict), verdict_colour(l->verdict), decided);
    }
    pdfdoc_font caption = pdfdoc_small_font;
    caption.style = CANVAS_ITALIC;
    char *line = xasprintf(
        "Mann-Whitney U of %s and Kolmogorov-Smirnov D, each with its two-sided p. Cliff's "
        "\xCE\xB4 below zero: %s tends to be faster. Holm p: the Mann-Whitney p corrected across "
        "the levels; a verdict of better or worse needs it at or under %g.",
        c->baseline, c->other, c->alpha);
    pdfdoc_paragraph(d, &caption, line, 3);
    free(line);
    pdfdoc_draw_table(d, &t);
    pdfdoc_table_free(&t);
}

static void comparison_pages(pdfdoc *d, const compare_results *c, const compare_pdf_options *o)
{
    /* The heading stays with the description and the P3s under it. */
    pdfdoc_need(d, 110 + P3_H);
    char *title = xasprintf("%s against %s", c->other, c->baseline);
    pdfdoc_bookmark(d, title);
    pdfdoc_heading(d, title, PDFDOC_H1_PT, 4);
    free(title);
    const double w = 120;
    char *line = side_line(c, COMPARE_RESULTS_BASELINE);
    char *label = xasprintf("Baseline: %s", c->baseline);
    pdfdoc_labelled(d, label, line, w);
    free(label);
    free(line);
    line = side_line(c, COMPARE_RESULTS_OTHER);
    label = xasprintf("Compared: %s", c->other);
    pdfdoc_labelled(d, label, line, w);
    free(label);
    free(line);
    d->y += 2;
    pdfdoc_font verdict = {PDFDOC_BODY_PT + 1, CANVAS_BOLD, PDFDOC_COLOUR_ACCENT};
    char *summary = xasprintf("%s: %s", c->other, c->summary);
    pdfdoc_paragraph(d, &verdict, summary, 6);
    free(summary);
    p3_pair(d, c, o);
    wide_chart(d, c, o, false);
    wide_chart(d, c, o, true);
    diff_table(d, c);
    test_table(d, c);
}

/* ---- the section ---- */

static void summary_table(pdfdoc *d, const compare_results *list, size_t count)
{
    static const char *const head[3] = {"Compared", "Baseline", "Summary"};
    static const bool right[3] = {false, false, false};
    pdfdoc_table t = {3, count, head, right, pdfdoc_table_cells(count, 3), "The comparisons"};
    for (size_t i = 0; i < count; i++) {
        pdfdoc_table_set(&t, i, 0, xstrdup(list[i].other), 0, true);
        pdfdoc_table_set(&t, i, 1, xstrdup(list[i].baseline), 0, false);
        pdfdoc_table_set(&t, i, 2, xstrdup(list[i].summary), 0, false);
    }
    pdfdoc_draw_table(d, &t);
    pdfdoc_table_free(&t);
}

static void method(pdfdoc *d, const char *title, const char *text)
{
    pdfdoc_font bold = pdfdoc_body_font;
    bold.style = CANVAS_BOLD;
    pdfdoc_need(d, 3 * pdfdoc_line_height(&pdfdoc_body_font));
    pdfdoc_text_at(d->cr, &bold, title, PDFDOC_MARGIN_X, d->y + bold.size, 0);
    d->y += pdfdoc_line_height(&bold);
    pdfdoc_paragraph(d, &pdfdoc_body_font, text, 6);
}

/* How every number of a comparison is computed. */
static void methods(pdfdoc *d, const compare_results *c)
{
    pdfdoc_heading(d, "How runs are compared", PDFDOC_H2_PT, 4);
    method(d, "Levels",
           "The levels of both runs are matched by name, ignoring case, in the baseline's order; "
           "a level only one run has is shown as such and not compared, as is a level where a "
           "run has no samples. The bucket edges and the endurance line are the baseline's.");
    char *text = xasprintf(
        "Every difference is the compared run minus the baseline, so below zero is faster. "
        "The mean's 95 %% interval is Welch's (unequal variances, Welch-Satterthwaite degrees of "
        "freedom). The percentiles (PERCENTILE.INC) have 95 %% percentile-bootstrap intervals "
        "from %lld resamples of each run, drawn from a fixed seed (%lld, the bytes of "
        "\"p3compar\"), so the same runs give the same intervals. The share over the endurance "
        "line has Newcombe's hybrid score interval.",
        c->replicates, (long long)c->seed);
    method(d, "Differences", text);
    free(text);
    method(d, "Tests",
           "Mann-Whitney U (two-sided, of the baseline, ties given their mean rank): exact when a "
           "run has at most 8 samples and no delay repeats, else the normal approximation with "
           "tie and continuity corrections. Two-sample Kolmogorov-Smirnov (two-sided): exact "
           "when neither run has more than 10,000 samples, else asymptotic. Both as SciPy "
           "computes them by default. Cliff's \xCE\xB4 is P(compared slower) minus P(compared "
           "faster) over all pairs of samples, from -1 to 1.");
    text = xasprintf(
        "The Mann-Whitney p-values of a comparison's levels are corrected together by Holm's "
        "step-down method, at a family-wise error rate of %g: a level whose corrected p is at or "
        "under it is better when Cliff's \xCE\xB4 is below 0 and worse when above; otherwise there "
        "is no significant difference.",
        c->alpha);
    method(d, "Verdicts", text);
    free(text);
}

void compare_pdf_pages(pdfdoc *d, const compare_results *list, size_t count,
                       const compare_pdf_options *opts)
{
    compare_pdf_options o = opts ? *opts : (compare_pdf_options){0};
    pdfdoc_bookmark(d, "Comparisons");
    pdfdoc_heading(d, "Comparisons", PDFDOC_H1_PT, 6);
    pdfdoc_paragraph(
        d, &pdfdoc_body_font,
        "Each comparison sets a run against a baseline level by level: both P3s on the same "
        "scales, where the delays moved between buckets, both percentile ladders, and for every "
        "level the differences with their 95 % confidence intervals, two tests of whether the "
        "runs' delays differ at all, and a verdict that holds at a 5 % error rate across the "
        "levels.",
        8);
    summary_table(d, list, count);
    /* Each comparison from a page of its own, but the first when it fits
     * under the summary. */
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            pdfdoc_new_page(d);
        else
            d->y += 10;
        comparison_pages(d, &list[i], &o);
    }
    if (count) {
        d->y += 10;
        methods(d, &list[0]);
    }
}

/* Lays out compare.pdf; ctx is the doc. */
static void build(pdfdoc *pd, void *ctx)
{
    const doc *d = ctx;
    compare_pdf_pages(pd, d->list, d->count, d->o);
}

int compare_pdf_write(sqlite3 *db, const char *path, const compare_pdf_options *opts,
                      diag_list *diags)
{
    compare_pdf_options o = opts ? *opts : (compare_pdf_options){0};
    compare_results *list;
    size_t count;
    int status = compare_results_read(db, &list, &count, diags);
    if (status)
        return status;
    if (count == 0) {
        diag_add(diags, DIAG_ERROR, path, 0, 0, "the store holds no comparison of runs");
        return STATUS_BAD_INPUT;
    }
    doc d = {list, count, &o};
    char *title = xasprintf("%s against %s: Perceived Performance Profiles", list[0].other,
                            list[0].baseline);
    status = pdfdoc_write(path, title, "comparison", "Comparing runs" PDFDOC_DOT
                          "Perceived Performance Profiles", 1, build, &d, diags);
    free(title);
    compare_results_free(list, count);
    return status;
}
