// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat: per-QP latency histograms of hwqnic work requests.
 *
 * bpf/qplat.bpf.c follows each work request through libhwqnic's USDT
 * probes (post, db, wqe, cqe, poll) and keeps log2 histograms of three
 * latencies per process, device, QP and completion opcode: device
 * (doorbell -> CQE), pickup (CQE -> poll) and end-to-end (post -> poll),
 * with per-QP counters. This prints them every interval, or once at the
 * end, in the manner of libbpf-tools' biolatency. See qplat(8).
 *
 * USAGE: qplat [-p PID | -b BINARY] [-Q QPN] [-o OP] [-L KIND] [-m] [-T]
 *              [--json] [--pin DIR] [interval [count]]
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "qplat.h"
#include "qplat.skel.h"
#include "lib/hist.h"
#include "lib/resolve.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC	1000000000ULL
#define PROVIDER	"hwqnic"
#define LIBNAME		"libhwqnic.so"
#define BPFFS		"/sys/fs/bpf"
#define STARS		40

enum { OPT_JSON = 1000, OPT_PIN };

static struct env {
	pid_t pid;		/* -p: 0 for every process */
	const char *binary;	/* -b */
	bool kernel;		/* -k */
	__u32 qpn;		/* -Q: 0 for every QP */
	bool filter_op;		/* -o */
	__u32 op;
	int lat;		/* -L: enum qplat_lat, or -1 for all */
	bool msecs;
	bool timestamp;
	bool json;
	bool verbose;
	const char *pin;
	double interval;	/* seconds; 0: print once, at the end */
	unsigned long count;	/* intervals; 0: until stopped */
	int nargs;
} env = { .lat = -1 };

static volatile sig_atomic_t exiting;

const char *argp_program_version = "qplat 0.1";
static const char argp_doc[] =
"Per-QP latency histograms of hwqnic work requests: device (doorbell -> CQE),\n"
"pickup (CQE -> poll) and end-to-end (post -> poll), from libhwqnic's USDT\n"
"probes or hwqnic.ko's tracepoints.\n"
"\n"
"USAGE: qplat [-p PID | -b BINARY | -k] [-Q QPN] [-o OP] [-L KIND] [-m] [-T]\n"
"             [--json] [--pin DIR] [interval [count]]\n"
"\n"
"EXAMPLES:\n"
"    qplat -b build/bin/hwqperf     # every hwqperf run, print at Ctrl-C\n"
"    qplat -p 185 1 10              # pid 185, 10 one-second intervals\n"
"    qplat -k --json 1              # hwqnic.ko's in-kernel users\n"
"    qplat -k -b ./app              # ./app on hwqnic.ko's kernel backend\n"
"    qplat -b ./app -Q 17 -o write  # QP 17's RDMA WRITEs only\n"
"    qplat -p 185 -L e2e -m         # end-to-end only, in milliseconds\n"
"    qplat -p 185 --json 5          # a JSON object every 5 seconds\n"
"    qplat -b ./app --pin /sys/fs/bpf/qplat  # leave the maps pinned";

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process only", 0 },
	{ "binary", 'b', "BINARY", 0,
	  "Trace this executable or shared library (every process)", 0 },
	{ "kernel", 'k', NULL, 0,
	  "Trace hwqnic.ko's tracepoints too, or alone; every event is "
	  "then charged to pid 0", 0 },
	{ "qpn", 'Q', "QPN", 0, "Only this queue pair number", 0 },
	{ "op", 'o', "OP", 0,
	  "Only this completion opcode: send, write, read, cas, fadd, recv, "
	  "recv_imm", 0 },
	{ "latency", 'L', "KIND", 0,
	  "Only this latency: device, pickup or e2e (default: all three)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Millisecond histograms", 0 },
	{ "timestamp", 'T', NULL, 0, "Include a timestamp on output", 0 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object per interval on stdout",
	  0 },
	{ "pin", OPT_PIN, "DIR", 0,
	  "Pin the maps as DIR/hists and DIR/counters, left at exit", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static const struct {
	const char *name;
	__u32 op;
} op_names[] = {
	{ "send", 0 },		/* HWQNIC_WC_SEND */
	{ "write", 1 },		/* HWQNIC_WC_RDMA_WRITE */
	{ "read", 2 },		/* HWQNIC_WC_RDMA_READ */
	{ "cas", 3 },		/* HWQNIC_WC_COMP_SWAP */
	{ "fadd", 4 },		/* HWQNIC_WC_FETCH_ADD */
	{ "recv", 128 },	/* HWQNIC_WC_RECV */
	{ "recv_imm", 129 },	/* HWQNIC_WC_RECV_RDMA_WITH_IMM */
};

static const char *const lat_names[QPLAT_LAT_MAX] = {
	[QPLAT_LAT_DEVICE] = "device",
	[QPLAT_LAT_PICKUP] = "pickup",
	[QPLAT_LAT_E2E] = "e2e",
};

static void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("qplat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warn(const char *fmt, ...)
{
	va_list ap;

	fputs("qplat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *op_name(__u32 op, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(op_names); i++)
		if (op_names[i].op == op)
			return op_names[i].name;
	snprintf(buf, len, "op%u", op);
	return buf;
}

static unsigned long parse_ulong(const char *what, const char *s,
				 unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		die(2, "bad %s '%s' (a number from %lu to %lu)", what, s, min,
		    max);
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	size_t i;
	char *end;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'p':
		env.pid = parse_ulong("PID", arg, 1, INT_MAX);
		break;
	case 'b':
		if (!*arg)
			die(2, "-b needs a file name");
		env.binary = arg;
		break;
	case 'k':
		env.kernel = true;
		break;
	case 'Q':
		env.qpn = parse_ulong("QPN", arg, 1, UINT32_MAX);
		break;
	case 'o':
		for (i = 0; i < ARRAY_SIZE(op_names); i++)
			if (!strcmp(arg, op_names[i].name))
				break;
		if (i == ARRAY_SIZE(op_names))
			die(2, "unknown op '%s' (send, write, read, cas, fadd, "
			    "recv or recv_imm)", arg);
		env.filter_op = true;
		env.op = op_names[i].op;
		break;
	case 'L':
		for (i = 0; i < QPLAT_LAT_MAX; i++)
			if (!strcmp(arg, lat_names[i]))
				break;
		if (i == QPLAT_LAT_MAX)
			die(2, "unknown latency '%s' (device, pickup or e2e)",
			    arg);
		env.lat = i;
		break;
	case 'm':
		env.msecs = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case OPT_JSON:
		env.json = true;
		break;
	case OPT_PIN:
		if (!*arg)
			die(2, "--pin needs a directory");
		env.pin = arg;
		break;
	case ARGP_KEY_ARG:
		errno = 0;
		if (env.nargs == 0) {
			env.interval = strtod(arg, &end);
			if (errno || end == arg || *end ||
			    !isfinite(env.interval) || env.interval < 0.001 ||
			    env.interval > 86400 * 365)
				die(2, "bad interval '%s' (seconds, > 0)", arg);
		} else if (env.nargs == 1) {
			env.count = parse_ulong("count", arg, 1, LONG_MAX);
		} else {
			die(2, "unexpected argument '%s' (usage: qplat "
			    "[options] [interval [count]])", arg);
		}
		env.nargs++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {
	.options = opts,
	.parser = parse_arg,
	.args_doc = "[interval [count]]",
	.doc = argp_doc,
};

/*
 * argp reports an unknown option or a missing value on two lines and
 * exits with 64; look for those first, with getopt over the same table,
 * to say it on one line and exit with 2.
 */
static void check_options(int argc, char **argv)
{
	enum { OPT_ARGP = 0x7f00 };	/* argp's own: --help, --usage, ... */
	struct option lopts[ARRAY_SIZE(opts) + 4];
	char sopts[2 * ARRAY_SIZE(opts) + 8], **copy;
	size_t i, n = 0, s = 0;
	const char *arg;
	int c;

	sopts[s++] = ':';
	for (i = 0; opts[i].name || opts[i].key; i++) {
		if (opts[i].name)
			lopts[n++] = (struct option){
				opts[i].name,
				opts[i].arg ? required_argument : no_argument,
				NULL, opts[i].key,
			};
		if (opts[i].key > 0 && opts[i].key < 128) {
			sopts[s++] = opts[i].key;
			if (opts[i].arg)
				sopts[s++] = ':';
		}
	}
	lopts[n++] = (struct option){ "help", no_argument, NULL, OPT_ARGP };
	lopts[n++] = (struct option){ "usage", no_argument, NULL, OPT_ARGP };
	lopts[n++] = (struct option){ "version", no_argument, NULL, OPT_ARGP };
	lopts[n] = (struct option){ 0 };
	sopts[s++] = 'V';	/* -? is getopt's '?' with optopt '?' */
	sopts[s] = 0;

	/* getopt permutes its argv: work on a copy */
	copy = calloc(argc + 1, sizeof(*copy));
	if (!copy)
		die(1, "out of memory");
	memcpy(copy, argv, argc * sizeof(*copy));
	opterr = 0;
	while ((c = getopt_long(argc, copy, sopts, lopts, NULL)) != -1) {
		if (c != ':' && c != '?')
			continue;
		arg = copy[optind - 1];
		if (c == '?' && optopt == '?')
			continue;	/* -? */
		if (!strncmp(arg, "--", 2)) {
			die(2, "%s option '%s' (see qplat --help)",
			    c == ':' ? "missing value for" :
			    "unknown or ambiguous", arg);
		}
		die(2, "%s option '-%c' (see qplat --help)",
		    c == ':' ? "missing value for" : "unknown", optopt);
	}
	free(copy);
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *format,
			   va_list args)
{
	if (!env.verbose)
		return 0;
	(void)level;
	return vfprintf(stderr, format, args);
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, in the effective set. */
static bool have_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS_CAP(c)	(data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS_CAP(CAP_SYS_ADMIN) ||
	       (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

static bool uprobes_available(void)
{
	return !access("/sys/bus/event_source/devices/uprobe/type", R_OK) ||
	       !access("/sys/kernel/tracing/uprobe_events", W_OK) ||
	       !access("/sys/kernel/debug/tracing/uprobe_events", W_OK);
}

/* --pin: DIR on bpffs (mounting /sys/fs/bpf if needed), then the maps. */
static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX], *s;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static int pin_maps(struct qplat_bpf *skel, const char *dir)
{
	struct bpf_map *maps[] = { skel->maps.hists, skel->maps.counters };
	size_t n = strlen(BPFFS), i;
	char path[PATH_MAX];
	int err;

	if (!strncmp(dir, BPFFS, n) && (dir[n] == '/' || !dir[n]) &&
	    !on_bpffs(BPFFS) &&
	    mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		warn("--pin %s: cannot mount bpffs on " BPFFS ": %s", dir,
		     strerror(errno));
		return -1;
	}
	err = mkdir_p(dir);
	if (err) {
		warn("--pin %s: %s", dir, strerror(-err));
		return -1;
	}
	if (!on_bpffs(dir)) {
		warn("--pin %s: not on a BPF filesystem (mount -t bpf bpf "
		     BPFFS ")", dir);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 bpf_map__name(maps[i]));
		if (unlink(path) && errno != ENOENT) {
			warn("--pin: cannot replace %s: %s", path,
			     strerror(errno));
			return -1;
		}
		err = bpf_map__pin(maps[i], path);
		if (err) {
			warn("--pin: cannot pin %s: %s", path, strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Reading and printing the maps. */

struct hist_ent {
	struct qplat_hist_key key;
	struct qplat_hist val;
	__u64 count;			/* sum of val.slots */
};

struct ctr_ent {
	struct qplat_qp_key key;
	struct qplat_counters val;
};

static int cmp_hist(const void *a, const void *b)
{
	const struct qplat_hist_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->qpn != y->qpn)
		return x->qpn < y->qpn ? -1 : 1;
	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return 0;
}

static int cmp_ctr(const void *a, const void *b)
{
	const struct qplat_qp_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->qpn != y->qpn)
		return x->qpn < y->qpn ? -1 : 1;
	return 0;
}

/*
 * Every key of map `fd` (key_size bytes each) into *keys. Returns the
 * number, or -errno.
 */
static long map_keys(int fd, size_t key_size, void **keys)
{
	size_t n = 0, cap = 64;
	char *buf = malloc(cap * key_size), *prev = NULL;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, 2 * cap * key_size);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		prev = n ? buf + (n - 1) * key_size : NULL;
		if (bpf_map_get_next_key(fd, prev, buf + n * key_size)) {
			if (errno == ENOENT)
				break;
			free(buf);
			return -errno;
		}
		n++;
	}
	*keys = buf;
	return n;
}

/* The histograms, sorted; deleted from the map when `clear`. */
static long read_hists(int fd, bool clear, struct hist_ent **out)
{
	struct qplat_hist_key *keys;
	struct hist_ent *ents;
	long n, i, m = 0;
	int err;

	n = map_keys(fd, sizeof(*keys), (void **)&keys);
	if (n < 0)
		return n;
	ents = calloc(n ? n : 1, sizeof(*ents));
	if (!ents) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct hist_ent *e = &ents[m];

		e->key = keys[i];
		if (clear) {
			err = bpf_map_lookup_and_delete_elem(fd, &e->key,
							     &e->val);
			if (err && errno != ENOENT) {
				/* kernels before 5.14: not for hash maps */
				err = bpf_map_lookup_elem(fd, &e->key, &e->val);
				if (!err && bpf_map_delete_elem(fd, &e->key) &&
				    errno != ENOENT)
					err = -1;
			}
		} else {
			err = bpf_map_lookup_elem(fd, &e->key, &e->val);
		}
		if (err) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			free(keys);
			free(ents);
			return err;
		}
		e->count = hist_count(e->val.slots, QPLAT_SLOTS);
		if (e->count)
			m++;
	}
	free(keys);
	qsort(ents, m, sizeof(*ents), cmp_hist);
	*out = ents;
	return m;
}

static long read_counters(int fd, struct ctr_ent **out)
{
	struct qplat_qp_key *keys;
	struct ctr_ent *ents;
	long n, i, m = 0;

	n = map_keys(fd, sizeof(*keys), (void **)&keys);
	if (n < 0)
		return n;
	ents = calloc(n ? n : 1, sizeof(*ents));
	if (!ents) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ents[m].key = keys[i];
		if (bpf_map_lookup_elem(fd, &ents[m].key, &ents[m].val)) {
			if (errno == ENOENT)
				continue;
			n = -errno;
			free(keys);
			free(ents);
			return n;
		}
		m++;
	}
	free(keys);
	qsort(ents, m, sizeof(*ents), cmp_ctr);
	*out = ents;
	return m;
}

/* The p-quantile in ns (the histogram is never empty here). */
static double quantile_ns(const struct hist_ent *e, double p)
{
	return hist_quantile_ns(e->val.slots, QPLAT_SLOTS, p);
}

static void print_stars(__u64 val, __u64 max)
{
	int n = max ? (int)(val * STARS / max) : 0, i;

	for (i = 0; i < STARS; i++)
		putchar(i < n ? '*' : ' ');
}

/* Mean of a histogram, in ns: exact, from sum_ns; 0 without samples. */
static double mean_ns(const struct hist_ent *e)
{
	double m = hist_mean_ns(e->val.sum_ns, e->val.count);

	return m < 0 ? 0 : m;
}

static void print_hist_text(const struct hist_ent *e)
{
	double div = env.msecs ? 1e6 : 1e3;
	const char *unit = env.msecs ? "ms" : "us";
	int k, first = -1, last = -1, prec = env.msecs ? 6 : 3;
	__u64 max = 0;
	char buf[16];

	hist_span(e->val.slots, QPLAT_SLOTS, &first, &last, &max);
	printf("pid %u dev %u qpn %u %s %s: count %llu  avg %.*f %s  "
	       "p50 %.*f %s  p99 %.*f %s  p99.9 %.*f %s\n",
	       e->key.pid, e->key.dev, e->key.qpn,
	       op_name(e->key.op, buf, sizeof(buf)), lat_names[e->key.lat],
	       (unsigned long long)e->count,
	       prec - 1, mean_ns(e) / div, unit,
	       prec - 1, quantile_ns(e, 0.5) / div, unit,
	       prec - 1, quantile_ns(e, 0.99) / div, unit,
	       prec - 1, quantile_ns(e, 0.999) / div, unit);
	printf("%6s%-20s : count    distribution\n", "",
	       env.msecs ? "msecs" : "usecs");
	for (k = first; k >= 0 && k <= last; k++) {
		printf("%11.*f -> %-11.*f : %-8llu |", prec,
		       hist_slot_lo_ns(k) / div, prec, (hist_slot_hi_ns(k) - 1) / div,
		       (unsigned long long)e->val.slots[k]);
		print_stars(e->val.slots[k], max);
		printf("|\n");
	}
	printf("\n");
}

static void print_counters_text(const struct ctr_ent *c, long n)
{
	long i;

	if (!n)
		return;
	printf("%-8s %4s %8s %12s %12s %8s %16s %12s %12s %12s\n", "PID",
	       "DEV", "QPN", "WQES", "CQES", "ERRORS", "BYTES", "DOORBELLS",
	       "POLLS", "EMPTY_POLLS");
	for (i = 0; i < n; i++)
		printf("%-8u %4u %8u %12llu %12llu %8llu %16llu %12llu %12llu "
		       "%12llu\n", c[i].key.pid, c[i].key.dev, c[i].key.qpn,
		       (unsigned long long)c[i].val.wqes,
		       (unsigned long long)c[i].val.cqes,
		       (unsigned long long)c[i].val.err_cqes,
		       (unsigned long long)c[i].val.bytes,
		       (unsigned long long)c[i].val.doorbells,
		       (unsigned long long)c[i].val.polls,
		       (unsigned long long)c[i].val.empty_polls);
	printf("\n");
}

static void print_json(const struct hist_ent *h, long nh,
		       const struct ctr_ent *c, long nc, double interval_s)
{
	struct timespec now;
	long i;
	int k;
	bool first;
	char buf[16];

	clock_gettime(CLOCK_REALTIME, &now);
	printf("{\"ts\": %lld.%06ld, \"interval_s\": %.6f, \"qps\": [",
	       (long long)now.tv_sec, now.tv_nsec / 1000, interval_s);
	for (i = 0; i < nh; i++) {
		const struct hist_ent *e = &h[i];

		printf("%s{\"pid\": %u, \"dev\": %u, \"qpn\": %u, "
		       "\"op\": \"%s\", \"latency\": \"%s\", \"count\": %llu, "
		       "\"avg_us\": %.3f, \"p50_us\": %.3f, \"p99_us\": %.3f, "
		       "\"p99_9_us\": %.3f, \"hist\": [", i ? ", " : "",
		       e->key.pid, e->key.dev, e->key.qpn,
		       op_name(e->key.op, buf, sizeof(buf)),
		       lat_names[e->key.lat], (unsigned long long)e->count,
		       mean_ns(e) / 1e3,
		       quantile_ns(e, 0.5) / 1e3, quantile_ns(e, 0.99) / 1e3,
		       quantile_ns(e, 0.999) / 1e3);
		first = true;
		for (k = 0; k < QPLAT_SLOTS; k++) {
			if (!e->val.slots[k])
				continue;
			printf("%s{\"lo_us\": %.3f, \"hi_us\": %.3f, "
			       "\"count\": %llu}", first ? "" : ", ",
			       hist_slot_lo_ns(k) / 1e3, hist_slot_hi_ns(k) / 1e3,
			       (unsigned long long)e->val.slots[k]);
			first = false;
		}
		printf("]}");
	}
	printf("], \"counters\": [");
	for (i = 0; i < nc; i++)
		printf("%s{\"pid\": %u, \"dev\": %u, \"qpn\": %u, "
		       "\"wqes\": %llu, \"cqes\": %llu, \"err_cqes\": %llu, "
		       "\"bytes\": %llu, \"doorbells\": %llu, \"polls\": %llu, "
		       "\"empty_polls\": %llu}", i ? ", " : "",
		       c[i].key.pid, c[i].key.dev, c[i].key.qpn,
		       (unsigned long long)c[i].val.wqes,
		       (unsigned long long)c[i].val.cqes,
		       (unsigned long long)c[i].val.err_cqes,
		       (unsigned long long)c[i].val.bytes,
		       (unsigned long long)c[i].val.doorbells,
		       (unsigned long long)c[i].val.polls,
		       (unsigned long long)c[i].val.empty_polls);
	printf("]}\n");
}

/* One interval's output; the histograms are cleared unless `last`. */
static int print_interval(struct qplat_bpf *skel, double interval_s,
			  bool last)
{
	struct hist_ent *h = NULL;
	struct ctr_ent *c = NULL;
	long nh, nc, i;

	nh = read_hists(bpf_map__fd(skel->maps.hists), !last, &h);
	if (nh < 0) {
		warn("cannot read the histograms: %s", strerror(-nh));
		return -1;
	}
	nc = read_counters(bpf_map__fd(skel->maps.counters), &c);
	if (nc < 0) {
		warn("cannot read the counters: %s", strerror(-nc));
		free(h);
		return -1;
	}
	if (env.json) {
		print_json(h, nh, c, nc, interval_s);
	} else {
		if (env.timestamp) {
			char ts[32];
			time_t t = time(NULL);

			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
			printf("%-8s\n", ts);
		}
		for (i = 0; i < nh; i++)
			print_hist_text(&h[i]);
		if (!nh && !nc)
			printf("no hwqnic work requests traced\n\n");
		print_counters_text(c, nc);
	}
	fflush(stdout);
	free(h);
	free(c);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Waits until `deadline` (monotonic seconds; 0: none), a signal, or the
 * traced process's end. Returns 1 when that process is gone, 0 otherwise.
 */
static int wait_until(double deadline, int pidfd, const sigset_t *mask)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	struct timespec ts, *tsp;
	double left = 0;
	int ret;

	while (!exiting) {
		tsp = NULL;
		if (deadline) {
			left = deadline - now_s();
			if (left <= 0)
				return 0;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		/* no pidfd: look for the process every 200 ms */
		if (env.pid && pidfd < 0 && (!tsp || left > 0.2)) {
			ts.tv_sec = 0;
			ts.tv_nsec = 200000000;
			tsp = &ts;
		}
		ret = ppoll(&pfd, pidfd >= 0 ? 1 : 0, tsp, mask);
		if (ret < 0 && errno != EINTR) {
			warn("ppoll: %s", strerror(errno));
			return 1;
		}
		if (ret > 0)
			return 1;
		if (env.pid && pidfd < 0 && kill(env.pid, 0) && errno == ESRCH)
			return 1;
	}
	return 0;
}

static const char *const probe_names[] = { "post", "db", "wqe", "cqe", "poll" };

/* Only the programs of the events' flavours are loaded. */
static void set_flavour(struct qplat_bpf *skel)
{
	struct bpf_program *usdt[] = {
		skel->progs.qplat_post, skel->progs.qplat_db,
		skel->progs.qplat_wqe, skel->progs.qplat_cqe,
		skel->progs.qplat_poll,
	};
	struct bpf_program *tp[] = {
		skel->progs.qplat_k_post, skel->progs.qplat_k_db,
		skel->progs.qplat_k_wqe, skel->progs.qplat_k_cqe,
		skel->progs.qplat_k_poll,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(usdt); i++) {
		bpf_program__set_autoload(usdt[i], env.pid || env.binary);
		bpf_program__set_autoload(tp[i], env.kernel);
	}
	skel->rodata->usdt_pid0 = env.kernel;
}

static int attach_kernel(struct qplat_bpf *skel)
{
	struct bpf_program *progs[] = {
		skel->progs.qplat_k_post, skel->progs.qplat_k_db,
		skel->progs.qplat_k_wqe, skel->progs.qplat_k_cqe,
		skel->progs.qplat_k_poll,
	};
	struct bpf_link **links[] = {
		&skel->links.qplat_k_post, &skel->links.qplat_k_db,
		&skel->links.qplat_k_wqe, &skel->links.qplat_k_cqe,
		&skel->links.qplat_k_poll,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		*links[i] = bpf_program__attach(progs[i]);
		if (!*links[i]) {
			int err = errno;

			warn("cannot attach to tracepoint hwqnic:hwqnic_%s: %s%s",
			     probe_names[i], strerror(err),
			     env.verbose ? "" : " (-v says more)");
			return -1;
		}
	}
	return 0;
}

static int attach(struct qplat_bpf *skel, const struct resolve_target *t)
{
	struct bpf_program *progs[] = {
		skel->progs.qplat_post, skel->progs.qplat_db,
		skel->progs.qplat_wqe, skel->progs.qplat_cqe,
		skel->progs.qplat_poll,
	};
	struct bpf_link **links[] = {
		&skel->links.qplat_post, &skel->links.qplat_db,
		&skel->links.qplat_wqe, &skel->links.qplat_cqe,
		&skel->links.qplat_poll,
	};
	size_t i;

	if (env.kernel && attach_kernel(skel))
		return -1;
	if (!env.pid && !env.binary)
		return 0;
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		*links[i] = bpf_program__attach_usdt(progs[i],
						     env.pid ? env.pid : -1,
						     t->path, PROVIDER,
						     probe_names[i], NULL);
		if (!*links[i] && t->by_libbpf && errno == ENOENT && !i) {
			warn("%s: needs %s, which is not found with %s USDT "
			     "probes (set LD_LIBRARY_PATH, or give -b the "
			     "library)", t->needed_by, t->path, PROVIDER);
			return -1;
		}
		if (!*links[i]) {
			int err = errno;

			warn("cannot attach to USDT probe %s:%s in %s: %s%s",
			     PROVIDER, probe_names[i], t->path, strerror(err),
			     env.verbose ? "" : " (-v says more)");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sig_handler };
	char why[2 * PATH_MAX];
	struct resolve_target target;
	struct qplat_bpf *skel;
	double start, last, deadline;
	sigset_t block, orig;
	unsigned long printed = 0;
	int err, pidfd = -1, gone = 0, ret = 1;

	check_options(argc, argv);
	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 2;
	if (!env.pid && !env.binary && !env.kernel)
		die(2, "needs -p PID or -b BINARY (the process, or the program "
		    "or libhwqnic.so, to trace) or -k (hwqnic.ko)");
	if (!have_caps())
		die(1, "needs root (CAP_BPF and CAP_PERFMON)");
	if (env.kernel && access("/sys/module/hwqnic", F_OK))
		die(1, "hwqnic.ko is not loaded: no hwqnic tracepoints");
	if (env.pid || env.binary) {
		err = env.binary ?
			resolve_binary(env.binary, PROVIDER, LIBNAME, &target,
				       why, sizeof(why)) :
			resolve_pid(env.pid, PROVIDER, LIBNAME, &target, why,
				    sizeof(why));
		if (err)
			die(1, "%s", why);
		if (!uprobes_available())
			die(1, "this kernel has no uprobes "
			    "(CONFIG_UPROBE_EVENTS): cannot attach to USDT "
			    "probes");
	} else {
		snprintf(target.path, sizeof(target.path), "hwqnic.ko");
	}

	libbpf_set_print(libbpf_print_fn);

	skel = qplat_bpf__open();
	if (!skel)
		die(1, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->targ_qpn = env.qpn;
	skel->rodata->filter_op = env.filter_op;
	skel->rodata->targ_op = env.op;
	if (env.lat >= 0)
		skel->rodata->lat_mask = 1U << env.lat;
	set_flavour(skel);

	err = qplat_bpf__load(skel);
	if (err) {
		if (err == -ENOSYS)
			warn("this kernel has no BPF (bpf(2): %s)",
			     strerror(-err));
		else
			warn("cannot load the BPF programs: %s%s",
			     strerror(-err),
			     env.verbose ? "" : " (-v says more)");
		goto cleanup;
	}

	/* SIGINT/SIGTERM are only taken inside ppoll(): no lost wake-up */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &block, &orig)) {
		warn("sigprocmask: %s", strerror(errno));
		goto cleanup;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		warn("sigaction: %s", strerror(errno));
		goto cleanup;
	}
	sigdelset(&orig, SIGINT);
	sigdelset(&orig, SIGTERM);

	if (env.pid) {
		pidfd = pidfd_open_compat(env.pid);
		if (pidfd < 0 && errno == ESRCH) {
			warn("no process %d", env.pid);
			goto cleanup;
		}
	}
	if (attach(skel, &target))
		goto cleanup;
	if (env.pin && pin_maps(skel, env.pin))
		goto cleanup;

	if (env.pid)
		fprintf(stderr, "Tracing hwqnic work requests of pid %d (%s)",
			env.pid, target.path);
	else
		fprintf(stderr, "Tracing hwqnic work requests in %s",
			target.path);
	if (env.kernel && (env.pid || env.binary))
		fprintf(stderr, " and hwqnic.ko");
	fprintf(stderr, "... Hit Ctrl-C to end.\n");

	start = last = now_s();
	deadline = env.interval ? start + env.interval : 0;
	for (;;) {
		double t;

		gone = wait_until(deadline, pidfd, &orig);
		t = now_s();
		if (!exiting && !gone && env.interval &&
		    (!env.count || printed + 1 < env.count)) {
			if (print_interval(skel, t - last, false))
				goto cleanup;
			printed++;
			last = t;
			/* stay on the grid; skip beats lost to a slow print */
			while (deadline <= t)
				deadline += env.interval;
			continue;
		}
		if (print_interval(skel, t - last, true))
			goto cleanup;
		break;
	}
	ret = 0;

cleanup:
	if (pidfd >= 0)
		close(pidfd);
	/* detaches; pinned maps stay */
	qplat_bpf__destroy(skel);
	return ret;
}
