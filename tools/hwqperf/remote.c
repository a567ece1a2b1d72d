// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: the two-process form, as perftest's (hwqperf.h). The client
 * is the requester (A, side 0), the server the responder (B, side 1);
 * each makes its half of the loopback run's QP pair and buffers, and the
 * other half stands for the peer: its QPN, PSN, GID, rkey and buffer
 * address come over the out-of-band TCP exchange (tools/lib/oob.h), with
 * the run's parameters, which must match. The client measures and
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

static struct qpx *local_qp(struct run *r)
{
	return &r->qp[r->o->role == ROLE_CLIENT ? 0 : 1];
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
	struct qpx *x = local_qp(r);
	struct side *s = local_side(r), *ps = &r->side[client ? 1 : 0];
	struct oob_perf me = {
		.magic = OOB_PERF_MAGIC, .version = OOB_PERF_VERSION,
		.mode = (uint8_t)o->mode, .op = (uint8_t)o->op,
		.qpn = x->qp->qp_num, .rkey = s->rkey,
		.mtu = r->rig.port.active_mtu, .addr = s->addr,
		.buf_size = o->buf_size, .size = o->size, .iters = o->iters,
		.cq_mod = o->cq_mod, .flags = o->verify ? OOB_PERF_VERIFY : 0,
	};
	int err;

	if (rig_local_gid(&r->rig, o->gid_index, me.gid))
		fail("%s", r->rig.err);
	me.psn = (uint32_t)lrand48() & 0xffffff;
	err = rig_rc_to_init(x->qp, RIG_ACCESS);
	if (err)
		fail("hwqnic_modify_qp(qp %u to INIT): %s", x->qp->qp_num,
		     strerror(err));
	oob_init(&r->oob, OOB_TIMEOUT_MS);
	oob_or_die(r, oob_open(&r->oob, client ? o->server : NULL, o->port),
		   "exchange");
	oob_or_die(r, oob_perf_swap(&r->oob, &me, &r->peer,
				    client ? "server" : "client"),
		   "exchanging the QPs");
	ps->addr = r->peer.addr;
	ps->rkey = r->peer.rkey;
	ps->len = r->peer.buf_size;
	if (rig_rc_connect_peer(&r->rig, x->qp, r->peer.gid, o->gid_index,
				r->peer.qpn, r->peer.psn, r->peer.mtu,
				me.psn))
		fail("%s", r->rig.err);
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

/* The server's part of bw --op send: receive them all. */
static void serve_bw_send(struct run *r, struct qpx *b)
{
	while (b->rdone < r->iters) {
		refill_recvs(r, b, r->rx_batch);
		watchdog(r, poll_cq(r, r->rcq) > 0);
	}
}

void remote_serve(struct run *r)
{
	struct qpx *b = local_qp(r);

	if (r->o->mode == MODE_LAT && r->o->op == RIG_WRITE)
		serve_lat_write(r, b);
	else if (r->o->mode == MODE_LAT && r->o->op == RIG_SEND)
		serve_lat_send(r, b);
	else if (r->o->op == RIG_SEND)
		serve_bw_send(r, b);
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
		" bytes to QP %u%s\n", mode_names[o->mode], rig_op_name(o->op),
		o->iters, o->size, r->peer.qpn,
		o->verify ? ", every byte received checked" : "");
}
