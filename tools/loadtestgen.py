#!/usr/bin/env python3
"""Writes samples/loadtest: one small run folder per load-test format, of
one synthetic web service stepped through 10, 25, 50 and 100 users.

The same bytes every time (a fixed seed, no clock). Every file is written
the way its tool writes it (columns, units, time stamps, failure marks), as
LOADTEST-FORMATS.md in the project's shared notes describes them, so that
`p3 report -o out samples/loadtest` shows what p3 makes of each format. The
fio run is not made here: tools/make_loadtest_samples.sh runs the real fio.

Usage: tools/loadtestgen.py OUT_DIR
"""

import base64
import math
import os
import random
import struct
import sys
import zlib

START_MS = 1764763200000  # 2025-12-03T12:00:00Z
PLATEAUS = [10, 25, 50, 100]  # users
PLATEAU_S = 30
RAMP_S = 4
LABELS = [("Home", 35.0), ("Search", 60.0), ("Checkout", 90.0)]


def timeline():
    """(t_ms, users) steps: a ramp of RAMP_S seconds up to each plateau."""
    steps, t, users = [], START_MS, 0
    for target in PLATEAUS:
        for k in range(1, RAMP_S + 1):
            steps.append((t, users + (target - users) * k // (RAMP_S + 1)))
            t += 1000
        steps.append((t, target))
        t += PLATEAU_S * 1000
        users = target
    steps.append((t, 0))
    return steps


def users_at(steps, t):
    current = 0
    for when, users in steps:
        if when > t:
            break
        current = users
    return current


def delay_ms(rng, base, users):
    """A service time that queues as the load grows: lognormal around base,
    stretched by 1 / (1 - rho)."""
    rho = min(users / 130.0, 0.95)
    return max(1.0, rng.lognormvariate(math.log(base), 0.45) / (1.0 - rho))


def failed(rng, users):
    return rng.random() < 0.002 + 0.0006 * max(0, users - 25)


def requests(seed, per_second):
    """Every request of the test: (start ms, label, elapsed ms, ok, users)."""
    rng = random.Random(seed)
    steps = timeline()
    out = []
    end = steps[-1][0]
    t = START_MS
    while t < end:
        users = users_at(steps, t)
        if users:
            n = max(1, round(per_second * users / 100.0))
            for _ in range(n):
                start = t + rng.randrange(1000)
                label, base = LABELS[rng.randrange(len(LABELS))]
                elapsed = delay_ms(rng, base, users)
                out.append((start, label, elapsed, not failed(rng, users), users_at(steps, start)))
        t += 1000
    out.sort(key=lambda r: r[0])
    return out


def write(path, text, mode="w", newline="\n"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode, encoding=None if "b" in mode else "utf-8",
              newline=None if "b" in mode else newline) as f:
        f.write(text)


def run_ini(folder, title, notes, extra=""):
    write(os.path.join(folder, "run.ini"),
          "; A run folder's description; see README.md, \"run.ini\".\n[run]\n"
          "title = %s\nplatform = shop-web 2.3 on 4 vCPU, 8 GB\nnotes = %s\n%s"
          % (title, notes, extra))


def jmeter_csv(folder):
    head = ("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,"
            "failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
    rows = [head]
    rng = random.Random(11)
    for i, (start, label, elapsed, ok, users) in enumerate(requests(1, 30)):
        e = int(round(elapsed))
        thread = "Shop 1-%d" % (1 + i % max(users, 1))
        code, message = ("200", "OK") if ok else ("500", "Internal Server Error")
        fail_text = "" if ok else "Test failed: code expected to contain /200/"
        url = "https://shop.example/%s" % label.lower()
        rows.append("%d,%d,%s,%s,%s,%s,text,%s,%s,%d,%d,%d,%d,%s,%d,0,%d\n" % (
            start, e, label, code, message, thread, "true" if ok else "false", fail_text,
            2048 + rng.randrange(4096), 180, users, users, url, max(1, e // 2), rng.randrange(3)))
        if label == "Home":
            # Its embedded resources, as sub-results: time already in Home.
            for k in range(2):
                sub = max(1, e // 3)
                rows.append("%d,%d,Home-%d,200,OK,%s,bin,true,,%d,120,%d,%d,%s/r%d,%d,0,0\n" % (
                    start, sub, k, thread, 512, users, users, url, k, sub))
        if label == "Checkout" and i % 5 == 0:
            rows.append("%d,%d,Buy flow,,\"Number of samples in transaction : 1, number of "
                        "failing samples : %d\",%s,,%s,,%d,180,%d,%d,,%d,0,0\n" % (
                            start, e, 0 if ok else 1, thread, "true" if ok else "false",
                            2048, users, users, e // 2))
    write(os.path.join(folder, "results.jtl"), "".join(rows))
    run_ini(folder, "P3 shop-web: JMeter stepping 10 to 100 users",
            "Synthetic JMeter results (tools/loadtestgen.py): samplers Home, Search, Checkout; "
            "Home has embedded-resource sub-results; Checkout some Transaction Controller rows.")


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;")


def jmeter_xml(folder):
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n']
    for i, (start, label, elapsed, ok, users) in enumerate(requests(2, 20)):
        e = int(round(elapsed))
        thread = "Shop 1-%d" % (1 + i % max(users, 1))
        attrs = ('t="%d" it="0" lt="%d" ct="1" ts="%d" s="%s" lb="%s" rc="%s" rm="%s" tn="%s" '
                 'dt="text" by="3000" sby="180" ng="%d" na="%d"' % (
                     e, max(1, e // 2), start, "true" if ok else "false", xml_text(label),
                     "200" if ok else "503", "OK" if ok else "Service Unavailable",
                     xml_text(thread), users, users))
        if label == "Home":
            sub = max(1, e // 3)
            out.append('<httpSample %s>\n  <httpSample t="%d" it="0" lt="%d" ct="0" ts="%d" '
                       's="true" lb="Home-0" rc="200" rm="OK" tn="%s" dt="bin" by="512" '
                       'sby="120" ng="%d" na="%d"/>\n</httpSample>\n' % (
                           attrs, sub, sub, start, xml_text(thread), users, users))
        else:
            out.append('<httpSample %s/>\n' % attrs)
    out.append('</testResults>\n')
    write(os.path.join(folder, "results.xml"), "".join(out))
    run_ini(folder, "P3 shop-web: JMeter (XML results) stepping 10 to 100 users",
            "Synthetic JMeter XML results (tools/loadtestgen.py); Home carries a nested "
            "sub-result.")


def k6_csv(folder):
    head = ("metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,"
            "method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,"
            "metadata\n")
    events = []
    steps = timeline()
    for t in range(START_MS + 1000, steps[-1][0], 1000):
        users = users_at(steps, t)
        events.append((t, 0, "vus,%d,%d.000000,,,,,,,,,,,,,,,,\n" % (t // 1000, users)))
        events.append((t, 1, "vus_max,%d,100.000000,,,,,,,,,,,,,,,,\n" % (t // 1000)))
    for start, label, elapsed, ok, users in requests(3, 15):
        end = start + elapsed
        sec = int(end // 1000)
        status = "200" if ok else "502"
        error = "" if ok else ",1502"
        tags = ",,%s%s,%s,,GET,%s,HTTP/1.1,default,,%s,,tls1.3,https://shop.example/%s,," % (
            "" if ok else "request failed", error if error else ",",
            "true" if ok else "false", label, status, label.lower())
        events.append((end, 2, "http_reqs,%d,1.000000%s\n" % (sec, tags)))
        events.append((end, 3, "http_req_duration,%d,%.6f%s\n" % (sec, elapsed, tags)))
        events.append((end, 4, "http_req_failed,%d,%d.000000%s\n" % (sec, 0 if ok else 1, tags)))
    events.sort(key=lambda e: (int(e[0] // 1000), e[1] if e[1] < 2 else 2, e[0], e[1]))
    write(os.path.join(folder, "k6-results.csv"), head + "".join(e[2] for e in events))
    run_ini(folder, "P3 shop-web: k6 ramping VUs 10 to 100",
            "Synthetic k6 CSV output (tools/loadtestgen.py, the 19-column layout of k6 >= 0.41, "
            "whole-second timestamps).")


def gatling_log(folder):
    lines = ["RUN\tshop.ShopSimulation\tshopsimulation-20251203120000000\t%d\t \t3.9.5\n"
             % START_MS]
    steps = timeline()
    events = []
    users = 0
    for when, target in steps:
        while users < target:
            events.append((when, "USER\tshoppers\tSTART\t%d\n" % when))
            users += 1
        while users > target:
            events.append((when, "USER\tshoppers\tEND\t%d\n" % when))
            users -= 1
    for start, label, elapsed, ok, _ in requests(4, 20):
        end = start + int(round(elapsed))
        events.append((end, "REQUEST\t\t%s\t%d\t%d\t%s\t%s\n" % (
            label, start, end, "OK" if ok else "KO",
            " " if ok else "status.find.in(200,201,202,203,204,205,206,207,208,209,304), but "
            "actually found 503")))
    events.sort(key=lambda e: e[0])
    lines.extend(e[1] for e in events)
    write(os.path.join(folder, "simulation.log"), "".join(lines))
    run_ini(folder, "P3 shop-web: Gatling closed model 10 to 100 users",
            "Synthetic Gatling 3.4-3.12 simulation.log (tools/loadtestgen.py).")


# ---- HdrHistogram V2 interval logs -------------------------------------

SIG = 2
SUB_HALF_MAG = math.ceil(math.log2(2 * 10 ** SIG)) - 1
SUB_HALF = 1 << SUB_HALF_MAG
SUB_MASK = (2 * SUB_HALF - 1)


def hdr_index(v):
    """HdrHistogram's countsArrayIndex for lowest discernible value 1."""
    bucket = (v | SUB_MASK).bit_length() - 1 - (SUB_HALF_MAG + 1)
    sub = v >> bucket if bucket > 0 else v
    bucket = max(bucket, 0)
    return ((bucket + 1) << SUB_HALF_MAG) + (sub - SUB_HALF)


def zigzag_leb128(n):
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    for _ in range(8):
        b = z & 0x7F
        z >>= 7
        if z == 0:
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)
    out.append(z & 0xFF)
    return bytes(out)


def hdr_payload(values):
    counts = {}
    for v in values:
        i = hdr_index(v)
        counts[i] = counts.get(i, 0) + 1
    body = bytearray()
    last = -1
    for i in sorted(counts):
        if i > last + 1:
            body += zigzag_leb128(-(i - last - 1))
        body += zigzag_leb128(counts[i])
        last = i
    inner = struct.pack(">iiiiqqd", 0x1c849313, len(body), 0, SIG, 1, 3600000000, 1.0) + body
    packed = zlib.compress(bytes(inner), 9)
    return base64.b64encode(struct.pack(">ii", 0x1c849314, len(packed)) + packed).decode()


def hdrhistogram(folder):
    """One log per plateau, values in microseconds, one interval a second."""
    rng = random.Random(5)
    for users in PLATEAUS:
        start_s = START_MS / 1000.0
        lines = ["#[Logged with p3's tools/loadtestgen.py]\n",
                 "#[Histogram log format version 1.3]\n",
                 "#[StartTime: %.3f (seconds since epoch), Wed Dec 03 12:00:00 UTC 2025]\n"
                 % start_s,
                 "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                 "\"Interval_Compressed_Histogram\"\n"]
        for second in range(PLATEAU_S):
            values = [int(delay_ms(rng, 45.0, users) * 1000)
                      for _ in range(20 + users)]
            lines.append("%.3f,1.000,%.3f,%s\n" % (second, max(values) / 1000.0,
                                                    hdr_payload(values)))
        write(os.path.join(folder, "latency-%dusers.hlog" % users), "".join(lines))
    levels = "".join("%d_users = latency-%dusers.hlog\n" % (u, u) for u in PLATEAUS)
    run_ini(folder, "P3 shop-web: HdrHistogram logs, one per load step",
            "Synthetic HdrHistogram V2 interval logs (tools/loadtestgen.py): values in us, one "
            "log per plateau, bound to levels in [levels].",
            "unit = us\n\n[levels]\n%s" % levels)


def locust_history(folder):
    """Locust 1.1-style history: every field quoted, window percentiles."""
    pcts = ["50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%",
            "99.999%", "100%"]
    head = (["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"] + pcts +
            ["Total Request Count", "Total Failure Count", "Total Median Response Time",
             "Total Average Response Time", "Total Min Response Time",
             "Total Max Response Time", "Total Average Content Size"])
    reqs = requests(6, 20)
    steps = timeline()
    rows = [",".join('"%s"' % h for h in head)]
    total, failures, total_ms = 0, 0, 0.0
    window = []
    i = 0
    for t in range(START_MS + 1000, steps[-1][0] + 1000, 1000):
        while i < len(reqs) and reqs[i][0] < t:
            start, _, elapsed, ok, _ = reqs[i]
            window.append((start, elapsed))
            total += 1
            failures += 0 if ok else 1
            total_ms += elapsed
            i += 1
        window = [w for w in window if w[0] >= t - 10000]
        ordered = sorted(round(w[1]) for w in window)
        def pct(p):
            if not ordered:
                return "N/A"
            return str(ordered[min(len(ordered) - 1, int(math.ceil(p / 100.0 * len(ordered))) - 1)])
        values = [pct(float(p[:-1])) for p in pcts]
        mean = total_ms / total if total else 0
        rows.append(",".join('"%s"' % v for v in (
            [str(t // 1000), str(users_at(steps, t - 1)), "", "Aggregated", "%.6f" % (len(window) / 10.0),
             "0.000000"] + values + [str(total), str(failures),
                                     str(ordered[len(ordered) // 2]) if ordered else "0",
                                     "%.10f" % mean, "0", "0", "2048.0"])))
    write(os.path.join(folder, "shop_stats_history.csv"), "\n".join(rows) + "\n")
    run_ini(folder, "P3 shop-web: Locust stepping 10 to 100 users",
            "Synthetic Locust 1.1 stats history (tools/loadtestgen.py): per-second totals and "
            "10-second window percentiles; no single requests.")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tools/loadtestgen.py OUT_DIR")
    out = sys.argv[1]
    jmeter_csv(os.path.join(out, "jmeter-csv"))
    jmeter_xml(os.path.join(out, "jmeter-xml"))
    k6_csv(os.path.join(out, "k6"))
    gatling_log(os.path.join(out, "gatling"))
    hdrhistogram(os.path.join(out, "hdrhistogram"))
    locust_history(os.path.join(out, "locust"))


if __name__ == "__main__":
    main()
