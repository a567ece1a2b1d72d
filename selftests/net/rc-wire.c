// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * RC across a real link: a device in each of two namespaces joined by
 * veth, bound to its end (AF_XDP, then the UDP socket), an RC QP on each
 * whose path the port resolved, and WRITE, SEND, READ and both atomics
 * from one to the other through the transport and the ports, 0 B to
 * 4 MiB across the MTU. Every byte must land where it should.
 */

#include "../lib/helpers.h"
#include "../lib/netns.h"
#include "libhwqnic.h"
#include "uport.h"
#include "lib/rig.h"

#define BUF_LEN		(4U << 20)

static struct u_netns ns;

struct host {
	struct u_dev d;
	struct u_buf buf;
	struct u_ep ep;
};

static int host_up(struct host *h, int i)
{
	struct u_qp_cfg c;

	memset(h, 0, sizeof(*h));
	u_netns_enter(&ns, i);
	h->d.ctx = hwqnic_open_netdev(NULL, ns.ifname[i], 0);
	u_netns_enter(&ns, -1);
	if (!h->d.ctx || hwqnic_query_port(h->d.ctx, 1, &h->d.port))
		return -1;
	h->d.pd = hwqnic_alloc_pd(h->d.ctx);
	u_qp_cfg_default(&c);
	c.rd_atomic = 4;
	if (!h->d.pd || u_buf_alloc(&h->buf, h->d.pd, BUF_LEN, U_RC_ACCESS) ||
	    u_ep_create(&h->ep, h->d.pd, &c))
		return -1;
	return 0;
}

static void host_down(struct host *h)
{
	if (h->ep.qp)
		u_ep_destroy(&h->ep);
	if (h->buf.p)
		u_buf_free(&h->buf);
	if (h->d.pd)
		hwqnic_dealloc_pd(h->d.pd);
	if (h->d.ctx)
		hwqnic_close(h->d.ctx);
}

/* h's QP to RTS, its address vector naming peer's GID: the wire. */
static const char *connect_to(struct host *h, int i, struct host *peer)
{
	struct hwqnic_ah_attr av;
	struct hwqnic_qp_attr got;

	if (rig_rc_to_init(h->ep.qp, U_RC_ACCESS))
		return "INIT";
	if (u_av_to(h->d.ctx, ns.gid4[i], ns.gid4[!i], &av))
		return "the device has no GID of its IPv4 address";
	if (u_rc_to_rtr_av(h->ep.qp, peer->ep.qp->qp_num,
			   rig_mtu(h->d.port.active_mtu), 1, 4, &av))
		return "RTR with the address vector";
	if (hwqnic_query_qp(h->ep.qp, &got) ||
	    memcmp(&got.ah_attr, &av, sizeof(av)))
		return "query_qp does not return the address vector";
	if (rig_rc_to_rts(h->ep.qp, 14, 7, 7, 4))
		return "RTS";
	return NULL;
}

static const char *write_read(struct host *a, struct host *b, u32 len,
			      uint64_t *seed)
{
	struct hwqnic_sge sge = u_sge(&a->buf, 0, len);
	struct hwqnic_wc wc;
	const char *why;

	u_fill_rand(a->buf.p, len, seed);
	memset(b->buf.p, 0, len + 1);
	if (u_post_send(a->ep.qp, HWQNIC_WR_RDMA_WRITE, 1, &sge, 1,
			HWQNIC_SEND_SIGNALED, u_addr(&b->buf, 0),
			b->buf.mr->rkey, 0))
		return "post WRITE";
	why = u_expect_wc(a->ep.scq, 1, HWQNIC_WC_SUCCESS,
			  HWQNIC_WC_RDMA_WRITE, -1, a->ep.qp->qp_num, &wc);
	if (why)
		return why;
	if (memcmp(a->buf.p, b->buf.p, len) || b->buf.p[len])
		return "WRITE: the bytes differ";
	memset(a->buf.p, 0, len);
	if (u_post_send(a->ep.qp, HWQNIC_WR_RDMA_READ, 2, &sge, 1,
			HWQNIC_SEND_SIGNALED, u_addr(&b->buf, 0),
			b->buf.mr->rkey, 0))
		return "post READ";
	why = u_expect_wc(a->ep.scq, 2, HWQNIC_WC_SUCCESS,
			  HWQNIC_WC_RDMA_READ, len, a->ep.qp->qp_num, &wc);
	if (why)
		return why;
	return memcmp(a->buf.p, b->buf.p, len) ? "READ: the bytes differ" :
						 NULL;
}

static const char *send_recv(struct host *a, struct host *b, u32 len,
			     uint64_t *seed)
{
	struct hwqnic_sge s = u_sge(&a->buf, 0, len);
	struct hwqnic_sge r = u_sge(&b->buf, 0, len);
	struct hwqnic_wc wc;
	const char *why;

	u_fill_rand(a->buf.p, len, seed);
	memset(b->buf.p, 0, len);
	if (u_post_recv(b->ep.qp, 3, &r, 1) ||
	    u_post_send(a->ep.qp, HWQNIC_WR_SEND, 4, &s, 1,
			HWQNIC_SEND_SIGNALED, 0, 0, 0))
		return "post";
	why = u_expect_wc(a->ep.scq, 4, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND,
			  -1, a->ep.qp->qp_num, &wc);
	if (!why)
		why = u_expect_wc(b->ep.rcq, 3, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, len, b->ep.qp->qp_num, &wc);
	if (why)
		return why;
	return memcmp(a->buf.p, b->buf.p, len) ? "SEND: the bytes differ" :
						 NULL;
}

/*
 * One atomic of opcode (compare_add, swap) on b's first 8 bytes, which
 * hold before: what it returns to a must be before, and b must hold after.
 */
static const char *atomic(struct host *a, struct host *b, int opcode,
			  int wc_opcode, u64 compare_add, u64 swap, u64 before,
			  u64 after)
{
	struct hwqnic_sge sge = u_sge(&a->buf, 0, 8);
	u64 *target = (u64 *)b->buf.p, *old = (u64 *)a->buf.p;
	struct hwqnic_wc wc;
	const char *why;

	*target = before;
	if (u_post_atomic(a->ep.qp, opcode, 5, &sge, HWQNIC_SEND_SIGNALED,
			  u_addr(&b->buf, 0), b->buf.mr->rkey, compare_add,
			  swap))
		return "post";
	why = u_expect_wc(a->ep.scq, 5, HWQNIC_WC_SUCCESS, wc_opcode, 8,
			  a->ep.qp->qp_num, &wc);
	if (why)
		return why;
	return *old != before || *target != after ? "wrong values" : NULL;
}

static const char *atomics(struct host *a, struct host *b)
{
	const char *why = atomic(a, b, HWQNIC_WR_ATOMIC_FETCH_AND_ADD,
				 HWQNIC_WC_FETCH_ADD, 2, 0, 40, 42);

	return why ? why : atomic(a, b, HWQNIC_WR_ATOMIC_CMP_AND_SWP,
				  HWQNIC_WC_COMP_SWAP, 42, 7, 42, 7);
}

static void run(const char *kind, void *seed)
{
	static const u32 sizes[] = { 0, 1, 1023, 1024, 1025, 4096, 65536,
				     1U << 20, BUF_LEN - 1 };
	struct host h[2];
	const char *why = NULL;
	unsigned int i;

	if (!ok(!host_up(&h[0], 0) && !host_up(&h[1], 1), "%s: a device, "
		"MR and RC QP on each side", kind))
		goto down;
	why = connect_to(&h[0], 0, &h[1]);
	if (!why)
		why = connect_to(&h[1], 1, &h[0]);
	if (!ok_why(why, "%s: the QPs connected through the ports (MTU %u)",
		    kind, h[0].d.port.active_mtu))
		goto down;
	for (i = 0; i < U_ARRAY_SIZE(sizes) && !why; i++)
		why = write_read(&h[0], &h[1], sizes[i], seed);
	ok_why(why, "%s: WRITE then READ back, 0 B to 4 MiB", kind);
	why = NULL;
	for (i = 0; i < U_ARRAY_SIZE(sizes) && !why; i++)
		why = send_recv(&h[1], &h[0], sizes[i], seed);
	ok_why(why, "%s: SEND the other way, 0 B to 4 MiB", kind);
	ok_why(atomics(&h[0], &h[1]), "%s: FETCH_ADD and CMP_SWAP", kind);
down:
	host_down(&h[0]);
	host_down(&h[1]);
}

int main(void)
{
	uint64_t seed = tap_seed();
	const char *why = u_netns_pair(&ns);

	if (why)
		tap_skip_all("%s", why);
	u_netns_each_port(run, &seed);
	u_netns_del(&ns);
	return tap_done();
}
