// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/hist.c's hist_read() over a `hists` map made here, as qplat
 * reads it with an interval: each reading gives what the histograms
 * gained since the last, the counts cumulative, and no entry of a live
 * process is deleted; those of a process that exited are, after the
 * reading that holds all they added, and their counts stay in the
 * totals. Needs root (BPF maps); under ASan only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <valgrind/valgrind.h>

#include <hwqnic/verbs.h>

#include "../lib/tap.h"
#include "lib/hist.h"

#define LIVE	100
#define DEAD	200
#define LATER	300	/* after DEAD in the map's order */

static bool dead_exited;	/* DEAD has exited */

static bool exited(__u32 pid)
{
	return pid == DEAD && dead_exited;
}

/* Entry (pid, qpn, SEND) of the map gains n samples of ns and n polls. */
static int add(int fd, __u32 pid, __u32 qpn, __u64 ns, __u64 n)
{
	static struct qplat_hist v;
	struct qplat_hist_key k = { .pid = pid, .qpn = qpn,
				    .op = HWQNIC_WC_SEND };
	struct qplat_lat_hist *l = &v.lat[QPLAT_LAT_DEVICE];
	int lat;

	if (bpf_map_lookup_elem(fd, &k, &v)) {
		memset(&v, 0, sizeof(v));
		for (lat = 0; lat < QPLAT_LAT_MAX; lat++)
			v.lat[lat].min_ns = QPLAT_NO_MIN;
	}
	l->buckets[qplat_bucket(ns)] += n;
	l->sum_ns += n * ns;
	l->min_ns = ns < l->min_ns ? ns : l->min_ns;
	l->max_ns = ns > l->max_ns ? ns : l->max_ns;
	v.polls += n;
	return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

static __u64 polls_of(const struct hist_ctr_entry *c, long n, __u32 pid)
{
	__u64 p = 0;
	long i;

	for (i = 0; i < n; i++)
		if (c[i].key.pid == pid)
			p += c[i].val.polls;
	return p;
}

static __u64 count_of(const struct hist_entry *h, long n, __u32 pid)
{
	__u64 k = 0;
	long i;

	for (i = 0; i < n; i++)
		if (h[i].key.pid == pid)
			k += h[i].val.count;
	return k;
}

/* One reading: its gains and totals; -1 on an error */
static int reading(int hfd, int cfd, struct hist_base *b,
		   struct hist_entry **h, long *nh,
		   struct hist_ctr_entry **c, long *nc)
{
	int err = hist_read(hfd, cfd, b, h, nh, c, nc);

	if (err)
		diag("hist_read: %s", strerror(-err));
	return err ? -1 : 0;
}

int main(void)
{
	struct hist_base b = { .exited = exited };
	struct qplat_hist_key k = { .pid = DEAD, .qpn = 2,
				    .op = HWQNIC_WC_SEND };
	struct hist_ctr_entry *c = NULL;
	struct hist_entry *h = NULL;
	static struct qplat_hist v;
	long nh = 0, nc = 0;
	int hfd, cfd;

	/* libbpf 1.1 fills only part of bpf(2)'s attribute union */
	if (RUNNING_ON_VALGRIND)
		tap_skip_all("valgrind takes libbpf's bpf(2) attributes for "
			     "uninitialised bytes (ASan runs this)");
	hfd = bpf_map_create(BPF_MAP_TYPE_HASH, "histread_h",
			     sizeof(struct qplat_hist_key),
			     sizeof(struct qplat_hist), 16, NULL);
	if (hfd < 0)
		tap_skip_all("cannot make a BPF map (%s): needs root",
			     strerror(errno));
	cfd = bpf_map_create(BPF_MAP_TYPE_HASH, "histread_c",
			     sizeof(struct qplat_qp_key),
			     sizeof(struct qplat_counters), 16, NULL);
	if (cfd < 0)
		tap_skip_all("cannot make a BPF map (%s): needs root",
			     strerror(errno));

	ok(!add(hfd, LIVE, 1, 1000, 3) && !add(hfd, DEAD, 2, 5000, 4) &&
	   !add(hfd, DEAD, 3, 5000, 1) && !add(hfd, LATER, 1, 700, 1),
	   "three processes' entries made");
	ok(!reading(hfd, cfd, &b, &h, &nh, &c, &nc) &&
	   count_of(h, nh, LIVE) == 3 && count_of(h, nh, DEAD) == 5 &&
	   polls_of(c, nc, LIVE) == 3 && polls_of(c, nc, DEAD) == 5 &&
	   b.n == 4 && !b.full,
	   "first reading: all they hold, counts, 4 entries kept as base");
	free(h);
	free(c);

	ok(!add(hfd, LIVE, 1, 2000, 2) && !add(hfd, DEAD, 2, 5000, 1),
	   "both gain samples");
	dead_exited = true;	/* after its last samples, before the reading */
	ok(!reading(hfd, cfd, &b, &h, &nh, &c, &nc) &&
	   count_of(h, nh, LIVE) == 2 && count_of(h, nh, DEAD) == 1 &&
	   polls_of(c, nc, LIVE) == 5 && polls_of(c, nc, DEAD) == 6,
	   "second reading: the gains; the counts cumulative");
	free(h);
	free(c);
	ok(bpf_map_lookup_elem(hfd, &k, &v) && errno == ENOENT && b.n == 2 &&
	   b.e[0].key.pid == LIVE && b.e[1].key.pid == LATER,
	   "the exited process's entries deleted after that reading");

	ok(!add(hfd, LIVE, 1, 3000, 1) && !add(hfd, LATER, 1, 900, 2),
	   "the live ones gain samples");
	ok(!reading(hfd, cfd, &b, &h, &nh, &c, &nc) && nh == 2 &&
	   count_of(h, nh, LIVE) == 1 && h[0].val.sum_ns == 3000 &&
	   count_of(h, nh, LATER) == 2 && h[1].val.sum_ns == 1800 &&
	   polls_of(c, nc, LIVE) == 6 && polls_of(c, nc, LATER) == 3 &&
	   polls_of(c, nc, DEAD) == 6,
	   "third reading: the live ones' gains; the exited one's counts "
	   "still in the totals");
	free(h);
	free(c);
	ok(!reading(hfd, cfd, &b, &h, &nh, NULL, NULL) && nh == 0 && !h &&
	   b.n == 2,
	   "nothing gained: no histogram, the live entries stay");
	ok(!reading(hfd, cfd, NULL, &h, &nh, &c, &nc) &&
	   count_of(h, nh, LIVE) == 6 && polls_of(c, nc, DEAD) == 0,
	   "without a base: the map as it is, cumulative");
	free(h);
	free(c);

	free(b.e);
	free(b.gone);
	close(hfd);
	close(cfd);
	return tap_done();
}
