// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hwqperf: setup and teardown of the run on the rig (hwqperf.h). */
#include "hwqperf.h"

/* Device limits that the options must respect: exit 2 when they do not. */
static void check_limits(const struct run *r)
{
	const struct opts *o = r->o;

	if (o->size > r->rig.port.max_msg_sz)
		bad_usage("message size %" PRIu64 " exceeds the port's "
			  "max_msg_sz %u", o->size, r->rig.port.max_msg_sz);
	if (o->buf_size > r->rig.dev.max_mr_size)
		bad_usage("buf-size %" PRIu64 " exceeds the device's "
			  "max_mr_size %llu", o->buf_size,
			  (unsigned long long)r->rig.dev.max_mr_size);
	if (2 * o->qps > r->rig.dev.max_qp || 2 * o->qps > r->rig.dev.max_cq)
		bad_usage("%u QP pairs exceed the device's limits",
			  o->qps);
	if (o->cq_mod > r->rig.dev.max_qp_wr)
		bad_usage("cq-mod %u exceeds the send queue depth %u",
			  o->cq_mod, r->rig.dev.max_qp_wr);
	if (o->has_inline && o->inline_size > r->rig.dev.max_inline_data)
		bad_usage("inline-size %u exceeds the device's "
			  "max_inline_data %u", o->inline_size,
			  r->rig.dev.max_inline_data);
}

static void open_device(struct run *r)
{
	if (rig_open_netdev(&r->rig, r->o->netdev))
		fail("%s", r->rig.err);
	check_limits(r);
	r->inline_size = MIN(r->o->inline_size, r->rig.dev.max_inline_data);
}

/* Bytes of a buffer that the run will touch. */
static uint64_t used_bytes(const struct run *r)
{
	uint64_t msgs = r->o->iters * r->nsenders;

	if (msgs >= r->nslots)
		return r->nslots * r->o->size;
	return msgs * r->o->size;
}

/* Faults the pages in now, so that the run does not time page faults. */
static void prefault(char *buf, uint64_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t off;

	if (!len || !madvise(buf, len, MADV_POPULATE_WRITE))
		return;
	for (off = 0; off < len; off += page)
		((volatile char *)buf)[off] = 0;
}

static void setup_side(struct run *r, struct side *s)
{
	s->len = r->o->buf_size;
	s->buf = map_anon(s->len);
	prefault(s->buf, used_bytes(r));
	s->mr = hwqnic_reg_mr(r->rig.pd, s->buf, s->len, RIG_ACCESS);
	if (!s->mr)
		fail("hwqnic_reg_mr(%" PRIu64 " bytes): %s", s->len,
		     strerror(errno));
	s->addr = (uintptr_t)s->buf;
	s->rkey = s->mr->rkey;
}

/* Pair p: A = qp[2p] on side 0, B = qp[2p + 1] on side 1. */
static void plan_qps(struct run *r)
{
	bool both = r->o->mode == MODE_LAT && r->o->op != RIG_READ;
	unsigned int p;
	struct qpx *a, *b;

	for (p = 0; p < r->o->qps; p++) {
		a = &r->qp[2 * p];
		b = &r->qp[2 * p + 1];
		a->local = b->remote = &r->side[0];
		a->remote = b->local = &r->side[1];
		a->peer = b;
		b->peer = a;
		a->sidx = both ? 2 * p : p;
		b->sidx = both ? 2 * p + 1 : NO_SENDER;
		r->sender[a->sidx] = a;
		if (both)
			r->sender[b->sidx] = b;
	}
	r->nsenders = both ? 2 * r->o->qps : r->o->qps;
	/* 0-byte messages share one empty slot: no reuse to wait for */
	r->nslots = r->o->size ? r->o->buf_size / r->o->size : UINT64_MAX;
}

/*
 * Queue depths. bw keeps up to tx_depth WQEs outstanding per QP; cq-mod
 * must fit in it, or no completion would ever free the queue.
 */
static void plan_depths(struct run *r)
{
	const struct opts *o = r->o;
	bool lat = o->mode == MODE_LAT;
	uint32_t max_wr = r->rig.dev.max_qp_wr, want;

	want = MAX(lat ? LAT_TX_DEPTH : BW_TX_DEPTH, o->cq_mod);
	r->tx_depth = MIN(want, max_wr);
	if (!lat && o->verify)	/* any WQE may be signaled */
		r->tx_depth = MIN(r->tx_depth, r->rig.dev.max_cqe / o->qps);
	if (r->tx_depth < o->cq_mod)
		bad_usage("cq-mod %u exceeds the send queue depth %u",
			  o->cq_mod, r->tx_depth);
	r->rx_depth = 1;
	if (o->op == RIG_SEND && lat)
		r->rx_depth = LAT_RX_DEPTH;
	else if (o->op == RIG_SEND)	/* one CQ holds them all */
		r->rx_depth = MIN(2 * r->tx_depth,
				   r->rig.dev.max_cqe / o->qps);
	r->rx_depth = MIN(r->rx_depth, max_wr);
	/*
	 * The two-process form cannot hold the sender back until a slot is
	 * checked: no two receives posted may share a slot. Pair p's
	 * messages use the slots equal to p modulo the pairs (msg_g()) when
	 * the pairs divide the slots: nslots / qps slots each.
	 */
	if (o->role != ROLE_LOOPBACK && o->verify) {
		if (r->nslots % o->qps)
			bad_usage("--verify with -q %u in the two-process form: "
				  "the buffer's %" PRIu64 " message slots must "
				  "be a multiple of %u", o->qps, r->nslots,
				  o->qps);
		r->rx_depth = (uint32_t)MIN(r->rx_depth, r->nslots / o->qps);
	}
	r->rx_batch = MAX(1, MIN(RX_BATCH_MAX, r->rx_depth / 4));
}

static struct hwqnic_cq *make_cq(struct run *r, uint64_t cqe)
{
	struct hwqnic_cq *cq = rig_cq(&r->rig, cqe);
	unsigned int i;

	if (!cq)
		fail("%s", r->rig.err);
	for (i = 0; r->cq[i]; i++)
		;
	r->cq[i] = cq;
	return cq;
}

static void make_qp(struct run *r, struct qpx *x, struct hwqnic_cq *scq,
		    struct hwqnic_cq *rcq, uint32_t sq, uint32_t rq)
{
	x->cq = scq;
	x->qp = rig_rc_qp(&r->rig, scq, rcq, sq, rq, r->inline_size);
	if (!x->qp)
		fail("%s", r->rig.err);
}

/* lat: a CQ per QP; bw: one CQ for the requesters, one for responders. */
static void make_qps(struct run *r)
{
	unsigned int q = r->o->qps, i, sig;
	bool verify = r->o->verify;

	if (r->o->mode == MODE_LAT) {
		for (i = 0; i < 2 * q; i++) {
			struct hwqnic_cq *cq;

			if (!is_local(r, &r->qp[i]))
				continue;
			cq = make_cq(r, r->tx_depth + r->rx_depth);
			make_qp(r, &r->qp[i], cq, cq, r->tx_depth,
				r->rx_depth);
		}
		return;
	}
	sig = verify ? r->tx_depth : r->tx_depth / r->o->cq_mod + 2;
	/* the two-process form: the client's requesters, the server's
	 * responders */
	if (r->o->role != ROLE_SERVER)
		r->scq = make_cq(r, (uint64_t)q * sig);
	if (r->o->role != ROLE_CLIENT)
		r->rcq = make_cq(r, (uint64_t)q * r->rx_depth);
	for (i = 0; i < q; i++) {
		if (r->scq)
			make_qp(r, &r->qp[2 * i], r->scq, r->scq,
				r->tx_depth, 1);
		if (r->rcq)
			make_qp(r, &r->qp[2 * i + 1], r->rcq, r->rcq, 1,
				r->rx_depth);
	}
}

static void connect_qp(struct run *r, struct qpx *x)
{
	if (rig_rc_connect(&r->rig, x->qp, x->peer->qp->qp_num))
		fail("%s", r->rig.err);
}

void setup(struct run *r)
{
	uint64_t scratch;
	unsigned int i;

	r->iters = r->o->iters;
	plan_qps(r);
	r->stall_ns = STALL_NS + MIN(r->o->cq_mod, r->o->iters) *
		      r->o->size * STALL_NS_PER_B;
	open_device(r);
	if (2 * used_bytes(r) >= NOTE_BYTES)
		msg_note("faulting in 2 buffers of %" PRIu64 " MiB before "
			 "the run", (uint64_t)(used_bytes(r) / MIB));
	if (r->o->role != ROLE_SERVER)
		setup_side(r, &r->side[0]);
	if (r->o->role != ROLE_CLIENT)
		setup_side(r, &r->side[1]);
	plan_depths(r);
	make_qps(r);
	if (r->o->role != ROLE_LOOPBACK)
		remote_connect(r);
	else
		for (i = 0; i < 2 * r->o->qps; i++)
			connect_qp(r, &r->qp[i]);
	scratch = MAX(BATCH_MAX, RX_BATCH_MAX);
	r->swr = msg_xcalloc(scratch, sizeof(*r->swr));
	r->rwr = msg_xcalloc(scratch, sizeof(*r->rwr));
	r->sge = msg_xcalloc(scratch, sizeof(*r->sge));
	if (r->o->mode == MODE_LAT)
		r->samples = msg_xcalloc(r->o->iters * r->o->qps,
				     sizeof(*r->samples));
	for (i = 0; r->o->op == RIG_SEND && i < r->nsenders; i++)
		while (is_local(r, r->sender[i]->peer) &&
		       r->sender[i]->peer->rposted <
		       MIN(r->rx_depth, r->iters))
			refill_recvs(r, r->sender[i]->peer, 1);
	if (r->o->role == ROLE_LOOPBACK)
		return;
	/* the client's first write must find its slot armed */
	if (r->o->role == ROLE_SERVER && r->o->mode == MODE_LAT &&
	    r->o->op == RIG_WRITE)
		lat_arm_write(r, &r->qp[0], 0);
	remote_ready(r);
}

/* Destroys what exists, in reverse order of creation; 0 or 1. */
int teardown(struct run *r)
{
	int err = 0, i;

	for (i = 2 * MAX_QPS - 1; i >= 0; i--)
		if (r->qp[i].qp)
			err |= msg_warn_ret(hwqnic_destroy_qp(r->qp[i].qp),
					"hwqnic_destroy_qp");
	for (i = 2 * MAX_QPS - 1; i >= 0; i--)
		if (r->cq[i])
			err |= msg_warn_ret(hwqnic_destroy_cq(r->cq[i]),
					"hwqnic_destroy_cq");
	for (i = 1; i >= 0; i--)
		if (r->side[i].mr)
			err |= msg_warn_ret(hwqnic_dereg_mr(r->side[i].mr),
					"hwqnic_dereg_mr");
	err |= rig_close(&r->rig);
	for (i = 0; i < 2; i++)
		if (r->side[i].buf)
			munmap(r->side[i].buf, r->side[i].len);
	free(r->swr);
	free(r->rwr);
	free(r->sge);
	free(r->samples);
	free(r);
	return err;
}

/* msg_die()'s cleanup until the run is torn down as planned */
void teardown_hook(void *r)
{
	teardown(r);
}
