// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's output: the maps read (and the histograms cleared) each
 * interval, then printed as biolatency-style text or one JSON object.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <hwqnic/verbs.h>

#include "qplat.skel.h"
#include "qplat_priv.h"
#include "lib/bpfmap.h"
#include "lib/hist.h"
#include "lib/json.h"
#include "lib/msg.h"

#define STARS		40

/* An opcode's name as -o takes it, or opN. */
static const char *op_name(__u32 op, char *buf, size_t len)
{
	const char *name = hwqnic_wc_opcode_str(op);

	if (strcmp(name, "?"))
		return name;
	snprintf(buf, len, "op%u", op);
	return buf;
}

static const char *lat_name(__u32 lat)
{
	return lat < QPLAT_LAT_MAX ? qplat_lat_names[lat] : "?";
}


/* The histograms with samples, sorted; deleted from the map if `clear`. */
static long read_hists(int fd, bool clear, struct hist_entry **out)
{
	struct hist_entry *ents;
	long n, i, m = 0;

	n = bpfmap_read(fd, &hist_layout, clear, (void **)&ents);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (hist_count(ents[i].val.slots, QPLAT_SLOTS))
			ents[m++] = ents[i];
	*out = ents;
	return m;
}

/* The p-quantile in ns (the histogram is never empty here). */
static double quantile_ns(const struct hist_entry *e, double p)
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
static double mean_ns(const struct hist_entry *e)
{
	double m = hist_mean_ns(e->val.sum_ns, e->val.count);

	return m < 0 ? 0 : m;
}

static void print_hist_text(const struct qplat_env *env,
			    const struct hist_entry *e)
{
	double div = env->msecs ? 1e6 : 1e3;
	const char *unit = env->msecs ? "ms" : "us";
	int k, first = -1, last = -1, prec = env->msecs ? 6 : 3;
	__u64 max = 0;
	char buf[16];

	hist_span(e->val.slots, QPLAT_SLOTS, &first, &last, &max);
	printf("pid %u dev %u qpn %u %s %s: count %llu  avg %.*f %s  "
	       "p50 %.*f %s  p99 %.*f %s  p99.9 %.*f %s\n",
	       e->key.pid, e->key.dev, e->key.qpn,
	       op_name(e->key.op, buf, sizeof(buf)), lat_name(e->key.lat),
	       (unsigned long long)hist_count(e->val.slots, QPLAT_SLOTS),
	       prec - 1, mean_ns(e) / div, unit,
	       prec - 1, quantile_ns(e, 0.5) / div, unit,
	       prec - 1, quantile_ns(e, 0.99) / div, unit,
	       prec - 1, quantile_ns(e, 0.999) / div, unit);
	printf("%6s%-20s : count    distribution\n", "",
	       env->msecs ? "msecs" : "usecs");
	for (k = first; k >= 0 && k <= last; k++) {
		printf("%11.*f -> %-11.*f : %-8llu |", prec,
		       hist_slot_lo_ns(k) / div, prec,
		       (hist_slot_hi_ns(k) - 1) / div,
		       (unsigned long long)e->val.slots[k]);
		print_stars(e->val.slots[k], max);
		printf("|\n");
	}
	printf("\n");
}

static void print_counters_text(const struct hist_ctr_entry *c, long n)
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

static void print_json(const struct hist_entry *h, long nh,
		       const struct hist_ctr_entry *c, long nc,
		       double interval_s)
{
	struct timespec now;
	struct json j;
	char buf[16];
	long i;
	int k;

	clock_gettime(CLOCK_REALTIME, &now);
	json_init(&j, stdout);
	json_object(&j, NULL);
	json_double(&j, "ts", now.tv_sec + now.tv_nsec / 1000 / 1e6, 6);
	json_double(&j, "interval_s", interval_s, 6);
	json_array(&j, "qps");
	for (i = 0; i < nh; i++) {
		const struct hist_entry *e = &h[i];

		json_object(&j, NULL);
		json_uint(&j, "pid", e->key.pid);
		json_uint(&j, "dev", e->key.dev);
		json_uint(&j, "qpn", e->key.qpn);
		json_str(&j, "op", op_name(e->key.op, buf, sizeof(buf)),
			 sizeof(buf));
		json_str(&j, "latency", lat_name(e->key.lat), 16);
		json_uint(&j, "count", hist_count(e->val.slots, QPLAT_SLOTS));
		json_double(&j, "avg_us", mean_ns(e) / 1e3, 3);
		json_double(&j, "p50_us", quantile_ns(e, 0.5) / 1e3, 3);
		json_double(&j, "p99_us", quantile_ns(e, 0.99) / 1e3, 3);
		json_double(&j, "p99_9_us", quantile_ns(e, 0.999) / 1e3, 3);
		json_array(&j, "hist");
		for (k = 0; k < QPLAT_SLOTS; k++) {
			if (!e->val.slots[k])
				continue;
			json_object(&j, NULL);
			json_double(&j, "lo_us", hist_slot_lo_ns(k) / 1e3, 3);
			json_double(&j, "hi_us", hist_slot_hi_ns(k) / 1e3, 3);
			json_uint(&j, "count", e->val.slots[k]);
			json_close(&j);
		}
		json_close(&j);
		json_close(&j);
	}
	json_close(&j);
	json_array(&j, "counters");
	for (i = 0; i < nc; i++) {
		json_object(&j, NULL);
		json_uint(&j, "pid", c[i].key.pid);
		json_uint(&j, "dev", c[i].key.dev);
		json_uint(&j, "qpn", c[i].key.qpn);
		json_uint(&j, "wqes", c[i].val.wqes);
		json_uint(&j, "cqes", c[i].val.cqes);
		json_uint(&j, "err_cqes", c[i].val.err_cqes);
		json_uint(&j, "bytes", c[i].val.bytes);
		json_uint(&j, "doorbells", c[i].val.doorbells);
		json_uint(&j, "polls", c[i].val.polls);
		json_uint(&j, "empty_polls", c[i].val.empty_polls);
		json_close(&j);
	}
	json_close(&j);
	json_close(&j);
}

int qplat_report(const struct qplat_env *env, struct qplat_bpf *skel,
		 double interval_s, bool last)
{
	struct hist_entry *h = NULL;
	struct hist_ctr_entry *c = NULL;
	long nh, nc, i;

	nh = read_hists(bpf_map__fd(skel->maps.hists), !last, &h);
	if (nh < 0) {
		msg_warn("cannot read the histograms: %s", strerror(-nh));
		return -1;
	}
	nc = bpfmap_read(bpf_map__fd(skel->maps.counters), &hist_ctr_layout,
			 false, (void **)&c);
	if (nc < 0) {
		msg_warn("cannot read the counters: %s", strerror(-nc));
		free(h);
		return -1;
	}
	if (env->json) {
		print_json(h, nh, c, nc, interval_s);
	} else {
		if (env->timestamp) {
			char ts[32];
			time_t t = time(NULL);

			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
			printf("%-8s\n", ts);
		}
		for (i = 0; i < nh; i++)
			print_hist_text(env, &h[i]);
		if (!nh && !nc)
			printf("no hwqnic work requests traced\n\n");
		print_counters_text(c, nc);
	}
	fflush(stdout);
	free(h);
	free(c);
	return 0;
}
