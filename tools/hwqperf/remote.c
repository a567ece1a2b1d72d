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

/* The QP to RTS towards the peer r->peer names */
static void connect_peer(struct run *r, struct qpx *x, uint32_t psn)
{
	struct hwqnic_ah_attr av;
	struct rig_dest d = { .qpn = r->peer.qpn, .psn = r->peer.psn,
			      .av = &av };
	uint32_t rd = MIN(MAX(r->rig.dev.max_qp_rd_atom, 1),
			  RIG_MAX_RD_ATOMIC);
	uint32_t mtu = MIN(r->rig.port.active_mtu, r->peer.mtu);
	int err;

	rig_av(&av, r->peer.gid, r->o->gid_index, 0);
	err = rig_rc_to_rtr_dest(x->qp, &d, rig_mtu(mtu), RIG_MIN_RNR_TIMER,
				 (uint8_t)rd);
	if (err)
		fail("hwqnic_modify_qp(qp %u to RTR towards QP %u): %s",
		     x->qp->qp_num, r->peer.qpn, strerror(err));
	err = rig_rc_to_rts_psn(x->qp, psn, RIG_TIMEOUT, RIG_RETRY,
				RIG_RNR_RETRY, (uint8_t)rd);
	if (err)
		fail("hwqnic_modify_qp(qp %u to RTS): %s", x->qp->qp_num,
		     strerror(err));
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
	uint8_t wire[OOB_PERF_LEN];
	union hwqnic_gid gid;
	char why[200];
	int err;

	if (r->rig.port.link_layer != HWQNIC_LINK_LAYER_ETHERNET)
		fail("the two-process form needs a device bound to a netdev "
		     "(-d NETDEV or HWQNIC_NETDEV)");
	err = hwqnic_query_gid(r->rig.ctx, 1, o->gid_index, &gid);
	if (err)
		fail("no GID at index %u (hwqnic_query_gid: %s)",
		     o->gid_index, strerror(err));
	memcpy(me.gid, gid.raw, 16);
	me.psn = (uint32_t)lrand48() & 0xffffff;
	err = rig_rc_to_init(x->qp, RIG_ACCESS);
	if (err)
		fail("hwqnic_modify_qp(qp %u to INIT): %s", x->qp->qp_num,
		     strerror(err));
	oob_init(&r->oob, OOB_TIMEOUT_MS);
	if (client)
		oob_or_die(r, oob_connect(&r->oob, o->server, o->port),
			   "exchange");
	else
		oob_or_die(r, oob_listen(&r->oob, o->port), "exchange");
	oob_perf_pack(wire, &me);
	oob_or_die(r, oob_send(&r->oob, wire, sizeof(wire)),
		   "sending this side's QP");
	oob_or_die(r, oob_recv(&r->oob, wire, sizeof(wire)),
		   "reading the peer's QP");
	if (oob_perf_unpack(wire, &r->peer, why, sizeof(why)) ||
	    oob_perf_match(&me, &r->peer, client ? "server" : "client", why,
			   sizeof(why)))
		fail("%s", why);
	ps->addr = r->peer.addr;
	ps->rkey = r->peer.rkey;
	ps->len = r->peer.buf_size;
	connect_peer(r, x, me.psn);
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
