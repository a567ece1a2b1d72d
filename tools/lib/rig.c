// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The RC loopback rig of hwqperf and hwqload (rig.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "opts.h"
#include "rig.h"

const enum hwqnic_wr_opcode rig_op_wr[RIG_NOPS] = {
	HWQNIC_WR_SEND, HWQNIC_WR_RDMA_WRITE, HWQNIC_WR_RDMA_READ
};
const enum hwqnic_wc_opcode rig_op_wc[RIG_NOPS] = {
	HWQNIC_WC_SEND, HWQNIC_WC_RDMA_WRITE, HWQNIC_WC_RDMA_READ
};

const char *rig_op_name(enum rig_op op)
{
	return op < RIG_NOPS ? hwqnic_wc_opcode_str(rig_op_wc[op]) : "?";
}

enum rig_op rig_op_parse(const char *what, const char *s)
{
	const char *names[RIG_NOPS];
	unsigned int i;

	for (i = 0; i < RIG_NOPS; i++)
		names[i] = rig_op_name(i);
	return opts_keyword(what, s, names, RIG_NOPS);
}

static int say(struct rig *rig, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err, with its message kept in rig->err */
static int say(struct rig *rig, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rig->err, sizeof(rig->err), fmt, ap);
	va_end(ap);
	return err;
}

int rig_open(struct rig *rig)
{
	return rig_open_netdev(rig, NULL);
}

int rig_open_netdev(struct rig *rig, const char *netdev)
{
	const char *s;
	int err;

	memset(rig, 0, sizeof(*rig));
	rig->ctx = netdev ? hwqnic_open_netdev(NULL, netdev, 0) :
		   hwqnic_open(NULL, 0);
	if (!rig->ctx)
		return say(rig, errno, "hwqnic_open%s%s: %s",
			   netdev ? "_netdev " : "", netdev ? netdev : "",
			   strerror(errno));
	err = hwqnic_query_device(rig->ctx, &rig->dev);
	if (err) {
		say(rig, err, "hwqnic_query_device: %s", strerror(err));
		goto fail;
	}
	err = hwqnic_query_port(rig->ctx, 1, &rig->port);
	if (err) {
		say(rig, err, "hwqnic_query_port: %s", strerror(err));
		goto fail;
	}
	if (rig->port.state != HWQNIC_PORT_ACTIVE) {
		err = say(rig, ENETDOWN, "port 1 is not active (state %u)",
			  rig->port.state);
		goto fail;
	}
	rig->pd = hwqnic_alloc_pd(rig->ctx);
	if (!rig->pd) {
		err = say(rig, errno, "hwqnic_alloc_pd: %s", strerror(errno));
		goto fail;
	}
	/*
	 * Opened with no flags: HWQNIC_BACKEND chose, and since the open
	 * succeeded it is unset, empty, "embedded" or "kernel".
	 */
	s = getenv("HWQNIC_BACKEND");
	rig->backend = s && !strcmp(s, "kernel") ? "kernel" : "embedded";
	return 0;
fail:
	hwqnic_close(rig->ctx);
	rig->ctx = NULL;
	return err;
}

int rig_close(struct rig *rig)
{
	int err = 0;

	if (rig->pd)
		err |= msg_warn_ret(hwqnic_dealloc_pd(rig->pd),
				    "hwqnic_dealloc_pd");
	if (rig->ctx)
		err |= msg_warn_ret(hwqnic_close(rig->ctx), "hwqnic_close");
	rig->pd = NULL;
	rig->ctx = NULL;
	return err;
}

struct hwqnic_cq *rig_cq(struct rig *rig, uint64_t cqe)
{
	struct hwqnic_cq *cq;

	if (cqe > rig->dev.max_cqe)
		cqe = rig->dev.max_cqe;
	cq = hwqnic_create_cq(rig->ctx, (int)cqe, NULL, NULL);
	if (!cq)
		say(rig, errno, "hwqnic_create_cq(%" PRIu64 "): %s", cqe,
		    strerror(errno));
	return cq;
}

struct hwqnic_qp *rig_rc_qp(struct rig *rig, struct hwqnic_cq *scq,
			    struct hwqnic_cq *rcq, uint32_t sq, uint32_t rq,
			    uint32_t max_inline)
{
	struct hwqnic_qp_init_attr ia = {
		.send_cq = scq,
		.recv_cq = rcq,
		.cap = {
			.max_send_wr = sq,
			.max_recv_wr = rq,
			.max_send_sge = 1,
			.max_recv_sge = 1,
			.max_inline_data = max_inline,
		},
		.qp_type = HWQNIC_QPT_RC,
	};
	struct hwqnic_qp *qp = hwqnic_create_qp(rig->pd, &ia);

	if (!qp) {
		say(rig, errno, "hwqnic_create_qp(send %u, recv %u): %s", sq,
		    rq, strerror(errno));
		return NULL;
	}
	if (ia.cap.max_send_wr < sq || ia.cap.max_recv_wr < rq) {
		say(rig, ENOMEM, "hwqnic_create_qp: asked for %u/%u WRs, got "
		    "%u/%u", sq, rq, ia.cap.max_send_wr, ia.cap.max_recv_wr);
		hwqnic_destroy_qp(qp);
		errno = ENOMEM;
		return NULL;
	}
	return qp;
}

enum hwqnic_mtu rig_mtu(uint32_t bytes)
{
	enum hwqnic_mtu m = HWQNIC_MTU_4096;

	while (m > HWQNIC_MTU_256 && bytes < (128U << m))
		m--;
	return m;
}

int rig_rc_to_init(struct hwqnic_qp *qp, unsigned int access)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.pkey_index = 0;
	a.port_num = 1;
	a.qp_access_flags = access;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE |
				HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
				HWQNIC_QP_ACCESS_FLAGS);
}

int rig_rc_to_rtr(struct hwqnic_qp *qp, uint32_t dest_qpn,
		  enum hwqnic_mtu mtu, uint8_t min_rnr_timer,
		  uint8_t rd_atomic)
{
	struct rig_dest d = { .qpn = dest_qpn };

	return rig_rc_to_rtr_dest(qp, &d, mtu, min_rnr_timer, rd_atomic);
}

/* To RTR toward d: what RC and UC share, beside a's and mask's own. */
static int to_rtr_dest(struct hwqnic_qp *qp, const struct rig_dest *d,
		       enum hwqnic_mtu mtu, struct hwqnic_qp_attr *a, int mask)
{
	a->qp_state = HWQNIC_QPS_RTR;
	a->path_mtu = mtu;
	a->dest_qp_num = d->qpn;
	a->rq_psn = d->psn;
	if (d->av)
		a->ah_attr = *d->av;
	return hwqnic_modify_qp(qp, a, mask | HWQNIC_QP_STATE |
				HWQNIC_QP_PATH_MTU | HWQNIC_QP_DEST_QPN |
				HWQNIC_QP_RQ_PSN |
				(d->av ? HWQNIC_QP_AV : 0));
}

int rig_rc_to_rtr_dest(struct hwqnic_qp *qp, const struct rig_dest *d,
		       enum hwqnic_mtu mtu, uint8_t min_rnr_timer,
		       uint8_t rd_atomic)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.max_dest_rd_atomic = rd_atomic;
	a.min_rnr_timer = min_rnr_timer;
	return to_rtr_dest(qp, d, mtu, &a, HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			   HWQNIC_QP_MIN_RNR_TIMER);
}

void rig_av(struct hwqnic_ah_attr *av, const uint8_t dgid[16],
	    uint8_t sgid_index, uint8_t hop_limit)
{
	memset(av, 0, sizeof(*av));
	memcpy(av->grh.dgid.raw, dgid, 16);
	av->grh.sgid_index = sgid_index;
	av->grh.hop_limit = hop_limit;
	av->is_global = 1;
	av->port_num = 1;
}

int rig_local_gid(struct rig *rig, uint8_t gid_index, uint8_t gid[16])
{
	union hwqnic_gid g;
	int err;

	if (rig->port.link_layer != HWQNIC_LINK_LAYER_ETHERNET)
		return say(rig, EINVAL, "the two-process form needs a device "
			   "bound to a netdev (-d NETDEV or HWQNIC_NETDEV)");
	err = hwqnic_query_gid(rig->ctx, 1, gid_index, &g);
	if (err)
		return say(rig, err, "no GID at index %u (hwqnic_query_gid: "
			   "%s)", gid_index, strerror(err));
	memcpy(gid, g.raw, 16);
	return 0;
}

int rig_rc_connect_peer(struct rig *rig, struct hwqnic_qp *qp,
			const uint8_t dgid[16], uint8_t gid_index,
			uint32_t dest_qpn, uint32_t dest_psn,
			uint32_t peer_mtu, uint32_t sq_psn)
{
	struct hwqnic_ah_attr av;
	struct rig_dest d = { .qpn = dest_qpn, .psn = dest_psn, .av = &av };
	uint32_t rd = rig->dev.max_qp_rd_atom;
	uint32_t mtu = rig->port.active_mtu < peer_mtu ?
		       rig->port.active_mtu : peer_mtu;
	int err;

	rd = rd < 1 ? 1 : rd > RIG_MAX_RD_ATOMIC ? RIG_MAX_RD_ATOMIC : rd;
	rig_av(&av, dgid, gid_index, 0);
	err = rig_rc_to_rtr_dest(qp, &d, rig_mtu(mtu), RIG_MIN_RNR_TIMER,
				 (uint8_t)rd);
	if (err)
		return say(rig, err, "hwqnic_modify_qp(qp %u to RTR towards "
			   "QP %u): %s", qp->qp_num, dest_qpn, strerror(err));
	err = rig_rc_to_rts_psn(qp, sq_psn, RIG_TIMEOUT, RIG_RETRY,
				RIG_RNR_RETRY, (uint8_t)rd);
	if (err)
		return say(rig, err, "hwqnic_modify_qp(qp %u to RTS): %s",
			   qp->qp_num, strerror(err));
	return 0;
}

int rig_rc_to_rts(struct hwqnic_qp *qp, uint8_t timeout, uint8_t retry,
		  uint8_t rnr_retry, uint8_t rd_atomic)
{
	return rig_rc_to_rts_psn(qp, 0, timeout, retry, rnr_retry,
				 rd_atomic);
}

int rig_rc_to_rts_psn(struct hwqnic_qp *qp, uint32_t sq_psn,
		      uint8_t timeout, uint8_t retry, uint8_t rnr_retry,
		      uint8_t rd_atomic)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = sq_psn;
	a.timeout = timeout;
	a.retry_cnt = retry;
	a.rnr_retry = rnr_retry;
	a.max_rd_atomic = rd_atomic;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
				HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
				HWQNIC_QP_RNR_RETRY |
				HWQNIC_QP_MAX_QP_RD_ATOMIC);
}

int rig_uc_to_rtr_dest(struct hwqnic_qp *qp, const struct rig_dest *d,
		       enum hwqnic_mtu mtu)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	return to_rtr_dest(qp, d, mtu, &a, 0);
}

int rig_uc_to_rts_psn(struct hwqnic_qp *qp, uint32_t sq_psn)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = sq_psn;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN);
}

int rig_ud_to_rts(struct hwqnic_qp *qp, uint32_t qkey)
{
	return rig_ud_to_rts_psn(qp, qkey, 0);
}

int rig_ud_to_rts_psn(struct hwqnic_qp *qp, uint32_t qkey, uint32_t sq_psn)
{
	struct hwqnic_qp_attr a;
	int err;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.port_num = 1;
	a.qkey = qkey;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			       HWQNIC_QP_PORT | HWQNIC_QP_QKEY);
	if (err)
		return err;
	a.qp_state = HWQNIC_QPS_RTR;
	err = hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE);
	if (err)
		return err;
	a.qp_state = HWQNIC_QPS_RTS;
	a.sq_psn = sq_psn;
	return hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN);
}

int rig_rc_connect(struct rig *rig, struct hwqnic_qp *qp, uint32_t dest_qpn)
{
	uint32_t rd = rig->dev.max_qp_rd_atom;
	int err;

	if (rd < 1)
		rd = 1;
	if (rd > RIG_MAX_RD_ATOMIC)
		rd = RIG_MAX_RD_ATOMIC;
	err = rig_rc_to_init(qp, RIG_ACCESS);
	if (err)
		return say(rig, err, "hwqnic_modify_qp(qp %u to INIT): %s",
			   qp->qp_num, strerror(err));
	err = rig_rc_to_rtr(qp, dest_qpn, rig_mtu(rig->port.active_mtu),
			    RIG_MIN_RNR_TIMER, (uint8_t)rd);
	if (err)
		return say(rig, err, "hwqnic_modify_qp(qp %u to RTR): %s",
			   qp->qp_num, strerror(err));
	err = rig_rc_to_rts(qp, RIG_TIMEOUT, RIG_RETRY, RIG_RNR_RETRY,
			    (uint8_t)rd);
	if (err)
		return say(rig, err, "hwqnic_modify_qp(qp %u to RTS): %s",
			   qp->qp_num, strerror(err));
	return 0;
}

uint64_t rig_idle_pass(struct rig_idle *idle, bool busy)
{
	if (busy)
		return idle->passes = 0;
	if (!idle->passes++)
		idle->since = rig_now_ns();
	return idle->passes;
}

void rig_check_wc(const struct hwqnic_wc *wc, enum hwqnic_wc_status want)
{
	enum hwqnic_wc_status s = wc->status;

	if (s == want)
		return;
	msg_die(1, "completion error: status %u (%s), wr_id 0x%" PRIx64
		", qp %u, vendor_err %u%s%s", s, hwqnic_wc_status_str(s),
		(uint64_t)wc->wr_id, wc->qp_num, wc->vendor_err,
		want ? "; expected " : "", want ? hwqnic_wc_status_str(want) :
		"");
}
