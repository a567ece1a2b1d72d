// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's output: the maps read each interval (the histograms as what
 * they gained since the last reading), then printed as a summary table
 * (one row per QP, opcode and latency), biolatency-style histograms
 * (-H), or one JSON object; the histograms are also summed over the run
 * for --svg.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <hwqnic/verbs.h>

#include "qplat_priv.h"
#include "qplat.skel.h"
#include "lib/bpfmap.h"
#include "lib/hist.h"
#include "lib/json.h"
#include "lib/msg.h"

#define STARS		40
#define OP_LEN		16

const char *qplat_op_name(__u32 op, char *buf, size_t len)
{
	const char *name = hwqnic_wc_opcode_str(op);

	if (strcmp(name, "?"))
		return name;
	snprintf(buf, len, "op%u", op);
	return buf;
}

const char *qplat_lat_name(__u32 lat)
{
	return lat < QPLAT_LAT_MAX ? qplat_lat_names[lat] : "?";
}

const char *qplat_dev_name(const struct qplat_env *env, __u32 dev,
			   char *buf, size_t len)
{
	/* hwqnic's default names; a context of /dev/hwqnic0 has none */
	if (!env->kernel)
		snprintf(buf, len, "hwqnic-emb%u", dev);
	else if (!env->pid && !env->binary)
		snprintf(buf, len, "hwqnic%u", dev);
	else
		return NULL;
	return buf;
}

double qplat_quantile_ns(const struct hist_entry *e, double p)
{
	return hist_quantile_in_ns(e->val.buckets, QPLAT_BUCKETS, p,
				   e->val.min_ns, e->val.max_ns);
}

bool qplat_exited(__u32 pid)
{
	/* beyond any pid_max: no process of ours, never deleted */
	if (pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

int qplat_read(const struct qplat_env *env, struct qplat_bpf *skel,
	       struct hist_entry **h, long *nh, struct hist_ctr_entry **c,
	       long *nc)
{
	bool was_full = env->base->full;
	int ret;

	ret = hist_read(bpf_map__fd(skel->maps.hists),
			bpf_map__fd(skel->maps.counters), env->base, h, nh, c,
			nc);
	/* new QPs and opcodes find no room until a traced process exits */
	if (!ret && env->base->full && !was_full)
		msg_warn("hists is full (%u entries): QPs and opcodes not seen "
			 "yet are not traced until a traced process exits",
			 QPLAT_HISTS);
	return ret;
}

/*
 * A sampled histogram made an estimate of the whole: each count times the
 * period its samples were taken at (the least and greatest stay).
 */
void qplat_hist_scale(struct hist_entry *e, __u64 n)
{
	unsigned int k;

	for (k = 0; k < QPLAT_BUCKETS; k++)
		e->val.buckets[k] *= n;
	e->val.count *= n;
	e->val.sum_ns *= n;
}

/* Mean of a histogram, in ns: exact, from sum_ns; 0 without samples. */
static double mean_ns(const struct hist_entry *e)
{
	double m = hist_mean_ns(e->val.sum_ns, e->val.count);

	return m < 0 ? 0 : m;
}

static bool have_range(const struct hist_entry *e)
{
	return e->val.min_ns <= e->val.max_ns;
}

/* A count in `width` characters: 12345678, else 123.4M (powers of 1000). */
static char *fmt_count(char *buf, size_t len, unsigned long long v,
		       int width)
{
	static const char sfx[] = "kMGTPE";
	double d = (double)v;
	int i = -1;

	if (snprintf(buf, len, "%llu", v) <= width)
		return buf;
	while (d >= 999.95 && i < (int)sizeof(sfx) - 2) {
		d /= 1000;
		i++;
	}
	snprintf(buf, len, "%.*f%c", d < 99.95 ? 1 : 0, d, sfx[i]);
	return buf;
}

/* Histograms sampled, counters from the stats files: not -c 1's exact. */
static bool sampled(const struct qplat_env *env)
{
	return env->smp && env->period != 1;
}

static double unit_ns(const struct qplat_env *env)
{
	return env->msecs ? 1e6 : 0;
}

/* One row per QP, opcode and latency: 77 columns (p99.9 >= 1000 s aside). */
static void print_summary(const struct qplat_env *env,
			  const struct hist_entry *h, long n)
{
	char f[6][HIST_FMT_LEN], op[OP_LEN];
	double u = unit_ns(env);
	long i;

	printf("%-7s %3s %5s %-8s %-6s %7s %6s %6s %6s %6s %6s\n", "PID",
	       "DEV", "QPN", "OP", "LAT", "COUNT", "AVG", "P50", "P99",
	       "P99.9", "MAX");
	for (i = 0; i < n; i++) {
		const struct hist_entry *e = &h[i];

		fmt_count(f[0], sizeof(f[0]), e->val.count, 7);
		hist_fmt_ns(f[1], sizeof(f[1]), mean_ns(e), u);
		hist_fmt_ns(f[2], sizeof(f[2]), qplat_quantile_ns(e, 0.5), u);
		hist_fmt_ns(f[3], sizeof(f[3]), qplat_quantile_ns(e, 0.99), u);
		hist_fmt_ns(f[4], sizeof(f[4]), qplat_quantile_ns(e, 0.999),
			    u);
		if (have_range(e))
			hist_fmt_ns(f[5], sizeof(f[5]), e->val.max_ns, u);
		else
			snprintf(f[5], sizeof(f[5]), "-");
		printf("%-7u %3u %5u %-8s %-6s %7s %6s %6s %6s %6s %6s\n",
		       e->key.pid, e->key.dev, e->key.qpn,
		       qplat_op_name(e->key.op, op, sizeof(op)),
		       qplat_lat_name(e->key.lat), f[0], f[1], f[2], f[3],
		       f[4], f[5]);
	}
	printf("\n");
}

static void print_stars(__u64 val, __u64 max)
{
	int n = max ? (int)(val * STARS / max) : 0, i;

	for (i = 0; i < STARS; i++)
		putchar(i < n ? '*' : ' ');
}

/* -H: one histogram, its buckets labelled in whole units (77 columns). */
static void print_hist_text(const struct qplat_env *env,
			    const struct hist_entry *e)
{
	struct row {
		unsigned long long lo, hi;
		const char *unit;
		__u64 count;
	} rows[QPLAT_SLOTS];
	int k, first = -1, last = -1, nr = 0, r;
	unsigned long long lo, hi;
	__u64 slots[QPLAT_SLOTS];
	const char *unit;
	__u64 max = 0;
	char buf[OP_LEN];

	hist_fold_log2(e->val.buckets, QPLAT_BUCKETS, slots);
	hist_span(slots, QPLAT_SLOTS, &first, &last, &max);
	/* buckets whose labels start alike (all below 1 ms with -m) merge */
	for (k = first; k >= 0 && k <= last; k++) {
		unit = hist_label(hist_slot_lo_ns(k), hist_slot_hi_ns(k) - 1,
				  unit_ns(env), &lo, &hi);
		if (nr && rows[nr - 1].lo == lo && rows[nr - 1].unit == unit) {
			rows[nr - 1].hi = hi;
			rows[nr - 1].count += slots[k];
			continue;
		}
		rows[nr++] = (struct row){ lo, hi, unit, slots[k] };
	}
	for (max = 0, r = 0; r < nr; r++)
		if (rows[r].count > max)
			max = rows[r].count;
	printf("pid %u dev %u qpn %u %s %s, count %llu\n", e->key.pid,
	       e->key.dev, e->key.qpn,
	       qplat_op_name(e->key.op, buf, sizeof(buf)),
	       qplat_lat_name(e->key.lat), (unsigned long long)e->val.count);
	printf("%13s%-10s : count    distribution\n", "", "latency");
	for (r = 0; r < nr; r++) {
		printf("%8llu -> %-8llu %-2s : %-8llu |", rows[r].lo,
		       rows[r].hi, rows[r].unit,
		       (unsigned long long)rows[r].count);
		print_stars(rows[r].count, max);
		printf("|\n");
	}
	printf("\n");
}

/*
 * The counters, 79 columns: wide values as 12.3M. The completion event
 * counts completions polled (POLLS), their errors and bytes; WQEs, CQEs
 * written, doorbells and empty polls only the five events see ("-"
 * without them). Sampling, they come from the stats files, exact: WQEs,
 * CQEs, errors, bytes moved and doorbells, no polls.
 */
static void print_counters_text(const struct qplat_env *env,
				const struct hist_ctr_entry *c, long n)
{
	char f[7][HIST_FMT_LEN];
	long i;

	if (!n)
		return;
	printf("%-7s %3s %5s %8s %8s %6s %8s %9s %8s %8s\n", "PID", "DEV",
	       "QPN", "WQES", "CQES", "ERRORS", "BYTES", "DOORBELLS", "POLLS",
	       "EMPTY");
	for (i = 0; i < n; i++) {
		const struct qplat_counters *v = &c[i].val;

		fmt_count(f[0], sizeof(f[0]), v->wqes, 8);
		fmt_count(f[1], sizeof(f[1]), v->cqes, 8);
		fmt_count(f[2], sizeof(f[2]), v->err_cqes, 6);
		fmt_count(f[3], sizeof(f[3]), v->bytes, 8);
		fmt_count(f[4], sizeof(f[4]), v->doorbells, 9);
		fmt_count(f[5], sizeof(f[5]), v->polls, 8);
		fmt_count(f[6], sizeof(f[6]), v->empty_polls, 8);
		if (sampled(env)) {
			snprintf(f[5], sizeof(f[5]), "-");
			snprintf(f[6], sizeof(f[6]), "-");
		} else if (!env->five) {
			snprintf(f[0], sizeof(f[0]), "-");
			snprintf(f[1], sizeof(f[1]), "-");
			snprintf(f[4], sizeof(f[4]), "-");
			snprintf(f[6], sizeof(f[6]), "-");
		}
		printf("%-7u %3u %5u %8s %8s %6s %8s %9s %8s %8s\n",
		       c[i].key.pid, c[i].key.dev, c[i].key.qpn, f[0], f[1],
		       f[2], f[3], f[4], f[5], f[6]);
	}
	printf("\n");
}

static void json_dev(struct json *j, const struct qplat_env *env, __u32 dev)
{
	char name[32];

	if (qplat_dev_name(env, dev, name, sizeof(name)))
		json_str(j, "dev", name, sizeof(name));
	else
		json_null(j, "dev");
	json_uint(j, "dev_index", dev);
}

static void json_latency(struct json *j, const char *key, double ns)
{
	json_measured(j, key, ns / 1e3, 3);
}

/*
 * How the buckets of every histogram of the document are laid out
 * (bpf/qplat.h): a reader can map a latency to its bucket without the
 * bounds each bucket also carries.
 */
static void json_hist_layout(struct json *j)
{
	json_object(j, "hist_layout");
	json_uint(j, "layout_version", HIST_LAYOUT_VERSION);
	json_uint(j, "sub_bucket_bits", QPLAT_SUB_BITS);
	json_uint(j, "sub_buckets", QPLAT_SUB);
	json_uint(j, "bucket_count", QPLAT_BUCKETS);
	json_uint(j, "exact_below_ns", 2 * QPLAT_SUB);
	json_uint(j, "last_lo_ns", (__u64)hist_bucket_lo_ns(QPLAT_BUCKETS - 1));
	json_double(j, "max_error_pct", HIST_MAX_REL_ERR * 100, 3);
	json_close(j);
}

static void print_json_hist(struct json *j, const struct qplat_env *env,
			    const struct hist_entry *e)
{
	bool range = have_range(e);
	__u64 slots[QPLAT_SLOTS];
	char buf[OP_LEN];
	int k;

	json_object(j, NULL);
	json_uint(j, "pid", e->key.pid);
	json_dev(j, env, e->key.dev);
	json_uint(j, "qpn", e->key.qpn);
	json_str(j, "op", qplat_op_name(e->key.op, buf, sizeof(buf)),
		 sizeof(buf));
	json_str(j, "latency", qplat_lat_name(e->key.lat), 16);
	json_uint(j, "count", e->val.count);
	json_latency(j, "min_us", range ? (double)e->val.min_ns : -1);
	json_latency(j, "avg_us", mean_ns(e));
	json_latency(j, "p50_us", qplat_quantile_ns(e, 0.5));
	json_latency(j, "p99_us", qplat_quantile_ns(e, 0.99));
	json_latency(j, "p99_9_us", qplat_quantile_ns(e, 0.999));
	json_latency(j, "max_us", range ? (double)e->val.max_ns : -1);
	/* the log2 view, as before the buckets */
	hist_fold_log2(e->val.buckets, QPLAT_BUCKETS, slots);
	json_array(j, "hist");
	for (k = 0; k < QPLAT_SLOTS; k++) {
		if (!slots[k])
			continue;
		json_object(j, NULL);
		json_double(j, "lo_us", hist_slot_lo_ns(k) / 1e3, 3);
		json_double(j, "hi_us", hist_slot_hi_ns(k) / 1e3, 3);
		json_uint(j, "count", slots[k]);
		json_close(j);
	}
	json_close(j);
	/* the buckets the quantiles come from (hist_layout) */
	json_array(j, "buckets");
	for (k = 0; k < (int)QPLAT_BUCKETS; k++) {
		if (!e->val.buckets[k])
			continue;
		json_object(j, NULL);
		json_uint(j, "bucket", (unsigned int)k);
		json_uint(j, "lo_ns", (__u64)hist_bucket_lo_ns(k));
		json_uint(j, "hi_ns", (__u64)hist_bucket_hi_ns(k));
		json_uint(j, "count", e->val.buckets[k]);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

/*
 * A counter, or null when the mode's events do not count it (sampling:
 * the stats files count all but polls).
 */
static void json_count(struct json *j, const struct qplat_env *env,
		       const char *key, __u64 v, bool counted_by_complete)
{
	if (sampled(env) ? strcmp(key, "polls") && strcmp(key, "empty_polls") :
	    env->five || counted_by_complete)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

/*
 * "sampling": whether the histograms are sampled, as asked (-c N or -F HZ)
 * and the periods in force per process over the interval (the counts
 * are scaled by them).
 */
static void json_sampling(struct json *j, const struct qplat_env *env)
{
	size_t i;

	json_object(j, "sampling");
	json_bool(j, "sampled", sampled(env));
	if (env->period)
		json_uint(j, "period", env->period);
	else
		json_null(j, "period");
	if (env->hz)
		json_uint(j, "hz", env->hz);
	else
		json_null(j, "hz");
	json_array(j, "processes");
	for (i = 0; env->smp && i < env->smp->n; i++) {
		const struct qplat_proc *p = &env->smp->p[i];

		if (!p->hi)
			continue;
		json_object(j, NULL);
		json_uint(j, "pid", p->pid);
		json_uint(j, "period_min", p->lo);
		json_uint(j, "period_max", p->hi);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

/*
 * Text: a line saying the histograms are sampled, then a line for each
 * process with the periods its counts were scaled by.
 */
static void print_sampling(const struct qplat_env *env)
{
	size_t i;

	if (!sampled(env))
		return;
	if (env->hz)
		printf("Sampled, counts scaled: about %u completions/s per "
		       "process\n", env->hz);
	else
		printf("Sampled, counts scaled: 1 completion in %u\n",
		       env->period);
	for (i = 0; i < env->smp->n; i++) {
		const struct qplat_proc *p = &env->smp->p[i];

		if (!p->hi)
			continue;
		if (p->lo == p->hi)
			printf("  pid %d: 1 in %u\n", p->pid, p->hi);
		else
			printf("  pid %d: 1 in %u to 1 in %u\n", p->pid,
			       p->lo, p->hi);
	}
}

static void print_json(const struct qplat_env *env,
		       const struct hist_entry *h, long nh,
		       const struct hist_ctr_entry *c, long nc,
		       double interval_s)
{
	struct timespec now;
	struct json j;
	long i;

	clock_gettime(CLOCK_REALTIME, &now);
	json_init(&j, stdout);
	json_head(&j, "qplat");
	json_time(&j, "ts", &now);
	json_double(&j, "interval_s", interval_s, 6);
	json_str(&j, "events", env->five ? "five" : "complete", 16);
	json_hist_layout(&j);
	json_sampling(&j, env);
	json_array(&j, "qps");
	for (i = 0; i < nh; i++)
		print_json_hist(&j, env, &h[i]);
	json_close(&j);
	json_array(&j, "counters");
	for (i = 0; i < nc; i++) {
		const struct qplat_counters *v = &c[i].val;

		json_object(&j, NULL);
		json_uint(&j, "pid", c[i].key.pid);
		json_dev(&j, env, c[i].key.dev);
		json_uint(&j, "qpn", c[i].key.qpn);
		json_count(&j, env, "wqes", v->wqes, false);
		json_count(&j, env, "cqes", v->cqes, false);
		json_count(&j, env, "errors", v->err_cqes, true);
		json_count(&j, env, "bytes", v->bytes, true);
		json_count(&j, env, "doorbells", v->doorbells, false);
		json_count(&j, env, "polls", v->polls, true);
		json_count(&j, env, "empty_polls", v->empty_polls, false);
		json_close(&j);
	}
	json_close(&j);
	json_close(&j);
}

/* Histograms added to others (the run's for --svg, a tick's to its interval's). */
int qplat_acc_add(struct qplat_acc *acc, const struct hist_entry *h, long n)
{
	struct hist_entry *a, *e;
	long i, added = 0;
	int k;

	a = realloc(acc->e, (size_t)(acc->n + n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	acc->e = a;
	for (i = 0; i < n; i++) {
		e = bsearch(&h[i].key, a, (size_t)acc->n, sizeof(*a),
			    hist_key_cmp);
		if (!e) {
			a[acc->n + added++] = h[i];
			continue;
		}
		for (k = 0; k < (int)QPLAT_BUCKETS; k++)
			e->val.buckets[k] += h[i].val.buckets[k];
		e->val.count += h[i].val.count;
		e->val.sum_ns += h[i].val.sum_ns;
		if (h[i].val.min_ns < e->val.min_ns)
			e->val.min_ns = h[i].val.min_ns;
		if (h[i].val.max_ns > e->val.max_ns)
			e->val.max_ns = h[i].val.max_ns;
	}
	acc->n += added;
	qsort(a, (size_t)acc->n, sizeof(*a), hist_key_cmp);
	return 0;
}

int qplat_report(const struct qplat_env *env, struct qplat_bpf *skel,
		 double interval_s, bool last)
{
	struct hist_entry *h = NULL;
	struct hist_ctr_entry *c = NULL;
	long nh, nc = 0, i;
	int ret = 0;

	/* the maps stay as they are for --pin, the exited's entries too */
	if (last)
		env->base->exited = NULL;
	if (env->smp) {
		/*
		 * the interval's histograms, scaled tick by tick; exact, the
		 * probes' counters of the same reading
		 */
		ret = qplat_sample_tick(env, skel, true,
					sampled(env) ? NULL : &c, &nc);
		if (ret) {
			msg_warn("cannot read the histograms: %s",
				 strerror(-ret));
			free(c);	/* read before a later step failed */
			return -1;
		}
		h = env->smp->pend.e;
		nh = env->smp->pend.n;
		if (sampled(env)) {
			c = env->smp->ctr;
			nc = env->smp->nctr;
		}
	} else {
		ret = qplat_read(env, skel, &h, &nh, &c, &nc);
	}
	if (ret) {
		msg_warn("cannot read the maps: %s", strerror(-ret));
		return -1;
	}
	if (env->json) {
		print_json(env, h, nh, c, nc, interval_s);
	} else {
		if (env->timestamp) {
			char ts[32];
			time_t t = time(NULL);

			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
			printf("%-8s\n", ts);
		}
		print_sampling(env);
		if (nh)
			print_summary(env, h, nh);
		for (i = 0; env->histograms && i < nh; i++)
			print_hist_text(env, &h[i]);
		if (!nh && !nc)
			printf("no hwqnic work requests traced\n\n");
		print_counters_text(env, c, nc);
	}
	fflush(stdout);
	if (env->svg && qplat_acc_add(env->acc, h, nh)) {
		msg_warn("--svg: %s", strerror(ENOMEM));
		ret = -1;
	}
	if (!ret && env->svg && last)
		ret = qplat_svg(env, env->acc->e, env->acc->n);
	if (env->smp) {
		qplat_sample_printed(env);
	} else {
		free(h);
	}
	if (!sampled(env))
		free(c);
	return ret;
}
