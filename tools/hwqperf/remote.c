// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: the two-process form, as perftest's (hwqperf.h). The client
 * is the requester (A, side 0), the server the responder (B, side 1);
 * each makes its half of the loopback run's QP pairs and buffers, and the
 * other half stands for the peer: its QPN, PSN, GID, rkey and buffer
 * address come over the out-of-band TCP exchange (tools/lib/oob.h), one
 * message a pair, with the run's parameters, which must match. The client measures and
 * reports as in loopback; the server does its part of the run and says
 * what it served.
 */
#include "hwqperf.h"

/* Steps both sides reach: QPs in RTS and receives posted; the run ended */
#define SYNC_READY	'R'
#define SYNC_END	'E'
/* The server waits this long for the client's end (keepalive sees a
 * dead client sooner) */
#define END_WAIT_MS	(24 * 3600 * 1000)

/* Pair p's QP of this process */
static struct qpx *local_qp(struct run *r, unsigned int p)
{
	return &r->qp[2 * p + (r->o->role == ROLE_CLIENT ? 0 : 1)];
}

static struct side *local_side(struct run *r)
{
	return &r->side[r->o->role == ROLE_CLIENT ? 0 : 1];
}

static void oob_or_die(struct run *r, int err, const char *what)
{
	if (err)
		fail("%s: %s", what, r->oob.err);
}

void remote_connect(struct run *r)
{
	const struct opts *o = r->o;
	bool client = o->role == ROLE_CLIENT;
	struct side *s = local_side(r), *ps = &r->side[client ? 1 : 0];
	struct oob_perf me = {
		.magic = OOB_PERF_MAGIC, .version = OOB_PERF_VERSION,
		.mode = (uint8_t)o->mode, .op = (uint8_t)o->op,
		.rkey = s->rkey, .mtu = r->rig.port.active_mtu,
		.addr = s->addr, .buf_size = o->buf_size, .size = o->size,
		.iters = o->iters, .cq_mod = o->cq_mod,
		.flags = o->verify ? OOB_PERF_VERIFY : 0, .qps = o->qps,
	}, peer;
	struct qpx *x;
	unsigned int p;
	int err;

	if (rig_local_gid(&r->rig, o->gid_index, me.gid))
		fail("%s", r->rig.err);
	oob_init(&r->oob, OOB_TIMEOUT_MS);
	oob_or_die(r, oob_open(&r->oob, client ? o->server : NULL, o->port),
		   "exchange");
	/* one message a pair; the peer's buffer is one for all */
	for (p = 0; p < o->qps; p++) {
		x = local_qp(r, p);
		me.qpn = x->qp->qp_num;
		me.psn = (uint32_t)lrand48() & 0xffffff;
		err = rig_rc_to_init(x->qp, RIG_ACCESS);
		if (err)
			fail("hwqnic_modify_qp(qp %u to INIT): %s",
			     x->qp->qp_num, strerror(err));
		oob_or_die(r, oob_perf_swap(&r->oob, &me, &peer,
					    client ? "server" : "client"),
			   "exchanging the QPs");
		if (!p)
			r->peer = peer;
		else if (peer.addr != r->peer.addr ||
			 peer.rkey != r->peer.rkey)
			fail("the %s names another buffer for QP %u",
			     client ? "server" : "client", peer.qpn);
		if (rig_rc_connect_peer(&r->rig, x->qp, peer.gid,
					o->gid_index, peer.qpn, peer.psn,
					peer.mtu, me.psn))
			fail("%s", r->rig.err);
	}
	ps->addr = r->peer.addr;
	ps->rkey = r->peer.rkey;
	ps->len = r->peer.buf_size;
}

void remote_ready(struct run *r)
{
	oob_or_die(r, oob_sync(&r->oob, SYNC_READY, r->oob.timeout_ms),
		   "waiting for the peer's QP");
}

/* The server's part of lat --op write: answer each write with one. */
static void serve_lat_write(struct run *r, struct qpx *b)
{
	struct qpx *a = b->peer;
	uint64_t k, ga, last = r->o->size - 1;
	uint8_t *dst;

	for (k = 0; k < r->iters; k++) {
		ga = msg_g(r, a, k);
		dst = (uint8_t *)msg_dst(r, a, ga) + last;
		while (__atomic_load_n(dst, __ATOMIC_ACQUIRE) !=
		       pat_byte(pat_seed(ga), last)) {
			watchdog(r, false);
			poll_cq(r, b->cq);
		}
		watchdog(r, true);
		if (k + 1 < r->iters)
			lat_arm_write(r, a, k + 1);
		lat_write_back(r, b, k);
	}
	lat_wait_done(r, b);
}

/* The server's part of lat --op send: answer each message with one. */
static void serve_lat_send(struct run *r, struct qpx *b)
{
	uint64_t k;

	for (k = 0; k < r->iters; k++) {
		while (b->rdone <= k)
			watchdog(r, poll_cq(r, b->cq) > 0);
		refill_recvs(r, b, 1);
		lat_send_back(r, b, k);
	}
	lat_wait_done(r, b);
}

/* The server's part of bw --op send: receive them all, every pair's. */
static void serve_bw_send(struct run *r)
{
	while (r->rdone < r->iters * r->o->qps)
		watchdog(r, bw_poll_recv(r));
}

void remote_serve(struct run *r)
{
	struct qpx *b = local_qp(r, 0);

	if (r->o->mode == MODE_LAT && r->o->op == RIG_WRITE)
		serve_lat_write(r, b);
	else if (r->o->mode == MODE_LAT && r->o->op == RIG_SEND)
		serve_lat_send(r, b);
	else if (r->o->op == RIG_SEND)
		serve_bw_send(r);
	/* WRITE and READ into or from the server's buffer: the client's */
}

void remote_done(struct run *r)
{
	const struct opts *o = r->o;
	bool server = o->role == ROLE_SERVER;

	oob_or_die(r, oob_sync(&r->oob, SYNC_END, server ? END_WAIT_MS :
			       r->oob.timeout_ms), "waiting for the peer's end");
	oob_close(&r->oob);
	if (!server)
		return;
	/* the server's one line: on stdout unless JSON or CSV own it */
	fprintf(o->json || o->csv ? stderr : stdout,
		"hwqperf: served %s --op %s: %" PRIu64 " messages of %" PRIu64
		" bytes to QP %u%s%s\n", mode_names[o->mode], rig_op_name(o->op),
		o->iters, o->size, r->peer.qpn,
		o->qps > 1 ? " and the next QPs, each" : "",
		o->verify ? ", every byte received checked" : "");
}
