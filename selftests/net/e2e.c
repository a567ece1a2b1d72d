// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqnic end to end on a real link, through the public API only: a
 * device in each of two namespaces, bound to its veth end, with a third
 * namespace bridging them where packets are captured and impaired (the
 * sides' AF_XDP traffic goes around their own taps and qdiscs). Per port
 * (AF_XDP, then the UDP socket):
 *  - the port's active MTU follows the netdev's: both links raised to let
 *    the port's largest through (2048 for AF_XDP, whose frame caps it,
 *    4096 for the UDP socket), hwqnic_query_port() says so;
 *  - RC at every path MTU the port allows: every opcode moves exactly the
 *    right bytes, 0 B to 4 MiB across the MTU (256 KiB under valgrind),
 *    the completions right in opcode, length, immediate and QPN;
 *  - RC over IPv6 GIDs too; UD through address handles, over IPv4 and
 *    IPv6, up to the MTU;
 *  - the address refusals of a bound device;
 *  - a capture in the middle of one of each opcode, read by tshark: every
 *    packet InfiniBand over UDP, none malformed, no expert error, as many
 *    packets as the devices sent, and the segments a 64 KiB WRITE and a
 *    3000 B READ make at MTU 1024;
 *  - loss 5%, reorder 25% and duplication 2% both ways (netem's work,
 *    done by impair.bpf.c with what the host kernel has): every message
 *    delivered exactly once, the FETCH_ADDs summed once each, the QPs in
 *    RTS, retransmissions counted;
 *  - a receiver that never posts: RNR_RETRY_EXC_ERR; a link down, then a
 *    peer whose device closed: RETRY_EXC_ERR, all in bounded time.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../lib/helpers.h"
#include "../lib/netns.h"
#include "libhwqnic.h"
#include "uport.h"
#include "lib/rig.h"

#define GRH		HWQNIC_UD_GRH_BYTES
#define GUARD		64
#define IMPAIR_OBJ	"selftests/net/impair.bpf.o"

static struct u_netns ns;
static uint64_t seed;
static uint32_t max_len;	/* the largest RC message */

struct host {
	struct u_dev d;
	struct u_buf sb, rb;	/* what it sends / reads into; what it gets */
	size_t len;
};

/* An RC connection: a QP on each side, h[0]'s the requester. */
struct conn {
	struct host *h[2];
	struct u_ep ep[2];
};

static const char *host_up(struct host *h, int i)
{
	memset(h, 0, sizeof(*h));
	h->len = max_len + 2 * GUARD;
	u_netns_enter(&ns, i);
	h->d.ctx = hwqnic_open_netdev(NULL, ns.ifname[i], 0);
	u_netns_enter(&ns, -1);
	if (!h->d.ctx)
		return "hwqnic_open_netdev";
	if (hwqnic_query_port(h->d.ctx, 1, &h->d.port))
		return "query_port";
	h->d.pd = hwqnic_alloc_pd(h->d.ctx);
	if (!h->d.pd || u_buf_alloc(&h->sb, h->d.pd, h->len, U_RC_ACCESS) ||
	    u_buf_alloc(&h->rb, h->d.pd, h->len, U_RC_ACCESS))
		return "PD and MRs";
	return NULL;
}

static void host_down(struct host *h)
{
	u_buf_free(&h->sb);
	u_buf_free(&h->rb);
	if (h->d.pd)
		hwqnic_dealloc_pd(h->d.pd);
	if (h->d.ctx)
		hwqnic_close(h->d.ctx);
	memset(h, 0, sizeof(*h));
}

static const struct hwqnic_wire_counters *counters(struct host *h)
{
	return &h->d.ctx->stats->wire;
}

/* The transport's counters are the engine's: read them once each. */
static uint64_t cnt(const u64 *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/*
 * QPs on both sides, connected over IPv4 (or IPv6) at path MTU mtu
 * bytes: timeout, retry_cnt and rnr_retry the requesters'.
 */
static const char *rc_connect_af(struct conn *c, struct host *a,
				 struct host *b, bool v6, uint32_t mtu,
				 uint8_t timeout, uint8_t retry,
				 uint8_t rnr_retry)
{
	struct hwqnic_ah_attr av;
	struct u_qp_cfg cfg;
	int i;

	memset(c, 0, sizeof(*c));
	c->h[0] = a;
	c->h[1] = b;
	u_qp_cfg_default(&cfg);
	cfg.rd_atomic = 4;
	if (u_ep_create(&c->ep[0], a->d.pd, &cfg) ||
	    u_ep_create(&c->ep[1], b->d.pd, &cfg))
		return "create the QPs";
	for (i = 0; i < 2; i++) {
		if (rig_rc_to_init(c->ep[i].qp, U_RC_ACCESS))
			return "INIT";
		if (u_av_to(c->h[i]->d.ctx, v6 ? ns.v6[i] : ns.gid4[i],
			    v6 ? ns.v6[!i] : ns.gid4[!i], &av))
			return "no GID of the side's address";
		if (u_rc_to_rtr_av(c->ep[i].qp, c->ep[!i].qp->qp_num,
				   rig_mtu(mtu), 1, 4, &av))
			return "RTR with the address vector";
		if (rig_rc_to_rts(c->ep[i].qp, timeout, retry, rnr_retry, 4))
			return "RTS";
	}
	return NULL;
}

static const char *rc_connect(struct conn *c, struct host *a, struct host *b,
			      uint32_t mtu, uint8_t timeout, uint8_t retry,
			      uint8_t rnr_retry)
{
	return rc_connect_af(c, a, b, false, mtu, timeout, retry, rnr_retry);
}

static void disconnect(struct conn *c)
{
	for (int i = 0; i < 2; i++)
		if (c->ep[i].qp)
			u_ep_destroy(&c->ep[i]);
}

static const char *op_name(int op)
{
	static const char *const names[] = {
		[HWQNIC_WR_RDMA_WRITE] = "WRITE",
		[HWQNIC_WR_RDMA_WRITE_WITH_IMM] = "WRITE_WITH_IMM",
		[HWQNIC_WR_SEND] = "SEND",
		[HWQNIC_WR_SEND_WITH_IMM] = "SEND_WITH_IMM",
		[HWQNIC_WR_RDMA_READ] = "READ",
		[HWQNIC_WR_ATOMIC_CMP_AND_SWP] = "CMP_SWAP",
		[HWQNIC_WR_ATOMIC_FETCH_AND_ADD] = "FETCH_ADD",
	};

	return names[op];
}

/*
 * One message of len bytes of opcode op from c's h[0] to h[1] (READ: from
 * h[1] into h[0]), then every byte and completion checked: the bytes land
 * at GUARD in the target buffer, nothing before or after them changes.
 */
static const char *rc_op(struct conn *c, int op, uint32_t len, uint64_t id)
{
	struct host *a = c->h[0], *b = c->h[1];
	struct u_buf *src = op == HWQNIC_WR_RDMA_READ ? &b->sb : &a->sb;
	struct u_buf *dst = op == HWQNIC_WR_RDMA_READ ? &a->rb : &b->rb;
	bool is_send = op == HWQNIC_WR_SEND || op == HWQNIC_WR_SEND_WITH_IMM;
	bool imm = op == HWQNIC_WR_SEND_WITH_IMM ||
		   op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	bool recv = is_send || op == HWQNIC_WR_RDMA_WRITE_WITH_IMM;
	uint32_t imm_data = htobe32((uint32_t)id * 2654435761U);
	struct hwqnic_sge s = u_sge(src, GUARD, len);
	struct hwqnic_sge r = u_sge(dst, GUARD, len);
	struct hwqnic_wc wc;
	const char *why;
	uint8_t fill = (uint8_t)id;

	u_fill_rand(src->p + GUARD, len, &seed);
	memset(dst->p, fill, dst->len);
	if (recv && u_post_recv(c->ep[1].qp, id, &r,
				is_send && len ? 1 : 0))
		return "post_recv";
	if (u_post_send(c->ep[0].qp, op, id, op == HWQNIC_WR_RDMA_READ ?
			&r : &s, len ? 1 : 0, HWQNIC_SEND_SIGNALED,
			is_send ? 0 : u_addr(op == HWQNIC_WR_RDMA_READ ?
					     &b->sb : &b->rb, GUARD),
			(op == HWQNIC_WR_RDMA_READ ? b->sb.mr : b->rb.mr)->rkey,
			imm_data))
		return "post_send";
	why = u_expect_wc(c->ep[0].scq, id, HWQNIC_WC_SUCCESS,
			  HWQNIC_WR_WC_OPCODE(op), op == HWQNIC_WR_RDMA_READ ?
			  (long)len : -1, c->ep[0].qp->qp_num, &wc);
	if (why)
		return why;
	if (recv) {
		why = u_expect_wc(c->ep[1].rcq, id, HWQNIC_WC_SUCCESS,
				  is_send ? HWQNIC_WC_RECV :
				  HWQNIC_WC_RECV_RDMA_WITH_IMM, len,
				  c->ep[1].qp->qp_num, &wc);
		if (why)
			return why;
		if (wc.src_qp != c->ep[0].qp->qp_num)
			return "src_qp is not the sender's QPN";
		if (imm != !!(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) ||
		    (imm && wc.imm_data != imm_data))
			return "the immediate is wrong";
	}
	if (memcmp(dst->p + GUARD, src->p + GUARD, len))
		return "the bytes differ";
	for (size_t i = 0; i < dst->len; i++)
		if ((i < GUARD || i >= GUARD + len) && dst->p[i] != fill)
			return "bytes outside the message changed";
	return NULL;
}

/*
 * One atomic on the first 8 bytes of h[1]'s send buffer, which rc_op()
 * never writes: it must return old, and leave new.
 */
static const char *rc_atomic(struct conn *c, int op, uint64_t cmp_add,
			     uint64_t swap, uint64_t old, uint64_t new,
			     uint64_t id)
{
	struct host *a = c->h[0], *b = c->h[1];
	struct hwqnic_sge s = u_sge(&a->rb, 0, 8);
	uint64_t got, now;
	const char *why;

	if (u_post_atomic(c->ep[0].qp, op, id, &s, HWQNIC_SEND_SIGNALED,
			  u_addr(&b->sb, 0), b->sb.mr->rkey, cmp_add, swap))
		return "post";
	why = u_expect_wc(c->ep[0].scq, id, HWQNIC_WC_SUCCESS,
			  HWQNIC_WR_WC_OPCODE(op), 8, c->ep[0].qp->qp_num,
			  NULL);
	if (why)
		return why;
	memcpy(&got, a->rb.p, 8);
	memcpy(&now, b->sb.p, 8);
	return got != old ? "the atomic returned the wrong value" :
	       now != new ? "the target holds the wrong value" : NULL;
}

static void rc_every_opcode(const char *kind, struct host *h)
{
	static const int ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM, HWQNIC_WR_RDMA_READ,
	};
	uint32_t mtu, sizes[12];
	uint64_t id = 1, v;
	const char *why;
	struct conn c;
	unsigned int i, o, n;

	for (mtu = 256; mtu <= h[0].d.port.active_mtu; mtu *= 2) {
		why = rc_connect(&c, &h[0], &h[1], mtu, 14, 7, 7);
		if (!ok_why(why, "%s: RC connected at path MTU %u", kind, mtu)) {
			disconnect(&c);
			continue;
		}
		n = 0;
		sizes[n++] = 0;
		sizes[n++] = 1;
		sizes[n++] = mtu - 1;
		sizes[n++] = mtu;
		sizes[n++] = mtu + 1;
		sizes[n++] = 2 * mtu;
		sizes[n++] = 3 * mtu + 3;
		sizes[n++] = (uint32_t)u_rand_range(&seed, 4, 16 * mtu);
		sizes[n++] = 65536;
		sizes[n++] = max_len - 1;
		sizes[n++] = max_len;
		for (o = 0; o < U_ARRAY_SIZE(ops); o++) {
			why = NULL;
			for (i = 0; i < n && !why; i++)
				why = rc_op(&c, ops[o], sizes[i], id++);
			ok_why(why, "%s: MTU %u: %s of 0 B to %u B, %u sizes "
			       "(last %u)", kind, mtu, op_name(ops[o]),
			       max_len, n, sizes[i - 1]);
		}
		v = tap_rand(&seed);
		memcpy(h[1].sb.p, &v, 8);
		why = rc_atomic(&c, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 5, 0, v,
				v + 5, id++);
		if (!why)
			why = rc_atomic(&c, HWQNIC_WR_ATOMIC_CMP_AND_SWP,
					v + 4, 1, v + 5, v + 5, id++);
		if (!why)
			why = rc_atomic(&c, HWQNIC_WR_ATOMIC_CMP_AND_SWP,
					v + 5, 77, v + 5, 77, id++);
		ok_why(why, "%s: MTU %u: FETCH_ADD, CMP_SWAP failing and "
		       "succeeding", kind, mtu);
		disconnect(&c);
	}
}

/* RC over IPv6 GIDs: every opcode, a few sizes across the MTU. */
static void rc_ipv6(const char *kind, struct host *h)
{
	static const int ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM, HWQNIC_WR_RDMA_READ,
	};
	uint32_t mtu = h[0].d.port.active_mtu;
	uint32_t sizes[] = { 0, mtu, mtu + 1, 65536 + 5 };
	const char *why;
	struct conn c;
	uint64_t id = 1;
	unsigned int i, o;

	why = rc_connect_af(&c, &h[0], &h[1], true, mtu, 14, 7, 7);
	if (ok_why(why, "%s: RC connected over IPv6 GIDs", kind)) {
		for (o = 0; o < U_ARRAY_SIZE(ops) && !why; o++)
			for (i = 0; i < U_ARRAY_SIZE(sizes) && !why; i++)
				why = rc_op(&c, ops[o], sizes[i], id++);
		memset(h[1].sb.p, 0, 8);
		if (!why)
			why = rc_atomic(&c, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 3,
					0, 0, 3, id++);
		ok_why(why, "%s: over IPv6: every opcode, 0 B to 64 KiB",
		       kind);
	}
	disconnect(&c);
}

/* A UD QP in RTS on h, with a CQ each way. */
static const char *ud_up(struct u_ep *e, struct host *h)
{
	struct u_qp_cfg cfg;

	u_qp_cfg_default(&cfg);
	cfg.type = HWQNIC_QPT_UD;
	return u_ep_create(e, h->d.pd, &cfg) ||
	       u_ud_to_rts(e->qp, U_QKEY) ? "a UD QP to RTS" : NULL;
}

/* A UD SEND(_WITH_IMM) of len bytes through ah from ea to eb, checked. */
static const char *ud_op(struct u_ep *ea, struct host *a, struct u_ep *eb,
			 struct host *b, struct hwqnic_ah *ah, int op,
			 uint32_t len, uint64_t id)
{
	struct hwqnic_sge s = u_sge(&a->sb, 0, len);
	struct hwqnic_sge r = u_sge(&b->rb, 0, GRH + len);
	uint32_t imm = htobe32((uint32_t)id ^ 0x5a5a0000);
	struct hwqnic_wc wc;
	const char *why;

	u_fill_rand(a->sb.p, len, &seed);
	memset(b->rb.p, 0xcc, GRH + len + GUARD);
	if (u_post_recv(eb->qp, id, &r, 1) ||
	    u_post_ud_ah(ea->qp, op, id, &s, len ? 1 : 0,
			 HWQNIC_SEND_SIGNALED, ah, eb->qp->qp_num, U_QKEY, imm))
		return "post";
	why = u_expect_wc(ea->scq, id, HWQNIC_WC_SUCCESS, HWQNIC_WC_SEND, -1,
			  ea->qp->qp_num, NULL);
	if (!why)
		why = u_expect_wc(eb->rcq, id, HWQNIC_WC_SUCCESS,
				  HWQNIC_WC_RECV, GRH + len, eb->qp->qp_num,
				  &wc);
	if (why)
		return why;
	if (wc.src_qp != ea->qp->qp_num)
		return "src_qp is not the sender's QPN";
	if ((op == HWQNIC_WR_SEND_WITH_IMM) !=
	    !!(wc.wc_flags & HWQNIC_WC_F_WITH_IMM) ||
	    (op == HWQNIC_WR_SEND_WITH_IMM && wc.imm_data != imm))
		return "the immediate is wrong";
	if (memcmp(b->rb.p + GRH, a->sb.p, len))
		return "the bytes differ";
	for (uint32_t i = GRH + len; i < GRH + len + GUARD; i++)
		if (b->rb.p[i] != 0xcc)
			return "bytes after the message changed";
	return NULL;
}

static void ud_through_ahs(const char *kind, struct host *h)
{
	static const char *const fam[] = { "IPv4", "IPv6" };
	struct u_ep e[2] = { 0 };
	uint32_t mtu = h[0].d.port.active_mtu, sizes[6];
	struct hwqnic_ah_attr av;
	struct hwqnic_ah *ah;
	uint64_t id = 1;
	const char *why;
	unsigned int f, i, n = 0;

	why = ud_up(&e[0], &h[0]);
	if (!why)
		why = ud_up(&e[1], &h[1]);
	if (!ok_why(why, "%s: a UD QP on each side", kind))
		goto out;
	sizes[n++] = 0;
	sizes[n++] = 1;
	sizes[n++] = (uint32_t)u_rand_range(&seed, 2, mtu - 2);
	sizes[n++] = mtu - 1;
	sizes[n++] = mtu;
	for (f = 0; f < 2; f++) {
		if (u_av_to(h[0].d.ctx, f ? ns.v6[0] : ns.gid4[0],
			    f ? ns.v6[1] : ns.gid4[1], &av)) {
			ok(0, "%s: %s: the device has a GID of its address",
			   kind, fam[f]);
			continue;
		}
		av.grh.hop_limit = 0;	/* 64 */
		av.grh.traffic_class = 0x20;
		ah = hwqnic_create_ah(h[0].d.pd, &av);
		if (!ok(ah && ah->handle != 0 && ah->pd == h[0].d.pd,
			"%s: %s: an AH to the other side (handle %u)", kind,
			fam[f], ah ? ah->handle : 0))
			continue;
		why = NULL;
		for (i = 0; i < 2 * n && !why; i++)
			why = ud_op(&e[0], &h[0], &e[1], &h[1], ah,
				    i & 1 ? HWQNIC_WR_SEND_WITH_IMM :
				    HWQNIC_WR_SEND, sizes[i / 2], id++);
		ok_why(why, "%s: %s: UD SEND and SEND_WITH_IMM through the "
		       "AH, 0 B to the MTU (%u B): bytes, byte_len, src_qp, "
		       "immediate", kind, fam[f], mtu);
		ok(hwqnic_dealloc_pd(h[0].d.pd) == EBUSY,
		   "%s: %s: the AH's PD is busy", kind, fam[f]);
		ok(!hwqnic_destroy_ah(ah), "%s: %s: AH destroyed", kind,
		   fam[f]);
	}
out:
	for (i = 0; i < 2; i++)
		if (e[i].qp)
			u_ep_destroy(&e[i]);
}

/* create_ah with av on h: errno want and no AH, or NULL and EINVAL... */
static void ah_refused(struct host *h, const struct hwqnic_ah_attr *av,
		       int want, const char *kind, const char *what)
{
	struct hwqnic_ah_attr a = *av;
	struct hwqnic_ah *ah;

	errno = 0;
	ah = hwqnic_create_ah(h->d.pd, &a);
	ok(!ah && errno == want, "%s: an AH %s: %s (%s)", kind, what,
	   strerrorname_np(want), strerrorname_np(errno));
	if (ah)
		hwqnic_destroy_ah(ah);
}

static void refusals(const char *kind, struct host *h)
{
	static const uint8_t nowhere[16] = { [10] = 0xff, [11] = 0xff,
					     198, 18, 0, 77 };
	static const uint8_t unrouted[16] = { [10] = 0xff, [11] = 0xff,
					      192, 0, 2, 1 };
	struct hwqnic_ah_attr av, own;
	struct hwqnic_ah *ah;
	union hwqnic_gid g;
	uint32_t n = 0;

	while (n < 256 && !hwqnic_query_gid(h->d.ctx, 1, (int)n, &g))
		n++;
	if (!ok(!u_av_to(h->d.ctx, ns.gid4[0], ns.gid4[1], &av),
		"%s: the GID table (%u entries) has the side's address",
		kind, n))
		return;
	av.grh.sgid_index = (uint8_t)n;
	ah_refused(h, &av, EINVAL, kind, "with sgid_index past the table");
	u_av_to(h->d.ctx, ns.gid4[0], ns.v6[1], &av);
	ah_refused(h, &av, EINVAL, kind, "from an IPv4 GID to an IPv6 one");
	u_av_to(h->d.ctx, ns.gid4[0], ns.gid4[1], &av);
	av.grh.flow_label = 1U << 20;
	ah_refused(h, &av, EINVAL, kind, "with a 21-bit flow label");
	av.grh.flow_label = 0;
	av.port_num = 2;
	ah_refused(h, &av, EINVAL, kind, "of port 2");
	u_av_to(h->d.ctx, ns.gid4[0], unrouted, &av);
	ah_refused(h, &av, EHOSTUNREACH, kind, "to an address no route "
		   "leads to through the netdev");
	u_av_to(h->d.ctx, ns.gid4[0], nowhere, &av);
	ah_refused(h, &av, EHOSTUNREACH, kind, "to an address nobody "
		   "answers ARP for");
	u_av_to(h->d.ctx, ns.gid4[0], ns.gid4[0], &own);
	ah = hwqnic_create_ah(h->d.pd, &own);
	ok(ah && ah->handle == 0, "%s: an AH to the device's own GID: this "
	   "device's (handle 0)", kind);
	if (ah)
		hwqnic_destroy_ah(ah);
}

/* dumpcap in the middle namespace, capturing RoCEv2 on its end to side 0. */
static pid_t capture_start(const char *path)
{
	char pidfile[96], cmd[512];
	uint64_t end = u_now_ns() + u_timeout_ns();
	struct stat st;
	FILE *f;
	int pid = -1;

	snprintf(pidfile, sizeof(pidfile), "%s.pid", path);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s dumpcap -q -i %s -f "
		 "'udp port 4791' -w %s >/dev/null 2>&1 & echo $! > %s",
		 ns.name[U_NETNS_MID], ns.mid_ifname[0], path, pidfile);
	if (system(cmd))
		return -1;
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d", &pid) != 1)
		pid = -1;
	if (f)
		fclose(f);
	unlink(pidfile);
	/* dumpcap writes the file's header once it captures */
	while (pid > 0 && (stat(path, &st) || st.st_size == 0) &&
	       u_now_ns() < end)
		u_sleep_us(10000);
	if (pid > 0 && (stat(path, &st) || st.st_size == 0)) {
		kill(pid, SIGKILL);
		return -1;
	}
	/* the header comes just before the socket's filter is on */
	u_sleep_us(300000);
	return pid;
}

/*
 * The packets in the pcapng file dumpcap writes: its Enhanced Packet
 * Blocks (type 6), in this host's byte order as dumpcap writes them,
 * up to the first block not whole yet. dumpcap writes them out every
 * so often, not as each arrives.
 */
static unsigned int pcapng_packets(const char *path)
{
	unsigned int n = 0;
	uint32_t hdr[2];
	long off = 0;
	struct stat st;
	FILE *f = fopen(path, "rb");

	if (!f)
		return 0;
	while (!fstat(fileno(f), &st) && fread(hdr, sizeof(hdr), 1, f) == 1 &&
	       hdr[1] >= 12 && !(hdr[1] % 4) && off + hdr[1] <= st.st_size &&
	       !fseek(f, off += hdr[1], SEEK_SET)) {
		if (hdr[0] == 6)
			n++;
	}
	fclose(f);
	return n;
}

/*
 * SIGINT once the file has the want packets the devices sent (a busy
 * dumpcap may lag behind the wire and lose what it has not read yet
 * when it stops), or after the timeout; then dumpcap's exit (it is no
 * child of ours: kill(pid, 0)).
 */
static int capture_stop(pid_t pid, const char *path, uint64_t want)
{
	uint64_t end = u_now_ns() + u_timeout_ns();

	while (pcapng_packets(path) < want && u_now_ns() < end)
		u_sleep_us(20000);
	kill(pid, SIGINT);
	end = u_now_ns() + u_timeout_ns();
	while (!kill(pid, 0) && u_now_ns() < end)
		u_sleep_us(10000);
	return kill(pid, 0) ? 0 : -1;
}

/*
 * The capture read by tshark: each packet's protocols, opcode, and
 * malformed or expert error marks; per[] the packets of each opcode.
 */
static const char *tshark_read(const char *path, unsigned int *pkts,
			       unsigned int per[256])
{
	static char why[160];
	char cmd[512], line[512];
	unsigned int bad = 0;
	FILE *out;

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -T fields -E separator=/t "
		 "-E occurrence=a -E aggregator=, -e frame.protocols -e "
		 "infiniband.bth.opcode -e _ws.malformed -e "
		 "_ws.expert.severity 2>/dev/null", path);
	out = popen(cmd, "r");
	if (!out)
		return "tshark does not run";
	*pkts = 0;
	memset(per, 0, 256 * sizeof(*per));
	why[0] = '\0';
	while (fgets(line, sizeof(line), out)) {
		char *v[4], *p = line;
		unsigned int f;

		line[strcspn(line, "\n")] = 0;
		for (f = 0; f < 4; f++) {
			v[f] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
			else
				p = v[f] + strlen(v[f]);
		}
		(*pkts)++;
		if (!strstr(v[0], ":udp:infiniband") || *v[2] ||
		    strstr(v[3], "8388608") || strstr(v[3], "0x00800000")) {
			if (!bad++)
				snprintf(why, sizeof(why), "packet %u: %s%s%s",
					 *pkts, v[0], *v[2] ? " malformed" : "",
					 *v[3] ? " expert" : "");
			continue;
		}
		per[strtoul(v[1], NULL, 0) & 0xff]++;
	}
	if (pclose(out))
		return "tshark failed";
	return bad ? why : NULL;
}

static void capture(const char *kind, struct host *h)
{
	static const struct { uint8_t op; unsigned int n; const char *name; }
	want[] = {
		{ 0x04, 1, "SEND ONLY" }, { 0x05, 1, "SEND ONLY with IMM" },
		{ 0x06, 1, "RDMA WRITE FIRST" },
		{ 0x07, 62, "RDMA WRITE MIDDLE" },
		{ 0x08, 1, "RDMA WRITE LAST" },
		{ 0x0b, 1, "RDMA WRITE ONLY with IMM" },
		{ 0x0c, 1, "RDMA READ REQUEST" },
		{ 0x0d, 1, "READ RESPONSE FIRST" },
		{ 0x0e, 1, "READ RESPONSE MIDDLE" },
		{ 0x0f, 1, "READ RESPONSE LAST" },
		{ 0x12, 2, "ATOMIC ACKNOWLEDGE" },
		{ 0x13, 1, "CMP_SWAP" }, { 0x14, 1, "FETCH_ADD" },
		{ 0x64, 1, "UD SEND ONLY" },
	};
	char path[64];
	unsigned int per[256], pkts = 0, i, wrong = 0;
	uint64_t tx0, tx1, re0;
	struct u_ep e[2] = { 0 };
	struct hwqnic_ah_attr av;
	struct hwqnic_ah *ah = NULL;
	struct conn c;
	const char *why;
	pid_t pid;

	if (system("command -v tshark >/dev/null 2>&1 && "
		   "command -v dumpcap >/dev/null 2>&1")) {
		tap_skip("capture", "no tshark or dumpcap (make deps installs "
			 "tshark)");
		return;
	}
	if (h[0].d.port.active_mtu < 1024) {
		tap_skip("capture", "active MTU %u below 1024",
			 h[0].d.port.active_mtu);
		return;
	}
	why = rc_connect(&c, &h[0], &h[1], 1024, 14, 7, 7);
	if (!why)
		why = ud_up(&e[0], &h[0]);
	if (!why)
		why = ud_up(&e[1], &h[1]);
	if (!why && (u_av_to(h[0].d.ctx, ns.gid4[0], ns.gid4[1], &av) ||
		     !(ah = hwqnic_create_ah(h[0].d.pd, &av))))
		why = "an AH to side 1";
	if (!ok_why(why, "%s: an RC connection at MTU 1024, UD QPs and an AH",
		    kind))
		goto out;
	snprintf(path, sizeof(path), "/tmp/hwqnic-e2e-%d-%s.pcapng",
		 (int)getpid(), kind);
	pid = capture_start(path);
	if (!ok(pid > 0, "%s: dumpcap captures on the middle's %s", kind,
		ns.mid_ifname[0]))
		goto out;
	tx0 = cnt(&counters(&h[0])->tx_pkts) + cnt(&counters(&h[1])->tx_pkts);
	re0 = cnt(&counters(&h[0])->retransmits) +
	      cnt(&counters(&h[1])->retransmits);
	why = rc_op(&c, HWQNIC_WR_SEND, 100, 1);
	why = why ? why : rc_op(&c, HWQNIC_WR_SEND_WITH_IMM, 100, 2);
	why = why ? why : rc_op(&c, HWQNIC_WR_RDMA_WRITE, 65536, 3);
	why = why ? why : rc_op(&c, HWQNIC_WR_RDMA_WRITE_WITH_IMM, 100, 4);
	why = why ? why : rc_op(&c, HWQNIC_WR_RDMA_READ, 3000, 5);
	memset(h[1].sb.p, 0, 8);
	why = why ? why : rc_atomic(&c, HWQNIC_WR_ATOMIC_CMP_AND_SWP, 0, 9,
				    0, 9, 6);
	why = why ? why : rc_atomic(&c, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, 1, 0,
				    9, 10, 7);
	why = why ? why : ud_op(&e[0], &h[0], &e[1], &h[1], ah,
				HWQNIC_WR_SEND, 200, 8);
	ok_why(why, "%s: one of each opcode while capturing", kind);
	tx1 = cnt(&counters(&h[0])->tx_pkts) + cnt(&counters(&h[1])->tx_pkts);
	ok(!capture_stop(pid, path, tx1 - tx0), "%s: dumpcap stopped", kind);
	why = tshark_read(path, &pkts, per);
	ok_why(why, "%s: tshark: %u packets, every one InfiniBand over UDP, "
	       "none malformed, no expert error", kind, pkts);
	ok(pkts == tx1 - tx0, "%s: the capture has every packet the devices "
	   "sent (%u of %llu)", kind, pkts, (unsigned long long)(tx1 - tx0));
	if (cnt(&counters(&h[0])->retransmits) +
	    cnt(&counters(&h[1])->retransmits) != re0) {
		tap_skip("the packets per opcode", "a retransmission during "
			 "the capture");
	} else {
		for (i = 0; i < U_ARRAY_SIZE(want); i++)
			if (per[want[i].op] != want[i].n) {
				diag("%s: %s (0x%02x): %u packets, want %u",
				     kind, want[i].name, want[i].op,
				     per[want[i].op], want[i].n);
				wrong++;
			}
		ok(!wrong && per[0x11] > 0, "%s: packets per opcode: a 64 KiB "
		   "WRITE at MTU 1024 is 1 FIRST, 62 MIDDLE, 1 LAST; a 3000 B "
		   "READ 1 request, 3 responses; %u ACKs", kind, per[0x11]);
	}
	if (!getenv("KEEP"))
		unlink(path);
	else
		diag("capture kept in %s", path);
out:
	if (ah)
		hwqnic_destroy_ah(ah);
	for (i = 0; i < 2; i++)
		if (e[i].qp)
			u_ep_destroy(&e[i]);
	disconnect(&c);
}

/* The impairments on both middle ends, or off; 0 when done. */
static int impair(bool on)
{
	int i, rc = 0;

	for (i = 0; i < 2; i++) {
		const char *d = ns.mid_ifname[i];

		if (!on) {
			rc |= u_netns_sh(&ns, U_NETNS_MID, "tc qdisc del dev "
					 "%s clsact && tc qdisc del dev %s "
					 "root", d, d);
			continue;
		}
		rc |= u_netns_sh(&ns, U_NETNS_MID, "tc qdisc add dev %s clsact "
				 "&& tc filter add dev %s egress bpf da obj %s "
				 "sec tc/impair", d, d, IMPAIR_OBJ);
		/* 1:2 is the slow lane a quarter of the packets take */
		rc |= u_netns_sh(&ns, U_NETNS_MID, "tc qdisc add dev %s root "
				 "handle 1: htb default 1 && tc class add dev "
				 "%s parent 1: classid 1:1 htb rate 10gbit "
				 "quantum 1600 && tc class add dev %s parent "
				 "1: classid 1:2 htb rate 100mbit burst 2k "
				 "cburst 2k quantum 1600", d, d, d);
		rc |= u_netns_sh(&ns, U_NETNS_MID, "tc filter add dev %s "
				 "parent 1: bpf da obj %s sec tc/reorder", d,
				 IMPAIR_OBJ);
	}
	return rc;
}

static void impaired(const char *kind, struct host *h)
{
	static const int ops[] = {
		HWQNIC_WR_SEND, HWQNIC_WR_SEND_WITH_IMM, HWQNIC_WR_RDMA_WRITE,
		HWQNIC_WR_RDMA_WRITE_WITH_IMM, HWQNIC_WR_RDMA_READ,
	};
	unsigned int n = (unsigned int)u_scaled(300, 30), i, adds = 0;
	uint64_t re0[2], to0[2], sum = 0, v, id = 1;
	const struct hwqnic_wire_counters *k[2] = { counters(&h[0]),
						    counters(&h[1]) };
	struct hwqnic_wc wc;
	const char *why;
	struct conn c;

	if (access(IMPAIR_OBJ, R_OK)) {
		tap_skip("the impaired link", "no " IMPAIR_OBJ " (make builds "
			 "it)");
		return;
	}
	why = rc_connect(&c, &h[0], &h[1], h[0].d.port.active_mtu, 12, 7, 7);
	if (!ok_why(why, "%s: RC connected for the impaired link", kind))
		goto out;
	for (i = 0; i < 2; i++) {
		re0[i] = cnt(&k[i]->retransmits);
		to0[i] = cnt(&k[i]->timeouts);
	}
	if (!ok(!impair(true), "%s: loss 5%%, reorder 25%%, duplicate 2%% on "
		"both middle ends (netem's work with cls_bpf and htb: the "
		"host kernel has no sch_netem)", kind))
		goto off;
	memset(h[1].sb.p, 0, 8);
	why = NULL;
	/* past n, until a loss made a retransmission (valgrind's few) */
	for (i = 0; !why && (i < n || (i < 10 * n &&
				       cnt(&k[0]->retransmits) == re0[0]));
	     i++) {
		if (i % 6 == 5) {
			v = u_rand_range(&seed, 1, 1000);
			why = rc_atomic(&c, HWQNIC_WR_ATOMIC_FETCH_AND_ADD, v,
					0, sum, sum + v, id++);
			sum += v;
			adds++;
			continue;
		}
		why = rc_op(&c, ops[i % 6], (uint32_t)u_rand_range(&seed, 0,
				u_quick() ? 8192 : 65536), id++);
	}
	ok_why(why, "%s: %u messages of every opcode, 0 to 64 KiB, each "
	       "delivered once, byte for byte", kind, i);
	ok(!u_cq_quiet(c.ep[1].rcq, 50, &wc) && !u_cq_quiet(c.ep[0].scq, 10,
							      &wc),
	   "%s: no completion more than the messages", kind);
	memcpy(&v, h[1].sb.p, 8);
	ok(!why && v == sum, "%s: %u FETCH_ADDs, each returning the sum "
	   "before it, applied once each: %llu, want %llu", kind, adds,
	   (unsigned long long)v, (unsigned long long)sum);
	ok(u_qp_state(c.ep[0].qp) == HWQNIC_QPS_RTS &&
	   u_qp_state(c.ep[1].qp) == HWQNIC_QPS_RTS, "%s: both QPs in RTS",
	   kind);
	diag("%s: side 0: %llu retransmits, %llu timeouts, %llu sequence "
	     "NAKs received, %llu duplicates; side 1: %llu retransmits, "
	     "%llu duplicates", kind,
	     (unsigned long long)(cnt(&k[0]->retransmits) - re0[0]),
	     (unsigned long long)(cnt(&k[0]->timeouts) - to0[0]),
	     (unsigned long long)cnt(&k[0]->seq_naks_rcvd),
	     (unsigned long long)cnt(&k[0]->dup_requests),
	     (unsigned long long)(cnt(&k[1]->retransmits) - re0[1]),
	     (unsigned long long)cnt(&k[1]->dup_requests));
	ok(cnt(&k[0]->retransmits) + cnt(&k[1]->retransmits) >
	   re0[0] + re0[1], "%s: the transport counted retransmissions "
	   "(%llu)", kind, (unsigned long long)(cnt(&k[0]->retransmits) +
						cnt(&k[1]->retransmits) -
						re0[0] - re0[1]));
	/* the API's copies: the requester's QP sent them again */
	{
		struct hwqnic_qp_wire_counters qw[2];
		struct hwqnic_wire_counters pw[2];
		bool api = true;

		for (i = 0; i < 2; i++)
			api &= !hwqnic_query_qp_wire_counters(c.ep[i].qp,
							      &qw[i]) &&
			       !hwqnic_query_port_counters(h[i].d.ctx, 1,
							   &pw[i]);
		ok(api && qw[0].retransmits + qw[1].retransmits > 0 &&
		   qw[0].retransmits <= pw[0].retransmits &&
		   qw[1].retransmits <= pw[1].retransmits &&
		   pw[0].retransmits == cnt(&k[0]->retransmits) &&
		   pw[1].retransmits == cnt(&k[1]->retransmits) &&
		   qw[0].tx_pkts && qw[0].rx_pkts && qw[1].tx_pkts &&
		   qw[1].rx_pkts,
		   "%s: hwqnic_query_qp_wire_counters(): the QPs' %llu + %llu "
		   "retransmits of the devices' %llu + %llu "
		   "(hwqnic_query_port_counters())", kind,
		   (unsigned long long)qw[0].retransmits,
		   (unsigned long long)qw[1].retransmits,
		   (unsigned long long)pw[0].retransmits,
		   (unsigned long long)pw[1].retransmits);
	}
off:
	ok(!impair(false), "%s: impairments off", kind);
out:
	disconnect(&c);
}

/* A receiver that never posts: the requester gives up, rnr_retry 2. */
static void rnr(const char *kind, struct host *h)
{
	struct hwqnic_sge s = u_sge(&h[0].sb, 0, 16);
	uint64_t t0;
	const char *why;
	struct conn c;

	why = rc_connect(&c, &h[0], &h[1], 1024, 14, 7, 2);
	if (!ok_why(why, "%s: RC connected, rnr_retry 2", kind))
		goto out;
	t0 = u_now_ns();
	why = u_post_send(c.ep[0].qp, HWQNIC_WR_SEND, 1, &s, 1,
			  HWQNIC_SEND_SIGNALED, 0, 0, 0) ? "post" :
	      u_expect_wc(c.ep[0].scq, 1, HWQNIC_WC_RNR_RETRY_EXC_ERR,
			  HWQNIC_WC_SEND, -1, 0, NULL);
	ok_why(why, "%s: a SEND to a QP that never posts a receive: "
	       "RNR_RETRY_EXC_ERR (%.0f ms)", kind,
	       (double)(u_now_ns() - t0) / 1e6);
out:
	disconnect(&c);
}

/* A WRITE to a peer that is gone: RETRY_EXC_ERR, retry_cnt 3. */
static const char *write_gone(struct conn *c, struct host *h)
{
	struct hwqnic_sge s = u_sge(&h[0].sb, 0, 4096);

	if (u_post_send(c->ep[0].qp, HWQNIC_WR_RDMA_WRITE, 9, &s, 1,
			HWQNIC_SEND_SIGNALED, u_addr(&h[1].rb, 0),
			h[1].rb.mr ? h[1].rb.mr->rkey : 1, 0))
		return "post";
	return u_expect_wc(c->ep[0].scq, 9, HWQNIC_WC_RETRY_EXC_ERR,
			   HWQNIC_WC_RDMA_WRITE, -1, 0, NULL);
}

static void dead_peer(const char *kind, struct host *h)
{
	const char *why;
	struct conn c;
	uint64_t t0;

	/* timeout 10: 4.2 ms, 4 tries */
	why = rc_connect(&c, &h[0], &h[1], 1024, 10, 3, 7);
	if (ok_why(why, "%s: RC connected, retry_cnt 3", kind)) {
		u_netns_sh(&ns, U_NETNS_MID, "ip link set %s down",
			   ns.mid_ifname[1]);
		t0 = u_now_ns();
		why = write_gone(&c, h);
		ok_why(why, "%s: the link down: RETRY_EXC_ERR (%.0f ms)", kind,
		       (double)(u_now_ns() - t0) / 1e6);
		u_netns_sh(&ns, U_NETNS_MID, "ip link set %s up",
			   ns.mid_ifname[1]);
	}
	disconnect(&c);
	why = rc_connect(&c, &h[0], &h[1], 1024, 10, 3, 7);
	if (ok_why(why, "%s: RC connected again", kind)) {
		/* the peer's QP, MRs and device go: nothing answers */
		u_ep_destroy(&c.ep[1]);
		c.ep[1].qp = NULL;
		host_down(&h[1]);
		t0 = u_now_ns();
		why = write_gone(&c, h);
		ok_why(why, "%s: the peer's device closed: RETRY_EXC_ERR "
		       "(%.0f ms)", kind, (double)(u_now_ns() - t0) / 1e6);
	}
	disconnect(&c);
}

/* Every end of the link (the sides', the middle's) at MTU mtu; 0 or -1 */
static int link_mtu(unsigned int mtu)
{
	int i, rc = 0;

	for (i = 0; i < 2; i++) {
		rc |= u_netns_sh(&ns, U_NETNS_MID, "ip link set %s mtu %u",
				 ns.mid_ifname[i], mtu);
		rc |= u_netns_sh(&ns, i, "ip link set %s mtu %u",
				 ns.ifname[i], mtu);
	}
	return rc ? -1 : 0;
}

/* Both ports again, after the links changed; 0 or -1 */
static int requery(struct host *h)
{
	return hwqnic_query_port(h[0].d.ctx, 1, &h[0].d.port) ||
	       hwqnic_query_port(h[1].d.ctx, 1, &h[1].d.port) ? -1 : 0;
}

/*
 * The links raised to let the port's largest MTU through, the devices
 * already open: their active MTU follows, up to what the port carries.
 */
static void mtu_follows(const char *kind, struct host *h)
{
	bool xdp = !strcmp(kind, "xdp");
	/* IPv6 + UDP + BTH + 28 B of extensions + ICRC over the payload */
	unsigned int want = xdp ? 2048 : 4096, mtu = want + 200;

	int rc = link_mtu(mtu) || requery(h);

	ok(!rc && h[0].d.port.active_mtu == want &&
	   h[1].d.port.active_mtu == want && h[0].d.port.max_mtu == want,
	   "%s: links at MTU %u: the active MTU is %u (max %u)", kind, mtu,
	   h[0].d.port.active_mtu, h[0].d.port.max_mtu);
}

static void run(const char *kind, void *arg)
{
	struct host h[2];
	const char *why;
	int rc;

	(void)arg;
	why = host_up(&h[0], 0);
	if (!why)
		why = host_up(&h[1], 1);
	if (!ok_why(why, "%s: a device bound to each side's veth end, MTU %u",
		    kind, h[0].d.port.active_mtu))
		goto down;
	mtu_follows(kind, h);
	rc_every_opcode(kind, h);
	rc_ipv6(kind, h);
	ud_through_ahs(kind, h);
	/* the rest as veth makes links: MTU 1500 */
	rc = link_mtu(1500) || requery(h);
	ok(!rc && h[0].d.port.active_mtu == 1024,
	   "%s: links back at MTU 1500: the active MTU is %u", kind,
	   h[0].d.port.active_mtu);
	refusals(kind, h);
	capture(kind, h);
	impaired(kind, h);
	rnr(kind, h);
	dead_peer(kind, h);
down:
	host_down(&h[0]);
	host_down(&h[1]);
}

int main(void)
{
	const char *why;

	seed = tap_seed();
	max_len = u_quick() ? 256U << 10 : 4U << 20;
	why = u_netns_trio(&ns);
	if (why)
		tap_skip_all("%s", why);
	diag("two sides bridged by a middle namespace; RC messages up to %u "
	     "B", max_len);
	u_netns_each_port(run, NULL);
	u_netns_del(&ns);
	return tap_done();
}
