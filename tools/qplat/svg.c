// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --svg FILE: the run's latencies as a picture a browser shows, written
 * as SVG text with nothing external: one cumulative distribution (CDF)
 * per process, device, QP, opcode and latency, on a log time axis.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qplat_priv.h"
#include "lib/hist.h"
#include "lib/msg.h"

#define W		800	/* the plot's frame */
#define H		400
#define LEFT		70
#define TOP		40
#define PW		(W - LEFT - 30)
#define PH		(H - TOP - 50)
#define LEGEND_ROW	18

static const char *const colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

#define NCOLOURS	(sizeof(colours) / sizeof(colours[0]))

int qplat_svg_open(struct qplat_env *env)
{
	struct stat st;
	int fd;

	/* root writes it: no link followed, no FIFO waited on */
	fd = open(env->svg, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
		  O_CLOEXEC, 0644);
	if (fd < 0) {
		msg_warn("--svg %s: %s", env->svg, errno == ELOOP ?
			 "a symbolic link, not followed" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		msg_warn("--svg %s: not a regular file", env->svg);
		close(fd);
		return -1;
	}
	env->svg_file = fdopen(fd, "w");
	if (!env->svg_file) {
		msg_warn("--svg %s: %s", env->svg, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/* The bounds of a histogram's samples in ns: recorded, else its buckets. */
static void range_ns(const struct hist_entry *e, double *lo, double *hi)
{
	int first = 0, last = 0;
	__u64 max;

	if (e->val.min_ns <= e->val.max_ns) {
		*lo = (double)e->val.min_ns;
		*hi = (double)e->val.max_ns;
		return;
	}
	hist_span(e->val.buckets, QPLAT_BUCKETS, &first, &last, &max);
	*lo = hist_bucket_lo_ns(first);
	*hi = hist_bucket_hi_ns(last);
}

static double x_of(double ns, double lx0, double lx1)
{
	double l = log10(ns < 1 ? 1 : ns);

	return LEFT + (l - lx0) / (lx1 - lx0) * PW;
}

static double y_of(double frac)
{
	return TOP + (1 - frac) * PH;
}

static void axes(FILE *f, double lx0, double lx1)
{
	char lbl[HIST_FMT_LEN];
	double d;
	int i;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"none\" stroke=\"#444\"/>\n", LEFT, TOP, PW, PH);
	for (i = (int)floor(lx0); i <= (int)ceil(lx1); i++) {
		if (i < lx0 || i > lx1)
			continue;
		d = x_of(pow(10, i), lx0, lx1);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%d\" "
			"text-anchor=\"middle\">%s</text>\n", d, TOP, d,
			TOP + PH, d, TOP + PH + 16,
			hist_fmt_ns(lbl, sizeof(lbl), pow(10, i), 0));
	}
	for (i = 0; i <= 4; i++) {
		d = y_of(i / 4.0);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#ddd\"/>\n<text x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">%d%%</text>\n", LEFT, d, LEFT + PW,
			d, LEFT - 6, d + 4, i * 25);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency "
		"(log scale)</text>\n", LEFT + PW / 2, TOP + PH + 36);
}

/* A series' name: pid 2746 hwqnic-emb0 qpn 16 write e2e */
static void series_name(const struct qplat_env *env,
			const struct hist_entry *e, char *buf, size_t len)
{
	char op[16], dev[32];

	if (!qplat_dev_name(env, e->key.dev, dev, sizeof(dev)))
		snprintf(dev, sizeof(dev), "dev %u", e->key.dev);
	snprintf(buf, len, "pid %u %s qpn %u %s %s", e->key.pid, dev,
		 e->key.qpn, qplat_op_name(e->key.op, op, sizeof(op)),
		 qplat_lat_name(e->key.lat));
}

/* A series: from (min, 0) through each bucket's top to (max, 1). */
static void series(FILE *f, const struct qplat_env *env,
		   const struct hist_entry *e, long i, double lx0, double lx1)
{
	double lo, hi, cum = 0, top;
	char op[16], name[96];
	int k;

	range_ns(e, &lo, &hi);
	series_name(env, e, name, sizeof(name));
	fprintf(f, "<g class=\"cdf\" data-pid=\"%u\" data-dev=\"%u\" "
		"data-qpn=\"%u\" data-op=\"%s\" data-latency=\"%s\" "
		"data-count=\"%llu\">\n<title>%s: %llu samples</title>\n"
		"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		"points=\"%.1f,%.1f", e->key.pid, e->key.dev, e->key.qpn,
		qplat_op_name(e->key.op, op, sizeof(op)),
		qplat_lat_name(e->key.lat), (unsigned long long)e->val.count,
		name, (unsigned long long)e->val.count, colours[i % NCOLOURS],
		x_of(lo, lx0, lx1), y_of(0));
	for (k = 0; k < (int)QPLAT_BUCKETS; k++) {
		if (!e->val.buckets[k])
			continue;
		cum += (double)e->val.buckets[k];
		top = fmin(fmax(hist_bucket_hi_ns(k), lo), hi);
		fprintf(f, " %.1f,%.1f", x_of(top, lx0, lx1),
			y_of(cum / (double)e->val.count));
	}
	fprintf(f, "\"/>\n</g>\n");
}

static void legend(FILE *f, const struct qplat_env *env,
		   const struct hist_entry *e, long i)
{
	char name[96], p50[HIST_FMT_LEN], p99[HIST_FMT_LEN];
	int y = H + (int)i * LEGEND_ROW;

	series_name(env, e, name, sizeof(name));
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" "
		"fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\">%s: count %llu, "
		"p50 %s, p99 %s</text>\n", LEFT, y - 4,
		colours[i % NCOLOURS], LEFT + 20, y, name,
		(unsigned long long)e->val.count,
		hist_fmt_ns(p50, sizeof(p50), qplat_quantile_ns(e, 0.5), 0),
		hist_fmt_ns(p99, sizeof(p99), qplat_quantile_ns(e, 0.99), 0));
}

int qplat_svg(const struct qplat_env *env, const struct hist_entry *h,
	      long n)
{
	double lo = INFINITY, hi = 0, a, b, lx0, lx1;
	FILE *f = env->svg_file;
	long i;
	int err;

	for (i = 0; i < n; i++) {
		range_ns(&h[i], &a, &b);
		lo = fmin(lo, a);
		hi = fmax(hi, b);
	}
	if (!n)
		lo = hi = 1000;
	lx0 = floor(log10(lo < 1 ? 1 : lo));
	lx1 = fmax(ceil(log10(hi < 1 ? 1 : hi)), lx0 + 1);

	/* an earlier file's text goes; truncated only now it is ours */
	if (ftruncate(fileno(f), 0)) {
		msg_warn("--svg %s: %s", env->svg, strerror(errno));
		fclose(f);
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%ld\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<title>qplat: latency CDF per QP, opcode and latency</title>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"%d\" y=\"24\" font-size=\"15\">qplat: share of "
		"completions at or below each latency</text>\n", W,
		H + n * LEGEND_ROW + 10, LEFT);
	axes(f, lx0, lx1);
	if (!n)
		fprintf(f, "<text x=\"%d\" y=\"%d\">no hwqnic work requests "
			"traced</text>\n", LEFT + 10, TOP + 20);
	for (i = 0; i < n; i++)
		series(f, env, &h[i], i, lx0, lx1);
	for (i = 0; i < n; i++)
		legend(f, env, &h[i], i);
	fprintf(f, "</svg>\n");
	err = ferror(f) ? EIO : 0;
	if (fclose(f) && !err)
		err = errno;
	if (err) {
		msg_warn("--svg %s: %s", env->svg, strerror(err));
		return -1;
	}
	return 0;
}
