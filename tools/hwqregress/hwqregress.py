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
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
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
        # What tracing costs, as tools/bench-qplat.sh measures it: the rate
        # of signaled 64 B writes under qplat over the same run's rate
        # untraced. Root only (BPF); skipped with the reason otherwise.
        {"name": "qplat_cost",
         "cmd": ["hwqperf", "bw", "--op", "write", "-s", "64",
                 "-n", "200000", "--cq-mod", "1"],
         "traced_by": {"cmd": ["qplat", "-B", "{cmd}", "--json"],
                       "ready": "Tracing"},
         "metrics": [
             {"key": "traced.mpps/untraced.mpps", "better": "higher",
              "threshold_pct": 10}]},
    ],
}


class Usage(Exception):
    """Bad input or a broken environment: one line, exit 2."""


USAGE = ("hwqregress [-?hV] [--help] [--usage] [--version] "
         "[--program-name NAME] run|compare|ab|bisect ...")


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
        sys.exit(EXIT_ABORT if "--bisect-step" in sys.argv[1:]
                 else EXIT_USAGE)


PROG = ["hwqregress"]  # --program-name changes the name messages carry
# The exit code of a usage or infrastructure error: 2, or under git bisect
# run 128, which stops the bisection rather than calling a commit bad.
FAIL = [EXIT_USAGE]


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

def is_argv(cmd):
    return (isinstance(cmd, list) and bool(cmd)
            and all(isinstance(a, str) and a for a in cmd))


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
        if not is_argv(m.get("cmd")):
            raise Usage("%s: \"cmd\" must be a list of non-empty strings" % at)
        tr = m.get("traced_by")
        if tr is not None and (
                not isinstance(tr, dict) or not is_argv(tr.get("cmd"))
                or not isinstance(tr.get("ready"), str) or not tr["ready"]):
            raise Usage("%s: \"traced_by\" must be an object with a \"cmd\" "
                        "(a list of non-empty strings) and a \"ready\" "
                        "string" % at)
        mets = m.get("metrics")
        if not isinstance(mets, list) or not mets:
            raise Usage("%s: \"metrics\" must be a non-empty list" % at)
        keys = set()
        for met in mets:
            if not isinstance(met, dict):
                raise Usage("%s: a metric is not an object" % at)
            key = met.get("key")
            if (not isinstance(key, str) or not key or key.count("/") > 1
                    or "" in key.replace("/", ".").split(".")):
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
    """A metric of one run's JSON; KEY/KEY is a ratio of two of its keys,
    and A.B is key B of the object at key A (a traced run's halves)."""
    vals = []
    for p in key.split("/"):
        v = obj
        for k in p.split("."):
            v = v.get(k) if isinstance(v, dict) else None
        if not is_number(v):
            return None
        vals.append(float(v))
    if len(vals) == 2:
        if vals[1] <= 0:
            return None
        return vals[0] / vals[1]
    return vals[0]


def git_revision(where="."):
    try:
        out = subprocess.run(["git", "-C", where, "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=30)
        rev = out.stdout.strip() if out.returncode == 0 else None
        if rev:
            dirty = subprocess.run(["git", "-C", where, "status",
                                    "--porcelain", "--untracked-files=no"],
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


def one_run(argv, name, timeout, env):
    try:
        p = subprocess.run(argv, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL, env=env)
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


class TracerFailed(Usage):
    """The tracer of a traced measurement did not start."""


def last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = f.read(1 << 20).strip().splitlines()
    except OSError:
        return ""
    return lines[-1] if lines else ""


def traced_run(argv, tracer, ready, name, timeout, env):
    """One run untraced, then one under the tracer, started first and
    stopped with SIGINT as a person would; the tracer's own JSON (qplat's
    histograms) is kept beside the two runs'."""
    untraced = one_run(argv, name, timeout, env)
    with tempfile.TemporaryDirectory(prefix="hwqregress.") as tmp:
        outp, errp = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        with open(outp, "w") as out, open(errp, "w") as err:
            try:
                proc = subprocess.Popen(tracer, stdout=out, stderr=err,
                                        stdin=subprocess.DEVNULL, env=env)
            except OSError as e:
                raise TracerFailed("%s: %s: %s" % (name, tracer[0],
                                                   e.strerror or e))
        try:
            # Bounded by time and by count: 20 polls a second for 30 s.
            for _ in range(600):
                with open(errp, errors="replace") as f:
                    if ready in f.read(1 << 20):
                        break
                if proc.poll() is not None:
                    raise TracerFailed("%s: %s exit %d: %s" % (
                        name, os.path.basename(tracer[0]), proc.returncode,
                        last_line(errp)))
                time.sleep(0.05)
            else:
                raise TracerFailed("%s: %s did not print %r in 30 s" % (
                    name, os.path.basename(tracer[0]), ready))
            traced = one_run(argv, name, timeout, env)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if proc.returncode != 0:
            raise Usage("%s: %s exit %d: %s" % (
                name, os.path.basename(tracer[0]), proc.returncode,
                last_line(errp)))
        tobj = None
        with open(outp, errors="replace") as f:
            for line in f.read(64 << 20).splitlines():
                try:
                    v = json.loads(line)
                except ValueError:
                    continue
                if isinstance(v, dict):
                    tobj = v
    return {"untraced": untraced, "traced": traced, "tracer": tobj}


def pin_argv(cpus):
    """taskset's prefix and the CPU list it pins to (none without it)."""
    taskset = shutil.which("taskset")
    if cpus is None:
        cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    return ([taskset, "-c", cpus], cpus) if taskset else ([], None)


class Side:
    """One build's suite: its programs, warmups and runs, and the result
    file they make. run measures one side; ab two, taking turns."""

    def __init__(self, suite, bindir, cpus, env, revision, timeout):
        pin, pinned = pin_argv(cpus)
        self.env, self.timeout = env, timeout
        self.out = {"tool": "hwqregress", "version": VERSION,
                    "format": FORMAT, "suite": suite["name"],
                    "git_revision": revision, "fingerprint": fingerprint(),
                    "pinned_cpus": pinned, "load_before": loadavg(),
                    "started": int(time.time()), "measurements": []}
        self.items = []
        for m in suite["measurements"]:
            prog = resolve(m["cmd"][0], bindir)
            rec = {"name": m["name"], "cmd": m["cmd"],
                   "metrics": m["metrics"], "binary_sha256": sha256(prog),
                   "runs": []}
            argv = pin + [prog] + m["cmd"][1:] + ["--json"]
            tracer = None
            if m.get("traced_by"):
                rec["traced_by"] = m["traced_by"]
                if os.geteuid() != 0:
                    rec["skipped"] = "its tracer needs root (BPF)"
                else:
                    t = m["traced_by"]["cmd"]
                    tracer = pin + [resolve(t[0], bindir)] + [
                        prog if a == "{cmd}" else a for a in t[1:]]
            self.out["measurements"].append(rec)
            self.items.append((rec, argv, tracer))

    def measure(self, rec, argv, tracer):
        if tracer:
            return traced_run(argv, tracer, rec["traced_by"]["ready"],
                              rec["name"], self.timeout, self.env)
        return one_run(argv, rec["name"], self.timeout, self.env)

    def warmup(self):
        # The warmup run's figures are kept apart: caches, page faults and
        # frequency ramps make the first run of a program unlike the next.
        # A tracer that cannot start here (no BPF) skips its measurement.
        for rec, argv, tracer in self.items:
            if "skipped" in rec:
                continue
            try:
                rec["warmup"] = self.measure(rec, argv, tracer)
            except TracerFailed as e:
                rec["skipped"] = str(e)

    def one_round(self, i):
        """Run I of every measurement in turn, so that a neighbour's burst
        falls on all of them, not on one measurement's every run."""
        for rec, argv, tracer in self.items:
            if "skipped" in rec:
                continue
            obj = self.measure(rec, argv, tracer)
            for met in rec["metrics"]:
                if metric_value(obj, met["key"]) is None:
                    raise Usage("%s: run %d has no number for %s" % (
                        rec["name"], i + 1, met["key"]))
            rec["runs"].append(obj)

    def result(self):
        self.out["load_after"] = loadavg()
        return self.out


def load_suite(path):
    if path:
        return check_suite(read_json(path, "suite"), path)
    return check_suite(DEFAULT_SUITE, "default suite")


def write_file(path, text):
    tmp = path + ".tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        raise Usage("%s: %s" % (path, e.strerror or e))


def cmd_run(args):
    suite = load_suite(args.suite)
    bindir = args.bin
    if bindir is None:
        here = os.path.dirname(os.path.realpath(sys.argv[0]))
        if os.access(os.path.join(here, "hwqperf"), os.X_OK):
            bindir = here
    sd = Side(suite, bindir, args.cpus, None, git_revision(), args.timeout)
    sd.warmup()
    for i in range(args.runs):
        sd.one_round(i)
        if not args.quiet:
            sys.stderr.write("hwqregress: run %d/%d done\n" % (i + 1,
                                                              args.runs))
    text = json.dumps(sd.result(), indent=1) + "\n"
    if args.output and args.output != "-":
        write_file(args.output, text)
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


def half_split_noise(xs, interleaved=False):
    """An A/A comparison inside one side: the medians of its first and
    second half of runs, in %; drift during the runs shows here too. Runs
    taken in turn with the other side's (ab) share its drift, which the
    comparison then cancels: their halves are the even and odd runs."""
    h = len(xs) // 2
    if h < 1:
        return math.inf
    if interleaved:
        return abs(pct(statistics.median(xs[1::2]),
                       statistics.median(xs[0::2])))
    return abs(pct(statistics.median(xs[h:]), statistics.median(xs[:h])))


def min_runs(alpha):
    """The fewest runs a side with which Mann-Whitney can reach ALPHA at
    all (two samples that do not overlap)."""
    n = 2
    while mann_whitney(list(range(n)), list(range(n, 2 * n))) >= alpha:
        n += 1
    return n


def pooled_cv(a, b):
    """The runs' spread relative to their side's median, both sides
    pooled: at 5 runs a side that is 10 residuals, not 5, and the sample
    standard deviation, not the MAD, which 5 runs make jump (one gap)."""
    res = []
    for xs in (a, b):
        med = statistics.median(xs)
        if med == 0:
            return math.inf
        res += [(x - med) / abs(med) for x in xs]
    dof = len(res) - 2
    if dof < 1:
        return math.inf
    return math.sqrt(sum(r * r for r in res) / dof)


def runs_needed(a, b, effect_pct, alpha):
    """Runs a side for a verdict on an EFFECT_PCT change: the most of
    (1) 80% power for Mann-Whitney at ALPHA (the t test's n times pi/3),
    (2) the runs with which the A/A half split falls below the change
    four times in five, (3) the fewest with which ALPHA can be reached at
    all. When the runs taken already suffice by (1)-(3), the change is
    likely smaller than it looked: twice as many."""
    have = min(len(a), len(b))
    floor = min_runs(alpha)
    cv = pooled_cv(a, b)
    d = effect_pct / 100.0
    if not math.isfinite(cv) or d <= 0:
        return max(floor, 2 * have)
    nd = statistics.NormalDist()
    z = nd.inv_cdf(1 - alpha / 2) + nd.inv_cdf(0.8)
    power = 2 * z * z * (cv / d) ** 2 * math.pi / 3
    # A half split compares two medians of n/2 runs: its sd is about
    # 1.2533 * cv * sqrt(2 / (n / 2)) = 2.5066 cv / sqrt(n).
    noise = (nd.inv_cdf(0.9) * 2.5066 * cv / d) ** 2
    need = max(floor, math.ceil(power), math.ceil(noise))
    if need <= have:
        need = 2 * have
    return min(need, 10000)


# ---- compare ------------------------------------------------------------

def load_result(path):
    return parse_result(read_json(path, "hwqregress result file"), path)


def parse_result(d, path):
    """Checks a result file's object; returns it and, per (measurement,
    metric), its suite entry, command, the runs' values and why the
    measurement was skipped (None when it was not)."""
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
        skipped = m.get("skipped")
        if skipped is not None and (not isinstance(skipped, str)
                                    or not skipped):
            raise Usage("%s: %s: \"skipped\" must be a reason" % (
                path, m["name"]))
        runs = m.get("runs")
        if not isinstance(runs, list) or (not runs and skipped is None):
            raise Usage("%s: %s has no runs" % (path, m["name"]))
        for met in m["metrics"]:
            xs = []
            for i, r in enumerate(runs if skipped is None else []):
                v = metric_value(r, met["key"])
                if v is None:
                    raise Usage("%s: %s run %d has no number for %s" % (
                        path, m["name"], i + 1, met["key"]))
                xs.append(v)
            values[(m["name"], met["key"])] = (met, m["cmd"], xs, skipped)
    return d, values


def compare(bd, bv, nd, nv, allow_mismatch):
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
    # Both sides of one ab, their runs taken in turn.
    inter = (bd.get("interleaved") is not None
             and bd.get("interleaved") == nd.get("interleaved"))
    rows = []
    for key in [k for k in bv]:
        bmet, bcmd, a, bskip = bv[key]
        nmet, ncmd, b, nskip = nv[key]
        if bcmd != ncmd:
            raise Usage("%s: the files ran different commands" % key[0])
        if (bmet["better"], bmet["threshold_pct"]) != (nmet["better"],
                                                      nmet["threshold_pct"]):
            raise Usage("%s %s: the files' suites judge it differently"
                        % key)
        row = {"measurement": key[0], "metric": key[1],
               "better": bmet["better"], "threshold_pct": bmet["threshold_pct"]}
        if bskip is not None or nskip is not None:
            # Measured on neither or one side only: nothing to judge, and
            # no part of the correction.
            row.update({"verdict": "skipped", "more_runs": None,
                        "reason": bskip if bskip is not None else nskip})
            rows.append(row)
            continue
        bm, blo, bhi, bcov = median_ci(a)
        nm, nlo, nhi, ncov = median_ci(b)
        row.update({
            "base": {"n": len(a), "median": bm, "ci_low": blo, "ci_high": bhi,
                     "ci_level": round(bcov, 4), "values": a},
            "new": {"n": len(b), "median": nm, "ci_low": nlo, "ci_high": nhi,
                    "ci_level": round(ncov, 4), "values": b},
            "delta_pct": pct(nm, bm), "p": mann_whitney(a, b),
            "noise_pct": max(half_split_noise(a, inter),
                             half_split_noise(b, inter))})
        rows.append(row)
    judged = [r for r in rows if "p" in r]
    adj = holm([r["p"] for r in judged])
    m = len(judged)
    for r, p in zip(judged, adj):
        r["p_holm"] = p
        a, b = r["base"]["values"], r["new"]["values"]
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
            need = runs_needed(a, b, abs(delta), ALPHA / m)
            r["more_runs"] = max(1, need - min(len(a), len(b)))
    return rows, notes


def exit_code(rows):
    verdicts = [r["verdict"] for r in rows]
    if "regressed" in verdicts:
        return EXIT_REGRESSED
    if "inconclusive" in verdicts:
        return EXIT_INCONCLUSIVE
    return EXIT_OK


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


def plural(n, what):
    return "%d %s%s" % (n, what, "" if n == 1 else "s")


def table(rows, notes, base_label, new_label):
    head = ["measurement", "metric", "base (CI)", "new (CI)", "delta",
            "p", "verdict"]
    lines = []
    for r in rows:
        name = r["metric"] + (" (lower)" if r["better"] == "lower"
                              else " (higher)")
        if r["verdict"] == "skipped":
            lines.append([r["measurement"], name, "", "", "", "",
                          "skipped: " + r["reason"]])
            continue
        v = r["verdict"]
        if v == "no change":
            v = "~"
        if r["more_runs"]:
            v += " (about %d more runs)" % r["more_runs"]
        lines.append([r["measurement"], name, side(r["base"]),
                      side(r["new"]), "%+.1f%%" % r["delta_pct"],
                      "%.3g" % r["p_holm"], v])
    w = [max(len(x[i]) for x in [head] + lines) for i in range(len(head))]
    out = ["base: %s" % base_label, "new:  %s" % new_label]
    for note in notes:
        out.append("note: " + note)
    for x in [head] + lines:
        out.append("  ".join(c.ljust(w[i]) for i, c in enumerate(x)).rstrip())
    out.append("CI: the medians' distribution-free 95%% intervals (order "
               "statistics); p: Mann-Whitney U, Holm-corrected over %s; "
               "~: no change" % plural(sum("p" in r for r in rows), "metric"))
    return "\n".join(out) + "\n"


def tap(rows):
    out = ["1..%d" % len(rows)]
    for i, r in enumerate(rows, 1):
        if r["verdict"] == "skipped":
            out.append("ok %d - %s %s # SKIP %s" % (
                i, r["measurement"], r["metric"], r["reason"]))
            continue
        bad = r["verdict"] in ("regressed", "inconclusive")
        out.append("%s %d - %s %s: %s (%+.1f%%, p %.3g)" % (
            "not ok" if bad else "ok", i, r["measurement"], r["metric"],
            r["verdict"], r["delta_pct"], r["p_holm"]))
    return "\n".join(out) + "\n"


def junit(rows):
    esc = xml.sax.saxutils.quoteattr
    fails = sum(r["verdict"] == "regressed" for r in rows)
    skips = sum(r["verdict"] in ("inconclusive", "skipped") for r in rows)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<testsuite name="hwqregress" tests="%d" failures="%d" '
           'skipped="%d">' % (len(rows), fails, skips)]
    for r in rows:
        if r["verdict"] == "skipped":
            msg = "skipped: " + r["reason"]
        else:
            msg = "%s: %+.1f%%, p %.3g, threshold %g%%" % (
                r["verdict"], r["delta_pct"], r["p_holm"],
                r["threshold_pct"])
        out.append('  <testcase classname=%s name=%s>' % (
            esc("hwqregress." + r["measurement"]), esc(r["metric"])))
        if r["verdict"] == "regressed":
            out.append('    <failure message=%s/>' % esc(msg))
        elif r["verdict"] in ("inconclusive", "skipped"):
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


# ---- SVG ----------------------------------------------------------------

SVG_W, PANEL_H = 760, 250
PLOT_L, PLOT_R, PLOT_T, PLOT_B = 80, 20, 48, 52
COLOURS = {"base": "#1f5fbf", "new": "#d9480f"}


def ticks(lo, hi, log):
    """About five round tick values from LO to HI (powers of 2 on a log
    axis, as qplat's log2 buckets are)."""
    if log:
        e0, e1 = math.floor(math.log2(lo)), math.ceil(math.log2(hi))
        step = max(1, math.ceil((e1 - e0) / 6))
        return [2.0 ** e for e in range(e0, e1 + 1, step)]
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw))
    t = math.ceil(lo / step) * step
    out = []
    while t <= hi + step * 1e-9 and len(out) < 20:
        out.append(t)
        t += step
    return out


def panel(y0, title, xlabel, series, log=False):
    """One plot of overlaid CDFs. SERIES: per side (class, label, points
    [(x, cumulative fraction)], median, ci_low, ci_high); the CI is a
    shaded band, the median a dashed line."""
    esc = xml.sax.saxutils.escape
    xs = [x for s in series for x, _ in s[2]]
    xs += [v for s in series for v in s[3:6] if v is not None]
    xs = [x for x in xs if math.isfinite(x) and (x > 0 or not log)]
    lo, hi = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if log:
        lo, hi = (lo / 1.5, hi * 1.5) if xs else (1.0, 2.0)
    else:
        pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    w = SVG_W - PLOT_L - PLOT_R
    h = PANEL_H - PLOT_T - PLOT_B
    top = y0 + PLOT_T

    def X(v):
        f = ((math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
             if log else (v - lo) / (hi - lo))
        return PLOT_L + w * min(max(f, 0.0), 1.0)

    def Y(f):
        return top + h * (1 - f)

    out = ['<g class="panel">',
           '<text x="%d" y="%d" class="title">%s</text>' % (
               PLOT_L, y0 + 28, esc(title)),
           '<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>' % (
               PLOT_L, top, w, h)]
    for t in ticks(lo, hi, log):
        if lo <= t <= hi:
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                       'class="tick"/><text x="%.1f" y="%d" '
                       'class="tl">%s</text>' % (X(t), top + h, X(t),
                                                 top + h + 5, X(t),
                                                 top + h + 18,
                                                 "%.4g" % t))
    for f in (0, 0.5, 1):
        out.append('<text x="%d" y="%.1f" class="yl">%g</text>' % (
            PLOT_L - 6, Y(f) + 4, f))
    out.append('<text x="%.1f" y="%d" class="axis">%s</text>' % (
        PLOT_L + w / 2, y0 + PANEL_H - 12, esc(xlabel)))
    out.append('<text transform="translate(%d,%.1f) rotate(-90)" '
               'class="axis">cumulative fraction</text>' % (
                   22, top + h / 2))
    for cls, label, pts, med, clo, chi in series:
        c = COLOURS[cls]
        if clo is not None and chi is not None:
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                       'fill="%s" fill-opacity="0.15"><title>%s: 95%% CI of '
                       'the median %s to %s</title></rect>' % (
                           X(clo), top, max(X(chi) - X(clo), 1), h, c,
                           cls, fmt(clo), fmt(chi)))
        if med is not None:
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                       'stroke="%s" stroke-dasharray="5,3"><title>%s '
                       'median %s</title></line>' % (
                           X(med), top, X(med), top + h, c, cls, fmt(med)))
        if pts:
            out.append('<polyline class="series %s" fill="none" stroke="%s" '
                       'stroke-width="2" points="%s"><title>%s</title>'
                       '</polyline>' % (cls, c, " ".join(
                           "%.1f,%.1f" % (X(x), Y(f)) for x, f in pts),
                           esc(label)))
    out.append("</g>")
    return out


def steps(values):
    """An empirical CDF as a step line's points."""
    s = sorted(values)
    pts, n = [], len(s)
    for i, v in enumerate(s):
        pts += [(v, i / n), (v, (i + 1) / n)]
    return pts


def tracer_buckets(q):
    """A qplat histogram's buckets as (upper bound in us, count): its
    log-linear `buckets` (hist_layout 2), else the log2 `hist` that
    older results have alone."""
    if isinstance(q.get("buckets"), list):
        return [(b["hi_ns"] / 1e3, b["count"]) for b in q["buckets"]
                if isinstance(b, dict) and is_number(b.get("hi_ns"))
                and is_number(b.get("count"))]
    if isinstance(q.get("hist"), list):
        return [(b["hi_us"], b["count"]) for b in q["hist"]
                if isinstance(b, dict) and is_number(b.get("hi_us"))
                and is_number(b.get("count"))]
    return None


def pooled_hists(res, name):
    """Per latency kind, the tracer's buckets summed over the runs (a
    picture only; the verdicts use per-run quantiles) and each run's
    median (p50_us)."""
    out = {}
    for m in res.get("measurements", []):
        if not isinstance(m, dict) or m.get("name") != name:
            continue
        for run in m.get("runs") or []:
            tr = run.get("tracer") if isinstance(run, dict) else None
            qps = tr.get("qps") if isinstance(tr, dict) else None
            for q in qps if isinstance(qps, list) else []:
                got = tracer_buckets(q) if isinstance(q, dict) else None
                if got is None:
                    continue
                kind = str(q.get("latency"))
                buckets, p50s = out.setdefault(kind, ({}, []))
                if is_number(q.get("p50_us")):
                    p50s.append(float(q["p50_us"]))
                for hi, c in got:
                    if hi > 0 and c >= 0:
                        buckets[hi] = buckets.get(hi, 0) + c
    return out


def svg(rows, bd, nd, base_label, new_label):
    """Base and new per metric as overlaid CDFs of the runs' values, and
    the tracer's latency histograms as CDFs, medians and CIs marked."""
    panels = []
    for r in rows:
        if r["verdict"] == "skipped":
            continue
        series = []
        for cls, label in (("base", base_label), ("new", new_label)):
            s = r[cls]
            series.append((cls, "%s: %s" % (cls, label), steps(s["values"]),
                           s["median"], s["ci_low"], s["ci_high"]))
        unit = unit_of(r["metric"])
        panels.append(("%s %s: %s, %+.1f%% (p %.3g)" % (
            r["measurement"], r["metric"], r["verdict"], r["delta_pct"],
            r["p_holm"]), "%s (%s, %s is better), one point per run" % (
                r["metric"], unit, r["better"]), series, False))
    names = []
    for r in rows:
        if r["measurement"] not in names:
            names.append(r["measurement"])
    for name in names:
        hb, hn = pooled_hists(bd, name), pooled_hists(nd, name)
        for kind in [k for k in hb if k in hn]:
            series = []
            for cls, label, (buckets, p50s) in (
                    ("base", base_label, hb[kind]),
                    ("new", new_label, hn[kind])):
                total = sum(buckets.values())
                if not total or not p50s:
                    break
                pts, acc = [], 0
                for hi in sorted(buckets):
                    pts.append((hi, acc / total))
                    acc += buckets[hi]
                    pts.append((hi, acc / total))
                med, clo, chi, _ = median_ci(p50s)
                series.append((cls, "%s: %s" % (cls, label), pts, med, clo,
                               chi))
            if len(series) == 2:
                panels.append((
                    "%s: %s latency under the tracer, the buckets of every "
                    "run" % (name, kind),
                    "latency (us, log scale); medians: the runs' p50",
                    series, True))
    esc = xml.sax.saxutils.escape
    head = 84
    height = head + PANEL_H * max(1, len(panels))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">' % (
               SVG_W, height, SVG_W, height),
           '<style>.title{font-weight:bold}.frame{fill:none;stroke:#888}'
           '.tick{stroke:#888}.tl,.axis{text-anchor:middle}'
           '.yl{text-anchor:end}</style>',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" class="title">hwqregress: '
           '%s vs %s</text>' % (PLOT_L, esc(base_label), esc(new_label))]
    # The legend, a line a side: labels are revisions or paths, any length.
    for i, (cls, label) in enumerate((("base", base_label),
                                      ("new", new_label))):
        y = 42 + 16 * i
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" '
                   'stroke-width="3"/><text x="%d" y="%d">%s: %s</text>' % (
                       PLOT_L, y - 4, PLOT_L + 24, y - 4, COLOURS[cls],
                       PLOT_L + 30, y, cls, esc(label)))
    out.append('<text x="%d" y="74">dashed: a median; shaded: its 95%% '
               'confidence interval</text>' % PLOT_L)
    if not panels:
        out.append('<text x="%d" y="110">nothing measured on both sides'
                   '</text>' % PLOT_L)
    for i, (title, xlabel, series, log) in enumerate(panels):
        out += panel(head - 20 + i * PANEL_H, title, xlabel, series, log)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def label_of(res, where):
    rev = res.get("git_revision")
    return "%s (%s)" % (where, rev[:12]) if isinstance(rev, str) else where


def report(args, rows, notes, bd, nd, base_label, new_label):
    """Every output compare and ab write: the table, --json or --tap on
    stdout, --junit and --svg files; returns the exit code."""
    if args.junit:
        write_file(args.junit, junit(rows))
    if args.svg:
        write_file(args.svg, svg(rows, bd, nd, base_label, new_label))
    if args.json:
        for r in rows:
            r["unit"] = unit_of(r["metric"])
            sys.stdout.write(json.dumps(finite(r), allow_nan=False) + "\n")
    elif args.tap:
        sys.stdout.write(tap(rows))
    else:
        sys.stdout.write(table(rows, notes, base_label, new_label))
    sys.stdout.flush()
    return exit_code(rows)


def cmd_compare(args):
    bd, bv = load_result(args.base)
    nd, nv = load_result(args.new)
    rows, notes = compare(bd, bv, nd, nv, args.allow_mismatch)
    return report(args, rows, notes, bd, nd, label_of(bd, args.base),
                  label_of(nd, args.new))


# ---- ab and bisect --------------------------------------------------------

EXIT_SKIP, EXIT_ABORT = 125, 128  # git bisect run: skip; stop bisecting
BISECT_TIMEOUT = 86400


class BuildFailed(Usage):
    """A revision did not build: exit 2, or 125 (skip) under bisect."""


def git(repo, *argv, timeout=300):
    try:
        return subprocess.run(["git", "-C", repo] + list(argv),
                              capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as e:
        raise Usage("git %s: %s" % (argv[0], e))


def rev_parse(repo, rev):
    p = git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
            rev + "^{commit}")
    sha = p.stdout.strip()
    if p.returncode != 0 or len(sha) != 40:
        raise Usage("%s: not a commit of the repository %s" % (rev, repo))
    return sha


def suite_programs(suite):
    """The programs a suite runs that its build makes (named, not paths)."""
    progs = []
    for m in suite["measurements"]:
        for cmd in (m["cmd"], (m.get("traced_by") or {}).get("cmd")):
            if cmd and "/" not in cmd[0] and cmd[0] not in progs:
                progs.append(cmd[0])
    return progs


def build_rev(repo, sha, root, progs, timeout):
    """REPO's commit SHA, exported with git archive into ROOT/SHA and built
    there with its own make (only the suite's programs, build/bin/PROG);
    a tree exported before is reused, and make builds only what another
    suite did not. Returns its bin directory."""
    d = os.path.join(root, sha)
    bindir = os.path.join(d, "build", "bin")
    stamp = os.path.join(d, ".hwqregress-exported")
    log = os.path.join(d, ".hwqregress-build.log")
    try:
        if not os.path.exists(stamp):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            with open(log, "w") as lf:
                arc = subprocess.Popen(["git", "-C", repo, "archive",
                                        "--format=tar", sha],
                                       stdout=subprocess.PIPE, stderr=lf,
                                       stdin=subprocess.DEVNULL)
                tar = subprocess.run(["tar", "-x", "-C", d],
                                     stdin=arc.stdout, stdout=lf, stderr=lf,
                                     timeout=timeout)
                arc.stdout.close()
                if arc.wait(timeout) != 0 or tar.returncode != 0:
                    raise Usage("%s: git archive | tar failed: %s" % (
                        sha[:12], last_line(log)))
            with open(stamp, "w"):
                pass
        with open(log, "a") as lf:
            # The make that runs hwqregress (make check) must not lend its
            # jobserver or its variables to this one.
            env = {k: v for k, v in os.environ.items()
                   if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL",
                                "MAKEOVERRIDES", "BUILD")}
            mk = subprocess.run(
                ["make", "-C", d, "-j%d" % (os.cpu_count() or 1),
                 "BUILD=build"] + ["build/bin/" + p for p in progs],
                stdout=lf, stderr=lf, stdin=subprocess.DEVNULL, env=env,
                timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BuildFailed("%s: the build took longer than %d s" % (
            sha[:12], timeout))
    except OSError as e:
        raise Usage("%s: %s" % (sha[:12], e.strerror or e))
    if mk.returncode != 0:
        with open(log, errors="replace") as f:
            tail = f.read().splitlines()[-15:]
        raise BuildFailed("%s: make failed (exit %d); the end of its log:\n%s"
                          % (sha[:12], mk.returncode,
                             "\n".join("  " + t for t in tail)))
    return bindir


def parse_env(items):
    env = dict(os.environ)
    for kv in items or []:
        k, eq, v = kv.partition("=")
        if not eq or not k:
            raise Usage("%s: an environment setting is NAME=VALUE" % kv)
        env[k] = v
    return env


def ab_side(rev, repo, root, suite, args, env):
    """A side of ab: a directory of built programs as it is, or a git
    revision built out of tree. Returns (Side, label)."""
    if os.path.isdir(rev):
        bindir = rev
        if os.path.isdir(os.path.join(rev, "build", "bin")):
            bindir = os.path.join(rev, "build", "bin")
        revision = git_revision(rev)
        label = rev
    else:
        revision = rev_parse(repo, rev)
        bindir = build_rev(repo, revision, root, suite_programs(suite),
                           args.build_timeout)
        label = rev
    if revision:
        label += " (%s)" % revision[:12]
    return Side(suite, bindir, args.cpus, env, revision, args.timeout), label


def ab(args, suite, out=sys.stdout):
    """Builds (or takes) both sides, warms each up, then runs them in
    turn, A B B A A B ...; with --repeats, more rounds while a verdict is
    inconclusive. Returns rows, notes, both results and labels."""
    repo = os.path.abspath(args.repo)
    root = args.builds or tempfile.mkdtemp(prefix="hwqregress-ab.")
    try:
        sa, la = ab_side(args.rev_a, repo, root, suite, args,
                         parse_env(args.env_a))
        sb, lb = ab_side(args.rev_b, repo, root, suite, args,
                         parse_env(args.env_b))
        # Marks both results as one ab's: compare then splits each side's
        # runs even/odd for the A/A noise (half_split_noise).
        stamp = "%s %s %d" % (sa.out["git_revision"], sb.out["git_revision"],
                              sa.out["started"])
        sa.out["interleaved"] = sb.out["interleaved"] = stamp
        sa.warmup()
        sb.warmup()
        done = 0
        for rep in range(args.repeats + 1):
            for i in range(done, done + args.runs):
                for sd in ((sa, sb) if i % 2 == 0 else (sb, sa)):
                    sd.one_round(i)
                if not args.quiet:
                    sys.stderr.write("hwqregress: round %d/%d done\n" % (
                        i + 1, done + args.runs))
            done += args.runs
            ra, rb = sa.result(), sb.result()
            bd, bv = parse_result(ra, la)
            nd, nv = parse_result(rb, lb)
            rows, notes = compare(bd, bv, nd, nv, False)
            if exit_code(rows) != EXIT_INCONCLUSIVE:
                break
        if args.output_dir:
            write_file(os.path.join(args.output_dir, "a.json"),
                       json.dumps(ra, indent=1) + "\n")
            write_file(os.path.join(args.output_dir, "b.json"),
                       json.dumps(rb, indent=1) + "\n")
        return rows, notes, ra, rb, la, lb
    finally:
        if not args.builds:
            shutil.rmtree(root, ignore_errors=True)


def cmd_ab(args):
    suite = load_suite(args.suite)
    rows, notes, ra, rb, la, lb = ab(args, suite)
    rc = report(args, rows, notes, ra, rb, la, lb)
    if args.bisect_step:
        # git bisect run: 0 good, 1 bad, 125 untestable.
        return {EXIT_INCONCLUSIVE: EXIT_SKIP}.get(rc, rc)
    return rc


def cmd_bisect(args):
    """Measures both ends with ab; when the regression reproduces, bisects
    with ab GOOD BISECT_HEAD at each step over the metrics that
    regressed."""
    repo = os.path.abspath(args.repo)
    suite = load_suite(args.suite)
    good, bad = rev_parse(repo, args.good), rev_parse(repo, args.bad)
    if os.path.exists(os.path.join(repo, git(
            repo, "rev-parse", "--git-path", "BISECT_START").stdout.strip())):
        raise Usage("%s: a git bisect is in progress (git bisect reset)"
                    % repo)
    if git(repo, "merge-base", "--is-ancestor", good, bad).returncode != 0:
        raise Usage("%s is not an ancestor of %s" % (args.good, args.bad))
    work = tempfile.mkdtemp(prefix="hwqregress-bisect.")
    try:
        builds = args.builds or os.path.join(work, "builds")
        os.makedirs(builds, exist_ok=True)
        ends = argparse.Namespace(**vars(args))
        ends.rev_a, ends.rev_b, ends.builds = args.good, args.bad, builds
        ends.env_a = ends.env_b = None
        ends.output_dir, ends.bisect_step = None, False
        sys.stderr.write("hwqregress: measuring %s (good) and %s (bad)\n" % (
            good[:12], bad[:12]))
        rows, notes, ra, rb, la, lb = ab(ends, suite)
        sys.stderr.write(table(rows, notes, la, lb))
        worse = [r for r in rows if r["verdict"] == "regressed"]
        if not worse:
            raise Usage("the regression does not reproduce: %s against %s "
                        "is %s; nothing to bisect" % (
                            args.bad, args.good, ", ".join(sorted(set(
                                r["verdict"] for r in rows)))))
        # Each step measures only what regressed, judged as before.
        keep = {}
        for r in worse:
            keep.setdefault(r["measurement"], set()).add(r["metric"])
        step_suite = {"name": suite["name"] + "-bisect", "measurements": [
            dict(m, metrics=[x for x in m["metrics"] if x["key"] in
                             keep[m["name"]]])
            for m in suite["measurements"] if m["name"] in keep]}
        suite_path = os.path.join(work, "suite.json")
        write_file(suite_path, json.dumps(step_suite))
        # The steps run a copy of this script: bisecting never changes it.
        me = os.path.join(work, "hwqregress")
        shutil.copyfile(os.path.realpath(sys.argv[0]), me)
        step = [sys.executable, me, "ab", "--bisect-step", "--quiet",
                "--repo", repo, "--suite", suite_path, "--builds", builds,
                "-n", str(args.runs), "--repeats", str(args.repeats),
                "--timeout", str(args.timeout),
                "--build-timeout", str(args.build_timeout)]
        if args.cpus:
            step += ["--cpus", args.cpus]
        step += [good, "BISECT_HEAD"]
        # --no-checkout: the work tree is never touched; each step builds
        # its commit out of tree from BISECT_HEAD.
        p = git(repo, "bisect", "start", "--no-checkout", bad, good)
        if p.returncode != 0:
            raise Usage("git bisect start: %s" % last_of(p.stderr))
        try:
            p = git(repo, "bisect", "run", *step,
                    timeout=BISECT_TIMEOUT)
            log = p.stdout + p.stderr
            if not args.quiet:
                sys.stderr.write(log)
            first = None
            for line in log.splitlines():
                if line.endswith(" is the first bad commit"):
                    first = line.split()[0]
            if first is None:
                if "only 'skip'ped commits left" in log:
                    sys.stdout.write("could not name one commit: "
                                     "untestable commits remain\n")
                    for line in log.splitlines():
                        if len(line) == 40 and all(c in "0123456789abcdef"
                                                   for c in line):
                            sys.stdout.write(line + "\n")
                    return EXIT_INCONCLUSIVE
                raise Usage("git bisect run failed: %s" % last_of(log))
        finally:
            git(repo, "bisect", "reset")
        subj = git(repo, "log", "-1", "--format=%s", first).stdout.strip()
        sys.stdout.write("first bad commit: %s %s\n" % (first, subj))
        return EXIT_OK
    finally:
        shutil.rmtree(work, ignore_errors=True)


def last_of(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no output"


def measuring_options(p, runs):
    """The options of every command that measures: run, ab, bisect."""
    p.add_argument("--suite", metavar="FILE",
                   help="a suite file (default: the built-in suite)")
    p.add_argument("-n", "--runs", type=int, default=runs,
                   help="runs of each measurement after its warmup "
                   "(default %d)" % runs)
    p.add_argument("--cpus", metavar="LIST",
                   help="taskset CPU list to pin every run to (default: "
                   "the CPUs hwqregress may use)")
    p.add_argument("--timeout", type=int, default=300, metavar="SECONDS",
                   help="longest a run may take (default 300)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress on standard error")


def building_options(p, repeats):
    """The options of the commands that build revisions: ab, bisect."""
    p.add_argument("--repeats", type=int, default=repeats, metavar="K",
                   help="while a verdict is inconclusive, up to K more "
                   "times as many rounds (default %d)" % repeats)
    p.add_argument("-C", "--repo", metavar="DIR", default=".",
                   help="the git repository (default: the current "
                   "directory)")
    p.add_argument("--builds", metavar="DIR",
                   help="build revisions in DIR/SHA and keep them, reused "
                   "when built before (default: a temporary directory)")
    p.add_argument("--build-timeout", type=int, default=1800,
                   metavar="SECONDS",
                   help="longest a revision's build may take (default 1800)")


def output_options(p):
    """The outputs of a comparison: compare and ab."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true",
                   help="one JSON record per metric")
    g.add_argument("--tap", action="store_true", help="TAP")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML")
    p.add_argument("--svg", metavar="FILE",
                   help="also plot base and new per metric as SVG")


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
    sub = ap.add_subparsers(dest="command", metavar="run|compare|ab|bisect",
                            parser_class=Parser)
    r = sub.add_parser("run", help="measure a suite; write every run's "
                       "figures as JSON")
    measuring_options(r, 10)
    r.add_argument("-o", "--output", metavar="OUT.json",
                   help="write here (default: standard output)")
    r.add_argument("--bin", metavar="DIR",
                   help="where the suite's programs are (default: next to "
                   "hwqregress, else PATH)")
    c = sub.add_parser("compare", help="judge NEW against BASE per metric")
    c.add_argument("base", metavar="BASE.json")
    c.add_argument("new", metavar="NEW.json")
    output_options(c)
    c.add_argument("--allow-mismatch", action="store_true",
                   help="compare runs from different CPUs")
    a = sub.add_parser("ab", help="build two revisions, run them in turn "
                       "(A B B A ...) and judge B against A")
    a.add_argument("rev_a", metavar="REV_A",
                   help="a git revision, or a directory of built programs")
    a.add_argument("rev_b", metavar="REV_B")
    measuring_options(a, 10)
    building_options(a, 0)
    output_options(a)
    a.add_argument("--env-a", action="append", metavar="NAME=VALUE",
                   help="set in the environment of A's runs (repeatable)")
    a.add_argument("--env-b", action="append", metavar="NAME=VALUE",
                   help="set in the environment of B's runs (repeatable)")
    a.add_argument("-o", "--output-dir", metavar="DIR",
                   help="also write both sides' result files, DIR/a.json "
                   "and DIR/b.json")
    a.add_argument("--bisect-step", action="store_true",
                   help="exit as git bisect run reads it: 0 good, 1 bad, "
                   "125 untestable (no build, inconclusive), 128 stop")
    b = sub.add_parser("bisect", help="find the commit between GOOD and "
                       "BAD that regressed, with ab at each step")
    b.add_argument("good", metavar="GOOD")
    b.add_argument("bad", metavar="BAD")
    measuring_options(b, 8)
    building_options(b, 2)
    args = ap.parse_args()
    if args.command is None:
        ap.error("a command is needed: run, compare, ab or bisect")
    if args.command in ("run", "ab", "bisect"):
        if not 1 <= args.runs <= 10000:
            ap.error("runs must be 1 to 10000")
        if not 1 <= args.timeout <= 86400:
            ap.error("timeout must be 1 to 86400 seconds")
    if args.command in ("ab", "bisect"):
        if not 0 <= args.repeats <= 100:
            ap.error("repeats must be 0 to 100")
        if not 1 <= args.build_timeout <= 86400:
            ap.error("build-timeout must be 1 to 86400 seconds")
    step = args.command == "ab" and args.bisect_step
    if step:
        FAIL[0] = EXIT_ABORT
    try:
        return {"run": cmd_run, "compare": cmd_compare, "ab": cmd_ab,
                "bisect": cmd_bisect}[args.command](args)
    except BuildFailed as e:
        sys.stderr.write("%s: %s\n" % (PROG[0], e))
        return EXIT_SKIP if step else EXIT_USAGE
    except Usage as e:
        sys.stderr.write("%s: %s\n" % (PROG[0], e))
        return FAIL[0]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # never exit 1, which a CI reads as a regression
        sys.stderr.write("hwqregress: internal error: %r\n" % e)
        sys.exit(FAIL[0])
