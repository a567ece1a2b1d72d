// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nictop: a live, top-like monitor of the hwqnic devices on this machine.
 *
 * Every process using libhwqnic publishes the counters of each device it
 * has open in /dev/shm/hwqnic.<pid>.<device> (hwqnic/stats.h). nictop reads
 * them every interval and shows the rates between two readings, per device
 * and per QP. When qplat has pinned its maps (qplat --pin DIR), it adds each
 * QP's device and end-to-end latency percentiles over the last interval,
 * from the growth of qplat's log2 histograms. See nictop(1).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <bpf/bpf.h>

#include <hwqnic/stats.h>
#include "qplat.h"
#include "cli.h"
#include "lib/hist.h"
#include "lib/safestr.h"

#define NICTOP_VERSION	"0.1"

#define NSEC_PER_SEC	1000000000ULL
#define MIB		(1024.0 * 1024.0)

#define DEF_MAPS	"/sys/fs/bpf/hwqnic"
#define DEF_INTERVAL	1.0
#define MIN_INTERVAL	0.1
#define MAX_INTERVAL	3600.0
#define MAX_COUNT	(1ULL << 40)
#define MAX_DEV_LINES	4		/* device lines on the screen */
#define INPUT_MAX	20		/* characters of a prompt's answer */
#define MAPS_MAX	256		/* bytes of --maps DIR */
#define CQBL_SLACK	64		/* counters read at other instants */
#define MAX_SKIPPED	32		/* refused stats files kept per sample */
#define ESC		27
#define CTRL(c)		((c) & 0x1f)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/* ---- columns and options ---- */

enum col_id {
	C_QPN, C_TYPE, C_STATE, C_PID, C_COMM, C_DEV, C_OPS, C_MIB, C_SQ,
	C_RQ, C_CQBL, C_P50, C_P99, C_E2E99, C_ERR, NCOLS
};

struct col {
	const char *title;
	const char *name;	/* for --sort */
	int width;		/* on the screen */
	int bwidth;		/* in batch output */
	bool left;		/* left-aligned */
	bool desc;		/* sorts descending first */
};

/* title, --sort name, widths (screen, batch), left-aligned, descending */
static const struct col cols[NCOLS] = {
	[C_QPN]	  = { "QPN",	"qpn",		5,  6,	false, false },
	[C_TYPE]  = { "TYPE",	"type",		4,  4,	true,  false },
	[C_STATE] = { "STATE",	"state",	5,  5,	true,  false },
	[C_PID]	  = { "PID",	"pid",		7,  7,	false, false },
	[C_COMM]  = { "COMMAND", "comm",	10, 15, true,  false },
	[C_DEV]	  = { "DEV",	"dev",		5,  14, true,  false },
	[C_OPS]	  = { "OPS/s",	"ops",		8,  10, false, true },
	[C_MIB]	  = { "MiB/s",	"mib",		8,  10, false, true },
	[C_SQ]	  = { "SQ",	"sq",		6,  6,	false, true },
	[C_RQ]	  = { "RQ",	"rq",		6,  6,	false, true },
	[C_CQBL]  = { "CQBL",	"cqbl",		6,  6,	false, true },
	[C_P50]	  = { "p50dev",	"dev_p50",	7,  9,	false, true },
	[C_P99]	  = { "p99dev",	"dev_p99",	7,  9,	false, true },
	[C_E2E99] = { "p99e2e",	"e2e_p99",	7,  9,	false, true },
	[C_ERR]	  = { "ERRORS",	"errors",	6,  10, false, true },
};

struct opts {
	double interval;	/* seconds */
	uint64_t count;		/* updates before exiting; 0: forever */
	bool batch;
	bool json;
	long pid;		/* filter; -1: every process */
	long long qpn;		/* filter; -1: every QP */
	const char *maps;	/* qplat's pin directory */
	int sort;		/* enum col_id; -1: the mode's default */
	bool reverse;
};

/* ---- samples: what one reading of the counters found ---- */

struct qp_sample {
	__u32 qpn;
	__u8 type;
	__u8 state;
	__u32 send_cq;
	__u32 recv_cq;
	struct hwqnic_qp_counters c;
};

/* Names are the bytes another process wrote: each output escapes them. */
struct dev_sample {
	int pid;
	long id;		/* the N ending the name, qplat's dev; or -1 */
	char comm[HWQNIC_STATS_COMM_LEN];
	char name[HWQNIC_STATS_DEV_LEN];
	struct hwqnic_engine_counters eng;
	unsigned int nqp;
	struct qp_sample *qp;	/* by QPN */
};

/* One entry of qplat's `hists`, and of its `counters`: the key first. */
struct lat_hist {
	struct qplat_hist_key k;
	struct qplat_hist v;
};

struct lat_ctr {
	struct qplat_qp_key k;
	struct qplat_counters v;
};

struct lat_sample {
	bool ok;		/* hists could be read */
	char why[2 * MAPS_MAX];	/* if not */
	__u32 hist_id;		/* the map's id: a new map starts over */
	size_t nhist;
	size_t nctr;
	struct lat_hist *hist;	/* by key */
	struct lat_ctr *ctr;	/* by key */
};

/* A stats file refused: its name is another process's bytes too. */
struct skipped {
	int pid;		/* the one it names */
	char name[256];
	char why[HWQNIC_STATS_WHY_LEN];
};

/* "NAME: WHY", escaped */
#define SKIPPED_TEXT_SIZE	(SAFESTR_TEXT_SIZE(256) + 2 + \
				 SAFESTR_TEXT_SIZE(HWQNIC_STATS_WHY_LEN))

struct skip_list {
	unsigned int n;		/* refused in all */
	unsigned int kept;	/* the first of them, in skip[] */
	struct skipped skip[MAX_SKIPPED];
};

struct sample {
	uint64_t mono_ns;
	struct timespec wall;
	unsigned int ndev;
	struct dev_sample *dev;	/* by (pid, name) */
	struct skip_list skipped;
	struct lat_sample lat;
};

/* ---- snapshots: the rates between two samples ---- */

struct row {
	int pid;
	char comm[HWQNIC_STATS_COMM_LEN];
	char dev[HWQNIC_STATS_DEV_LEN];
	__u32 qpn;
	__u8 type;
	__u8 state;
	__u32 send_cq;
	__u32 recv_cq;
	double ops_s;		/* rates: < 0 when unknown */
	double mib_s;
	double cqes_s;
	long long cqbl;		/* < 0: unknown */
	double p50;		/* latencies, us: < 0 when unknown */
	double p99;
	double e2e99;
	struct hwqnic_qp_counters c;
};

struct dev_row {
	int pid;
	char comm[HWQNIC_STATS_COMM_LEN];
	char name[HWQNIC_STATS_DEV_LEN];
	double ops_s;
	double mib_s;
	double cqes_s;
	__u64 errors;
	__u64 busy_ns;		/* the engine's, over the interval */
	__u64 run_ns;
};

struct snapshot {
	struct timespec wall;
	double interval;	/* seconds; 0: a first sample, no rates */
	unsigned int nrow;
	unsigned int ndev;
	struct row *row;
	struct dev_row *dev;
	struct skip_list skipped;
	char lat_status[3 * MAPS_MAX];
};

struct totals {
	double ops_s;
	double mib_s;
	double cqes_s;
	__u64 errors;
	double busy_pct;	/* < 0: unknown */
	unsigned int ndev;
	unsigned int nqp;
};

static bool curses_on;
static volatile sig_atomic_t stop;

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	va_list ap;

	if (curses_on)
		endwin();
	fflush(stdout);
	fputs("nictop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

#define fail(...)	die(1, __VA_ARGS__)
#define bad_usage(...)	die(2, __VA_ARGS__)

static void *xrealloc(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > SIZE_MAX / size)
		fail("out of memory");
	bytes = n * size;
	p = realloc(p, bytes ? bytes : 1);
	if (!p)
		fail("out of memory");
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fail("out of memory");
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t secs_to_ns(double s)
{
	return (uint64_t)(s * NSEC_PER_SEC + 0.5);
}

/* ---- reading the published counters ---- */

/* The N that ends a device name (hwqnic-embN): qplat's dev. Else -1. */
static long dev_id(const char *name)
{
	size_t len = strlen(name), i = len;

	while (i && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i == len || len - i > 9)
		return -1;
	return strtol(name + i, NULL, 10);
}

static void read_dev(const struct hwqnic_stats *f, struct dev_sample *d)
{
	const struct hwqnic_stats_qp *s;
	struct qp_sample *q;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->pid = f->pid;
	memcpy(d->comm, f->comm, sizeof(d->comm));
	memcpy(d->name, f->dev, sizeof(d->name));
	d->id = dev_id(d->name);
	d->eng = f->engine;
	d->nqp = f->nqp;
	d->qp = xcalloc(f->nqp, sizeof(*d->qp));
	for (i = 0; i < f->nqp; i++) {
		s = &f->qp[i];
		q = &d->qp[i];
		q->qpn = s->qpn;
		q->type = s->qp_type;
		q->state = s->state;
		q->send_cq = s->send_cq;
		q->recv_cq = s->recv_cq;
		q->c = s->c;
	}
}

static int dev_cmp(const void *a, const void *b)
{
	const struct dev_sample *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void skip_add(struct skip_list *l, int pid, const char *name,
		     const char *why)
{
	struct skipped *k;

	if (l->n++ >= MAX_SKIPPED)
		return;
	k = &l->skip[l->kept++];
	k->pid = pid;
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->why, sizeof(k->why), "%s", why);
}

/*
 * Reads one file into s->dev[] if it describes a live device; notes why
 * not unless it is not a stats file, not ours to read, or not yet (or no
 * longer) one: a process that died or is just starting.
 */
static void sample_file(struct sample *s, int dfd, const char *name,
			unsigned int *cap)
{
	int pid = hwqnic_stats_name_pid(name), rc;
	char why[HWQNIC_STATS_WHY_LEN];
	struct hwqnic_stats f;
	uid_t owner;

	if (pid < 0)
		return;
	rc = hwqnic_stats_pid_owner(pid, &owner);
	if (rc == ENOENT)
		return;
	if (rc) {
		snprintf(why, sizeof(why), "owner of process %d unknown: %s",
			 pid, strerror(rc));
		skip_add(&s->skipped, pid, name, why);
		return;
	}
	rc = hwqnic_stats_read(dfd, name, owner, &f, why);
	if (rc == HWQNIC_STATS_ENAME || rc == HWQNIC_STATS_EGONE ||
	    rc == HWQNIC_STATS_EACCESS || rc == HWQNIC_STATS_EUNREADY)
		return;
	if (rc) {
		skip_add(&s->skipped, pid, name, why);
		return;
	}
	if (s->ndev == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		s->dev = xrealloc(s->dev, *cap, sizeof(*s->dev));
	}
	read_dev(&f, &s->dev[s->ndev++]);
	hwqnic_stats_free(&f);
}

static void sample_devs(struct sample *s)
{
	unsigned int cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(HWQNIC_STATS_DIR);
	if (!d)
		return;
	while ((de = readdir(d)))
		sample_file(s, dirfd(d), de->d_name, &cap);
	closedir(d);
	if (s->ndev)
		qsort(s->dev, s->ndev, sizeof(*s->dev), dev_cmp);
}

/* ---- reading qplat's pinned maps ---- */

/* Opens DIR/NAME if it is a map of the expected layout; else -1 and why. */
static int map_open(const char *dir, const char *name, __u32 ksize,
		    __u32 vsize, struct bpf_map_info *info, char *why,
		    size_t len)
{
	__u32 ilen = sizeof(*info);
	char path[MAPS_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT)
		snprintf(why, len, "no qplat maps at %s (run qplat --pin %s)",
			 dir, dir);
	else if (fd < 0 && (errno == EPERM || errno == EACCES))
		snprintf(why, len, "cannot open %s: %s (run nictop as root)",
			 path, strerror(errno));
	else if (fd < 0)
		snprintf(why, len, "cannot open %s: %s", path, strerror(errno));
	if (fd < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &ilen) ||
	    info->key_size != ksize || info->value_size != vsize) {
		snprintf(why, len, "%s is not qplat's %s map (key %u, value "
			 "%u bytes)", path, name, info->key_size,
			 info->value_size);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Every entry of a map, as entries of esize bytes holding the key at 0 and
 * the value at voff, sorted by cmp and without duplicates (a key deleted
 * under us restarts the walk). Returns the count.
 */
static size_t map_dump(int fd, const struct bpf_map_info *info, size_t esize,
		       size_t voff, int (*cmp)(const void *, const void *),
		       void **out)
{
	size_t n = 0, cap = 64, i, m;
	char *buf = xcalloc(cap, esize), *e;
	unsigned char key[64];
	bool first = true;
	uint64_t guard;

	for (guard = 0; guard < 2ULL * info->max_entries + 2; guard++) {
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap, esize);
		}
		e = buf + n * esize;
		if (bpf_map_get_next_key(fd, first ? NULL : key, e))
			break;
		first = false;
		memcpy(key, e, info->key_size);
		if (!bpf_map_lookup_elem(fd, key, e + voff))
			n++;
	}
	qsort(buf, n, esize, cmp);
	for (i = m = 0; i < n; i++)
		if (!m || cmp(buf + i * esize, buf + (m - 1) * esize))
			memmove(buf + m++ * esize, buf + i * esize, esize);
	*out = buf;
	return m;
}

static void sample_lat(struct lat_sample *l, const char *dir)
{
	struct bpf_map_info info;
	int fd;

	memset(l, 0, sizeof(*l));
	fd = map_open(dir, "hists", sizeof(struct qplat_hist_key),
		      sizeof(struct qplat_hist), &info, l->why, sizeof(l->why));
	if (fd < 0)
		return;
	l->ok = true;
	l->hist_id = info.id;
	l->nhist = map_dump(fd, &info, sizeof(struct lat_hist),
			    offsetof(struct lat_hist, v), hist_key_cmp,
			    (void **)&l->hist);
	close(fd);
	fd = map_open(dir, "counters", sizeof(struct qplat_qp_key),
		      sizeof(struct qplat_counters), &info, l->why,
		      sizeof(l->why));
	if (fd < 0)
		return;
	l->nctr = map_dump(fd, &info, sizeof(struct lat_ctr),
			   offsetof(struct lat_ctr, v), hist_qp_key_cmp,
			   (void **)&l->ctr);
	close(fd);
}

static struct sample *sample_take(const struct opts *o)
{
	struct sample *s = xcalloc(1, sizeof(*s));

	s->mono_ns = now_ns();
	clock_gettime(CLOCK_REALTIME, &s->wall);
	sample_devs(s);
	sample_lat(&s->lat, o->maps);
	return s;
}

static void sample_free(struct sample *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->ndev; i++)
		free(s->dev[i].qp);
	free(s->dev);
	free(s->lat.hist);
	free(s->lat.ctr);
	free(s);
}

/* ---- latencies from the histograms ---- */

static const struct lat_hist *hist_find(const struct lat_sample *l,
					const struct qplat_hist_key *k)
{
	struct lat_hist key = { .k = *k };

	if (!l->nhist)
		return NULL;
	return bsearch(&key, l->hist, l->nhist, sizeof(key), hist_key_cmp);
}

/*
 * Adds what a histogram gained since the previous sample to acc. A count
 * that went down means qplat cleared it (qplat with an interval): then all
 * it holds is new.
 */
static void hist_add_delta(__u64 *acc, const struct lat_hist *cur,
			   const struct lat_hist *prev)
{
	bool reset = prev && (cur->v.count < prev->v.count ||
			      cur->v.sum_ns < prev->v.sum_ns);
	int k;

	for (k = 0; k < QPLAT_SLOTS; k++) {
		__u64 was = prev && !reset ? prev->v.slots[k] : 0;

		if (cur->v.slots[k] < was)
			was = 0;
		acc[k] += cur->v.slots[k] - was;
	}
}

/* The first entry of (pid, dev, qpn) in l->hist, or l->nhist. */
static size_t hist_lower(const struct lat_sample *l, __u32 pid, __u32 dev,
			 __u32 qpn)
{
	struct qplat_hist_key k = { .pid = pid, .dev = dev, .qpn = qpn };
	size_t lo = 0, hi = l->nhist, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (hist_key_cmp(&l->hist[mid].k, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool same_qp(const struct qplat_hist_key *k, __u32 pid, __u32 dev,
		    __u32 qpn)
{
	return k->pid == pid && k->dev == dev && k->qpn == qpn;
}

/* The interval's device and e2e buckets of one QP, summed over opcodes. */
static __u64 qp_hists(const struct lat_sample *cur,
		      const struct lat_sample *prev, __u32 pid, __u32 dev,
		      __u32 qpn, __u64 acc[QPLAT_LAT_MAX][QPLAT_SLOTS])
{
	const struct lat_hist *h, *p;
	__u64 n = 0;
	size_t i;
	int k;

	memset(acc, 0, sizeof(__u64) * QPLAT_LAT_MAX * QPLAT_SLOTS);
	for (i = hist_lower(cur, pid, dev, qpn); i < cur->nhist; i++) {
		h = &cur->hist[i];
		if (!same_qp(&h->k, pid, dev, qpn))
			break;
		if (h->k.lat >= QPLAT_LAT_MAX)
			continue;
		p = hist_find(prev, &h->k);
		hist_add_delta(acc[h->k.lat], h, p);
	}
	for (k = 0; k < QPLAT_SLOTS; k++)
		n += acc[QPLAT_LAT_DEVICE][k] + acc[QPLAT_LAT_E2E][k];
	return n;
}

static double quantile_us(const __u64 *slots, double p)
{
	double ns = hist_quantile_ns(slots, QPLAT_SLOTS, p);

	return ns < 0 ? -1 : ns / 1000;
}

/* Fills r's latencies; returns the samples they come from. */
static __u64 row_lat(struct row *r, long id, const struct lat_sample *cur,
		     const struct lat_sample *prev)
{
	__u64 acc[QPLAT_LAT_MAX][QPLAT_SLOTS];
	__u64 n;

	r->p50 = r->p99 = r->e2e99 = -1;
	if (id < 0 || !cur->ok || !prev || !prev->ok ||
	    prev->hist_id != cur->hist_id)
		return 0;
	n = qp_hists(cur, prev, r->pid, id, r->qpn, acc);
	r->p50 = quantile_us(acc[QPLAT_LAT_DEVICE], 0.5);
	r->p99 = quantile_us(acc[QPLAT_LAT_DEVICE], 0.99);
	r->e2e99 = quantile_us(acc[QPLAT_LAT_E2E], 0.99);
	return n;
}

/*
 * CQEs written and not yet polled, from the published counters: a QP's
 * owner retires a WQE when it polls its CQE, so with every WR signaled the
 * backlog is the CQEs written less the WQEs retired. Unsignaled WRs retire
 * without a CQE of their own: far fewer CQEs than retired WQEs gives them
 * away, and then this cannot tell (-1).
 */
static long long cqbl_published(const struct hwqnic_qp_counters *c)
{
	int64_t retired = (int64_t)(c->posts - c->sq_outstanding) +
			  (int64_t)(c->recv_posts - c->rq_outstanding);
	int64_t est = (int64_t)c->completions - retired;

	if (est < -CQBL_SLACK)
		return -1;
	return est > 0 ? est : 0;
}

/* The same from qplat's counters: CQEs less polls since qplat attached. */
static long long row_cqbl(const struct lat_sample *l, int pid, long id,
			  __u32 qpn)
{
	struct lat_ctr key = { .k = { .pid = pid, .dev = id, .qpn = qpn } };
	const struct lat_ctr *c;

	if (id < 0 || !l->ok || !l->nctr)
		return -1;
	c = bsearch(&key, l->ctr, l->nctr, sizeof(key), hist_qp_key_cmp);
	if (!c)
		return -1;
	return c->v.cqes > c->v.polls ? (long long)(c->v.cqes - c->v.polls)
				      : 0;
}

/* ---- snapshots ---- */

static const struct dev_sample *dev_find(const struct sample *s,
					 const struct dev_sample *d)
{
	if (!s || !s->ndev)
		return NULL;
	return bsearch(d, s->dev, s->ndev, sizeof(*d), dev_cmp);
}

static const struct qp_sample *qp_find(const struct dev_sample *d, __u32 qpn)
{
	unsigned int lo = 0, hi = d ? d->nqp : 0, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (d->qp[mid].qpn == qpn)
			return &d->qp[mid];
		if (d->qp[mid].qpn < qpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The previous reading of a QP, unless its counters restarted (a new QP). */
static const struct qp_sample *qp_prev(const struct dev_sample *d,
				       const struct qp_sample *q)
{
	const struct qp_sample *p = qp_find(d, q->qpn);

	if (p && (q->c.posts < p->c.posts ||
		  q->c.recv_posts < p->c.recv_posts ||
		  q->c.completions < p->c.completions ||
		  q->c.bytes < p->c.bytes))
		return NULL;
	return p;
}

static void row_rates(struct row *r, const struct qp_sample *q,
		      const struct qp_sample *p, double dt)
{
	static const struct qp_sample zero;

	r->ops_s = r->mib_s = r->cqes_s = -1;
	if (dt <= 0)
		return;
	if (!p)
		p = &zero;
	r->ops_s = (double)(q->c.posts + q->c.recv_posts - p->c.posts -
			    p->c.recv_posts) / dt;
	r->mib_s = (double)(q->c.bytes - p->c.bytes) / MIB / dt;
	r->cqes_s = (double)(q->c.completions - p->c.completions) / dt;
}

static void row_fill(struct row *r, const struct dev_sample *d,
		     const struct qp_sample *q, const struct qp_sample *p,
		     double dt)
{
	memset(r, 0, sizeof(*r));
	r->pid = d->pid;
	memcpy(r->comm, d->comm, sizeof(r->comm));
	memcpy(r->dev, d->name, sizeof(r->dev));
	r->qpn = q->qpn;
	r->type = q->type;
	r->state = q->state;
	r->send_cq = q->send_cq;
	r->recv_cq = q->recv_cq;
	r->c = q->c;
	row_rates(r, q, p, dt);
}

static void dev_row_fill(struct dev_row *dr, const struct dev_sample *d,
			 const struct dev_sample *pd, const struct row *rows,
			 double dt)
{
	unsigned int i;

	memset(dr, 0, sizeof(*dr));
	dr->pid = d->pid;
	memcpy(dr->comm, d->comm, sizeof(dr->comm));
	memcpy(dr->name, d->name, sizeof(dr->name));
	dr->ops_s = dr->mib_s = dr->cqes_s = dt > 0 ? 0 : -1;
	for (i = 0; i < d->nqp; i++) {
		dr->errors += rows[i].c.errors;
		if (dt <= 0)
			continue;
		dr->ops_s += rows[i].ops_s;
		dr->mib_s += rows[i].mib_s;
		dr->cqes_s += rows[i].cqes_s;
	}
	if (dt <= 0)
		return;
	dr->busy_ns = d->eng.busy_ns;
	dr->run_ns = d->eng.run_ns;
	if (pd && d->eng.run_ns >= pd->eng.run_ns &&
	    d->eng.busy_ns >= pd->eng.busy_ns) {
		dr->busy_ns -= pd->eng.busy_ns;
		dr->run_ns -= pd->eng.run_ns;
	}
}

/* The rows of one device; returns the latency samples behind them. */
static __u64 snap_dev(struct snapshot *sn, const struct sample *cur,
		      const struct sample *prev, const struct dev_sample *d)
{
	const struct dev_sample *pd = dev_find(prev, d);
	struct row *rows = sn->row + sn->nrow;
	const struct lat_sample *pl = prev ? &prev->lat : NULL;
	unsigned int i;
	__u64 n = 0;

	for (i = 0; i < d->nqp; i++) {
		row_fill(&rows[i], d, &d->qp[i], qp_prev(pd, &d->qp[i]),
			 sn->interval);
		n += row_lat(&rows[i], d->id, &cur->lat, pl);
		rows[i].cqbl = cqbl_published(&d->qp[i].c);
		if (rows[i].cqbl < 0)
			rows[i].cqbl = row_cqbl(&cur->lat, d->pid, d->id,
						d->qp[i].qpn);
	}
	dev_row_fill(&sn->dev[sn->ndev++], d, pd, rows, sn->interval);
	sn->nrow += d->nqp;
	return n;
}

static void snap_lat_status(struct snapshot *sn, const struct sample *cur,
			    const struct sample *prev, const char *dir,
			    __u64 n)
{
	const struct lat_sample *l = &cur->lat;

	if (!l->ok)
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: %s", l->why);
	else if (!prev || !prev->lat.ok || prev->lat.hist_id != l->hist_id)
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: qplat maps at %s; percentiles from the "
			 "next interval", dir);
	else
		snprintf(sn->lat_status, sizeof(sn->lat_status),
			 "latency: qplat maps at %s, %" PRIu64 " samples in "
			 "the interval (us)", dir, (uint64_t)n);
}

static struct snapshot *snapshot_build(const struct sample *cur,
				       const struct sample *prev,
				       const char *dir)
{
	struct snapshot *sn = xcalloc(1, sizeof(*sn));
	unsigned int i, nqp = 0;
	__u64 n = 0;

	sn->wall = cur->wall;
	sn->skipped = cur->skipped;
	if (prev && cur->mono_ns > prev->mono_ns)
		sn->interval = (double)(cur->mono_ns - prev->mono_ns) /
			       NSEC_PER_SEC;
	for (i = 0; i < cur->ndev; i++)
		nqp += cur->dev[i].nqp;
	sn->row = xcalloc(nqp, sizeof(*sn->row));
	sn->dev = xcalloc(cur->ndev, sizeof(*sn->dev));
	for (i = 0; i < cur->ndev; i++)
		n += snap_dev(sn, cur, prev, &cur->dev[i]);
	snap_lat_status(sn, cur, prev, dir, n);
	return sn;
}

static void snapshot_free(struct snapshot *sn)
{
	if (!sn)
		return;
	free(sn->row);
	free(sn->dev);
	free(sn);
}

/* ---- the view: filtered, sorted ---- */

static bool row_shown(const struct row *r, const struct opts *o)
{
	return (o->pid < 0 || r->pid == o->pid) &&
	       (o->qpn < 0 || r->qpn == (unsigned long long)o->qpn);
}

static bool dev_shown(const struct snapshot *sn, const struct dev_row *d,
		      const struct opts *o)
{
	unsigned int i;

	if (o->pid >= 0 && d->pid != o->pid)
		return false;
	if (o->qpn < 0)
		return true;
	for (i = 0; i < sn->nrow; i++)
		if (sn->row[i].pid == d->pid && row_shown(&sn->row[i], o) &&
		    !strcmp(sn->row[i].dev, d->name))
			return true;
	return false;
}

static double row_num(const struct row *r, int col)
{
	switch (col) {
	case C_QPN:	return r->qpn;
	case C_TYPE:	return r->type;
	case C_STATE:	return r->state;
	case C_PID:	return r->pid;
	case C_OPS:	return r->ops_s;
	case C_MIB:	return r->mib_s;
	case C_SQ:	return r->c.sq_outstanding;
	case C_RQ:	return r->c.rq_outstanding;
	case C_CQBL:	return r->cqbl;
	case C_P50:	return r->p50;
	case C_P99:	return r->p99;
	case C_E2E99:	return r->e2e99;
	case C_ERR:	return r->c.errors;
	}
	return 0;
}

static int num_cmp(double a, double b)
{
	return a < b ? -1 : a > b;
}

static int row_cmp_col(const struct row *a, const struct row *b, int col)
{
	if (col == C_COMM)
		return strcmp(a->comm, b->comm);
	if (col == C_DEV)
		return strcmp(a->dev, b->dev);
	return num_cmp(row_num(a, col), row_num(b, col));
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct row *a = *(const struct row *const *)pa;
	const struct row *b = *(const struct row *const *)pb;
	const struct opts *o = arg;
	int c = row_cmp_col(a, b, o->sort);

	if (cols[o->sort].desc != o->reverse)
		c = -c;
	if (!c)
		c = num_cmp(a->pid, b->pid);
	if (!c)
		c = strcmp(a->dev, b->dev);
	return c ? c : num_cmp(a->qpn, b->qpn);
}

/* The rows that pass the filters, sorted; returns their count. */
static unsigned int view_build(const struct snapshot *sn,
			       const struct opts *o, const struct row ***out)
{
	const struct row **v = xcalloc(sn->nrow, sizeof(*v));
	unsigned int i, n = 0;

	for (i = 0; i < sn->nrow; i++)
		if (row_shown(&sn->row[i], o))
			v[n++] = &sn->row[i];
	qsort_r(v, n, sizeof(*v), row_cmp, (void *)o);
	*out = v;
	return n;
}

static void totals_build(const struct snapshot *sn, const struct opts *o,
			 struct totals *t)
{
	__u64 busy = 0, run = 0;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sn->nrow; i++) {
		if (!row_shown(&sn->row[i], o))
			continue;
		t->nqp++;
		t->errors += sn->row[i].c.errors;
		t->ops_s += MAX(sn->row[i].ops_s, 0);
		t->mib_s += MAX(sn->row[i].mib_s, 0);
		t->cqes_s += MAX(sn->row[i].cqes_s, 0);
	}
	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], o))
			continue;
		t->ndev++;
		busy += sn->dev[i].busy_ns;
		run += sn->dev[i].run_ns;
	}
	t->busy_pct = run ? 100.0 * busy / run : -1;
}

static double dev_busy(const struct dev_row *d)
{
	return d->run_ns ? 100.0 * d->busy_ns / d->run_ns : -1;
}

/* ---- cells ---- */

static const char *type_name(unsigned int t)
{
	switch (t) {
	case HWQNIC_QPT_RC:	return "RC";
	case HWQNIC_QPT_UD:	return "UD";
	}
	return "?";
}

static const char *state_name(unsigned int s)
{
	static const char *const names[] = {
		"RESET", "INIT", "RTR", "RTS", "SQD", "SQE", "ERR"
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

/*
 * A number in at most `width` characters (0: any): fewer decimals first,
 * then a k, M, G or T suffix. "-" when unknown (< 0).
 */
static void fmt_num(char *buf, size_t len, double v, int dec, int width)
{
	static const char sfx[] = "kMGTP";
	int d, i;

	if (v < 0 || !isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	for (d = dec; d >= 0; d--)
		if (snprintf(buf, len, "%.*f", d, v) <= width || !width)
			return;
	for (i = 0; sfx[i]; i++) {
		v /= 1000;
		for (d = 1; d >= 0; d--)
			if (snprintf(buf, len, "%.*f%c", d, v, sfx[i]) <= width)
				return;
	}
}

/* The screen shows device names without their common prefix. */
static const char *short_dev(const char *name)
{
	static const char prefix[] = "hwqnic-";

	if (!strncmp(name, prefix, sizeof(prefix) - 1) &&
	    name[sizeof(prefix) - 1])
		return name + sizeof(prefix) - 1;
	return name;
}

static void cell(char *buf, size_t len, const struct row *r, int col,
		 int width, bool full)
{
	switch (col) {
	case C_QPN:
		snprintf(buf, len, "%u", r->qpn);
		return;
	case C_TYPE:
		snprintf(buf, len, "%s", type_name(r->type));
		return;
	case C_STATE:
		snprintf(buf, len, "%s", state_name(r->state));
		return;
	case C_PID:
		snprintf(buf, len, "%d", r->pid);
		return;
	case C_COMM:
		safestr_text(buf, len, r->comm, sizeof(r->comm));
		return;
	case C_DEV:
		safestr_text(buf, len, full ? r->dev : short_dev(r->dev),
			     sizeof(r->dev));
		return;
	}
	/* numbers: one decimal for rates of bytes and for latencies */
	fmt_num(buf, len, row_num(r, col),
		col == C_MIB || col == C_P50 || col == C_P99 ||
		col == C_E2E99 ? 1 : 0, width);
}

/* "TEXT" padded or cut to width, aligned as the column wants. */
static int pad(char *buf, size_t len, const char *text, int col, int width)
{
	if (cols[col].left)
		return snprintf(buf, len, "%-*.*s", width, width, text);
	return snprintf(buf, len, "%*.*s", width, width, text);
}

/* One line of a table: every column of cols_n, widths from `batch`. */
static void table_line(char *line, size_t len, const struct row *r,
		       int ncols, bool batch)
{
	char text[64];
	size_t off = 0;
	int c, w;

	line[0] = '\0';
	for (c = 0; c < ncols && off < len; c++) {
		w = batch ? cols[c].bwidth : cols[c].width;
		if (r)
			cell(text, sizeof(text), r, c, w, batch);
		else
			snprintf(text, sizeof(text), "%s", cols[c].title);
		if (c)
			line[off++] = ' ';
		off += pad(line + off, len - off, text, c, w);
	}
}

static void fmt_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/*
 * The rates of a device or of the totals; numbers in at most `w`
 * characters (0: as they come).
 */
static void rates_text(char *buf, size_t len, double ops_s, double mib_s,
		       double cqes_s, __u64 errors, double busy, int w)
{
	char ops[16], mib[16], cqes[16], pct[16];

	fmt_num(ops, sizeof(ops), ops_s, 0, w);
	fmt_num(mib, sizeof(mib), mib_s, 1, w);
	fmt_num(cqes, sizeof(cqes), cqes_s, 0, w);
	fmt_num(pct, sizeof(pct), busy, 1, 5);
	snprintf(buf, len, "%*s ops/s %*s MiB/s %*s cqes/s  busy %s%s  %"
		 PRIu64 " err", w, ops, w, mib, w, cqes, pct,
		 busy < 0 ? "" : "%", (uint64_t)errors);
}

static void totals_text(char *buf, size_t len, const struct totals *t,
			double interval, int w)
{
	char rates[160];
	bool known = interval > 0;

	rates_text(rates, sizeof(rates), known ? t->ops_s : -1,
		   known ? t->mib_s : -1, known ? t->cqes_s : -1, t->errors,
		   t->busy_pct, w);
	snprintf(buf, len, "Total %s  %u dev %u QP", rates, t->ndev, t->nqp);
}

static void dev_text(char *buf, size_t len, const struct dev_row *d, int w)
{
	char rates[160], comm[SAFESTR_TEXT_SIZE(sizeof(d->comm))];
	char name[SAFESTR_TEXT_SIZE(sizeof(d->name))];

	rates_text(rates, sizeof(rates), d->ops_s, d->mib_s, d->cqes_s,
		   d->errors, dev_busy(d), w);
	safestr_text(comm, sizeof(comm), d->comm, sizeof(d->comm));
	safestr_text(name, sizeof(name), w ? short_dev(d->name) : d->name,
		     sizeof(d->name));
	if (w)
		snprintf(buf, len, "%6d %-8.8s %-5.5s %s", d->pid, comm, name,
			 rates);
	else
		snprintf(buf, len, "%7d %-15s %-13s %s", d->pid, comm, name,
			 rates);
}

/* The skipped files that pass the PID filter: how many, the first. */
static unsigned int skipped_shown(const struct skip_list *l,
				  const struct opts *o,
				  const struct skipped **first)
{
	unsigned int i, n = 0;

	*first = NULL;
	for (i = 0; i < l->kept; i++) {
		if (o->pid >= 0 && l->skip[i].pid != o->pid)
			continue;
		if (!n++)
			*first = &l->skip[i];
	}
	/* those not kept cannot be filtered: counted when unfiltered */
	return o->pid >= 0 ? n : l->n;
}

/* Into SKIPPED_TEXT_SIZE bytes. */
static void skipped_text(char *buf, size_t len, const struct skipped *k)
{
	char name[SAFESTR_TEXT_SIZE(sizeof(k->name))];
	char why[SAFESTR_TEXT_SIZE(sizeof(k->why))];

	safestr_text(name, sizeof(name), k->name, sizeof(k->name));
	safestr_text(why, sizeof(why), k->why, sizeof(k->why));
	snprintf(buf, len, "%s: %s", name, why);
}

/* ---- batch output ---- */

static void print_plain(const struct snapshot *sn, const struct opts *o)
{
	const struct row **v;
	unsigned int i, n;
	struct totals t;
	char line[512], ts[16], skip[SKIPPED_TEXT_SIZE];

	totals_build(sn, o, &t);
	fmt_time(ts, sizeof(ts), &sn->wall);
	totals_text(line, sizeof(line), &t, sn->interval, 0);
	printf("nictop %s, interval %.2f s\n%s\n", ts, sn->interval, line);
	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], o))
			continue;
		dev_text(line, sizeof(line), &sn->dev[i], 0);
		printf("%s\n", line);
	}
	for (i = 0; i < sn->skipped.kept; i++) {
		if (o->pid >= 0 && sn->skipped.skip[i].pid != o->pid)
			continue;
		skipped_text(skip, sizeof(skip), &sn->skipped.skip[i]);
		printf("skipped %s\n", skip);
	}
	if (o->pid < 0 && sn->skipped.n > sn->skipped.kept)
		printf("skipped %u more stats files\n",
		       sn->skipped.n - sn->skipped.kept);
	printf("%s\n", sn->lat_status);
	table_line(line, sizeof(line), NULL, NCOLS, true);
	printf("%s\n", line);
	n = view_build(sn, o, &v);
	for (i = 0; i < n; i++) {
		table_line(line, sizeof(line), v[i], NCOLS, true);
		printf("%s\n", line);
	}
	printf("\n");
	free(v);
}

/* A string of at most n bytes (or to its NUL), escaped for JSON. */
static void json_str(const char *s, size_t n)
{
	char *buf = xcalloc(SAFESTR_JSON_SIZE(n), 1);

	safestr_json(buf, SAFESTR_JSON_SIZE(n), s, n);
	printf("\"%s\"", buf);
	free(buf);
}

/* "key": number, or null for unknown (< 0). */
static void json_num(const char *key, double v, int dec)
{
	if (v < 0 || !isfinite(v))
		printf("\"%s\": null", key);
	else
		printf("\"%s\": %.*f", key, dec, v);
}

/* The rate fields that the totals and each device share. */
static void json_rates(double ops_s, double mib_s, double cqes_s,
		       __u64 errors, double busy_pct)
{
	json_num("ops_s", ops_s, 1);
	printf(", ");
	json_num("mb_s", mib_s, 3);
	printf(", ");
	json_num("cqes_s", cqes_s, 1);
	printf(", \"errors\": %" PRIu64 ", ", (uint64_t)errors);
	json_num("engine_busy_pct", busy_pct, 2);
}

static void json_totals(const struct totals *t)
{
	printf("\"totals\": {");
	json_rates(t->ops_s, t->mib_s, t->cqes_s, t->errors, t->busy_pct);
	printf("}");
}

static void json_dev(const struct dev_row *d)
{
	printf("{\"pid\": %d, \"comm\": ", d->pid);
	json_str(d->comm, sizeof(d->comm));
	printf(", \"dev\": ");
	json_str(d->name, sizeof(d->name));
	printf(", ");
	json_rates(d->ops_s, d->mib_s, d->cqes_s, d->errors, dev_busy(d));
	printf("}");
}

static void json_row_counts(const struct row *r)
{
	printf(", \"sq_outstanding\": %u, \"rq_outstanding\": %u",
	       r->c.sq_outstanding, r->c.rq_outstanding);
	printf(", \"errors\": %" PRIu64 ", \"posts\": %" PRIu64
	       ", \"recv_posts\": %" PRIu64 ", \"completions\": %" PRIu64
	       ", \"bytes\": %" PRIu64 ", ", (uint64_t)r->c.errors,
	       (uint64_t)r->c.posts, (uint64_t)r->c.recv_posts,
	       (uint64_t)r->c.completions, (uint64_t)r->c.bytes);
}

static void json_row(const struct row *r)
{
	printf("{\"pid\": %d, \"comm\": ", r->pid);
	json_str(r->comm, sizeof(r->comm));
	printf(", \"dev\": ");
	json_str(r->dev, sizeof(r->dev));
	printf(", \"qpn\": %u, \"type\": \"%s\", \"state\": \"%s\", ",
	       r->qpn, type_name(r->type), state_name(r->state));
	json_num("ops_s", r->ops_s, 1);
	printf(", ");
	json_num("mb_s", r->mib_s, 3);
	json_row_counts(r);
	printf("\"send_cq\": %u, \"recv_cq\": %u, ", r->send_cq, r->recv_cq);
	json_num("cq_backlog", r->cqbl, 0);
	printf(", ");
	json_num("dev_p50_us", r->p50, 3);
	printf(", ");
	json_num("dev_p99_us", r->p99, 3);
	printf(", ");
	json_num("e2e_p99_us", r->e2e99, 3);
	printf("}");
}

static void json_skipped(const struct skipped *k)
{
	printf("{\"file\": ");
	json_str(k->name, sizeof(k->name));
	printf(", \"pid\": %d, \"why\": ", k->pid);
	json_str(k->why, sizeof(k->why));
	printf("}");
}

static void print_json(const struct snapshot *sn, const struct opts *o)
{
	const struct skipped *first;
	const struct row **v;
	unsigned int i, n, k = 0;
	struct totals t;

	totals_build(sn, o, &t);
	printf("{\"ts\": %" PRId64 ".%03ld, \"interval_s\": %.3f, ",
	       (int64_t)sn->wall.tv_sec, sn->wall.tv_nsec / 1000000,
	       sn->interval);
	json_totals(&t);
	printf(", \"latency\": ");
	json_str(sn->lat_status + strlen("latency: "),
		 sizeof(sn->lat_status) - strlen("latency: "));
	printf(", \"devs\": [");
	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], o))
			continue;
		printf("%s", k++ ? ", " : "");
		json_dev(&sn->dev[i]);
	}
	printf("], \"qps\": [");
	n = view_build(sn, o, &v);
	for (i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		json_row(v[i]);
	}
	printf("], \"skipped\": [");
	for (i = k = 0; i < sn->skipped.kept; i++) {
		if (o->pid >= 0 && sn->skipped.skip[i].pid != o->pid)
			continue;
		printf("%s", k++ ? ", " : "");
		json_skipped(&sn->skipped.skip[i]);
	}
	printf("], \"skipped_total\": %u}\n",
	       skipped_shown(&sn->skipped, o, &first));
	free(v);
}

/* Sleeps until the CLOCK_MONOTONIC time t, or a signal that stops us. */
static void sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = t / NSEC_PER_SEC,
		.tv_nsec = t % NSEC_PER_SEC,
	};

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL) == EINTR)
		;
}

static int run_batch(const struct opts *o)
{
	uint64_t step = secs_to_ns(o->interval), next, i;
	struct sample *prev = sample_take(o), *cur;
	struct snapshot *sn;

	next = prev->mono_ns;
	for (i = 0; !o->count || i < o->count; i++) {
		next += step;
		sleep_until(next);
		if (stop)
			break;
		cur = sample_take(o);
		sn = snapshot_build(cur, prev, o->maps);
		if (o->json)
			print_json(sn, o);
		else
			print_plain(sn, o);
		fflush(stdout);
		snapshot_free(sn);
		sample_free(prev);
		prev = cur;
		/* on a grid of intervals, unless we fell half of one behind */
		next = MAX(next, now_ns() - step / 2);
	}
	sample_free(prev);
	return ferror(stdout) ? 1 : 0;
}

/* ---- the screen ---- */

enum ui_mode { UI_TABLE, UI_HELP, UI_PROMPT };
enum ui_prompt { PR_PID, PR_QPN, PR_DELAY };

struct ui {
	struct opts *o;
	struct snapshot *shown;		/* on the screen */
	struct snapshot *latest;	/* differs from shown when paused */
	bool paused;
	bool quit;
	enum ui_mode mode;
	enum ui_prompt prompt;
	char input[INPUT_MAX + 1];
	char msg[80];			/* says why a key did nothing */
	unsigned int scroll;		/* first row shown */
	unsigned int page;		/* rows that fit */
	int title_len;			/* where the title line ends */
};

static const char *const help_lines[] = {
	"nictop: hwqnic devices and their queue pairs, live",
	"",
	"  h  ?  F1        this help; any key returns",
	"  <  >            sort by the column on the left / right",
	"  r               reverse the sort order",
	"  p               show one process only: its PID (empty: all)",
	"  q               show one QP only: its QPN (empty: all)",
	"  c               clear both filters",
	"  space           pause / resume the screen (sampling goes on)",
	"  d               set the interval, in seconds",
	"  +  -            longer / shorter interval",
	"  Up Down PgUp PgDn Home End    scroll the rows",
	"  Ctrl-L          redraw",
	"  Q  x  F10       quit (Ctrl-C too)",
	"",
	"Columns: QPN, TYPE (RC, UD), STATE, PID and COMMAND of the owner,",
	"DEV (hwqnic-DEV), OPS/s (send and receive work requests posted),",
	"MiB/s (payload the engine moved), SQ (send WQEs outstanding),",
	"RQ (receives posted, not yet used), CQBL (CQEs written, not yet",
	"polled; needs qplat), p50dev / p99dev (doorbell -> CQE) and",
	"p99e2e (post -> poll) in microseconds over the last interval, from",
	"qplat's pinned maps, and ERRORS (error CQEs since the QP was made).",
};

static const double steps[] = {
	0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600
};

/* Writes text at (y, x), cut at the screen's edge. */
static void put(int y, int x, const char *text)
{
	if (y < LINES && x < COLS)
		mvaddnstr(y, x, text, COLS - x);
}

/* Text on one line, or on two broken at a space; returns the next line. */
static int put_wrapped(int y, const char *text)
{
	int len = strlen(text), cut;

	if (len <= COLS) {
		put(y, 0, text);
		return y + 1;
	}
	for (cut = COLS; cut > 0 && text[cut] != ' '; cut--)
		;
	if (!cut)
		cut = COLS;
	mvaddnstr(y, 0, text, cut);
	put(y + 1, 2, text + cut + (text[cut] == ' '));
	return y + 2;
}

static void draw_title(struct ui *u, int y)
{
	const struct opts *o = u->o;
	char line[256], ts[16], f[64] = "";
	int n;

	fmt_time(ts, sizeof(ts), &u->shown->wall);
	if (o->pid >= 0)
		snprintf(f, sizeof(f), " pid %ld", o->pid);
	if (o->qpn >= 0)
		snprintf(f + strlen(f), sizeof(f) - strlen(f), " qpn %lld",
			 o->qpn);
	n = snprintf(line, sizeof(line), "nictop %s  every %gs%s  sort %s %s",
		     ts, o->interval, u->paused ? "  PAUSED" : "",
		     cols[o->sort].title,
		     cols[o->sort].desc != o->reverse ? "desc" : "asc");
	if (f[0])
		n += snprintf(line + n, sizeof(line) - n, "  filter%s", f);
	attron(A_BOLD);
	put(y, 0, line);
	attroff(A_BOLD);
	u->title_len = MIN(n, (int)sizeof(line) - 1);
}

/* Device lines; returns the next free line. */
static int draw_devs(struct ui *u, int y)
{
	const struct snapshot *sn = u->shown;
	unsigned int i, shown = 0, more = 0;
	char line[256];

	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], u->o))
			continue;
		if (shown++ >= MAX_DEV_LINES - 1 && sn->ndev > MAX_DEV_LINES) {
			more++;
			continue;
		}
		dev_text(line, sizeof(line), &sn->dev[i], 6);
		put(y++, 0, line);
	}
	if (more) {
		snprintf(line, sizeof(line), "        ... and %u more devices",
			 more);
		put(y++, 0, line);
	}
	return y;
}

/* One line for the stats files refused, if any: how many, the first. */
static int draw_skipped(struct ui *u, int y)
{
	const struct skipped *first;
	unsigned int n = skipped_shown(&u->shown->skipped, u->o, &first);
	char line[SKIPPED_TEXT_SIZE + 64], text[SKIPPED_TEXT_SIZE];

	if (!n)
		return y;
	if (first)
		skipped_text(text, sizeof(text), first);
	snprintf(line, sizeof(line), "skipped %u stats file%s%s%s%s", n,
		 n > 1 ? "s" : "", first ? " (" : "", first ? text : "",
		 !first ? "" : n > 1 ? ", ...)" : ")");
	put(y, 0, line);
	return y + 1;
}

static int draw_header(struct ui *u)
{
	const struct snapshot *sn = u->shown;
	struct totals t;
	char line[256], text[200];
	int y;

	draw_title(u, 0);
	totals_build(sn, u->o, &t);
	totals_text(text, sizeof(text), &t, sn->interval, 6);
	snprintf(line, sizeof(line), "  %s", text);
	put(1, 0, line);
	y = draw_devs(u, 2);
	y = draw_skipped(u, y);
	return put_wrapped(y, sn->lat_status);
}

/* How many columns fit on the screen, from the left. */
static int cols_fit(void)
{
	int c, x = 0;

	for (c = 0; c < NCOLS; c++) {
		x += cols[c].width + (c ? 1 : 0);
		if (x > COLS)
			break;
	}
	return c;
}

static void draw_col_titles(struct ui *u, int y, int ncols)
{
	char line[512], text[32];
	int c, x = 0;

	table_line(line, sizeof(line), NULL, ncols, false);
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	put(y, 0, line);
	attroff(A_REVERSE);
	for (c = 0; c < ncols; x += cols[c].width + 1, c++) {
		if (c != u->o->sort)
			continue;
		pad(text, sizeof(text), cols[c].title, c, cols[c].width);
		attron(A_BOLD | A_UNDERLINE);
		put(y, x, text);
		attroff(A_BOLD | A_UNDERLINE);
	}
}

static void draw_rows(struct ui *u, int y, int bottom)
{
	const struct row **v;
	unsigned int n, i;
	int ncols = cols_fit();
	char line[512];

	draw_col_titles(u, y++, ncols);
	n = view_build(u->shown, u->o, &v);
	u->page = bottom > y ? bottom - y : 0;
	if (u->scroll + u->page > n)
		u->scroll = n > u->page ? n - u->page : 0;
	for (i = u->scroll; i < n && y < bottom; i++, y++) {
		table_line(line, sizeof(line), v[i], ncols, false);
		put(y, 0, line);
	}
	if (!n && y < bottom)
		put(y, 0, u->shown->ndev || u->o->pid >= 0 || u->o->qpn >= 0 ?
			  "  (no QP matches)" : "  (no hwqnic devices in use)");
	if (n > u->page) {
		snprintf(line, sizeof(line), "  rows %u-%u of %u",
			 u->scroll + 1, MIN(n, u->scroll + u->page), n);
		put(0, u->title_len, line);
	}
	free(v);
}

static void prompt_text(char *buf, size_t len, const struct ui *u)
{
	const struct opts *o = u->o;

	if (u->prompt == PR_DELAY)
		snprintf(buf, len, "Interval in seconds (now %g): ",
			 o->interval);
	else if (u->prompt == PR_PID && o->pid >= 0)
		snprintf(buf, len, "PID to show (now %ld; empty: all): ",
			 o->pid);
	else if (u->prompt == PR_QPN && o->qpn >= 0)
		snprintf(buf, len, "QPN to show (now %lld; empty: all): ",
			 o->qpn);
	else
		snprintf(buf, len, "%s to show (empty: all): ",
			 u->prompt == PR_PID ? "PID" : "QPN");
}

static void draw_footer(struct ui *u)
{
	static const char keys[] = "h Help  < > Sort  r Reverse  p PID  "
				   "q QPN  Space Pause  d + - Interval  "
				   "Q Quit";
	int y = LINES - 1, x;
	char text[96];

	move(y, 0);
	clrtoeol();
	if (u->mode == UI_PROMPT) {
		prompt_text(text, sizeof(text), u);
		put(y, 0, text);
		x = MIN(COLS - 1, (int)strlen(text));
		put(y, x, u->input);
		move(y, MIN(COLS - 1, x + (int)strlen(u->input)));
		return;
	}
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	put(y, 0, u->msg[0] ? u->msg : keys);
	attroff(A_REVERSE);
}

static void draw_help(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(help_lines) && (int)i < LINES; i++)
		put(i, 0, help_lines[i]);
}

static void draw(struct ui *u)
{
	int y;

	erase();
	curs_set(u->mode == UI_PROMPT ? 1 : 0);
	if (u->mode == UI_HELP) {
		draw_help();
	} else {
		y = draw_header(u);
		draw_rows(u, y, LINES - 1);
		draw_footer(u);
	}
	refresh();
}

static void ui_show(struct ui *u, struct snapshot *sn)
{
	if (u->latest != u->shown)
		snapshot_free(u->latest);
	u->latest = sn;
	if (u->paused)
		return;
	snapshot_free(u->shown);
	u->shown = sn;
}

static void ui_pause(struct ui *u)
{
	u->paused = !u->paused;
	if (u->paused || u->shown == u->latest)
		return;
	snapshot_free(u->shown);
	u->shown = u->latest;
}

static void ui_prompt(struct ui *u, enum ui_prompt p)
{
	u->mode = UI_PROMPT;
	u->prompt = p;
	u->input[0] = '\0';
}

/* Parses a filter's value: -1 for empty, else 0 to max; -2 if bad. */
static long long parse_filter(const char *s, long long max)
{
	long long v;
	char *end;

	if (!*s)
		return -1;
	if (!isdigit((unsigned char)*s))
		return -2;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno || *end || v > max ? -2 : v;
}

static bool parse_interval(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < MIN_INTERVAL ||
	    v > MAX_INTERVAL)
		return false;
	*out = v;
	return true;
}

static void prompt_done(struct ui *u)
{
	long long v;
	double d;

	u->mode = UI_TABLE;
	if (u->prompt == PR_DELAY) {
		if (parse_interval(u->input, &d))
			u->o->interval = d;
		else
			snprintf(u->msg, sizeof(u->msg), "interval: %g to %g "
				 "seconds", MIN_INTERVAL, MAX_INTERVAL);
		return;
	}
	v = parse_filter(u->input, u->prompt == PR_PID ? INT_MAX : UINT32_MAX);
	if (v == -2) {
		snprintf(u->msg, sizeof(u->msg), "not a %s: '%s'",
			 u->prompt == PR_PID ? "PID" : "QPN", u->input);
		return;
	}
	if (u->prompt == PR_PID)
		u->o->pid = v;
	else
		u->o->qpn = v;
	u->scroll = 0;
}

static void key_prompt(struct ui *u, int ch)
{
	size_t n = strlen(u->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		prompt_done(u);
	else if (ch == ESC || ch == CTRL('g'))
		u->mode = UI_TABLE;
	else if ((ch == KEY_BACKSPACE || ch == 127 || ch == CTRL('h')) && n)
		u->input[n - 1] = '\0';
	else if (ch == CTRL('u'))
		u->input[0] = '\0';
	else if (ch > ' ' && ch < 127 && n < INPUT_MAX)
		u->input[n] = ch, u->input[n + 1] = '\0';
}

/* '+': the next longer step; '-': the next shorter. */
static void step_interval(struct opts *o, int dir)
{
	int i, n = ARRAY_SIZE(steps);

	if (dir > 0) {
		for (i = 0; i < n && steps[i] <= o->interval + 1e-9; i++)
			;
		o->interval = steps[MIN(i, n - 1)];
		return;
	}
	for (i = n - 1; i >= 0 && steps[i] >= o->interval - 1e-9; i--)
		;
	o->interval = steps[MAX(i, 0)];
}

static void set_sort(struct opts *o, int col)
{
	o->sort = (col + NCOLS) % NCOLS;
	o->reverse = false;
}

static void key_scroll(struct ui *u, int ch)
{
	unsigned int page = MAX(u->page, 1);

	switch (ch) {
	case KEY_UP:
		u->scroll -= u->scroll > 0;
		break;
	case KEY_DOWN:
		u->scroll++;
		break;
	case KEY_PPAGE:
		u->scroll -= MIN(u->scroll, page);
		break;
	case KEY_NPAGE:
		u->scroll += page;
		break;
	case KEY_HOME:
		u->scroll = 0;
		break;
	case KEY_END:
		u->scroll = UINT_MAX / 2;
		break;
	}
}

static void key_table(struct ui *u, int ch)
{
	struct opts *o = u->o;

	switch (ch) {
	case 'Q': case 'x': case KEY_F(10):
		u->quit = true;
		break;
	case 'h': case '?': case KEY_F(1):
		u->mode = UI_HELP;
		break;
	case '<': case ',':
		set_sort(o, o->sort - 1);
		break;
	case '>': case '.':
		set_sort(o, o->sort + 1);
		break;
	case 'r': case 'I':
		o->reverse = !o->reverse;
		break;
	case 'p':
		ui_prompt(u, PR_PID);
		break;
	case 'q':
		ui_prompt(u, PR_QPN);
		break;
	case 'c':
		o->pid = -1;
		o->qpn = -1;
		break;
	case ' ': case 'z':
		ui_pause(u);
		break;
	case 'd':
		ui_prompt(u, PR_DELAY);
		break;
	case '+': case '=':
		step_interval(o, 1);
		break;
	case '-': case '_':
		step_interval(o, -1);
		break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		break;
	default:
		key_scroll(u, ch);
	}
}

static void ui_key(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return;
	u->msg[0] = '\0';
	if (u->mode == UI_HELP)
		u->mode = UI_TABLE;
	else if (u->mode == UI_PROMPT)
		key_prompt(u, ch);
	else
		key_table(u, ch);
}

static void tui_start(void)
{
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		fail("the screen needs a terminal (use -b for batch output)");
	setlocale(LC_ALL, "");
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		fail("cannot use terminal type '%s' (use -b for batch output)",
		     getenv("TERM") ? getenv("TERM") : "");
	curses_on = true;
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
}

static void tui_stop(struct ui *u)
{
	endwin();
	curses_on = false;
	if (u->latest != u->shown)
		snapshot_free(u->latest);
	snapshot_free(u->shown);
}

/* Milliseconds until the CLOCK_MONOTONIC time t. */
static int ms_until(uint64_t t)
{
	uint64_t now = now_ns();

	if (t <= now)
		return 0;
	return (int)MIN((t - now + 999999) / 1000000, 1000);
}

/* Takes the next sample when its time has come; true if it did. */
static bool tui_tick(struct ui *u, struct sample **prev, uint64_t *next)
{
	struct sample *cur;

	if (now_ns() < *next)
		return false;
	cur = sample_take(u->o);
	ui_show(u, snapshot_build(cur, *prev, u->o->maps));
	sample_free(*prev);
	*prev = cur;
	*next = cur->mono_ns + secs_to_ns(u->o->interval);
	return true;
}

static int run_tui(struct opts *o)
{
	struct ui u = { .o = o };
	struct sample *prev;
	uint64_t next, updates = 0;
	int ch;

	tui_start();
	prev = sample_take(o);
	ui_show(&u, snapshot_build(prev, NULL, o->maps));
	next = prev->mono_ns + secs_to_ns(o->interval);
	draw(&u);
	while (!stop && !u.quit && (!o->count || updates < o->count)) {
		timeout(ms_until(next));
		ch = getch();
		if (ch != ERR) {
			ui_key(&u, ch);
			/* a shorter interval counts from now */
			next = MIN(next, now_ns() + secs_to_ns(o->interval));
		}
		if (tui_tick(&u, &prev, &next))
			updates++;
		else if (ch == ERR)
			continue;
		draw(&u);
	}
	tui_stop(&u);
	sample_free(prev);
	return 0;
}

/* ---- options ---- */

static const char usage_text[] =
	"Usage: nictop [-d SECS] [-n COUNT] [-p PID] [-Q QPN] [--maps DIR]\n"
	"              [-s COLUMN] [-r] [-b [--json]]\n"
	"       nictop -h | --help | --version\n"
	"\n"
	"A live monitor of the hwqnic devices in use on this machine and of\n"
	"their queue pairs: rates from the counters each process publishes\n"
	"in /dev/shm, latencies from the maps that qplat --pin leaves.\n"
	"\n"
	"  -d, --delay SECS     update interval, 0.1 to 3600 (default 1)\n"
	"  -n, --iterations N   exit after N updates\n"
	"  -p, --pid PID        only this process's devices and QPs\n"
	"  -Q, --qpn QPN        only QPs with this number\n"
	"      --maps DIR       qplat's pinned maps (default " DEF_MAPS ")\n"
	"  -s, --sort COLUMN    sort by qpn, type, state, pid, comm, dev,\n"
	"                       ops, mib, sq, rq, cqbl, dev_p50, dev_p99,\n"
	"                       e2e_p99 or errors (default ops; pid with -b)\n"
	"  -r, --reverse        reverse the sort order\n"
	"  -b, --batch          print a snapshot per interval, no screen\n"
	"      --json           one JSON object per snapshot (implies -b)\n"
	"  -h, --help           print this help\n"
	"      --version        print the version\n"
	"\n"
	"Keys on the screen: h help, < > sort column, r reverse, p PID\n"
	"filter, q QPN filter, space pause, d + - interval, Q or F10 quit.\n";

enum { OPT_MAPS = 256, OPT_JSON, OPT_VERSION };

static const struct option long_opts[] = {
	{ "delay",	required_argument,	NULL, 'd' },
	{ "iterations",	required_argument,	NULL, 'n' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "qpn",	required_argument,	NULL, 'Q' },
	{ "maps",	required_argument,	NULL, OPT_MAPS },
	{ "sort",	required_argument,	NULL, 's' },
	{ "reverse",	no_argument,		NULL, 'r' },
	{ "batch",	no_argument,		NULL, 'b' },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

static void __attribute__((noreturn)) bad_option(char **argv, int c)
{
	char msg[256];

	bad_usage("%s%s", cli_option_error(argv, c, msg, sizeof(msg)),
		  c == ':' ? "" : " (see nictop --help)");
}

static long long parse_num(const char *what, const char *s, long long lo,
			   long long hi)
{
	long long v = parse_filter(s, hi);

	if (v < lo)
		bad_usage("bad %s '%s' (%lld to %lld)", what, s, lo, hi);
	return v;
}

static int parse_sort(const char *s)
{
	int c;

	for (c = 0; c < NCOLS; c++)
		if (!strcmp(s, cols[c].name))
			return c;
	bad_usage("unknown sort column '%s' (see nictop --help)", s);
}

static void parse_one(struct opts *o, int c, char **argv)
{
	switch (c) {
	case 'd':
		if (!parse_interval(optarg, &o->interval))
			bad_usage("bad interval '%s' (%g to %g seconds)",
				  optarg, MIN_INTERVAL, MAX_INTERVAL);
		break;
	case 'n':
		o->count = parse_num("count", optarg, 1, MAX_COUNT);
		break;
	case 'p':
		o->pid = parse_num("PID", optarg, 1, INT_MAX);
		break;
	case 'Q':
		o->qpn = parse_num("QPN", optarg, 0, UINT32_MAX);
		break;
	case OPT_MAPS:
		if (!*optarg || strlen(optarg) >= MAPS_MAX)
			bad_usage("bad --maps directory (1 to %d bytes)",
				  MAPS_MAX - 1);
		o->maps = optarg;
		break;
	case 's':
		o->sort = parse_sort(optarg);
		break;
	case 'r':
		o->reverse = true;
		break;
	case 'b':
		o->batch = true;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case 'h':
		fputs(usage_text, stdout);
		exit(0);
	case OPT_VERSION:
		printf("nictop %s (hwqnic stats version %d)\n", NICTOP_VERSION,
		       HWQNIC_STATS_VERSION);
		exit(0);
	default:
		bad_option(argv, c);
	}
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = DEF_INTERVAL;
	o->pid = -1;
	o->qpn = -1;
	o->maps = DEF_MAPS;
	o->sort = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:n:p:Q:s:rbh", long_opts,
				NULL)) != -1)
		parse_one(o, c, argv);
	if (optind < argc)
		bad_usage("unexpected argument '%s' (see nictop --help)",
			  argv[optind]);
	if (o->json)
		o->batch = true;
	if (o->sort < 0)
		o->sort = o->batch ? C_PID : C_OPS;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	unsigned int i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	struct opts o;

	parse_args(argc, argv, &o);
	catch_signals();
	if (o.batch)
		return run_batch(&o);
	return run_tui(&o);
}
