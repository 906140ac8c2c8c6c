"""Reads back a workbook p3 wrote without its Samples sheets (past its
sample limit, render/workbook.c) with readers that are not p3's own, and
checks it against `p3 stats --format json` of the same store. Run by
tests/check_workbook.c with /usr/bin/python3; shares check_workbook.py's
helpers for `read` (`same` and `sheets` need no more than the standard
library, so that they run where openpyxl is missing).

  check_workbook_counts.py same BOOK OTHER
  check_workbook_counts.py sheets BOOK
  check_workbook_counts.py read BOOK --stats STATS.json --total N --limit L
                           [--text-run NAME]

`same` compares two workbooks part by part, the creation and modification
dates of the document properties aside (libxlsxwriter writes the time of
writing there), and exits 0 when they are the same.

`sheets` needs only zipfile: it prints the workbook's sheet names, one a
line, and, when the workbook leaves its samples out, the note that says so
as the Summary holds it.

`read` opens BOOK with openpyxl and checks: no Samples sheet; the Summary
against the JSON, and under it the note (N samples, more than the limit L,
and how to have them); on each run sheet the same note, every statistic
against the JSON, n a SUM over the P3 table's counts, mean, SD, min, max
and the percentiles p3's values rather than formulas, the share over the
endurance line a formula exactly when the line is a bucket edge; the P3
table's counts as numbers equal to the JSON's, its shares formulas over
them, the shares at or under each edge and their sum; the native charts;
text that looks like a formula kept as text.

Exits 0 when everything holds; otherwise prints what failed and exits 1."""
import argparse
import json
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

SAMPLES = re.compile(r"Samples( \d+)?")
DATES = re.compile(rb"<dcterms:(created|modified)[^<]*</dcterms:\1>")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
failures = []


def fail(what):
    failures.append(what)
    print("check_workbook_counts: " + what, file=sys.stderr)


def same(args):
    a, b = zipfile.ZipFile(args.book), zipfile.ZipFile(args.other)
    if a.namelist() != b.namelist():
        fail("parts differ: %r only in the first, %r only in the second"
             % (sorted(set(a.namelist()) - set(b.namelist())),
                sorted(set(b.namelist()) - set(a.namelist()))))
        return
    for name in a.namelist():
        x, y = a.read(name), b.read(name)
        if name == "docProps/core.xml":
            x, y = DATES.sub(b"", x), DATES.sub(b"", y)
        if x != y:
            fail("part %s differs" % name)


def sheets(args):
    """Sheet names and the Summary's note, from the package alone (the
    workbook is written with inline strings, so the text is in the sheet)."""
    z = zipfile.ZipFile(args.book)
    book = ET.fromstring(z.read("xl/workbook.xml"))
    targets = {r.get("Id"): r.get("Target")
               for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    summary = None
    for sheet in book.iter(MAIN + "sheet"):
        print(sheet.get("name"))
        if sheet.get("name") == "Summary":
            summary = "xl/" + targets[sheet.get(REL + "id")].lstrip("/").replace("xl/", "", 1)
    if summary:
        for t in ET.fromstring(z.read(summary)).iter(MAIN + "t"):
            if t.text and t.text.startswith("The Samples sheets are left out"):
                print(t.text)


def expected_note(args):
    if args.limit == 0:
        why = ("this workbook was asked to carry no samples (--workbook-samples 0), and would "
               "carry {:,}.".format(args.total))
    else:
        why = "this workbook would carry {:,} samples, more than its limit of {:,}.".format(
            args.total, args.limit)
    return "The Samples sheets are left out: " + why


def check_note(text, args, where):
    want = expected_note(args)
    if not isinstance(text, str) or not text.startswith(want):
        fail("%s: note %r does not start %r" % (where, text, want))
        return
    for part in ("--workbook-samples %d" % args.total, "table sample", "p3's values"):
        if part not in text:
            fail("%s: the note does not say %r: %r" % (where, part, text))


def is_formula(cell):
    return cell.data_type == "f"


def check_run_sheet(wf, wv, name, run, args, z, part):
    ws, vs = wf[name], wv[name]
    where = "sheet %r" % name
    check_note(vs["A2"].value, args, where + " A2")
    top = cw.find_row(ws, "Level", "n", "Mean (ms)")
    p3 = cw.find_row(ws, "Level", *[b["label"] for b in run["levels"][0]["buckets"]])
    if not top or not p3:
        fail(where + ": no statistics or no P3 table")
        return
    edges = [b["upper_ms"] for b in run["levels"][0]["buckets"] if b["upper_ms"] is not None]
    line_is_edge = run["endurance_ms"] in edges
    nb = len(run["levels"][0]["buckets"])
    head = {ws.cell(p3, c).value: c for c in range(2 * nb + 4, 3 * nb + 4)}
    if head.get("All buckets (%)") != 2 * nb + 4 + len(edges):
        fail("%s: the shares at or under the edges and their sum are not beside the counts: %r"
                % (where, head))
        return
    stats = [("n", 2), ("mean_ms", 3), ("stddev_ms", 4), ("min_ms", 5), ("p50_ms", 6),
             ("p90_ms", 7), ("p95_ms", 8), ("p99_ms", 9), ("p999_ms", 10), ("max_ms", 11),
             ("pct_over_endurance", 12)]
    for i, level in enumerate(run["levels"]):
        r, row = top + 1 + i, p3 + 1 + i
        lw = "%s %s" % (where, level["level"])
        for key, col in stats:
            cw.same(vs.cell(r, col).value, level[key], "%s %s" % (lw, key))
        counts = [b["count"] for b in level["buckets"]]
        for k, bucket in enumerate(level["buckets"]):
            cw.same(vs.cell(row, 2 + k).value, bucket["pct"], "%s P3 %s %%" % (lw, bucket["label"]))
            count = ws.cell(row, nb + 3 + k)
            if is_formula(count):
                fail("%s P3 %s: a count is a formula: %r" % (lw, bucket["label"], count.value))
            cw.same(vs.cell(row, nb + 3 + k).value, bucket["count"],
                    "%s P3 %s count" % (lw, bucket["label"]))
        for col in range(3, 12):
            if is_formula(ws.cell(r, col)):
                fail("%s: column %d needs the samples, yet is a formula: %r"
                        % (lw, col, ws.cell(r, col).value))
        how = vs.cell(r, 13).value or ""
        if level["n"] == 0 or sum(counts) != level["n"]:
            if is_formula(ws.cell(r, 2)):
                fail("%s: n is a formula though the counts cannot re-check it" % lw)
            continue
        args.count_levels += 1
        n = ws.cell(r, 2).value
        if not (isinstance(n, str) and n.startswith("=SUM(") and "$%d" % row in n):
            fail("%s: n is not the SUM of the P3 row's counts: %r" % (lw, n))
        if "not re-checkable here" not in how:
            fail("%s: Checked by does not say what cannot be re-checked: %r" % (lw, how))
        if is_formula(ws.cell(r, 12)) != line_is_edge:
            fail("%s: the share over the endurance line (%r ms, edges %r) as %r"
                    % (lw, run["endurance_ms"], edges, ws.cell(r, 12).value))
        for k in range(nb):
            share = ws.cell(row, 2 + k).value
            if not (isinstance(share, str) and share.startswith("=100*")):
                fail("%s: share %d is not a formula over its count: %r" % (lw, k, share))
        below = 0
        for k in range(len(edges)):
            below += counts[k]
            cell = ws.cell(row, 2 * nb + 4 + k)
            if not is_formula(cell):
                fail("%s: the share at or under %r ms is not a formula" % (lw, edges[k]))
            cw.same(vs.cell(row, 2 * nb + 4 + k).value, 100.0 * below / level["n"],
                    "%s at or under %r ms" % (lw, edges[k]), rel=1e-12)
        cw.same(vs.cell(row, 2 * nb + 4 + len(edges)).value, 100.0, lw + " all buckets", rel=1e-9)
    charts, _ = cw.drawing_objects(z, part)
    if not charts:
        fail(where + ": no native charts")


def read(args):
    global cw
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import check_workbook as cw
    import openpyxl
    cw.failures = failures
    stats = json.load(open(args.stats))
    wf = openpyxl.load_workbook(args.book)
    wv = openpyxl.load_workbook(args.book, data_only=True)
    z = zipfile.ZipFile(args.book)
    parts = dict(cw.sheet_parts(z))
    cw.check_names(wf.sheetnames)
    left = [n for n in wf.sheetnames if SAMPLES.fullmatch(n)]
    if left:
        fail("Samples sheets although the samples are left out: %r" % left)
    cw.check_summary(wf, wv, stats)
    rows = sum(len(run["levels"]) for run in stats["runs"])
    check_note(wv["Summary"].cell(rows + 3, 1).value, args, "Summary, under the table")
    args.count_levels = 0
    for run in stats["runs"]:
        name = None
        for candidate in wf.sheetnames[1:]:
            cell = cw.label_value(wf[candidate], "Run")
            if cell is not None and cell.value == run["run"]:
                name = candidate
        if not name:
            fail("no sheet for run %r" % run["run"])
            continue
        check_run_sheet(wf, wv, name, run, args, z, parts[name])
    if args.count_levels == 0:
        fail("no level is re-checked from its bucket counts")
    cw.check_text(wf, z, args.text_run)
    if "left out" not in (wf.properties.description or ""):
        fail("document comments do not say the samples are left out: %r"
                % wf.properties.description)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("same")
    s.add_argument("book")
    s.add_argument("other")
    n = sub.add_parser("sheets")
    n.add_argument("book")
    r = sub.add_parser("read")
    r.add_argument("book")
    r.add_argument("--stats", required=True)
    r.add_argument("--total", type=int, required=True)
    r.add_argument("--limit", type=int, required=True)
    r.add_argument("--text-run")
    args = parser.parse_args()
    {"same": same, "sheets": sheets, "read": read}[args.mode](args)
    if failures:
        print("check_workbook_counts: %d failures" % len(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
