// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An in-memory wire between two core devices: see wire.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bound.h"
#include "tap.h"
#include "wire.h"

static struct w_side *side_of(struct hwqnic_dev *dev)
{
	return container_of(dev, struct w_side, dev);
}

static struct hwqnic_qp_counters *w_counters(struct hwqnic_dev *dev, u32 qpn)
{
	struct hwqnic_qp_counters *c =
		&side_of(dev)->counters[qpn - HWQNIC_FIRST_QPN];

	memset(c, 0, sizeof(*c));
	return c;
}

static struct hwqnic_qp_wire_counters *w_wire_counters(struct hwqnic_dev *dev,
							u32 qpn)
{
	struct hwqnic_qp_wire_counters *c =
		&side_of(dev)->wcounters[qpn - HWQNIC_FIRST_QPN];

	memset(c, 0, sizeof(*c));
	return c;
}

static const struct hwqnic_dev_ops w_ops = {
	.qp_counters = w_counters,
	.qp_wire_counters = w_wire_counters,
};

/* Chance of ppm per million. */
#define W_CORRUPT_FROM	(HWQNIC_ETH_HLEN + HWQNIC_IPV6_HLEN + \
			 HWQNIC_UDP_HLEN + HWQNIC_BTH_LEN)

static bool w_chance(struct w_link *l, u32 ppm)
{
	return ppm && tap_rand(&l->seed) % 1000000 < ppm;
}

static u8 *w_tx_frame(struct hwqnic_dev *dev)
{
	struct w_side *s = side_of(dev);
	u8 *f;

	/* a ring of the peer's queue's size: full while that is */
	if (s->lent + s->peer->qn + 2 >= W_QCAP ||
	    (s->link->f.txq && s->lent + s->peer->qn >= s->link->f.txq))
		return NULL;
	f = malloc(HWQNIC_FRAME_MAX);
	if (f)
		s->lent++;
	return f;
}

static void w_push(struct w_side *to, u8 *f, u32 len)
{
	struct w_frame *q = to->q;

	if (to->qn == W_QCAP) {
		free(f);
		return;
	}
	q[(to->qhead + to->qn++) % W_QCAP] = (struct w_frame){ f, len };
}

static void w_tx_queue(struct hwqnic_dev *dev, u8 *f, u32 len)
{
	struct w_side *s = side_of(dev), *to = s->peer;
	struct w_link *l = s->link;
	u8 *copy;

	s->lent--;
	if (!len) {
		free(f);
		return;
	}
	l->frames++;
	if (l->f.down || w_chance(l, l->f.loss)) {
		l->lost++;
		free(f);
		return;
	}
	/*
	 * Corrupted past the BTH: the fields before it that the ICRC does
	 * not cover (TTL, checksums) may change on any path.
	 */
	if (w_chance(l, l->f.corrupt) && len > W_CORRUPT_FROM) {
		f[W_CORRUPT_FROM + tap_rand(&l->seed) %
		  (len - W_CORRUPT_FROM)] ^= 1 << (tap_rand(&l->seed) % 8);
		l->corrupted++;
	}
	if (w_chance(l, l->f.trunc)) {
		len = tap_rand(&l->seed) % len;
		l->truncated++;
	}
	if (w_chance(l, l->f.dup)) {
		copy = malloc(HWQNIC_FRAME_MAX);
		if (copy) {
			memcpy(copy, f, len);
			w_push(to, copy, len);
			l->dups++;
		}
	}
	w_push(to, f, len);
	/* reordered: swapped with one of the few queued before it */
	if (to->qn > 1 && w_chance(l, l->f.reorder)) {
		u32 back = 1 + tap_rand(&l->seed) % (to->qn - 1 < 8 ?
						      to->qn - 1 : 8);
		struct w_frame *x = &to->q[(to->qhead + to->qn - 1) % W_QCAP];
		struct w_frame *y = &to->q[(to->qhead + to->qn - 1 - back) %
					   W_QCAP];
		struct w_frame t = *x;

		*x = *y;
		*y = t;
		l->reordered++;
	}
}

static void w_tx_flush(struct hwqnic_dev *dev)
{
	(void)dev;
}

static u32 w_rx_poll(struct hwqnic_dev *dev, u32 budget,
		     void (*rx)(struct hwqnic_dev *dev, const u8 *frame,
				u32 len))
{
	struct w_side *s = side_of(dev);
	u32 n = 0;

	while (n < budget && s->qn) {
		struct w_frame fr = s->q[s->qhead];

		s->qhead = (s->qhead + 1) % W_QCAP;
		s->qn--;
		rx(dev, fr.f, fr.len);
		free(fr.f);
		n++;
	}
	return n;
}

static int w_qp_steer(struct hwqnic_dev *dev, u32 qpn, bool on)
{
	struct w_side *s = side_of(dev);

	if (on && qpn - s->taken_lo < s->taken_n)
		return -EEXIST;
	if (on)
		s->steered++;
	else
		s->steered--;
	return 0;
}

static const struct hwqnic_port_ops w_port = {
	.tx_frame = w_tx_frame,
	.tx_queue = w_tx_queue,
	.tx_flush = w_tx_flush,
	.rx_poll = w_rx_poll,
	.qp_steer = w_qp_steer,
};

/* ::ffff:198.18.0.n */
static void w_gid(u8 *gid, u8 n)
{
	memset(gid, 0, 16);
	gid[10] = gid[11] = 0xff;
	gid[12] = 198;
	gid[13] = 18;
	gid[15] = n;
}

static int w_side_up(struct w_link *l, struct w_side *s, struct w_side *peer,
		     size_t len, u8 n)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = 256, .max_recv_wr = 256,
			 .max_send_sge = 4, .max_recv_sge = 4,
			 .max_inline_data = 128 },
	};
	size_t npages = len / 4096, i;
	dma_addr_t *pages;
	int rc;

	s->link = l;
	s->peer = peer;
	s->len = len;
	s->counters = calloc(HWQNIC_MAX_QP, sizeof(*s->counters));
	s->wcounters = calloc(HWQNIC_MAX_QP, sizeof(*s->wcounters));
	pages = calloc(npages, sizeof(*pages));
	if (!s->counters || !s->wcounters || !pages ||
	    posix_memalign((void **)&s->mem, 4096, len)) {
		free(pages);
		return -1;
	}
	memset(s->mem, 0, len);
	for (i = 0; i < npages; i++)
		pages[i] = hwqnic_os_va_to_dma(s->mem + i * 4096);
	w_gid(s->path.sgid, n);
	w_gid(s->path.dgid, 3 - n);
	memcpy(s->path.smac, "\x02\0\0\0\0", 5);
	s->path.smac[5] = n;
	memcpy(s->path.dmac, "\x02\0\0\0\0", 5);
	s->path.dmac[5] = 3 - n;
	s->path.hop_limit = 64;
	rc = hwqnic_dev_init(&s->dev, &w_ops, n);
	if (!rc) {
		hwqnic_dev_set_port(&s->dev, &w_port, s, &s->wc);
		rc = hwqnic_pd_alloc(&s->dev, &s->pd);
	}
	if (!rc)
		rc = hwqnic_mr_reg(&s->dev, &s->mr, &s->pd, (uintptr_t)s->mem,
				   len, HWQNIC_ACCESS_ALL, pages, npages, 12);
	free(pages);
	if (!rc)
		rc = hwqnic_cq_create(&s->dev, &s->cq, 4096);
	if (!rc)
		rc = hwqnic_qp_create(&s->dev, &s->rc, &s->pd, &s->cq, &s->cq,
				      &ia);
	ia.qp_type = HWQNIC_QPT_UD;
	if (!rc)
		rc = hwqnic_qp_create(&s->dev, &s->ud, &s->pd, &s->cq, &s->cq,
				      &ia);
	return rc ? -1 : 0;
}

int w_up(struct w_link *l, size_t len, uint64_t seed)
{
	memset(l, 0, sizeof(*l));
	l->seed = seed ? seed : 1;
	if (w_side_up(l, &l->a, &l->b, len, 1) ||
	    w_side_up(l, &l->b, &l->a, len, 2))
		return -1;
	l->a.path.sport = hwqnic_udp_sport(l->a.rc.qpn, l->b.rc.qpn);
	l->b.path.sport = l->a.path.sport;
	return 0;
}

void w_ipv6(struct w_link *l)
{
	struct w_side *s[2] = { &l->a, &l->b };
	int i;

	for (i = 0; i < 2; i++) {
		memset(s[i]->path.sgid, 0, 16);
		memset(s[i]->path.dgid, 0, 16);
		s[i]->path.sgid[0] = s[i]->path.dgid[0] = 0xfd;
		s[i]->path.sgid[15] = i + 1;
		s[i]->path.dgid[15] = 2 - i;
		s[i]->path.flow_label = 0x12345;
		s[i]->path.tclass = 0x20;
	}
}

static void w_side_down(struct w_side *s)
{
	u32 i;

	if (s->ah.handle)
		hwqnic_ah_destroy(&s->dev, &s->ah);
	if (s->has_uc)
		hwqnic_qp_destroy(&s->dev, &s->uc);
	s->has_uc = false;
	hwqnic_qp_destroy(&s->dev, &s->ud);
	hwqnic_qp_destroy(&s->dev, &s->rc);
	hwqnic_cq_destroy(&s->dev, &s->cq);
	hwqnic_mr_dereg(&s->dev, &s->mr);
	hwqnic_pd_free(&s->dev, &s->pd);
	hwqnic_dev_fini(&s->dev);
	for (i = 0; i < s->qn; i++)
		free(s->q[(s->qhead + i) % W_QCAP].f);
	s->qn = 0;
	free(s->mem);
	free(s->counters);
	free(s->wcounters);
}

void w_down(struct w_link *l)
{
	w_side_down(&l->a);
	w_side_down(&l->b);
}

/* A connected QP (RC, UC) to INIT with every right, and its path: 0, -1. */
static int w_init_path(struct w_side *s, struct hwqnic_core_qp *qp,
		       struct hwqnic_qp_attr *at)
{
	*at = (struct hwqnic_qp_attr){
		.qp_state = HWQNIC_QPS_INIT, .port_num = 1,
		.qp_access_flags = HWQNIC_ACCESS_ALL,
	};
	return hwqnic_qp_modify(&s->dev, qp, at, HWQNIC_QP_STATE |
				HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
				HWQNIC_QP_ACCESS_FLAGS) ||
	       hwqnic_qp_set_path(&s->dev, qp, &s->path) ? -1 : 0;
}

static int w_rc_up(struct w_side *s, const struct w_conn *c, u32 sq_psn,
		   u32 rq_psn)
{
	struct hwqnic_qp_attr at;

	if (w_init_path(s, &s->rc, &at))
		return -1;
	at.qp_state = HWQNIC_QPS_RTR;
	at.path_mtu = c->mtu;
	at.dest_qp_num = s->peer->rc.qpn;
	at.rq_psn = rq_psn;
	at.max_dest_rd_atomic = c->rd_atomic;
	at.min_rnr_timer = c->min_rnr_timer;
	if (hwqnic_qp_modify(&s->dev, &s->rc, &at, HWQNIC_QP_STATE |
			     HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
			     HWQNIC_QP_RQ_PSN | HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			     HWQNIC_QP_MIN_RNR_TIMER))
		return -1;
	at.qp_state = HWQNIC_QPS_RTS;
	at.sq_psn = sq_psn;
	at.timeout = c->timeout;
	at.retry_cnt = c->retry_cnt;
	at.rnr_retry = c->rnr_retry;
	at.max_rd_atomic = c->rd_atomic;
	return hwqnic_qp_modify(&s->dev, &s->rc, &at, HWQNIC_QP_STATE |
				HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT |
				HWQNIC_QP_RETRY_CNT | HWQNIC_QP_RNR_RETRY |
				HWQNIC_QP_MAX_QP_RD_ATOMIC) ? -1 : 0;
}

int w_connect(struct w_link *l, const struct w_conn *c)
{
	return w_rc_up(&l->a, c, c->psn_a, c->psn_b) ||
	       w_rc_up(&l->b, c, c->psn_b, c->psn_a) ? -1 : 0;
}

static int w_uc_side(struct w_side *s, u8 mtu, u32 sq_psn, u32 rq_psn)
{
	struct hwqnic_qp_attr at;

	if (w_init_path(s, &s->uc, &at))
		return -1;
	at.qp_state = HWQNIC_QPS_RTR;
	at.path_mtu = mtu;
	at.dest_qp_num = s->peer->uc.qpn;
	at.rq_psn = rq_psn;
	if (hwqnic_qp_modify(&s->dev, &s->uc, &at, HWQNIC_QP_STATE |
			     HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
			     HWQNIC_QP_RQ_PSN))
		return -1;
	at.qp_state = HWQNIC_QPS_RTS;
	at.sq_psn = sq_psn;
	return hwqnic_qp_modify(&s->dev, &s->uc, &at, HWQNIC_QP_STATE |
				HWQNIC_QP_SQ_PSN) ? -1 : 0;
}

static int w_uc_make(struct w_side *s)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_UC,
		.cap = { .max_send_wr = 256, .max_recv_wr = 256,
			 .max_send_sge = 4, .max_recv_sge = 4,
			 .max_inline_data = 128 },
	};

	if (s->has_uc)
		return 0;
	if (hwqnic_qp_create(&s->dev, &s->uc, &s->pd, &s->cq, &s->cq, &ia))
		return -1;
	s->has_uc = true;
	return 0;
}

int w_uc_up(struct w_link *l, u8 mtu, u32 psn_a, u32 psn_b)
{
	if (w_uc_make(&l->a) || w_uc_make(&l->b))
		return -1;
	return w_uc_side(&l->a, mtu, psn_a, psn_b) ||
	       w_uc_side(&l->b, mtu, psn_b, psn_a) ? -1 : 0;
}

int w_unqueue(struct w_side *s, u32 k)
{
	u32 i;

	if (k >= s->qn)
		return -1;
	free(s->q[(s->qhead + k) % W_QCAP].f);
	for (i = k; i + 1 < s->qn; i++)
		s->q[(s->qhead + i) % W_QCAP] =
			s->q[(s->qhead + i + 1) % W_QCAP];
	s->qn--;
	s->link->lost++;
	return 0;
}

static int w_ud_side(struct w_side *s, u32 qkey)
{
	struct hwqnic_qp_attr at = {
		.qp_state = HWQNIC_QPS_INIT, .port_num = 1, .qkey = qkey,
	};
	struct hwqnic_path p = s->path;

	if (hwqnic_qp_modify(&s->dev, &s->ud, &at, HWQNIC_QP_STATE |
			     HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
			     HWQNIC_QP_QKEY))
		return -1;
	at.qp_state = HWQNIC_QPS_RTR;
	if (hwqnic_qp_modify(&s->dev, &s->ud, &at, HWQNIC_QP_STATE))
		return -1;
	at.qp_state = HWQNIC_QPS_RTS;
	at.sq_psn = 0x123;
	if (hwqnic_qp_modify(&s->dev, &s->ud, &at, HWQNIC_QP_STATE |
			     HWQNIC_QP_SQ_PSN))
		return -1;
	p.sport = hwqnic_udp_sport(s->ud.qpn, s->peer->ud.qpn);
	return hwqnic_ah_create(&s->dev, &s->ah, &s->pd, &p) ? -1 : 0;
}

int w_ud_up(struct w_link *l, u32 qkey)
{
	return w_ud_side(&l->a, qkey) || w_ud_side(&l->b, qkey) ? -1 : 0;
}

bool w_run(struct w_link *l, bool (*done)(void *ctx), void *ctx,
	   unsigned long max_passes)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	unsigned long i;

	for (i = 0; i < max_passes; i++) {
		if (done(ctx))
			return true;
		hwqnic_engine_poll(&l->a.dev);
		hwqnic_engine_poll(&l->b.dev);
		if (!(i % 64) && u_now_ns() > end)
			break;
	}
	return done(ctx);
}

static bool w_quiet(void *ctx)
{
	struct w_link *l = ctx;

	return !l->a.qn && !l->b.qn && !l->a.dev.nactive &&
	       !l->b.dev.nactive;
}

void w_settle(struct w_link *l)
{
	w_run(l, w_quiet, l, 100000);
}

int w_poll(struct w_side *s, struct hwqnic_wc *wc, int n)
{
	return hwqnic_cq_poll(&s->dev, &s->cq, n, wc);
}

const char *w_qp_sums(const struct w_side *s)
{
	static char why[160];
	const struct hwqnic_wire_counters *d = &s->wc;
	const struct hwqnic_qp_wire_counters *q[2] = {
		&s->wcounters[s->rc.qpn - HWQNIC_FIRST_QPN],
		&s->wcounters[s->ud.qpn - HWQNIC_FIRST_QPN],
	};
	u64 early = 0, late = 0, qdrops = 0;
	unsigned int i;

#define W_SUM(f)	(q[0]->f + q[1]->f)
#define W_SAME(f)							\
	do {								\
		if (d->f != W_SUM(f)) {					\
			snprintf(why, sizeof(why), #f " %llu, QPs' %llu", \
				 (unsigned long long)d->f,		\
				 (unsigned long long)W_SUM(f));		\
			return why;					\
		}							\
	} while (0)
	W_SAME(tx_pkts);
	W_SAME(tx_bytes);
	W_SAME(retransmits);
	W_SAME(timeouts);
	W_SAME(seq_naks_sent);
	W_SAME(seq_naks_rcvd);
	W_SAME(rnr_naks_sent);
	W_SAME(rnr_naks_rcvd);
	W_SAME(dup_requests);
	W_SAME(out_of_seq);
	/* the drops of frames no QP took come before the lookup */
	for (i = HWQNIC_DROP_SHORT; i <= HWQNIC_DROP_PKEY; i++)
		early += d->drops[i];
	for (i = HWQNIC_DROP_QP; i < HWQNIC_DROP_MAX; i++)
		late += d->drops[i];
	for (i = 0; i < 2; i++)
		qdrops += q[i]->drop_state + q[i]->drop_qkey +
			  q[i]->drop_opcode + q[i]->drop_len;
	if (d->rx_pkts < early + W_SUM(rx_pkts) || qdrops > late ||
	    d->rx_pkts - early - W_SUM(rx_pkts) != late - qdrops) {
		snprintf(why, sizeof(why), "rx_pkts %llu: %llu dropped unparsed, "
			 "QPs' %llu, %llu dropped for no QP",
			 (unsigned long long)d->rx_pkts,
			 (unsigned long long)early,
			 (unsigned long long)W_SUM(rx_pkts),
			 (unsigned long long)(late - qdrops));
		return why;
	}
#undef W_SAME
#undef W_SUM
	return NULL;
}
