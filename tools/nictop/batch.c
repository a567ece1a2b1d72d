// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nictop -b: a snapshot per interval, as text or one JSON object. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hwqnic/verbs.h>

#include "nictop.h"
#include "lib/json.h"
#include "lib/opts.h"

static void print_plain(const struct snapshot *sn, const struct opts *o)
{
	const struct row **v;
	unsigned int i, n;
	struct totals t;
	char line[768], ts[16], skip[SKIPPED_TEXT_SIZE];
	int vis[NCOLS], nvis = cols_fit(o, 0, true, wire_shown(sn, o), vis);

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
	table_line(line, sizeof(line), NULL, vis, nvis, true);
	printf("%s\n", line);
	n = view_build(sn, o, &v);
	for (i = 0; i < n; i++) {
		table_line(line, sizeof(line), v[i], vis, nvis, true);
		printf("%s\n", line);
	}
	printf("\n");
	free(v);
}

/* The rate fields that the totals and each device share. */
static void json_rates(struct json *j, double ops_s, double mib_s,
		       double cqes_s, __u64 errors, double busy_pct)
{
	json_measured(j, "ops_per_s", ops_s, 1);
	json_measured(j, "mib_per_s", mib_s, 3);
	json_measured(j, "cqes_per_s", cqes_s, 1);
	json_uint(j, "errors", errors);
	json_measured(j, "engine_busy_pct", busy_pct, 2);
}

static void json_wire_rates(struct json *j, const struct wire_rates *wr)
{
	json_measured(j, "rx_pkts_per_s", wr->rx_pkts_s, 1);
	json_measured(j, "tx_pkts_per_s", wr->tx_pkts_s, 1);
	json_measured(j, "rx_bytes_per_s", wr->rx_bytes_s, 1);
	json_measured(j, "tx_bytes_per_s", wr->tx_bytes_s, 1);
}

/* The counters a device and each of its QPs both keep. */
#define JSON_WIRE_COUNTS(j, c)						\
	do {								\
		json_uint(j, "rx_pkts", (c)->rx_pkts);			\
		json_uint(j, "tx_pkts", (c)->tx_pkts);			\
		json_uint(j, "rx_bytes", (c)->rx_bytes);		\
		json_uint(j, "tx_bytes", (c)->tx_bytes);		\
		json_uint(j, "retransmits", (c)->retransmits);		\
		json_uint(j, "timeouts", (c)->timeouts);		\
		json_uint(j, "seq_naks_sent", (c)->seq_naks_sent);	\
		json_uint(j, "seq_naks_rcvd", (c)->seq_naks_rcvd);	\
		json_uint(j, "rnr_naks_sent", (c)->rnr_naks_sent);	\
		json_uint(j, "rnr_naks_rcvd", (c)->rnr_naks_rcvd);	\
		json_uint(j, "dup_requests", (c)->dup_requests);	\
		json_uint(j, "out_of_seq", (c)->out_of_seq);		\
	} while (0)

/* A bound device's: every frame of its port, and drops by why. */
static void json_dev_wire(struct json *j, const struct dev_row *d)
{
	unsigned int i;

	json_str(j, "netdev", d->netdev, sizeof(d->netdev));
	json_object(j, "wire");
	json_wire_rates(j, &d->wr);
	JSON_WIRE_COUNTS(j, &d->wc);
	json_uint(j, "tx_full", d->wc.tx_full);
	json_uint(j, "uc_dropped", d->wc.uc_dropped);
	json_uint(j, "uc_no_recv", d->wc.uc_no_recv);
	json_uint(j, "uc_rkey", d->wc.uc_rkey);
	json_uint(j, "drops_total", dev_wire_drops(&d->wc));
	json_object(j, "drops");
	for (i = HWQNIC_DROP_NONE + 1; i < HWQNIC_DROP_MAX; i++)
		json_uint(j, hwqnic_drop_str(i), d->wc.drops[i]);
	json_close(j);
	json_close(j);
}

static void json_dev(struct json *j, const struct dev_row *d)
{
	json_object(j, NULL);
	json_int(j, "pid", d->pid);
	json_str(j, "comm", d->comm, sizeof(d->comm));
	json_str(j, "dev", d->name, sizeof(d->name));
	json_rates(j, d->ops_s, d->mib_s, d->cqes_s, d->errors, dev_busy(d));
	if (d->wire)
		json_dev_wire(j, d);
	json_close(j);
}

/* A QP of a bound device: its own packets, and its drops by why. */
static void json_qp_wire(struct json *j, const struct row *r)
{
	json_object(j, "wire");
	json_wire_rates(j, &r->wr);
	JSON_WIRE_COUNTS(j, &r->w);
	json_uint(j, "drops_total", qp_wire_drops(&r->w));
	json_object(j, "drops");
	json_uint(j, hwqnic_drop_str(HWQNIC_DROP_QP), r->w.drop_state);
	json_uint(j, hwqnic_drop_str(HWQNIC_DROP_QKEY), r->w.drop_qkey);
	json_uint(j, hwqnic_drop_str(HWQNIC_DROP_OPCODE), r->w.drop_opcode);
	json_uint(j, hwqnic_drop_str(HWQNIC_DROP_LEN), r->w.drop_len);
	json_close(j);
	json_close(j);
}

static void json_row(struct json *j, const struct row *r)
{
	json_object(j, NULL);
	json_int(j, "pid", r->pid);
	json_str(j, "comm", r->comm, sizeof(r->comm));
	json_str(j, "dev", r->dev, sizeof(r->dev));
	json_uint(j, "qpn", r->qpn);
	json_str(j, "type", hwqnic_qp_type_str(r->type), 8);
	json_str(j, "state", hwqnic_qp_state_str(r->state), 8);
	json_measured(j, "ops_per_s", r->ops_s, 1);
	json_measured(j, "mib_per_s", r->mib_s, 3);
	json_uint(j, "sq_outstanding", r->c.sq_outstanding);
	json_uint(j, "rq_outstanding", r->c.rq_outstanding);
	json_uint(j, "errors", r->c.errors);
	json_uint(j, "posts", r->c.posts);
	json_uint(j, "recv_posts", r->c.recv_posts);
	json_uint(j, "completions", r->c.completions);
	json_uint(j, "bytes", r->c.bytes);
	json_uint(j, "send_cq", r->send_cq);
	json_uint(j, "recv_cq", r->recv_cq);
	json_measured(j, "cq_backlog", (double)r->cqbl, 0);
	json_measured(j, "device_p50_us", r->p50, 3);
	json_measured(j, "device_p99_us", r->p99, 3);
	json_measured(j, "e2e_p99_us", r->e2e99, 3);
	json_measured(j, "pickup_p50_us", r->pick50, 3);
	if (r->wire)
		json_qp_wire(j, r);
	json_close(j);
}

static void print_json(const struct snapshot *sn, const struct opts *o)
{
	static const size_t skip = sizeof("latency: ") - 1;
	const struct skipped *first, *k;
	const struct row **v;
	unsigned int i, n;
	struct totals t;
	struct json j;

	totals_build(sn, o, &t);
	json_init(&j, stdout);
	json_head(&j, "nictop");
	json_time(&j, "ts", &sn->wall);
	json_double(&j, "interval_s", sn->interval, 3);
	json_object(&j, "totals");
	json_rates(&j, t.ops_s, t.mib_s, t.cqes_s, t.errors, t.busy_pct);
	json_close(&j);
	json_str(&j, "latency_note", sn->lat_status + skip,
		 sizeof(sn->lat_status) - skip);
	json_array(&j, "devs");
	for (i = 0; i < sn->ndev; i++)
		if (dev_shown(sn, &sn->dev[i], o))
			json_dev(&j, &sn->dev[i]);
	json_close(&j);
	json_array(&j, "qps");
	n = view_build(sn, o, &v);
	for (i = 0; i < n; i++)
		json_row(&j, v[i]);
	free(v);
	json_close(&j);
	json_array(&j, "skipped");
	for (i = 0; i < sn->skipped.kept; i++) {
		k = &sn->skipped.skip[i];
		if (o->pid >= 0 && k->pid != o->pid)
			continue;
		json_object(&j, NULL);
		json_str(&j, "file", k->name, sizeof(k->name));
		json_int(&j, "pid", k->pid);
		json_str(&j, "why", k->why, sizeof(k->why));
		json_close(&j);
	}
	json_close(&j);
	json_uint(&j, "skipped_total", skipped_shown(&sn->skipped, o, &first));
	json_close(&j);
}

/* Sleeps until the CLOCK_MONOTONIC time t, or a signal that stops us. */
static void sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = t / NSEC_PER_SEC,
		.tv_nsec = t % NSEC_PER_SEC,
	};

	while (!msg_stop_signal() &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

int run_batch(const struct opts *o)
{
	uint64_t step = secs_to_ns(o->interval), next, i;
	struct sample *prev = sample_take(o), *cur;
	struct snapshot *sn;

	next = prev->mono_ns;
	for (i = 0; !o->count || i < o->count; i++) {
		next += step;
		sleep_until(next);
		if (msg_stop_signal())
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

