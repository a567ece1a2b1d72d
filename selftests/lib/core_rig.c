// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A device for the engine's tests: see core_rig.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core_rig.h"

static struct rig *rig_of(struct hwqnic_dev *dev)
{
	return (struct rig *)((char *)dev - offsetof(struct rig, dev));
}

static struct hwqnic_qp_counters *t_counters(struct hwqnic_dev *dev, u32 qpn)
{
	struct hwqnic_qp_counters *c =
		&rig_of(dev)->counters[qpn - HWQNIC_FIRST_QPN];

	memset(c, 0, sizeof(*c));
	return c;
}

static void t_async(struct hwqnic_dev *dev, u32 type, u32 handle)
{
	(void)type;
	(void)handle;
	rig_of(dev)->async_events++;
}

static const struct hwqnic_dev_ops ops = {
	.qp_counters = t_counters,
	.async_event = t_async,
};

struct hwqnic_qp_counters *rig_counters(struct rig *r,
					const struct hwqnic_core_qp *q)
{
	return &r->counters[q->qpn - HWQNIC_FIRST_QPN];
}

void rts(struct rig *r, struct hwqnic_core_qp *q, u32 dest)
{
	struct hwqnic_qp_attr at = {
		.qp_state = HWQNIC_QPS_INIT, .port_num = 1,
		.qp_access_flags = HWQNIC_ACCESS_ALL,
	};

	hwqnic_qp_modify(&r->dev, q, &at, HWQNIC_QP_STATE |
			 HWQNIC_QP_PKEY_INDEX | HWQNIC_QP_PORT |
			 HWQNIC_QP_ACCESS_FLAGS);
	at.qp_state = HWQNIC_QPS_RTR;
	at.path_mtu = HWQNIC_MTU_4096;
	at.dest_qp_num = dest;
	hwqnic_qp_modify(&r->dev, q, &at, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			 HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
			 HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			 HWQNIC_QP_MIN_RNR_TIMER);
	at.qp_state = HWQNIC_QPS_RTS;
	at.rnr_retry = 0;
	hwqnic_qp_modify(&r->dev, q, &at, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
			 HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
			 HWQNIC_QP_RNR_RETRY | HWQNIC_QP_MAX_QP_RD_ATOMIC);
}

void reconnect(struct rig *r)
{
	struct hwqnic_qp_attr at = { .qp_state = HWQNIC_QPS_RESET };

	hwqnic_qp_modify(&r->dev, &r->a, &at, HWQNIC_QP_STATE);
	hwqnic_qp_modify(&r->dev, &r->b, &at, HWQNIC_QP_STATE);
	rts(r, &r->a, r->b.qpn);
	rts(r, &r->b, r->a.qpn);
}

int rig_up(struct rig *r)
{
	struct hwqnic_qp_init_attr ia = {
		.qp_type = HWQNIC_QPT_RC,
		.cap = { .max_send_wr = 64, .max_recv_wr = 64,
			 .max_send_sge = 4, .max_recv_sge = 4,
			 .max_inline_data = 128 },
	};
	dma_addr_t pages[BUF / 4096];
	u32 i;

	memset(r, 0, sizeof(*r));
	r->counters = calloc(HWQNIC_MAX_QP, sizeof(*r->counters));
	if (!r->counters)
		return -1;
	if (posix_memalign((void **)&r->mem, 4096, BUF + 2 * GUARD))
		return -1;
	memset(r->mem, 0xa5, BUF + 2 * GUARD);
	for (i = 0; i < BUF / 4096; i++)
		pages[i] = hwqnic_os_va_to_dma(r->mem + GUARD + i * 4096);
	if (hwqnic_dev_init(&r->dev, &ops, 0) ||
	    hwqnic_pd_alloc(&r->dev, &r->pd) ||
	    hwqnic_mr_reg(&r->dev, &r->mr, &r->pd,
			  (uintptr_t)(r->mem + GUARD + SLACK), BUF - 2 * SLACK,
			  HWQNIC_ACCESS_ALL, pages, BUF / 4096, 12) ||
	    hwqnic_cq_create(&r->dev, &r->cq, 1024) ||
	    hwqnic_qp_create(&r->dev, &r->a, &r->pd, &r->cq, &r->cq, &ia) ||
	    hwqnic_qp_create(&r->dev, &r->b, &r->pd, &r->cq, &r->cq, &ia))
		return -1;
	rts(r, &r->a, r->b.qpn);
	rts(r, &r->b, r->a.qpn);
	return 0;
}

void rig_down(struct rig *r)
{
	hwqnic_qp_destroy(&r->dev, &r->b);
	hwqnic_qp_destroy(&r->dev, &r->a);
	hwqnic_cq_destroy(&r->dev, &r->cq);
	hwqnic_mr_dereg(&r->dev, &r->mr);
	hwqnic_pd_free(&r->dev, &r->pd);
	hwqnic_dev_fini(&r->dev);
	free(r->mem);
	free(r->counters);
}

void run_engine(struct rig *r)
{
	int i;

	for (i = 0; i < 1000 && hwqnic_engine_poll(&r->dev); i++)
		;
}

bool rig_pending(const struct rig *r, u32 slot)
{
	return r->dev.dbp->pending[slot / 64] & (1ULL << (slot % 64));
}

void rig_post_recv(struct rig *r, struct hwqnic_core_qp *q, u64 wr_id)
{
	struct hwqnic_sge sge = { (uintptr_t)(r->mem + GUARD + SLACK), 64,
				  r->mr.key };
	struct hwqnic_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge,
				     .num_sge = 1 };
	const struct hwqnic_recv_wr *bad;

	hwqnic_qp_post_recv(&r->dev, q, &wr, &bad);
}

u32 rig_drain(struct rig *r, u8 status, u32 *other)
{
	struct hwqnic_wc wc[16];
	u32 total = 0;
	int n, i;

	while ((n = hwqnic_cq_poll(&r->dev, &r->cq, 16, wc)) > 0) {
		for (i = 0; i < n; i++)
			*other += wc[i].status != status;
		total += n;
	}
	return total;
}
