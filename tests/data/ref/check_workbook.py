"""Reads a workbook p3 wrote (render/workbook.c) back with readers that are
not p3's own, and checks it against `p3 stats --format json` of the same
store. Run by tests/check_workbook.c with /usr/bin/python3 (Debian's
python3-openpyxl installs for it).

  check_workbook.py read BOOK --stats STATS.json --charts DIR --version V
                    [--lab LAB] [--rows N] [--missing-image RUN]...
                    [--palette RRGGBB,...] [--text-run NAME]
  check_workbook.py recalc --soffice PROGRAM --work DIR BOOK...

`read` opens BOOK with openpyxl (the formulas, and the cached values) and
with zipfile (the package's parts) and checks: the sheets and their names,
every statistic of the Summary and of each run sheet against the JSON
(which prints doubles in full), the formulas behind the run sheets'
statistics, the P3 and CPU tables, the native charts and their colours,
the embedded PNG (byte for byte the one under DIR), text that looks like a
formula stored as text, the document properties, and the Samples sheets.

`recalc` makes LibreOffice compute every formula itself: it strips the
cached values from a copy of each BOOK, converts the copies and the
originals to xlsx with soffice (in a profile of its own that recalculates
on load), and checks that every formula's result equals the value p3
stored, within 1e-9 relative.

Exits 0 when everything holds; otherwise prints what failed and exits 1."""
import argparse
import hashlib
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

failures = []

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


def fail(what):
    failures.append(what)
    if len(failures) <= 40:
        print("check_workbook: " + what, file=sys.stderr)


def same(got, want, what, rel=1e-15):
    """libxlsxwriter writes numbers with 16 significant digits, so a value
    can differ from p3's double in its last bit: 1e-15 relative."""
    if want is None or (isinstance(want, float) and math.isnan(want)):
        if got not in (None, ""):
            fail("%s: expected empty, got %r" % (what, got))
        return
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        fail("%s: expected %r, got %r" % (what, want, got))
        return
    if abs(got - want) > rel * max(abs(want), 1e-300) and got != want:
        fail("%s: expected %r, got %r" % (what, want, got))


# ---- the package -----------------------------------------------------------

def rels(z, part):
    folder, name = os.path.split(part)
    path = os.path.join(folder, "_rels", name + ".rels")
    if path not in z.namelist():
        return {}
    out = {}
    for rel in ET.fromstring(z.read(path)).findall("pr:Relationship", NS):
        target = rel.get("Target")
        if not target.startswith("/"):
            target = os.path.normpath(os.path.join(folder, target))
        else:
            target = target[1:]
        out[rel.get("Id")] = target
    return out


def sheet_parts(z):
    """Sheet name -> its worksheet part, in the workbook's order."""
    book = ET.fromstring(z.read("xl/workbook.xml"))
    targets = rels(z, "xl/workbook.xml")
    out = []
    for s in book.find("m:sheets", NS):
        out.append((s.get("name"), targets[s.get("{%s}id" % NS["r"])]))
    return out


def drawing_objects(z, sheet_part):
    """The charts and images a worksheet's drawing holds."""
    charts, images = [], []
    for target in rels(z, sheet_part).values():
        if "/drawings/" not in target:
            continue
        for obj in rels(z, target).values():
            if "/charts/" in obj:
                charts.append(obj)
            elif "/media/" in obj:
                images.append(obj)
    return charts, images


def folder_name(run):
    """render_folder_name() as the README states it: unsafe characters and a
    leading dot as '_', cut to 96 bytes on a character boundary, and a name
    that had to change gets '~' and 8 hex digits of its SHA-256."""
    out = "".join("_" if ord(c) < 0x20 or ord(c) == 0x7F or c in '/\\:*?"<>|' else c
                  for c in run) or "_"
    if out.startswith("."):
        out = "_" + out[1:]
    raw = out.encode("utf-8")
    if len(raw) > 96:
        out = raw[:96].decode("utf-8", errors="ignore")
    if out == run:
        return out
    return out + "~" + hashlib.sha256(run.encode("utf-8")).hexdigest()[:8]


# ---- the sheets ------------------------------------------------------------

def find_row(ws, first, *rest):
    """The first row whose cells begin with the given texts."""
    for row in ws.iter_rows():
        vals = [c.value for c in row[:1 + len(rest)]]
        if vals == [first] + list(rest):
            return row[0].row
    return None


def label_value(ws, label):
    for row in ws.iter_rows(max_col=2):
        if row[0].value == label:
            return row[1]
    return None


def check_names(names):
    seen = set()
    for name in names:
        units = len(name.encode("utf-16-le")) // 2
        if units > 31 or not name or any(c in name for c in "[]:*?/\\"):
            fail("invalid sheet name %r" % name)
        if name.startswith("'") or name.endswith("'") or name.lower() == "history":
            fail("invalid sheet name %r" % name)
        if name.lower() in seen:
            fail("duplicate sheet name %r" % name)
        seen.add(name.lower())


SUMMARY = [("n", "n"), ("Mean (ms)", "mean_ms"), ("SD (ms)", "stddev_ms"), ("Min (ms)", "min_ms"),
           ("p50 (ms)", "p50_ms"), ("p90 (ms)", "p90_ms"), ("p95 (ms)", "p95_ms"),
           ("p99 (ms)", "p99_ms"), ("p99.9 (ms)", "p999_ms"), ("Max (ms)", "max_ms"),
           ("Mean 95% CI low (ms)", "mean_ci_lo"), ("Mean 95% CI high (ms)", "mean_ci_hi"),
           ("p50 95% CI low (ms)", "p50_ci_lo"), ("p50 95% CI high (ms)", "p50_ci_hi"),
           ("p95 95% CI low (ms)", "p95_ci_lo"), ("p95 95% CI high (ms)", "p95_ci_hi"),
           ("p99 95% CI low (ms)", "p99_ci_lo"), ("p99 95% CI high (ms)", "p99_ci_hi"),
           ("CV (sd/mean)", "cv"), ("At or under 50 ms (%)", "pct_le_50"),
           ("Over the endurance line (%)", "pct_over_endurance"),
           ("Host-measured CPU (%)", "host_cpu_pct"), ("Guest-reported CPU (%)", "guest_cpu_pct"),
           ("Useful work (%)", "useful_cpu_pct"), ("Ready (%)", "ready_pct")]


def check_summary(wf, wv, stats):
    ws, vs = wf["Summary"], wv["Summary"]
    if wf.sheetnames[0] != "Summary":
        fail("the first sheet is %r, not Summary" % wf.sheetnames[0])
    head = {c.value: c.column for c in ws[1]}
    if ws.freeze_panes != "C2":
        fail("Summary: header row and run/level columns not frozen (%r)" % ws.freeze_panes)
    if not ws.auto_filter.ref or not ws.auto_filter.ref.startswith("A1:"):
        fail("Summary: no autofilter")
    p95 = openpyxl.utils.get_column_letter(head["p95 (ms)"])
    rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]
    if not any(sq.startswith(p95 + "2") and r.type == "expression" and ">" in r.formula[0]
               for sq, r in rules):
        fail("Summary: no conditional format marking p95 over the endurance line: %r" % rules)
    if vs.cell(2, head["p95 (ms)"]).number_format != "0.0":
        fail("Summary: p95 not in ms with one decimal")
    if vs.cell(2, head["Over the endurance line (%)"]).number_format != '0.0" %"':
        fail("Summary: shares not in % with one decimal")
    row = 2
    for run in stats["runs"]:
        for level in run["levels"]:
            where = "Summary row %d (%s, %s)" % (row, run["run"], level["level"])
            if vs.cell(row, head["Run"]).value != run["run"]:
                fail("%s: run %r" % (where, vs.cell(row, head["Run"]).value))
            if vs.cell(row, head["Level"]).value != level["level"]:
                fail("%s: level %r" % (where, vs.cell(row, head["Level"]).value))
            for title, key in SUMMARY:
                same(vs.cell(row, head[title]).value, level[key], "%s %s" % (where, title))
            same(vs.cell(row, head["Endurance line (ms)"]).value, run["endurance_ms"], where)
            same(vs.cell(row, head["Overhead (% of a vCPU)"]).value, run["overhead"]["pct"],
                 where + " overhead")
            row += 1
    if ws.cell(row, 1).value is not None:
        fail("Summary: rows beyond the runs' levels")


def check_run_sheet(wf, wv, name, run, opts, z, part):
    ws, vs = wf[name], wv[name]
    where = "sheet %r" % name
    if vs["A1"].value != (run["title"] or run["run"]):
        fail("%s: title %r" % (where, vs["A1"].value))
    top = find_row(ws, "Level", "n", "Mean (ms)")
    if not top:
        fail(where + ": no statistics table")
        return
    formulas = 0
    for i, level in enumerate(run["levels"]):
        r = top + 1 + i
        lw = "%s %s" % (where, level["level"])
        if vs.cell(r, 1).value != level["level"]:
            fail("%s: level %r" % (lw, vs.cell(r, 1).value))
        cells = [("n", 2), ("mean_ms", 3), ("stddev_ms", 4), ("min_ms", 5), ("p50_ms", 6),
                 ("p90_ms", 7), ("p95_ms", 8), ("p99_ms", 9), ("p999_ms", 10), ("max_ms", 11),
                 ("pct_over_endurance", 12)]
        for key, col in cells:
            same(vs.cell(r, col).value, level[key], "%s %s" % (lw, key))
        how = vs.cell(r, 13).value or ""
        n_formula = ws.cell(r, 2).value
        checked = how.startswith("formulas over")
        if checked:
            formulas += 1
            if not (isinstance(n_formula, str) and n_formula.startswith("=COUNTIFS(")):
                fail("%s: n is not a COUNTIFS formula: %r" % (lw, n_formula))
            mean = ws.cell(r, 3).value
            if not (isinstance(mean, str) and ("AVERAGEIFS(" in mean or "SUMIFS(" in mean)):
                fail("%s: mean is not an AVERAGEIFS formula: %r" % (lw, mean))
            if level["n"] > 1 and "_xlfn.STDEV.S(" not in str(ws.cell(r, 4).value):
                fail("%s: sd is not _xlfn.STDEV.S: %r" % (lw, ws.cell(r, 4).value))
            p95 = str(ws.cell(r, 8).value)
            spans = "span sheets" in how
            if spans == ("_xlfn.PERCENTILE.INC(" in p95):
                fail("%s: p95 %r does not fit %r" % (lw, p95, how))
        elif isinstance(n_formula, str):
            fail("%s: a formula where p3 cannot re-check: %r" % (lw, n_formula))
        # The store records where analysis placed every sample, so every
        # level of single, exact samples is re-checked, however placed.
        if level["n"] > 0 and not level.get("approximate") and not checked:
            fail("%s: level of single samples not re-checked: %r" % (lw, how))
    opts.formula_levels += formulas

    p3 = find_row(ws, "Level", *[b["label"] for b in run["levels"][0]["buckets"]])
    nb = len(run["levels"][0]["buckets"])
    if not p3:
        fail(where + ": no P3 table")
    else:
        for i, level in enumerate(run["levels"]):
            for k, bucket in enumerate(level["buckets"]):
                same(vs.cell(p3 + 1 + i, 2 + k).value, bucket["pct"],
                     "%s P3 %s %s %%" % (where, level["level"], bucket["label"]))
                same(vs.cell(p3 + 1 + i, nb + 3 + k).value, bucket["count"],
                     "%s P3 %s %s count" % (where, level["level"], bucket["label"]))
    cpu = find_row(ws, "Level", "Seconds", "Guest-reported CPU (%)")
    if not cpu:
        fail(where + ": no CPU accounting table")
    else:
        for i, level in enumerate(run["levels"]):
            r = cpu + 1 + i
            for key, col in [("seconds", 2), ("guest_cpu_pct", 3), ("host_cpu_pct", 4),
                             ("discrepancy_pct", 5), ("useful_cpu_pct", 8), ("ready_pct", 9)]:
                same(vs.cell(r, col).value, level[key], "%s CPU %s %s" % (where, level["level"], key))
            same(vs.cell(r, 7).value, run["overhead"]["pct"], where + " CPU overhead")
            flag = vs.cell(r, 6).value
            if level["guest_untrusted"] is not None and flag != ("yes" if level["guest_untrusted"] else "no"):
                fail("%s CPU %s: over-report flag %r" % (where, level["level"], flag))

    charts, images = drawing_objects(z, part)
    kinds = {}
    for chart in charts:
        xml = z.read(chart).decode()
        # Every reference names this sheet, quoted as Excel reads it.
        for ref in re.findall(r"<c:f>(.*?)</c:f>", xml):
            ref = html.unescape(ref)
            quoted = ref[1:ref.rindex("'!")] if ref.startswith("'") else None
            sheet = quoted.replace("''", "'") if quoted is not None else ref.split("!")[0]
            if sheet != name or (quoted is not None and "'" in quoted.replace("''", "")):
                fail("%s: a chart refers to %r, read as sheet %r" % (where, ref, sheet))
        kind = "bar" if "<c:barChart>" in xml else "line" if "<c:lineChart>" in xml else "?"
        kinds[kind] = xml
    with_samples = [i for i, l in enumerate(run["levels"]) if l["n"] > 0]
    bar = kinds.get("bar")
    if not bar:
        fail(where + ": no column chart")
    else:
        if '<c:barDir val="col"/>' not in bar or '<c:grouping val="clustered"/>' not in bar:
            fail(where + ": the column chart is not clustered columns")
        if bar.count("<c:ser>") != len(run["levels"]):
            fail(where + ": column chart series %d, levels %d" % (bar.count("<c:ser>"), len(run["levels"])))
        for title in ("Delay (ms)", "Count (%)"):
            if ">%s<" % title not in bar:
                fail("%s: column chart lacks the axis title %r" % (where, title))
        colours = re.findall(r'<c:ser>.*?<a:srgbClr val="([0-9A-F]{6})"', bar, re.S)
        if opts.palette:
            want = [opts.palette[i % len(opts.palette)] for i in range(len(run["levels"]))]
            if colours != want:
                fail("%s: column colours %r, palette %r" % (where, colours, want))
    line = kinds.get("line")
    if with_samples and not line:
        fail(where + ": no line chart of the percentile ladder")
    elif line and line.count("<c:ser>") != len(with_samples):
        fail(where + ": line chart series %d, levels with samples %d" % (line.count("<c:ser>"), len(with_samples)))
    png = os.path.join(opts.charts, folder_name(run["run"]), "p3.png")
    sheet_png = os.path.join(opts.charts, folder_name(run["run"]), "p3-sheet.png")
    if run["run"] in opts.missing_image:
        if images:
            fail(where + ": an image although its PNG is missing")
        if not any(isinstance(c.value, str) and "was not found" in c.value
                   for row in vs.iter_rows() for c in row):
            fail(where + ": does not say the PNG is missing")
    elif len(images) != 1:
        fail("%s: %d images, expected the 3-D chart" % (where, len(images)))
    elif z.read(images[0]) != open(sheet_png, "rb").read():
        fail("%s: the embedded image is not %s" % (where, sheet_png))
    else:
        # Drawn at half the chart's resolution and shown at half its size:
        # the sheet shows what a scaled-down p3.png would show.
        full, half = png_size(open(png, "rb").read()), png_size(z.read(images[0]))
        if half != (full[0] // 2, full[1] // 2):
            fail("%s: the embedded image is %dx%d pixels, p3.png %dx%d" % (where, *half, *full))
        # 9525 EMU a pixel; the PNG's resolution is stored per metre, so
        # the shown size may be a fraction of a pixel off.
        shown = drawn_extent(z, part)
        if not shown or any(abs(s - f // 2 * 9525) > 9525 for s, f in zip(shown, full)):
            fail("%s: the image is shown %r EMU, not half of p3.png's %r pixels" % (where, shown, full))


def png_size(data):
    """Width and height of a PNG, from its IHDR."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def drawn_extent(z, sheet_part):
    """The size (cx, cy in EMU) the sheet's drawing gives its picture."""
    for target in rels(z, sheet_part).values():
        if "/drawings/" not in target:
            continue
        xml = z.read(target).decode()
        m = re.search(r'<xdr:pic>.*?<a:ext cx="(\d+)" cy="(\d+)"', xml, re.S)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def check_samples(wf, wv, stats, opts, sample_sheets):
    total = sum(run["samples"] + run["unplaced"] for run in stats["runs"])
    runs = {run["run"]: run for run in stats["runs"]}
    order = [run["run"] for run in stats["runs"]]
    rows, last = 0, None
    for name in sample_sheets:
        vs = wv[name]
        head = [c.value for c in vs[1]]
        if head != ["Run", "Level", "Level #", "Time (UTC)", "Delay (ms)", "Source file", "Label",
                    "Placement"]:
            fail("%s: header %r" % (name, head))
        if vs.max_row - 1 > opts.rows:
            fail("%s: %d rows, more than %d" % (name, vs.max_row - 1, opts.rows))
        for row in vs.iter_rows(min_row=2, values_only=True):
            if row[0] is None:
                continue
            rows += 1
            run, level, number, when, delay, source, label, placement = row
            if placement not in ("counted", "failed", "excluded", "ramp", "unplaced"):
                fail("%s: placement %r" % (name, placement))
            if (level is not None) != (placement == "counted"):
                fail("%s: a %r sample with level %r" % (name, placement, level))
            if run not in runs:
                fail("%s: unknown run %r" % (name, run))
                continue
            names = [l["level"] for l in runs[run]["levels"]]
            if level is not None and names[int(number) - 1] != level:
                fail("%s: level %r numbered %r" % (name, level, number))
            if not isinstance(delay, (int, float)) or when is None or not source:
                fail("%s: incomplete sample row %r" % (name, row))
            key = (order.index(run), number if number is not None else 1e9, when)
            if last is not None and key < last:
                fail("%s: samples not sorted by run, level, time at %r" % (name, row))
            last = key
    if rows != total:
        fail("Samples sheets hold %d samples, the store %d" % (rows, total))


def check_text(wf, z, text_run):
    """Text that looks like a formula is text: no formula mentions it."""
    for name in z.namelist():
        if name.startswith("xl/worksheets/sheet"):
            for f in re.findall(rb"<f>(.*?)</f>", z.read(name)):
                if b"HYPERLINK" in f or b"SUM(1" in f:
                    fail("%s: a formula from input text: %r" % (name, f))
    if text_run:
        found = False
        for ws in wf.worksheets:
            cell = label_value(ws, "Run")
            if cell is not None and cell.value == text_run:
                found = True
                if cell.data_type != "s":
                    fail("run %r stored as %r, not text" % (text_run, cell.data_type))
        if not found:
            fail("no run sheet names the run %r as text" % text_run)


def read(args):
    stats = json.load(open(args.stats))
    wf = openpyxl.load_workbook(args.book)
    wv = openpyxl.load_workbook(args.book, data_only=True)
    z = zipfile.ZipFile(args.book)
    parts = dict(sheet_parts(z))
    check_names(wf.sheetnames)
    check_summary(wf, wv, stats)
    sample_sheets = [n for n in wf.sheetnames if re.fullmatch(r"Samples( \d+)?", n)]
    if not sample_sheets or sample_sheets[0] != "Samples" or wf.sheetnames[-len(sample_sheets):] != sample_sheets:
        fail("Samples sheets missing or not last: %r" % wf.sheetnames)
    run_sheets = {}
    for name in wf.sheetnames:
        cell = label_value(wf[name], "Run")
        if name != "Summary" and name not in sample_sheets and cell is not None:
            run_sheets[cell.value] = name
    args.formula_levels = 0
    for run in stats["runs"]:
        if run["run"] not in run_sheets:
            fail("no sheet for run %r" % run["run"])
            continue
        check_run_sheet(wf, wv, run_sheets[run["run"]], run, args, z, parts[run_sheets[run["run"]]])
    if args.formula_levels == 0:
        fail("no level is re-checked by formulas")
    if [run_sheets.get(r["run"]) for r in stats["runs"]] != wf.sheetnames[1:1 + len(stats["runs"])]:
        fail("run sheets not in the runs' order after Summary: %r" % wf.sheetnames)
    check_samples(wf, wv, stats, args, sample_sheets)
    check_text(wf, z, args.text_run)
    p = wf.properties
    if p.creator != "p3" or "Perceived Performance Profiles" not in (p.title or ""):
        fail("document properties: author %r, title %r" % (p.creator, p.title))
    if "p3 " + args.version not in (p.description or ""):
        fail("document comments lack the p3 version: %r" % p.description)
    if args.lab is not None and p.subject != args.lab:
        fail("document subject %r, expected %r" % (p.subject, args.lab))


# ---- LibreOffice -------------------------------------------------------------

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def strip_cached(src, dst):
    """A copy of src whose formulas carry no result, so whatever result
    LibreOffice shows it computed itself."""
    zin = zipfile.ZipFile(src)
    zout = zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED)
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename.startswith("xl/worksheets/sheet"):
            data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", data)
        zout.writestr(item, data)
    zout.close()


def recalc(args):
    work = args.work
    os.makedirs(os.path.join(work, "profile", "user"), exist_ok=True)
    with open(os.path.join(work, "profile", "user", "registrymodifications.xcu"), "w") as f:
        f.write(PROFILE)
    inputs = []
    for i, book in enumerate(args.books):
        original = os.path.join(work, "book%d.xlsx" % i)
        stripped = os.path.join(work, "book%d-stripped.xlsx" % i)
        shutil.copyfile(book, original)
        strip_cached(book, stripped)
        inputs += [original, stripped]
    out = os.path.join(work, "out")
    os.makedirs(out, exist_ok=True)
    done = subprocess.run([args.soffice, "-env:UserInstallation=file://" + os.path.abspath(os.path.join(work, "profile")),
                           "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", out] + inputs,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    log = done.stdout.decode(errors="replace")
    if done.returncode != 0:
        fail("soffice exited with %d: %s" % (done.returncode, log))
    for i, book in enumerate(args.books):
        formulas = openpyxl.load_workbook(book)
        cached = openpyxl.load_workbook(book, data_only=True)
        for which in ("book%d.xlsx" % i, "book%d-stripped.xlsx" % i):
            path = os.path.join(out, which)
            if not os.path.exists(path) or os.path.getsize(path) == 0:
                fail("LibreOffice did not open %s: %s" % (which, log))
                continue
            computed = openpyxl.load_workbook(path, data_only=True)
            kept = openpyxl.load_workbook(path)
            count = 0
            for ws in formulas.worksheets:
                for row in ws.iter_rows():
                    for c in row:
                        if c.data_type == "s" and c.value.startswith("="):
                            if kept[ws.title][c.coordinate].data_type != "s":
                                fail("LibreOffice %s %s!%s: text %r became a formula"
                                     % (which, ws.title, c.coordinate, c.value))
                        if c.data_type != "f":
                            continue
                        count += 1
                        want = cached[ws.title][c.coordinate].value
                        got = computed[ws.title][c.coordinate].value
                        same(got, want, "LibreOffice %s %s!%s %s" % (which, ws.title, c.coordinate, c.value),
                             rel=1e-9)
            if count == 0:
                fail("%s: no formula to recompute" % book)
            print("check_workbook: LibreOffice recomputed %d formulas of %s as p3 stored them" % (count, which))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("read")
    r.add_argument("book")
    r.add_argument("--stats", required=True)
    r.add_argument("--charts", required=True)
    r.add_argument("--version", required=True)
    r.add_argument("--lab")
    r.add_argument("--rows", type=int, default=1048575)
    r.add_argument("--missing-image", action="append", default=[])
    r.add_argument("--palette", type=lambda s: s.upper().split(","), default=[])
    r.add_argument("--text-run")
    c = sub.add_parser("recalc")
    c.add_argument("--soffice", required=True)
    c.add_argument("--work", required=True)
    c.add_argument("books", nargs="+")
    args = parser.parse_args()
    read(args) if args.mode == "read" else recalc(args)
    if failures:
        print("check_workbook: %d failures" % len(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
