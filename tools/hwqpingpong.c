// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqpingpong: libibverbs' ibv_rc_pingpong, ibv_uc_pingpong and
 * ibv_ud_pingpong on hwqnic,
 * speaking their out-of-band exchange to the byte (tools/lib/oob.h), so
 * that either side may be rdma-core's own tool on another RoCE NIC. The
 * client sends first; each side posts rx-depth receives, and sends its
 * next message once its last send and a receive completed, as rdma-core's
 * do; the same summary lines end the run. See hwqpingpong(1).
 */
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "lib/msg.h"
#include "lib/oob.h"
#include "lib/opts.h"
#include "lib/rig.h"

#define RECV_WRID	1	/* rdma-core's PINGPONG_RECV_WRID */
#define SEND_WRID	2	/* and PINGPONG_SEND_WRID */
#define UD_QKEY		0x11111111
#define GRH_LEN		40	/* a UD receive's first bytes */
/* rdma-core's hop limit for its GRH; the path is one link */
#define PP_HOP_LIMIT	1
#define MAX_ITERS	(1U << 31)
#define MAX_RX_DEPTH	(1U << 16)
/* No completion for this long: the peer is gone */
#define STALL_NS	(10 * 1000000000ULL)

enum { OPT_TYPE = 256, OPT_TIMEOUT };
enum qp_type { PP_RC, PP_UD, PP_UDP, PP_UC };

struct opts {
	enum qp_type type;
	const char *server;	/* NULL: this is the server */
	const char *netdev;	/* -d; NULL: HWQNIC_NETDEV */
	uint16_t port;
	uint32_t size;
	uint32_t mtu;		/* bytes; 0: the port's active MTU (ud) */
	uint32_t rx_depth;
	uint32_t iters;
	uint8_t sl;
	int gidx;		/* -1: no GID, as rdma-core's default */
	bool check;
	int timeout_ms;
	bool has_size;
};

struct pp {
	const struct opts *o;
	struct rig rig;
	char *buf;
	size_t buf_len;
	struct hwqnic_mr *mr;
	struct hwqnic_cq *cq;
	struct hwqnic_qp *qp;
	struct hwqnic_ah *ah;
	struct oob oob;
	struct oob_ibv_dest me, peer;
	struct hwqnic_ah_attr av;
	bool inline_ok;
	long page;
};

static const char doc[] = "libibverbs' ibv_rc_pingpong, ibv_uc_pingpong and "
	"ibv_ud_pingpong on hwqnic: with no SERVER, wait for a client; with "
	"one, connect to it and ping-pong SENDs.\v"
	"The TCP exchange and the summary are rdma-core's, so that either "
	"side may be its ibv_rc_pingpong, ibv_uc_pingpong or ibv_ud_pingpong. "
	"On RoCE both sides need -g.";

static const struct argp_option options[] = {
	{ "type", OPT_TYPE, "TYPE", 0, "rc (ibv_rc_pingpong, the default), "
	  "uc (ibv_uc_pingpong), ud (ibv_ud_pingpong), or udp: plain UDP "
	  "datagrams on the same port, no device (the path's latency floor)",
	  0 },
	{ "port", 'p', "PORT", 0, "TCP port of the exchange (default 18515)",
	  0 },
	{ "ib-dev", 'd', "NETDEV", 0, "Bind the device to NETDEV (default "
	  "HWQNIC_NETDEV's)", 0 },
	{ "ib-port", 'i', "PORT", 0, "Port of the device (only 1)", 0 },
	{ "size", 's', "SIZE", 0, "Message bytes (default 4096 rc and uc, "
	  "2048 ud)", 0 },
	{ "mtu", 'm', "MTU", 0, "Path MTU: 256 to 4096 (default 1024 rc and "
	  "uc; ud: the port's)", 0 },
	{ "rx-depth", 'r', "N", 0, "Receives posted (default 500)", 0 },
	{ "iters", 'n', "N", 0, "Messages each way (default 1000)", 0 },
	{ "sl", 'l', "SL", 0, "Service level (default 0; unused on RoCE)", 0 },
	{ "gid-idx", 'g', "INDEX", 0, "Local GID index (default none)", 0 },
	{ "chk", 'c', NULL, 0, "Check the data received", 0 },
	{ "timeout", OPT_TIMEOUT, "SECONDS", 0, "Give up on a silent peer "
	  "(default 30)", 0 },
	OPTS_HELP_H,
	{},
};

/* enum qp_type's order */
static const char *const type_words[] = { "rc", "ud", "udp", "uc" };

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;
	uint64_t v;

	switch (key) {
	case OPT_TYPE:
		o->type = opts_keyword("type", arg, type_words, 4);
		return 0;
	case 'p':
		o->port = (uint16_t)opts_uint("port", arg, 1, 65535);
		return 0;
	case 'd':
		o->netdev = arg;
		return 0;
	case 'i':
		opts_uint("ib-port", arg, 1, 1);
		return 0;
	case 's':
		o->size = (uint32_t)opts_size("size", arg, 1, 1U << 30);
		o->has_size = true;
		return 0;
	case 'm':
		v = opts_uint("mtu", arg, 256, 4096);
		if (v & (v - 1))
			opts_usage_error("mtu %" PRIu64 " is not 256, 512, "
					 "1024, 2048 or 4096", v);
		o->mtu = (uint32_t)v;
		return 0;
	case 'r':
		o->rx_depth = (uint32_t)opts_uint("rx-depth", arg, 1,
						  MAX_RX_DEPTH);
		return 0;
	case 'n':
		o->iters = (uint32_t)opts_uint("iters", arg, 1, MAX_ITERS);
		return 0;
	case 'l':
		o->sl = (uint8_t)opts_uint("sl", arg, 0, 15);
		return 0;
	case 'g':
		o->gidx = (int)opts_uint("gid-idx", arg, 0, 255);
		return 0;
	case 'c':
		o->check = true;
		return 0;
	case OPT_TIMEOUT:
		o->timeout_ms = (int)(opts_seconds("timeout", arg, 1000000,
						   3600000000000ULL) /
				      1000000);
		return 0;
	case ARGP_KEY_ARG:
		if (o->server)
			opts_usage_error("one SERVER at most ('%s' is extra)",
					 arg);
		o->server = arg;
		return 0;
	}
	return opts_default(key, arg, state);
}

static const struct argp argp = OPTS_ARGP(options, parse_arg, "[SERVER]",
					 doc);

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = OOB_PORT;
	o->rx_depth = 500;
	o->iters = 1000;
	o->gidx = -1;
	o->timeout_ms = OOB_TIMEOUT_MS;
	opts_parse(&argp, argc, argv, o);
	if (!o->has_size)
		o->size = o->type == PP_UD ? 2048 : 4096;
	if (!o->mtu && (o->type == PP_RC || o->type == PP_UC))
		o->mtu = 1024;
}

#define fail(...)	msg_die(1, __VA_ARGS__)

/* ---- the device ---- */

static void pp_post_recv(struct pp *pp, uint32_t n)
{
	struct hwqnic_sge sge = {
		.addr = (uintptr_t)pp->buf,
		.length = (uint32_t)pp->buf_len,
		.lkey = pp->mr->lkey,
	};
	struct hwqnic_recv_wr wr = { .wr_id = RECV_WRID, .sg_list = &sge,
				     .num_sge = 1 }, *bad;
	uint32_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = hwqnic_post_recv(pp->qp, &wr, &bad);
		if (err)
			fail("hwqnic_post_recv (%u of %u): %s", i + 1, n,
			     strerror(err));
	}
}

static void pp_post_send(struct pp *pp)
{
	uint32_t off = pp->o->type == PP_UD ? GRH_LEN : 0;
	struct hwqnic_sge sge = {
		.addr = (uintptr_t)pp->buf + off,
		.length = pp->o->size,
		.lkey = pp->mr->lkey,
	};
	struct hwqnic_send_wr wr = {
		.wr_id = SEND_WRID,
		.sg_list = &sge,
		.num_sge = 1,
		.opcode = HWQNIC_WR_SEND,
		.send_flags = HWQNIC_SEND_SIGNALED |
			      (pp->inline_ok ? HWQNIC_SEND_INLINE : 0),
	}, *bad;
	int err;

	if (pp->o->type == PP_UD) {
		wr.wr.ud.ah = pp->ah;
		wr.wr.ud.remote_qpn = pp->peer.qpn;
		wr.wr.ud.remote_qkey = UD_QKEY;
	}
	err = hwqnic_post_send(pp->qp, &wr, &bad);
	if (err)
		fail("hwqnic_post_send: %s", strerror(err));
}

static void pp_open(struct pp *pp)
{
	const struct opts *o = pp->o;
	struct hwqnic_qp_init_attr ia = {
		.cap = {
			.max_send_wr = 1,
			.max_recv_wr = o->rx_depth,
			.max_send_sge = 1,
			.max_recv_sge = 1,
		},
		.qp_type = o->type == PP_UD ? HWQNIC_QPT_UD :
			   o->type == PP_UC ? HWQNIC_QPT_UC : HWQNIC_QPT_RC,
	};
	uint32_t port_mtu;
	int err;

	if (rig_open_netdev(&pp->rig, o->netdev))
		fail("%s", pp->rig.err);
	port_mtu = pp->rig.port.active_mtu;
	if (o->type == PP_UD && o->size > (o->mtu ? o->mtu : port_mtu))
		fail("requested size %u is larger than the %s MTU %u",
		     o->size, o->mtu ? "given" : "port's",
		     o->mtu ? o->mtu : port_mtu);
	if (o->rx_depth > pp->rig.dev.max_qp_wr)
		opts_usage_error("rx-depth %u exceeds the device's max_qp_wr "
				 "%u", o->rx_depth, pp->rig.dev.max_qp_wr);
	pp->page = sysconf(_SC_PAGESIZE);
	pp->buf_len = o->size + (o->type == PP_UD ? GRH_LEN : 0);
	pp->buf = mmap(NULL, pp->buf_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pp->buf == MAP_FAILED) {
		pp->buf = NULL;
		fail("mmap(%zu): %s", pp->buf_len, strerror(errno));
	}
	memset(pp->buf, 0x7b, pp->buf_len);
	pp->mr = hwqnic_reg_mr(pp->rig.pd, pp->buf, pp->buf_len,
			       HWQNIC_ACCESS_LOCAL_WRITE);
	if (!pp->mr)
		fail("hwqnic_reg_mr: %s", strerror(errno));
	pp->cq = rig_cq(&pp->rig, o->rx_depth + 1);
	if (!pp->cq)
		fail("%s", pp->rig.err);
	ia.send_cq = ia.recv_cq = pp->cq;
	ia.cap.max_inline_data = o->size;
	pp->qp = hwqnic_create_qp(pp->rig.pd, &ia);
	if (!pp->qp) {
		/* inline is an optimisation: without it, as rdma-core */
		ia.cap.max_inline_data = 0;
		pp->qp = hwqnic_create_qp(pp->rig.pd, &ia);
	}
	if (!pp->qp)
		fail("hwqnic_create_qp: %s", strerror(errno));
	pp->inline_ok = ia.cap.max_inline_data >= o->size;
	if (o->type == PP_UD)
		err = rig_ud_to_rts_psn(pp->qp, UD_QKEY, pp->me.psn);
	else
		err = rig_rc_to_init(pp->qp, 0);
	if (err)
		fail("hwqnic_modify_qp(qp %u to %s): %s", pp->qp->qp_num,
		     o->type == PP_UD ? "RTS" : "INIT", strerror(err));
}

/* The peer's address vector, as rdma-core's: global when it has a GID */
static bool peer_av(struct pp *pp)
{
	static const uint8_t zero[8];

	memset(&pp->av, 0, sizeof(pp->av));
	pp->av.dlid = pp->peer.lid;
	pp->av.sl = pp->o->sl;
	pp->av.port_num = 1;
	/* rdma-core's test: a GID whose interface id is not zero */
	if (!memcmp(pp->peer.gid + 8, zero, 8))
		return false;
	rig_av(&pp->av, pp->peer.gid, (uint8_t)(pp->o->gidx < 0 ? 0 :
						pp->o->gidx), PP_HOP_LIMIT);
	pp->av.dlid = pp->peer.lid;
	pp->av.sl = pp->o->sl;
	return true;
}

/* The QP (RC, UC) or the AH (UD) to the peer */
static void pp_connect(struct pp *pp)
{
	const struct opts *o = pp->o;
	struct rig_dest d = { .qpn = pp->peer.qpn, .psn = pp->peer.psn,
			      .av = &pp->av };
	bool global = peer_av(pp);
	int err;

	if (!global && pp->rig.port.link_layer == HWQNIC_LINK_LAYER_ETHERNET)
		fail("the peer gave no GID: on RoCE both sides need -g");
	if (o->type == PP_UD) {
		pp->ah = hwqnic_create_ah(pp->rig.pd, &pp->av);
		if (!pp->ah)
			fail("hwqnic_create_ah: %s", strerror(errno));
		return;
	}
	/* UC: ibv_uc_pingpong's masks, no RNR, retries or READs */
	if (o->type == PP_UC)
		err = rig_uc_to_rtr_dest(pp->qp, &d, rig_mtu(o->mtu));
	else
		err = rig_rc_to_rtr_dest(pp->qp, &d, rig_mtu(o->mtu),
					 RIG_MIN_RNR_TIMER, 1);
	if (err)
		fail("hwqnic_modify_qp(qp %u to RTR): %s", pp->qp->qp_num,
		     strerror(err));
	if (o->type == PP_UC)
		err = rig_uc_to_rts_psn(pp->qp, pp->me.psn);
	else
		err = rig_rc_to_rts_psn(pp->qp, pp->me.psn, RIG_TIMEOUT,
					RIG_RETRY, RIG_RNR_RETRY, 1);
	if (err)
		fail("hwqnic_modify_qp(qp %u to RTS): %s", pp->qp->qp_num,
		     strerror(err));
}

static void print_dest(const char *which, const struct oob_ibv_dest *d)
{
	char gid[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, d->gid, gid, sizeof(gid));
	/* "  local address:  LID" and "  remote address: LID", aligned */
	printf("  %s address:%s LID 0x%04x, QPN 0x%06x, PSN 0x%06x, GID %s\n",
	       which, strcmp(which, "local") ? "" : " ", d->lid, d->qpn,
	       d->psn, gid);
	fflush(stdout);		/* seen before a long run, in a file too */
}

static void oob_fail(struct pp *pp, int err, const char *what)
{
	if (err)
		fail("%s: %s", what, pp->oob.err);
}

/* rdma-core's order: the client writes, reads, connects, writes "done" */
static void exchange(struct pp *pp)
{
	char msg[OOB_IBV_MSG_LEN], why[160];
	bool client = pp->o->server;

	oob_init(&pp->oob, pp->o->timeout_ms);
	if (client)
		oob_fail(pp, oob_connect(&pp->oob, pp->o->server,
					 pp->o->port), "exchange");
	else
		oob_fail(pp, oob_listen(&pp->oob, pp->o->port), "exchange");
	oob_ibv_format(msg, &pp->me);
	if (client)
		oob_fail(pp, oob_send(&pp->oob, msg, sizeof(msg)),
			 "sending the local address");
	oob_fail(pp, oob_recv(&pp->oob, msg, sizeof(msg)),
		 "reading the remote address");
	if (oob_ibv_parse(msg, &pp->peer, why, sizeof(why)))
		fail("%s", why);
	if (!client) {
		pp_connect(pp);
		oob_ibv_format(msg, &pp->me);
		oob_fail(pp, oob_send(&pp->oob, msg, sizeof(msg)),
			 "sending the local address");
		oob_fail(pp, oob_recv(&pp->oob, msg, OOB_IBV_DONE_LEN),
			 "waiting for the client's done");
		if (memcmp(msg, OOB_IBV_DONE, OOB_IBV_DONE_LEN))
			fail("the client ended the exchange with something "
			     "other than \"done\"");
	} else {
		oob_fail(pp, oob_send(&pp->oob, OOB_IBV_DONE,
				      OOB_IBV_DONE_LEN), "sending done");
	}
	oob_close(&pp->oob);
	print_dest("remote", &pp->peer);
	if (client)
		pp_connect(pp);
}

/* ---- the ping-pong ---- */

/*
 * -c as rdma-core's: the client's message has byte 0 of each page 0 (its
 * "i / page_size % sizeof(char)"), the rest the initial 0x7b; each side
 * checks that every byte received is that.
 */
static void check_fill(struct pp *pp, char *p)
{
	uint32_t i;

	for (i = 0; i < pp->o->size; i += (uint32_t)pp->page)
		p[i] = 0;
}

static uint64_t check_recv(struct pp *pp)
{
	const char *p = pp->buf + (pp->o->type == PP_UD ? GRH_LEN : 0);
	uint64_t bad = 0;
	uint32_t i;

	for (i = 0; i < pp->o->size; i++)
		if (p[i] != (i % pp->page ? 0x7b : 0)) {
			if (!bad)
				printf("invalid data in page %u\n",
				       (unsigned int)(i / pp->page));
			bad++;
		}
	return bad;
}

/* rdma-core's summary lines, both directions' bytes */
static void print_summary(const struct opts *o, uint64_t ns)
{
	double usec = (double)ns / 1000.0;
	uint64_t bytes = (uint64_t)o->size * o->iters * 2;

	printf("%" PRIu64 " bytes in %.2f seconds = %.2f Mbit/sec\n", bytes,
	       usec / 1000000., (double)bytes * 8. / usec);
	printf("%u iters in %.2f seconds = %.2f usec/iter\n", o->iters,
	       usec / 1000000., usec / o->iters);
}

static uint64_t run(struct pp *pp)
{
	const struct opts *o = pp->o;
	uint32_t rcnt = 0, scnt = 0, routs = o->rx_depth;
	struct hwqnic_wc wc[2];
	struct rig_idle idle = { 0 };
	unsigned int pending = RECV_WRID;
	uint64_t t0, ns, bad = 0;
	int n, i;

	if (o->server) {
		if (o->check)
			check_fill(pp, pp->buf +
				   (o->type == PP_UD ? GRH_LEN : 0));
		pp_post_send(pp);
		pending |= SEND_WRID;
	}
	t0 = rig_now_ns();
	while (rcnt < o->iters || scnt < o->iters) {
		if (msg_stop_signal())
			fail("stopped by signal %d", msg_stop_signal());
		n = hwqnic_poll_cq(pp->cq, 2, wc);
		if (n < 0)
			fail("hwqnic_poll_cq: %s", strerror(-n));
		if (rig_idle_pass(&idle, n > 0) &&
		    rig_now_ns() - idle.since > STALL_NS)
			fail("no completion for %llu s: %u of %u sent, %u of "
			     "%u received", STALL_NS / 1000000000ULL, scnt,
			     o->iters, rcnt, o->iters);
		for (i = 0; i < n; i++) {
			rig_check_wc(&wc[i], HWQNIC_WC_SUCCESS);
			switch ((int)wc[i].wr_id) {
			case SEND_WRID:
				++scnt;
				break;
			case RECV_WRID:
				if (o->check)
					bad += check_recv(pp);
				if (--routs <= 1) {
					pp_post_recv(pp, o->rx_depth - routs);
					routs = o->rx_depth;
				}
				++rcnt;
				break;
			default:
				fail("completion for unknown wr_id %" PRIu64,
				     (uint64_t)wc[i].wr_id);
			}
			pending &= ~(unsigned int)wc[i].wr_id;
			if (scnt < o->iters && !pending) {
				pp_post_send(pp);
				pending = RECV_WRID | SEND_WRID;
			}
		}
	}
	ns = rig_now_ns() - t0;
	print_summary(o, ns);
	return bad;
}

/* ---- the same ping-pong over plain UDP: the path's latency floor ---- */

/* A lost datagram (an impaired link) is sent again after this long */
#define UDP_RESEND_MS	50

/*
 * Message k carries k in its first 4 bytes: the client resends k until k
 * comes back; the server echoes what it gets, and ends at the last.
 */
static void udp_run(const struct opts *o)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = o->server ? 0 : AI_PASSIVE };
	struct sockaddr_storage from;
	socklen_t flen;
	struct addrinfo *ai;
	char service[8], *buf;
	uint32_t k = 0, got;
	uint64_t t0 = 0, last_rx;
	struct pollfd pfd;
	ssize_t n;
	int fd, rc, zero = 0;
	size_t len = o->size < 4 ? 4 : o->size;

	snprintf(service, sizeof(service), "%u", o->port);
	if (!o->server)
		hints.ai_family = AF_INET6;
	rc = getaddrinfo(o->server, service, &hints, &ai);
	if (rc)
		fail("%s: %s", o->server ? o->server : "::",
		     gai_strerror(rc));
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket: %s", strerror(errno));
	if (!o->server)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
	if (o->server ? connect(fd, ai->ai_addr, ai->ai_addrlen) :
	    bind(fd, ai->ai_addr, ai->ai_addrlen))
		fail("%s UDP port %u: %s", o->server ? "connect to" : "bind",
		     o->port, strerror(errno));
	freeaddrinfo(ai);
	buf = calloc(1, len);
	if (!buf)
		fail("out of memory");
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	last_rx = rig_now_ns();
	while (k < o->iters) {
		if (msg_stop_signal())
			fail("stopped by signal %d", msg_stop_signal());
		if (o->server) {
			memcpy(buf, &k, 4);
			/* refused: the server is not there yet */
			if (send(fd, buf, len, 0) < 0 &&
			    errno != ECONNREFUSED)
				fail("send: %s", strerror(errno));
		}
		rc = poll(&pfd, 1, o->server ? UDP_RESEND_MS : 1000);
		if (rc <= 0) {
			if (rig_now_ns() - last_rx > (uint64_t)o->timeout_ms *
			    1000000)
				fail("no datagram for %d s: %u of %u round "
				     "trips", o->timeout_ms / 1000, k,
				     o->iters);
			continue;
		}
		flen = sizeof(from);
		n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&from,
			     &flen);
		if (n < 4)
			continue;	/* ECONNREFUSED, or a runt: ignored */
		last_rx = rig_now_ns();
		memcpy(&got, buf, 4);
		if (!o->server) {
			/* the server's clock starts at the first ping */
			if (!t0)
				t0 = last_rx;
			if (sendto(fd, buf, (size_t)n, 0,
				   (struct sockaddr *)&from, flen) < 0)
				fail("sendto: %s", strerror(errno));
			if (got + 1 > k)
				k = got + 1;
			continue;
		}
		if (got != k)
			continue;	/* a late copy of a resent one */
		if (!t0)
			t0 = last_rx;	/* from the first answer */
		k++;
	}
	print_summary(o, rig_now_ns() - t0);
	free(buf);
	close(fd);
}

static int pp_close(struct pp *pp)
{
	int err = 0;

	if (pp->ah)
		err |= msg_warn_ret(hwqnic_destroy_ah(pp->ah),
				    "hwqnic_destroy_ah");
	if (pp->qp)
		err |= msg_warn_ret(hwqnic_destroy_qp(pp->qp),
				    "hwqnic_destroy_qp");
	if (pp->cq)
		err |= msg_warn_ret(hwqnic_destroy_cq(pp->cq),
				    "hwqnic_destroy_cq");
	if (pp->mr)
		err |= msg_warn_ret(hwqnic_dereg_mr(pp->mr),
				    "hwqnic_dereg_mr");
	err |= rig_close(&pp->rig);
	if (pp->buf)
		munmap(pp->buf, pp->buf_len);
	oob_close(&pp->oob);
	memset(pp, 0, sizeof(*pp));
	return err;
}

static void pp_close_hook(void *pp)
{
	pp_close(pp);
}

int main(int argc, char **argv)
{
	union hwqnic_gid gid;
	struct opts o;
	struct pp pp;
	uint64_t bad;
	int err;

	msg_init("hwqpingpong");
	parse_args(argc, argv, &o);
	msg_check(msg_catch_stop(), "sigaction");
	if (o.type == PP_UDP) {
		udp_run(&o);
		return 0;
	}
	memset(&pp, 0, sizeof(pp));
	pp.o = &o;
	oob_init(&pp.oob, o.timeout_ms);
	msg_check(msg_on_exit(pp_close_hook, &pp), "msg_on_exit");
	srand48((long)getpid() * time(NULL));
	pp.me.psn = (uint32_t)lrand48() & 0xffffff;
	pp_open(&pp);
	pp.me.qpn = pp.qp->qp_num;
	pp.me.lid = 0;	/* no LIDs on RoCE, nor in hwqnic */
	if (o.gidx >= 0) {
		err = hwqnic_query_gid(pp.rig.ctx, 1, o.gidx, &gid);
		if (err)
			fail("no GID at index %d (hwqnic_query_gid: %s)",
			     o.gidx, strerror(err));
		memcpy(pp.me.gid, gid.raw, 16);
	}
	pp_post_recv(&pp, o.rx_depth);
	print_dest("local", &pp.me);
	exchange(&pp);
	bad = run(&pp);
	msg_cancel(pp_close_hook, &pp);
	err = pp_close(&pp);
	if (bad)
		msg_die(1, "%" PRIu64 " bytes received were not what was "
			"sent", bad);
	return err;
}
