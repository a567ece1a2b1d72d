// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The verbs tests' rig: see pair.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "lib/rig.h"
#include "pair.h"
#include "tap.h"

int u_dev_open(struct u_dev *d)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->ctx = u_open(NULL);
	if (!d->ctx) {
		rc = errno ? errno : EIO;
		diag("hwqnic_open(%s backend): %s", u_backend_name(),
		     strerror(rc));
		return rc;
	}
	rc = hwqnic_query_device(d->ctx, &d->attr);
	if (!rc)
		rc = hwqnic_query_port(d->ctx, 1, &d->port);
	if (!rc) {
		d->pd = hwqnic_alloc_pd(d->ctx);
		if (!d->pd)
			rc = errno ? errno : EIO;
	}
	if (rc) {
		diag("device setup: %s", strerror(rc));
		hwqnic_close(d->ctx);
		d->ctx = NULL;
	}
	return rc;
}

/* A teardown step's result r, told when it failed; *rc keeps the last. */
static void step(int *rc, int r, const char *what)
{
	if (!r)
		return;
	diag("%s: %s", what, strerror(r));
	*rc = r;
}

int u_dev_close(struct u_dev *d)
{
	int rc = 0;

	if (d->pd)
		step(&rc, hwqnic_dealloc_pd(d->pd), "hwqnic_dealloc_pd");
	if (d->ctx)
		step(&rc, hwqnic_close(d->ctx), "hwqnic_close");
	d->pd = NULL;
	d->ctx = NULL;
	return rc;
}

int u_buf_alloc(struct u_buf *b, struct hwqnic_pd *pd,
		size_t len, unsigned int access)
{
	void *p;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = posix_memalign(&p, 4096, len ? len : 1);
	if (rc)
		return rc;
	memset(p, 0, len ? len : 1);
	b->p = p;
	b->len = len;
	if (pd) {
		b->mr = hwqnic_reg_mr(pd, p, len, access);
		if (!b->mr) {
			rc = errno ? errno : EIO;
			diag("hwqnic_reg_mr(%zu bytes, access %#x): %s", len,
			     access, strerror(rc));
			free(p);
			b->p = NULL;
			return rc;
		}
	}
	return 0;
}

void u_buf_free(struct u_buf *b)
{
	int rc;

	if (b->mr) {
		rc = hwqnic_dereg_mr(b->mr);
		if (rc)
			diag("hwqnic_dereg_mr: %s", strerror(rc));
	}
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void u_qp_cfg_default(struct u_qp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->type = HWQNIC_QPT_RC;
	c->max_send_wr = 64;
	c->max_recv_wr = 64;
	c->max_send_sge = 1;
	c->max_recv_sge = 1;
	c->access = U_RC_ACCESS;
	c->min_rnr_timer = 1;
	c->rnr_retry = 7;
	c->rd_atomic = 1;
	c->qkey = U_QKEY;
}

int u_ep_destroy(struct u_ep *e)
{
	int rc = 0;

	if (e->qp)
		step(&rc, hwqnic_destroy_qp(e->qp), "hwqnic_destroy_qp");
	if (e->scq && e->own_scq)
		step(&rc, hwqnic_destroy_cq(e->scq), "hwqnic_destroy_cq");
	if (e->rcq && e->own_rcq)
		step(&rc, hwqnic_destroy_cq(e->rcq), "hwqnic_destroy_cq");
	memset(e, 0, sizeof(*e));
	return rc;
}

int u_ep_create_with(struct u_ep *e, struct hwqnic_pd *pd,
		     const struct u_qp_cfg *c,
		     struct hwqnic_cq *scq,
		     struct hwqnic_cq *rcq)
{
	struct hwqnic_qp_init_attr ia;
	int cqe = c->cqe ? c->cqe : (int)(c->max_send_wr + c->max_recv_wr);
	int rc;

	memset(e, 0, sizeof(*e));
	e->cfg = *c;
	e->scq = scq;
	if (!e->scq) {
		e->scq = hwqnic_create_cq(pd->context, cqe, NULL, NULL);
		if (!e->scq)
			goto fail;
		e->own_scq = true;
	}
	e->rcq = rcq;
	if (!e->rcq) {
		e->rcq = hwqnic_create_cq(pd->context, cqe, NULL, NULL);
		if (!e->rcq)
			goto fail;
		e->own_rcq = true;
	}
	memset(&ia, 0, sizeof(ia));
	ia.send_cq = e->scq;
	ia.recv_cq = e->rcq;
	ia.qp_type = c->type;
	ia.sq_sig_all = c->sq_sig_all;
	ia.cap.max_send_wr = c->max_send_wr;
	ia.cap.max_recv_wr = c->max_recv_wr;
	ia.cap.max_send_sge = c->max_send_sge;
	ia.cap.max_recv_sge = c->max_recv_sge;
	ia.cap.max_inline_data = c->max_inline;
	e->qp = hwqnic_create_qp(pd, &ia);
	if (!e->qp)
		goto fail;
	e->cap = ia.cap;
	return 0;
fail:
	rc = errno ? errno : EIO;
	diag("endpoint setup: %s", strerror(rc));
	u_ep_destroy(e);
	return rc;
}

int u_ep_create(struct u_ep *e, struct hwqnic_pd *pd,
		const struct u_qp_cfg *c)
{
	return u_ep_create_with(e, pd, c, NULL, NULL);
}

/* The state walk is the tools' rig's (tools/lib/rig.c), with the tests'
 * path MTU, timeout and retry count */
int u_rc_to_init(struct hwqnic_qp *qp, __u32 access)
{
	return rig_rc_to_init(qp, access);
}

int u_rc_to_rtr(struct hwqnic_qp *qp, __u32 dest_qpn,
		__u8 min_rnr_timer, __u8 rd_atomic)
{
	return rig_rc_to_rtr(qp, dest_qpn, HWQNIC_MTU_4096, min_rnr_timer,
			     rd_atomic);
}

int u_rc_to_rtr_av(struct hwqnic_qp *qp, __u32 dest_qpn,
		   enum hwqnic_mtu mtu, __u8 min_rnr_timer, __u8 rd_atomic,
		   const struct hwqnic_ah_attr *av)
{
	struct rig_dest d = { .qpn = dest_qpn, .av = av };

	return rig_rc_to_rtr_dest(qp, &d, mtu, min_rnr_timer, rd_atomic);
}

int u_av_to(struct hwqnic_context *ctx, const uint8_t sgid[16],
	    const uint8_t dgid[16], struct hwqnic_ah_attr *av)
{
	union hwqnic_gid g;
	int i;

	memset(av, 0, sizeof(*av));
	av->port_num = 1;
	av->is_global = 1;
	memcpy(av->grh.dgid.raw, dgid, 16);
	for (i = 0; i < 256 && !hwqnic_query_gid(ctx, 1, i, &g); i++)
		if (!memcmp(g.raw, sgid, 16)) {
			av->grh.sgid_index = (__u8)i;
			return 0;
		}
	return -1;
}

int u_rc_to_rts(struct hwqnic_qp *qp, __u8 rnr_retry,
		__u8 rd_atomic)
{
	return rig_rc_to_rts(qp, RIG_TIMEOUT, RIG_RETRY, rnr_retry, rd_atomic);
}

int u_ud_to_rts(struct hwqnic_qp *qp, __u32 qkey)
{
	return rig_ud_to_rts(qp, qkey);
}

int u_rc_connect(struct u_ep *a, struct u_ep *b)
{
	int rc;

	rc = u_rc_to_init(a->qp, a->cfg.access);
	if (!rc)
		rc = u_rc_to_init(b->qp, b->cfg.access);
	if (!rc)
		rc = u_rc_to_rtr(a->qp, b->qp->qp_num, a->cfg.min_rnr_timer,
				 a->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rtr(b->qp, a->qp->qp_num, b->cfg.min_rnr_timer,
				 b->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rts(a->qp, a->cfg.rnr_retry, a->cfg.rd_atomic);
	if (!rc)
		rc = u_rc_to_rts(b->qp, b->cfg.rnr_retry, b->cfg.rd_atomic);
	if (rc)
		diag("connecting QPs %u and %u: %s", a->qp->qp_num,
		     b->qp->qp_num, strerror(rc));
	return rc;
}

int u_uc_connect(struct u_ep *a, struct u_ep *b)
{
	struct rig_dest da = { .qpn = b->qp->qp_num };
	struct rig_dest db = { .qpn = a->qp->qp_num };
	int rc;

	rc = u_rc_to_init(a->qp, a->cfg.access);
	if (!rc)
		rc = u_rc_to_init(b->qp, b->cfg.access);
	if (!rc)
		rc = rig_uc_to_rtr_dest(a->qp, &da, HWQNIC_MTU_4096);
	if (!rc)
		rc = rig_uc_to_rtr_dest(b->qp, &db, HWQNIC_MTU_4096);
	if (!rc)
		rc = rig_uc_to_rts_psn(a->qp, 0);
	if (!rc)
		rc = rig_uc_to_rts_psn(b->qp, 0);
	if (rc)
		diag("connecting UC QPs %u and %u: %s", a->qp->qp_num,
		     b->qp->qp_num, strerror(rc));
	return rc;
}

int u_pair_destroy(struct u_pair *p)
{
	int ra = u_ep_destroy(&p->a);
	int rb = u_ep_destroy(&p->b);

	return ra ? ra : rb;
}

int u_pair_create2(struct u_pair *p, struct hwqnic_pd *pd_a,
		   const struct u_qp_cfg *ca,
		   struct hwqnic_pd *pd_b,
		   const struct u_qp_cfg *cb)
{
	int rc;

	memset(p, 0, sizeof(*p));
	rc = u_ep_create(&p->a, pd_a, ca);
	if (!rc)
		rc = u_ep_create(&p->b, pd_b, cb);
	if (!rc && ca->type == HWQNIC_QPT_RC)
		rc = u_rc_connect(&p->a, &p->b);
	if (!rc && ca->type == HWQNIC_QPT_UC)
		rc = u_uc_connect(&p->a, &p->b);
	if (!rc && ca->type == HWQNIC_QPT_UD) {
		rc = u_ud_to_rts(p->a.qp, ca->qkey);
		if (!rc)
			rc = u_ud_to_rts(p->b.qp, cb->qkey);
	}
	if (rc)
		u_pair_destroy(p);
	return rc;
}

int u_pair_create(struct u_pair *p, struct hwqnic_pd *pd,
		  const struct u_qp_cfg *c)
{
	return u_pair_create2(p, pd, c, pd, c);
}

int u_qp_state(struct hwqnic_qp *qp)
{
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	if (hwqnic_query_qp(qp, &a))
		return -1;
	return a.qp_state;
}
