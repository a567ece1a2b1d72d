#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""hwqregress: measure hwqnic's benchmarks and compare two sets of runs.

The standard library only, so that a CI image needs nothing but python3.
docs/regress.md and hwqregress(1) describe the files, the statistics and
the exit codes.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import stat
import statistics
import subprocess
import sys
import time
import xml.sax.saxutils

VERSION = "@VERSION@"
ABI_VERSION = "@ABI_VERSION@"
BUILD_FLAGS = "@BUILD_FLAGS@"
FORMAT = 1
ALPHA = 0.05
EXIT_OK, EXIT_REGRESSED, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3

# A latency's metrics: its typical value and tails over the same run's
# cache-line round trip.
LAT_METRICS = [
    {"key": "rtt_ratio", "better": "lower", "threshold_pct": 5},
    {"key": "p99_us/cacheline_rtt_us", "better": "lower",
     "threshold_pct": 10},
    {"key": "p99_9_us/cacheline_rtt_us", "better": "lower",
     "threshold_pct": 25},
]

# The default suite: ratios to a same-run baseline where hwqperf gives one
# (they carry across runs and neighbours), and each latency's tail too.
DEFAULT_SUITE = {
    "name": "default",
    "measurements": [
        {"name": "lat_send_8",
         "cmd": ["hwqperf", "lat", "--op", "send", "-s", "8", "-n", "20000"],
         "metrics": LAT_METRICS},
        {"name": "lat_read_8",
         "cmd": ["hwqperf", "lat", "--op", "read", "-s", "8", "-n", "20000"],
         "metrics": LAT_METRICS},
        {"name": "bw_write_64",
         "cmd": ["hwqperf", "bw", "--op", "write", "-s", "64",
                 "-n", "1000000", "--cq-mod", "64"],
         "metrics": [
             {"key": "memcpy_ratio", "better": "higher", "threshold_pct": 5},
             {"key": "mpps", "better": "higher", "threshold_pct": 10}]},
        {"name": "bw_write_64k",
         "cmd": ["hwqperf", "bw", "--op", "write", "-s", "64K",
                 "-n", "20000", "--cq-mod", "16"],
         "metrics": [
             {"key": "memcpy_ratio", "better": "higher",
              "threshold_pct": 5}]},
        {"name": "probecost",
         "cmd": ["probecost", "-n", "200000"],
         "metrics": [
             {"key": "untraced_ns", "better": "lower", "threshold_pct": 10}]},
    ],
}


class Usage(Exception):
    """Bad input or a broken environment: one line, exit 2."""


USAGE = ("hwqregress [-?hV] [--help] [--usage] [--version] "
         "[--program-name NAME] run|compare ...")


class Parser(argparse.ArgumentParser):
    """argparse, speaking as the other hwqnic tools (argp) do: "Usage:",
    and usage errors in one line that quote the option."""

    def format_usage(self):
        return super().format_usage().replace("usage: ", "Usage: ", 1)

    def format_help(self):
        return super().format_help().replace("usage: ", "Usage: ", 1)

    def error(self, message):
        if message.startswith("unrecognized arguments: "):
            message = "unrecognized option '%s'" % message.split(": ", 1)[
                1].split()[0]
        elif message.endswith("expected one argument"):
            message = "missing value for option '%s'" % message.split(
                ":")[0].split()[-1].split("/")[-1]
        sys.stderr.write("%s: %s\n" % (PROG[0], message))
        sys.exit(EXIT_USAGE)


PROG = ["hwqregress"]  # --program-name changes the name messages carry


class ShortUsage(argparse.Action):
    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write("Usage: " + USAGE + "\n")
        parser.exit(0)


class ProgramName(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        PROG[0] = values


def is_number(v):
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v))


# ---- suites -------------------------------------------------------------

def check_suite(suite, where):
    """Validates a suite (a user's file or DEFAULT_SUITE); returns it."""
    if not isinstance(suite, dict):
        raise Usage("%s: a suite is a JSON object" % where)
    name = suite.get("name")
    meas = suite.get("measurements")
    if not isinstance(name, str) or not name:
        raise Usage("%s: \"name\" must be a non-empty string" % where)
    if not isinstance(meas, list) or not meas:
        raise Usage("%s: \"measurements\" must be a non-empty list" % where)
    seen = set()
    for i, m in enumerate(meas):
        at = "%s: measurement %d" % (where, i + 1)
        if not isinstance(m, dict):
            raise Usage("%s: not an object" % at)
        if not isinstance(m.get("name"), str) or not m["name"]:
            raise Usage("%s: \"name\" must be a non-empty string" % at)
        if m["name"] in seen:
            raise Usage("%s: name %s used twice" % (at, m["name"]))
        seen.add(m["name"])
        cmd = m.get("cmd")
        if (not isinstance(cmd, list) or not cmd
                or not all(isinstance(a, str) and a for a in cmd)):
            raise Usage("%s: \"cmd\" must be a list of non-empty strings" % at)
        mets = m.get("metrics")
        if not isinstance(mets, list) or not mets:
            raise Usage("%s: \"metrics\" must be a non-empty list" % at)
        keys = set()
        for met in mets:
            if not isinstance(met, dict):
                raise Usage("%s: a metric is not an object" % at)
            key = met.get("key")
            if (not isinstance(key, str) or not key or key.count("/") > 1
                    or "" in key.split("/")):
                raise Usage("%s: a metric's \"key\" must be KEY or KEY/KEY"
                            % at)
            if key in keys:
                raise Usage("%s: metric %s listed twice" % (at, key))
            keys.add(key)
            if met.get("better") not in ("higher", "lower"):
                raise Usage("%s: metric %s: \"better\" must be higher or lower"
                            % (at, key))
            t = met.get("threshold_pct")
            if not is_number(t) or t < 0 or t > 1000:
                raise Usage("%s: metric %s: \"threshold_pct\" must be a "
                            "number from 0 to 1000" % (at, key))
    return suite


def read_json(path, what):
    limit = 64 << 20
    try:
        # A FIFO planted in place of a file would block, a device never
        # end: open without blocking, then regular files only, read with
        # a bound.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise Usage("%s: not a regular file" % path)
            data = f.read(limit + 1)
    except OSError as e:
        raise Usage("%s: %s" % (path, e.strerror or e))
    if len(data) > limit:
        raise Usage("%s: larger than 64 MiB, not a %s" % (path, what))
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Usage("%s: not a %s: %s" % (path, what, str(e).splitlines()[0]))


# ---- run ----------------------------------------------------------------

def metric_value(obj, key):
    """A metric of one run's JSON; KEY/KEY is a ratio of two of its keys."""
    parts = key.split("/")
    vals = []
    for p in parts:
        v = obj.get(p) if isinstance(obj, dict) else None
        if not is_number(v):
            return None
        vals.append(float(v))
    if len(vals) == 2:
        if vals[1] <= 0:
            return None
        return vals[0] / vals[1]
    return vals[0]


def git_revision():
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=30)
        rev = out.stdout.strip() if out.returncode == 0 else None
        if rev:
            dirty = subprocess.run(["git", "status", "--porcelain",
                                    "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=30)
            if dirty.returncode == 0 and dirty.stdout.strip():
                rev += "-dirty"
        return rev
    except (OSError, subprocess.SubprocessError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fingerprint():
    """Stable facts only: nothing that changes between two runs."""
    return {"cpu_model": cpu_model(), "cpus": os.cpu_count() or 0,
            "kernel": platform.release(), "build_flags": BUILD_FLAGS}


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve(prog, bindir):
    if "/" in prog:
        path = prog
    else:
        path = os.path.join(bindir, prog) if bindir else shutil.which(prog)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise Usage("%s: no such program%s" % (
            prog, " in " + bindir if bindir else " in PATH"))
    return os.path.abspath(path)


def one_run(argv, name, timeout):
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Usage("%s: no result in %d s" % (name, timeout))
    except OSError as e:
        raise Usage("%s: %s" % (name, e.strerror or e))
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or [""])[-1]
        raise Usage("%s: exit %d: %s" % (name, p.returncode, err))
    try:
        obj = json.loads(p.stdout)
    except ValueError:
        raise Usage("%s: its output is not one JSON object" % name)
    if not isinstance(obj, dict):
        raise Usage("%s: its output is not one JSON object" % name)
    return obj


def cmd_run(args):
    if args.suite:
        suite = check_suite(read_json(args.suite, "suite"), args.suite)
    else:
        suite = check_suite(DEFAULT_SUITE, "default suite")
    bindir = args.bin
    if bindir is None:
        here = os.path.dirname(os.path.realpath(sys.argv[0]))
        if os.access(os.path.join(here, "hwqperf"), os.X_OK):
            bindir = here
    taskset = shutil.which("taskset")
    cpus = args.cpus
    if cpus is None:
        cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    pin = [taskset, "-c", cpus] if taskset else []
    out = {"tool": "hwqregress", "version": VERSION, "format": FORMAT,
           "suite": suite["name"], "git_revision": git_revision(),
           "fingerprint": fingerprint(), "pinned_cpus": cpus if pin else None,
           "load_before": loadavg(), "started": int(time.time()),
           "measurements": []}
    for m in suite["measurements"]:
        prog = resolve(m["cmd"][0], bindir)
        argv = pin + [prog] + m["cmd"][1:] + ["--json"]
        rec = {"name": m["name"], "cmd": m["cmd"], "metrics": m["metrics"],
               "binary_sha256": sha256(prog), "runs": []}
        # The warmup run's figures are kept apart: caches, page faults and
        # frequency ramps make the first run of a program unlike the next.
        rec["warmup"] = one_run(argv, m["name"], args.timeout)
        # Runs of the measurements alternate so that a neighbour's burst
        # falls on all of them, not on one measurement's every run.
        out["measurements"].append((rec, argv))
    for i in range(args.runs):
        for rec, argv in out["measurements"]:
            obj = one_run(argv, rec["name"], args.timeout)
            for met in rec["metrics"]:
                if metric_value(obj, met["key"]) is None:
                    raise Usage("%s: run %d has no number for %s" % (
                        rec["name"], i + 1, met["key"]))
            rec["runs"].append(obj)
        if not args.quiet:
            sys.stderr.write("hwqregress: run %d/%d done\n" % (i + 1,
                                                              args.runs))
    out["measurements"] = [rec for rec, _ in out["measurements"]]
    out["load_after"] = loadavg()
    text = json.dumps(out, indent=1) + "\n"
    if args.output and args.output != "-":
        tmp = args.output + ".tmp"
        try:
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, args.output)
        except OSError as e:
            raise Usage("%s: %s" % (args.output, e.strerror or e))
    else:
        sys.stdout.write(text)
    return EXIT_OK


# ---- statistics ---------------------------------------------------------

def median_ci(xs, level=0.95):
    """The median and a distribution-free CI from order statistics: the
    ranks j < k with P(X(j) <= median <= X(k)) >= level under
    Binomial(n, 1/2). With too few runs for the level, min and max and
    the level they do reach."""
    s = sorted(xs)
    n = len(s)
    med = statistics.median(s)
    pmf = [math.comb(n, i) / 2.0 ** n for i in range(n + 1)]
    best = (0, n - 1, 1.0 - 2 * pmf[0])
    for j in range(0, n // 2 + 1):
        k = n - 1 - j
        if k < j:
            break
        cover = sum(pmf[j + 1:k + 1])  # P(j+1 <= B <= k)
        if cover >= level:
            best = (j, k, cover)
        else:
            break
    j, k, cover = best
    return med, s[j], s[k], cover


def mann_whitney(a, b):
    """Two-sided p of Mann-Whitney U: normal approximation with the tie
    correction and a continuity correction."""
    n1, n2 = len(a), len(b)
    allv = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(allv)
    ties = 0.0
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1][0] == allv[i][0]:
            j += 1
        r = (i + j) / 2.0 + 1
        for t in range(i, j + 1):
            ranks[t] = r
        c = j - i + 1
        ties += c ** 3 - c
        i = j + 1
    r1 = sum(r for r, (_, g) in zip(ranks, allv) if g == 0)
    u1 = r1 - n1 * (n1 + 1) / 2.0
    mu = n1 * n2 / 2.0
    n = n1 + n2
    var = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = max(abs(u1 - mu) - 0.5, 0.0) / math.sqrt(var)
    return min(1.0, 2 * (1 - statistics.NormalDist().cdf(z)))


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    adj = [1.0] * len(ps)
    running = 0.0
    m = len(ps)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        adj[i] = running
    return adj


def pct(new, base):
    if base == 0:
        return math.inf if new != 0 else 0.0
    return (new - base) / abs(base) * 100.0


def half_split_noise(xs):
    """An A/A comparison inside one side: the medians of its first and
    second half of runs, in %. Drift during a run shows here too."""
    h = len(xs) // 2
    if h < 1:
        return math.inf
    return abs(pct(statistics.median(xs[h:]), statistics.median(xs[:h])))


def robust_sd(xs):
    med = statistics.median(xs)
    mad = statistics.median([abs(x - med) for x in xs])
    if mad > 0:
        return 1.4826 * mad
    return statistics.pstdev(xs) if len(xs) > 1 else 0.0


def min_runs(alpha):
    """The fewest runs a side with which Mann-Whitney can reach ALPHA at
    all (two samples that do not overlap)."""
    n = 2
    while mann_whitney(list(range(n)), list(range(n, 2 * n))) >= alpha:
        n += 1
    return n


def runs_needed(a, b, effect_pct, alpha):
    """Runs per side for 80% power at EFFECT_PCT (Mann-Whitney: the t
    test's n times pi/3), never fewer than can reach ALPHA at all."""
    floor = min_runs(alpha)
    base = statistics.median(a)
    sd = math.sqrt((robust_sd(a) ** 2 + robust_sd(b) ** 2) / 2)
    if sd == 0 or base == 0 or effect_pct <= 0:
        return floor
    d = abs(effect_pct / 100.0 * base) / sd
    nd = statistics.NormalDist()
    z = nd.inv_cdf(1 - alpha / 2) + nd.inv_cdf(0.8)
    return max(floor, math.ceil(2 * z * z / (d * d) * math.pi / 3))


# ---- compare ------------------------------------------------------------

def load_result(path):
    d = read_json(path, "hwqregress result file")
    if not isinstance(d, dict) or d.get("tool") != "hwqregress":
        raise Usage("%s: not a hwqregress result file" % path)
    if d.get("format") != FORMAT:
        raise Usage("%s: result format %r, this hwqregress reads %d" % (
            path, d.get("format"), FORMAT))
    fp = d.get("fingerprint")
    if not isinstance(fp, dict):
        raise Usage("%s: no machine fingerprint" % path)
    meas = d.get("measurements")
    if not isinstance(meas, list) or not meas:
        raise Usage("%s: no measurements" % path)
    check_suite({"name": d.get("suite") or "?", "measurements": [
        {k: m.get(k) for k in ("name", "cmd", "metrics")}
        if isinstance(m, dict) else m for m in meas]}, path)
    values = {}
    for m in meas:
        runs = m.get("runs")
        if not isinstance(runs, list) or not runs:
            raise Usage("%s: %s has no runs" % (path, m["name"]))
        for met in m["metrics"]:
            xs = []
            for i, r in enumerate(runs):
                v = metric_value(r, met["key"])
                if v is None:
                    raise Usage("%s: %s run %d has no number for %s" % (
                        path, m["name"], i + 1, met["key"]))
                xs.append(v)
            values[(m["name"], met["key"])] = (met, m["cmd"], xs)
    return d, values


def compare(base_path, new_path, allow_mismatch):
    bd, bv = load_result(base_path)
    nd, nv = load_result(new_path)
    notes = []
    for k in ("cpu_model", "cpus"):
        if bd["fingerprint"].get(k) != nd["fingerprint"].get(k):
            msg = "%s differs: %r and %r" % (k, bd["fingerprint"].get(k),
                                             nd["fingerprint"].get(k))
            if not allow_mismatch:
                raise Usage("measured on different machines: " + msg)
            notes.append(msg)
    for k in ("kernel", "build_flags"):
        if bd["fingerprint"].get(k) != nd["fingerprint"].get(k):
            notes.append("%s differs: %r and %r" % (
                k, bd["fingerprint"].get(k), nd["fingerprint"].get(k)))
    if set(bv) != set(nv):
        only = sorted(set(bv) ^ set(nv))
        raise Usage("the files measure different metrics (%s/%s only in one)"
                    % only[0])
    rows = []
    for key in [k for k in bv]:
        bmet, bcmd, a = bv[key]
        nmet, ncmd, b = nv[key]
        if bcmd != ncmd:
            raise Usage("%s: the files ran different commands" % key[0])
        if (bmet["better"], bmet["threshold_pct"]) != (nmet["better"],
                                                      nmet["threshold_pct"]):
            raise Usage("%s %s: the files' suites judge it differently"
                        % key)
        bm, blo, bhi, bcov = median_ci(a)
        nm, nlo, nhi, ncov = median_ci(b)
        rows.append({
            "measurement": key[0], "metric": key[1],
            "better": bmet["better"], "threshold_pct": bmet["threshold_pct"],
            "base": {"n": len(a), "median": bm, "ci_low": blo, "ci_high": bhi,
                     "ci_level": round(bcov, 4), "values": a},
            "new": {"n": len(b), "median": nm, "ci_low": nlo, "ci_high": nhi,
                    "ci_level": round(ncov, 4), "values": b},
            "delta_pct": pct(nm, bm), "p": mann_whitney(a, b),
            "noise_pct": max(half_split_noise(a), half_split_noise(b)),
            "_a": a, "_b": b})
    adj = holm([r["p"] for r in rows])
    m = len(rows)
    for r, p in zip(rows, adj):
        r["p_holm"] = p
        a, b = r.pop("_a"), r.pop("_b")
        delta, thr, noise = r["delta_pct"], r["threshold_pct"], r["noise_pct"]
        worse = delta > 0 if r["better"] == "lower" else delta < 0
        bar = max(thr, noise)
        r["more_runs"] = None
        if p < ALPHA and abs(delta) > bar:
            r["verdict"] = "regressed" if worse else "improved"
        elif abs(delta) <= thr:
            # Significant or not, an effect this small is not one to act on.
            r["verdict"] = "no change"
        else:
            # Either the effect is big but not significant, or significant
            # but within the noise: more runs decide.
            r["verdict"] = "inconclusive"
            need = runs_needed(a, b, max(abs(delta), thr), ALPHA / m)
            have = min(len(a), len(b))
            r["more_runs"] = max(1, need - have)
    return rows, notes, bd, nd


def fmt(v):
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a >= 1000:
        return "%.0f" % v
    if a >= 100:
        return "%.1f" % v
    if a >= 10:
        return "%.2f" % v
    return "%.4g" % v


def side(s):
    """A median, its CI and the runs; the CI's level when too few runs
    reach 95%."""
    level = "" if s["ci_level"] >= 0.95 else " %d%%" % (100 * s["ci_level"])
    return "%s [%s %s%s] n=%d" % (fmt(s["median"]), fmt(s["ci_low"]),
                                  fmt(s["ci_high"]), level, s["n"])


def table(rows, notes, base_path, new_path):
    head = ["measurement", "metric", "base (CI)", "new (CI)", "delta",
            "p", "verdict"]
    lines = []
    for r in rows:
        b, n = r["base"], r["new"]
        v = r["verdict"]
        if v == "no change":
            v = "~"
        if r["more_runs"]:
            v += " (about %d more runs)" % r["more_runs"]
        lines.append([
            r["measurement"], r["metric"] + (" (lower)" if r["better"] ==
                                             "lower" else " (higher)"),
            side(b), side(n),
            "%+.1f%%" % r["delta_pct"], "%.3g" % r["p_holm"], v])
    w = [max(len(x[i]) for x in [head] + lines) for i in range(len(head))]
    out = ["base: %s" % base_path, "new:  %s" % new_path]
    for note in notes:
        out.append("note: " + note)
    for x in [head] + lines:
        out.append("  ".join(c.ljust(w[i]) for i, c in enumerate(x)).rstrip())
    out.append("CI: the medians' distribution-free 95%% intervals (order "
               "statistics); p: Mann-Whitney U, Holm-corrected over %d "
               "metrics; ~: no change" % len(rows))
    return "\n".join(out) + "\n"


def tap(rows):
    out = ["1..%d" % len(rows)]
    for i, r in enumerate(rows, 1):
        bad = r["verdict"] in ("regressed", "inconclusive")
        out.append("%s %d - %s %s: %s (%+.1f%%, p %.3g)" % (
            "not ok" if bad else "ok", i, r["measurement"], r["metric"],
            r["verdict"], r["delta_pct"], r["p_holm"]))
    return "\n".join(out) + "\n"


def junit(rows):
    esc = xml.sax.saxutils.quoteattr
    fails = sum(r["verdict"] == "regressed" for r in rows)
    skips = sum(r["verdict"] == "inconclusive" for r in rows)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<testsuite name="hwqregress" tests="%d" failures="%d" '
           'skipped="%d">' % (len(rows), fails, skips)]
    for r in rows:
        msg = "%s: %+.1f%%, p %.3g, threshold %g%%" % (
            r["verdict"], r["delta_pct"], r["p_holm"], r["threshold_pct"])
        out.append('  <testcase classname=%s name=%s>' % (
            esc("hwqregress." + r["measurement"]), esc(r["metric"])))
        if r["verdict"] == "regressed":
            out.append('    <failure message=%s/>' % esc(msg))
        elif r["verdict"] == "inconclusive":
            out.append('    <skipped message=%s/>' % esc(msg))
        out.append('  </testcase>')
    out.append('</testsuite>')
    return "\n".join(out) + "\n"


def unit_of(key):
    """The unit a metric's key names (docs/json.md's suffixes)."""
    if "/" in key or key.endswith("_ratio"):
        return "ratio"
    for suffix, unit in (("_us", "us"), ("_ns", "ns"), ("_s", "s"),
                         ("mib_per_s", "MiB/s"), ("mpps", "Mpps")):
        if key.endswith(suffix):
            return unit
    return "number"


def finite(v):
    """JSON has no infinity: a change from a zero median is null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [finite(x) for x in v]
    return v


def cmd_compare(args):
    rows, notes, _, _ = compare(args.base, args.new, args.allow_mismatch)
    if args.junit:
        try:
            with open(args.junit, "w") as f:
                f.write(junit(rows))
        except OSError as e:
            raise Usage("%s: %s" % (args.junit, e.strerror or e))
    if args.json:
        for r in rows:
            r["unit"] = unit_of(r["metric"])
            sys.stdout.write(json.dumps(finite(r), allow_nan=False) + "\n")
    elif args.tap:
        sys.stdout.write(tap(rows))
    else:
        sys.stdout.write(table(rows, notes, args.base, args.new))
    verdicts = [r["verdict"] for r in rows]
    if "regressed" in verdicts:
        return EXIT_REGRESSED
    if "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_OK


def main():
    ap = Parser(prog="hwqregress", usage=USAGE, add_help=False,
                description="Measure hwqnic's benchmarks and tell a "
                "regression from noise (docs/regress.md).",
                epilog="Exit status: 0 no regression, 1 regression, "
                "2 usage or infrastructure error, 3 inconclusive.")
    ap.add_argument("-?", "-h", "--help", action="help",
                    help="give this help list")
    ap.add_argument("--usage", action=ShortUsage,
                    help="give a short usage message")
    ap.add_argument("-V", "--version", action="version",
                    version="hwqregress %s (hwqnic ABI %s)" % (VERSION,
                                                              ABI_VERSION),
                    help="print program version")
    ap.add_argument("--program-name", metavar="NAME", action=ProgramName,
                    help="the name error messages begin with")
    sub = ap.add_subparsers(dest="command", metavar="run|compare",
                            parser_class=Parser)
    r = sub.add_parser("run", help="measure a suite; write every run's "
                       "figures as JSON")
    r.add_argument("--suite", metavar="FILE",
                   help="a suite file (default: the built-in suite)")
    r.add_argument("-n", "--runs", type=int, default=10,
                   help="runs of each measurement after its warmup "
                   "(default 10)")
    r.add_argument("-o", "--output", metavar="OUT.json",
                   help="write here (default: standard output)")
    r.add_argument("--bin", metavar="DIR",
                   help="where the suite's programs are (default: next to "
                   "hwqregress, else PATH)")
    r.add_argument("--cpus", metavar="LIST",
                   help="taskset CPU list to pin every run to (default: "
                   "the CPUs hwqregress may use)")
    r.add_argument("--timeout", type=int, default=300, metavar="SECONDS",
                   help="longest a run may take (default 300)")
    r.add_argument("-q", "--quiet", action="store_true",
                   help="no progress on standard error")
    c = sub.add_parser("compare", help="judge NEW against BASE per metric")
    c.add_argument("base", metavar="BASE.json")
    c.add_argument("new", metavar="NEW.json")
    fmt_group = c.add_mutually_exclusive_group()
    fmt_group.add_argument("--json", action="store_true",
                           help="one JSON record per metric")
    fmt_group.add_argument("--tap", action="store_true", help="TAP")
    c.add_argument("--junit", metavar="FILE", help="also write JUnit XML")
    c.add_argument("--allow-mismatch", action="store_true",
                   help="compare runs from different CPUs")
    args = ap.parse_args()
    if args.command is None:
        ap.error("a command is needed: run or compare")
    if args.command == "run":
        if not 1 <= args.runs <= 10000:
            ap.error("runs must be 1 to 10000")
        if not 1 <= args.timeout <= 86400:
            ap.error("timeout must be 1 to 86400 seconds")
    try:
        return cmd_run(args) if args.command == "run" else cmd_compare(args)
    except Usage as e:
        sys.stderr.write("%s: %s\n" % (PROG[0], e))
        return EXIT_USAGE


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # never exit 1, which a CI reads as a regression
        sys.stderr.write("hwqregress: internal error: %r\n" % e)
        sys.exit(EXIT_USAGE)
