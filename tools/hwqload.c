// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqload: a known, mixed RDMA workload on one embedded hwqnic device, for
 * people and tests that watch hwqnic with tracing tools (qplat, nictop).
 *
 * Requester QP i is RC-connected in loopback to responder QP i and sends
 * only opcode ops[i % nops]; its message k has size sizes[k % nsizes].
 * Every WR is signaled, so the counts are exact: with -n, OPS completions
 * per requester QP. One thread posts and polls, round-robin over the QPs.
 *
 * The two-process form, as hwqperf's: a device bound to a netdev is a
 * server, and with SERVER_ADDRESS its client. The client sends its mix
 * over the out-of-band exchange (tools/lib/oob.h) and makes the
 * requesters; the server adopts the mix and makes the responders; each
 * pair's QPN, PSN, GID, rkey and buffer travel as hwqperf's message. At
 * the end each side sends the other its counts: the client's table and
 * JSON carry the server's receives, and each side checks the other's.
 * See hwqload(1).
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "lib/json.h"
#include "lib/msg.h"
#include "lib/oob.h"
#include "lib/opts.h"
#include "lib/rig.h"

#define NSEC_PER_SEC	1000000000ULL
#define MIB		(1024.0 * 1024.0)

/* The limits of a mix are the exchange's, which a server enforces */
#define MAX_QPS		OOB_LOAD_MAX	/* -q: requester QPs */
#define MAX_LIST	OOB_LOAD_MAX	/* items in --ops and --sizes */
#define MAX_SIZE	OOB_LOAD_MAX_SIZE
#define MAX_COUNT	OOB_LOAD_MAX_COUNT	/* -n */
#define MAX_SECONDS	(OOB_LOAD_MAX_TIME_NS / NSEC_PER_SEC)
#define MAX_ERRORS	OOB_LOAD_MAX_ERRORS
#define MAX_DEPTH	OOB_LOAD_MAX_DEPTH	/* the device's max_qp_wr */
#define DEF_QPS		4
#define DEF_SECONDS	3
#define DEF_DEPTH	16
#define DEF_OPS		"send,write,read"
#define DEF_SIZES	"64,4K,64K"

#define BATCH_MAX	32		/* WRs per post call */
#define POLL_BATCH	64		/* WCs per hwqnic_poll_cq() */
#define STALL_NS	(10 * NSEC_PER_SEC)
#define YIELD_EVERY	16		/* idle passes */
#define ERR_BIT		(1ULL << 63)	/* in a wr_id: an --errors WR */
#define BAD_KEY_BITS	0x80		/* flip an rkey's generation */
/* The two-process form's steps, as hwqperf's: QPs ready; the run ended */
#define SYNC_READY	'R'
#define SYNC_END	'E'
/* A server waits this long for its client's end (keepalive sees a dead
 * client sooner); idle, it sleeps this long on the exchange at a time */
#define END_WAIT_MS	(24 * 3600 * 1000)
#define SERVE_SLEEP_MS	1

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

struct opts {
	unsigned int qps;
	uint64_t count;			/* -n, per requester; 0: -t */
	uint64_t time_ns;		/* -t */
	enum rig_op ops[MAX_LIST];
	unsigned int nops;
	uint64_t sizes[MAX_LIST];
	unsigned int nsizes;
	uint64_t errors;
	uint32_t depth;
	bool json;
	bool has_t;
	bool has_mix;			/* any of -q -t -n --ops ... given */
	/* the two-process form */
	enum role { ROLE_LOCAL = OPTS_ROLE_LOCAL, ROLE_SERVER = OPTS_ROLE_SERVER,
		    ROLE_CLIENT = OPTS_ROLE_CLIENT } role;
	const char *netdev;		/* -d */
	const char *server;		/* SERVER_ADDRESS */
	uint16_t port;			/* -p */
	uint8_t gid_index;		/* -x */
};

/* One buffer and its MR. */
struct side {
	char *buf;
	struct hwqnic_mr *mr;
};

/*
 * Requester QP `req` and responder QP `resp`, connected to each other;
 * in the two-process form the client has the requester half, the server
 * the responder half, and the peer's QP is peer_qpn.
 */
struct pair {
	enum rig_op op;
	struct side loc;		/* the requester's buffer */
	struct side rem;		/* the responder's buffer */
	struct hwqnic_cq *scq;		/* the requester's completions */
	struct hwqnic_qp *req;
	struct hwqnic_qp *resp;
	uint32_t req_qpn, resp_qpn;	/* both sides', for the report */
	uint64_t raddr;			/* the responder's buffer and rkey */
	uint32_t rkey;
	bool flushed;			/* a server's --errors QP went to ERR */
	uint64_t posted;		/* normal WRs */
	uint64_t done;
	uint64_t bytes;			/* of successful completions */
	uint64_t eposted;		/* --errors WRs */
	uint64_t edone;
	uint64_t rposted;		/* the responder's receives */
	uint64_t rdone;
};

struct run {
	struct opts *o;			/* a server adopts its client's mix */
	struct rig rig;			/* device, attributes, PD */
	struct hwqnic_cq *rcq;		/* all responders' completions */
	struct pair p[MAX_QPS];
	uint64_t buf_len;		/* each buffer: the largest size */
	uint32_t rx_depth;		/* receives posted per SEND pair */
	uint32_t rx_batch;
	unsigned int nsend;		/* SEND pairs */
	bool stop;			/* no more normal WRs */
	uint64_t deadline;		/* -t */
	uint64_t elapsed_ns;
	struct rig_idle idle;		/* loop passes without progress */
	struct hwqnic_send_wr swr[BATCH_MAX];
	struct hwqnic_sge ssge[BATCH_MAX];
	struct hwqnic_recv_wr rwr[BATCH_MAX];
	struct hwqnic_sge rsge[BATCH_MAX];
	struct oob oob;			/* the two-process form's exchange */
	uint8_t gid[16];		/* this side's, which the peer names */
	/* the peer's counts per pair: the client's messages, bytes and
	 * errors, or the server's receives */
	uint64_t peer_msgs[MAX_QPS], peer_bytes[MAX_QPS], peer_errs[MAX_QPS];
	uint64_t peer_recvs[MAX_QPS];
};

/* What is printed, kept past teardown. */
struct result {
	char device[64];
	enum role role;
	double seconds;
	unsigned int qps;
	struct {
		uint32_t qpn, peer_qpn;
		enum rig_op op;
		uint64_t messages, bytes, errors, recvs;
		/* on a wire: this side's QP of the pair, as it counted */
		struct hwqnic_qp_wire_counters w;
	} qp[MAX_QPS];
	bool wire;			/* w[] set: server or client */
};

#define fail(...)	msg_die(1, __VA_ARGS__)
#define bad_usage(...)	opts_usage_error(__VA_ARGS__)

/* ---- options ---- */

static const char doc[] =
"A known, mixed RDMA workload on one embedded hwqnic device, for tracing\n"
"tools (qplat, nictop) and the tests that check them; or, as hwqperf's, on\n"
"two hosts: on a device bound to a netdev, a server, and with\n"
"SERVER_ADDRESS its client, whose mix the server adopts.\n"
"\v"
"LISTs are comma-separated. Sizes are 1 byte to 2G and take a K, M or G\n"
"suffix (powers of 1024). -t and -n exclude each other.";

enum { OPT_OPS = 256, OPT_SIZES, OPT_ERRORS, OPT_DEPTH, OPT_JSON };

/* An option of the mix, which a server takes from its client */
#define MIX_KEYS	"qtn"

static const struct argp_option options[] = {
	{ "qps", 'q', "QPS", 0, "Requester QPs, 1 to 64, each RC-connected "
	  "in loopback to a responder QP (default 4)", 0 },
	{ "time", 't', "SECONDS", 0,
	  "Run that long (default 3; fractions allowed)", 0 },
	{ "count", 'n', "OPS", 0, "Exactly OPS messages per requester QP", 0 },
	{ "ops", OPT_OPS, "LIST", 0, "Opcodes send, write, read; requester "
	  "QP i uses item i mod n (default send,write,read)", 0 },
	{ "sizes", OPT_SIZES, "LIST", 0, "Message sizes; a QP's message k "
	  "has item k mod n (default 64,4K,64K)", 0 },
	{ "errors", OPT_ERRORS, "N", 0,
	  "Then N RDMA WRITEs with a bad rkey on QP 0", 0 },
	{ "depth", OPT_DEPTH, "D", 0,
	  "Send WRs outstanding per QP, 1 to 32768 (default 16)", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print one JSON object", 0 },
	OPTS_TWO_HOSTS("hwqload", 3),
	OPTS_HELP_H,
	{},
};

static void parse_ops(struct opts *o, const char *list)
{
	char items[MAX_LIST][OPTS_ITEM_MAX];
	unsigned int i;

	o->nops = opts_list("--ops", list, items, MAX_LIST);
	for (i = 0; i < o->nops; i++)
		o->ops[i] = rig_op_parse("op in --ops", items[i]);
}

static void parse_sizes(struct opts *o, const char *list)
{
	char items[MAX_LIST][OPTS_ITEM_MAX];
	unsigned int i;

	o->nsizes = opts_list("--sizes", list, items, MAX_LIST);
	for (i = 0; i < o->nsizes; i++)
		o->sizes[i] = opts_size("size in --sizes", items[i], 1,
					MAX_SIZE);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	if ((key < 256 && strchr(MIX_KEYS, key)) ||
	    (key >= OPT_OPS && key <= OPT_DEPTH))
		o->has_mix = true;
	if (opts_two_hosts(key, arg, &o->netdev, &o->port, &o->gid_index))
		return 0;
	switch (key) {
	case 'q':
		o->qps = opts_uint("QP count", arg, 1, MAX_QPS);
		return 0;
	case 't':
		o->time_ns = opts_seconds("time", arg, 1,
					  MAX_SECONDS * NSEC_PER_SEC);
		o->has_t = true;
		return 0;
	case 'n':
		o->count = opts_uint("message count", arg, 1, MAX_COUNT);
		return 0;
	case OPT_OPS:
		parse_ops(o, arg);
		return 0;
	case OPT_SIZES:
		parse_sizes(o, arg);
		return 0;
	case OPT_ERRORS:
		o->errors = opts_uint("error count", arg, 0, MAX_ERRORS);
		return 0;
	case OPT_DEPTH:
		o->depth = opts_uint("depth", arg, 1, MAX_DEPTH);
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case ARGP_KEY_ARG:
		if (o->server)
			return opts_default(key, arg, state);
		o->server = arg;
		return 0;
	}
	return opts_default(key, arg, state);
}

static const struct argp argp = OPTS_ARGP(options, parse_arg,
					  "[SERVER_ADDRESS]", doc);

/*
 * The two-process form, as hwqperf's: a client names its server; a device
 * bound to a netdev (-d, HWQNIC_NETDEV) without one is the server, which
 * takes the mix from its client and so refuses one of its own.
 */
static void remote_opts(struct opts *o)
{
	o->role = (enum role)opts_role(o->server, o->netdev);
	if (o->role == ROLE_SERVER && o->has_mix)
		bad_usage("a server runs its client's mix: -q, -t, -n, --ops, "
			  "--sizes, --errors and --depth belong to the client");
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->qps = DEF_QPS;
	o->depth = DEF_DEPTH;
	o->port = OOB_PORT;
	opts_parse(&argp, argc, argv, o);
	remote_opts(o);
	if (o->has_t && o->count)
		bad_usage("-t and -n exclude each other");
	if (!o->has_t && !o->count)
		o->time_ns = DEF_SECONDS * NSEC_PER_SEC;
	if (!o->nops)
		parse_ops(o, DEF_OPS);
	if (!o->nsizes)
		parse_sizes(o, DEF_SIZES);
}

/* ---- setup and teardown ---- */

static uint64_t largest_size(const struct opts *o)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < o->nsizes; i++)
		m = MAX(m, o->sizes[i]);
	return m;
}

/* Device and machine limits that the options must respect, else exit 2. */
static void check_limits(const struct run *r)
{
	const struct opts *o = r->o;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t total = 2 * o->qps * r->buf_len;

	if (r->buf_len > r->rig.port.max_msg_sz)
		bad_usage("size %" PRIu64 " exceeds the port's max_msg_sz %u",
			  r->buf_len, r->rig.port.max_msg_sz);
	if (r->buf_len > r->rig.dev.max_mr_size)
		bad_usage("size %" PRIu64 " exceeds the device's max_mr_size",
			  r->buf_len);
	if (2 * o->qps > r->rig.dev.max_qp || o->qps + 1 > r->rig.dev.max_cq)
		bad_usage("%u QPs exceed the device's limits", o->qps);
	if (o->depth > r->rig.dev.max_qp_wr || o->depth > r->rig.dev.max_cqe)
		bad_usage("depth %u exceeds the device's queue limits",
			  o->depth);
	if (pages > 0 && psize > 0 && total / 2 > (uint64_t)pages / 4 * psize)
		bad_usage("buffers of %" PRIu64 " bytes in all (2 x %u QPs x "
			  "the largest size) exceed half the memory", total,
			  o->qps);
}

/* Word w of pair i's source: a pattern that differs between pairs. */
static uint64_t pattern_word(unsigned int i, uint64_t w)
{
	return ((uint64_t)(i + 1) << 56) ^ (w * 0x9e3779b97f4a7c15ULL);
}

static void fill_pattern(char *buf, uint64_t len, unsigned int i)
{
	uint64_t w, v;

	for (w = 0; w < len / 8; w++) {
		v = pattern_word(i, w);
		memcpy(buf + 8 * w, &v, 8);
	}
	memset(buf + (len & ~7ULL), 0xa5, len & 7);
}

/*
 * The first of buf's len bytes that differs from pair i's source (a
 * buffer of buf_len that fill_pattern() filled), or len.
 */
static uint64_t pattern_diff(const char *buf, uint64_t len, uint64_t buf_len,
			     unsigned int i)
{
	uint64_t b, v, words = MIN(len, buf_len & ~7ULL) / 8;
	uint8_t want[8];

	for (b = 0; b < words; b++) {
		v = pattern_word(i, b);
		if (memcmp(buf + 8 * b, &v, 8))
			break;
	}
	for (b *= 8; b < len; b++) {
		v = pattern_word(i, b / 8);
		memcpy(want, &v, 8);
		if ((uint8_t)buf[b] != (b < (buf_len & ~7ULL) ? want[b % 8] :
					0xa5))
			return b;
	}
	return len;
}

static void setup_side(struct run *r, struct side *s)
{
	void *p = mmap(NULL, r->buf_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap(%" PRIu64 " bytes): %s", r->buf_len,
		     strerror(errno));
	s->buf = p;
	memset(s->buf, 0, r->buf_len);	/* fault the pages in now */
	s->mr = hwqnic_reg_mr(r->rig.pd, s->buf, r->buf_len, RIG_ACCESS);
	if (!s->mr)
		fail("hwqnic_reg_mr(%" PRIu64 " bytes): %s", r->buf_len,
		     strerror(errno));
}

/*
 * READ moves the responder's buffer to the requester's; the rest, back.
 * In the two-process form each side has its half's buffer.
 */
static void setup_buffers(struct run *r, struct pair *p, unsigned int i)
{
	enum role role = r->o->role;

	if (role != ROLE_SERVER)
		setup_side(r, &p->loc);
	if (role != ROLE_CLIENT)
		setup_side(r, &p->rem);
	if (p->op == RIG_READ && role != ROLE_CLIENT)
		fill_pattern(p->rem.buf, r->buf_len, i);
	else if (p->op != RIG_READ && role != ROLE_SERVER)
		fill_pattern(p->loc.buf, r->buf_len, i);
}

/* Receives per SEND responder: twice the send depth, within the CQ. */
static void plan_depths(struct run *r)
{
	uint32_t want = MIN(2 * r->o->depth, r->rig.dev.max_qp_wr);
	unsigned int i, n = 0;

	for (i = 0; i < r->o->qps; i++)
		n += r->p[i].op == RIG_SEND;
	r->nsend = n;
	r->rx_depth = n ? MIN(want, r->rig.dev.max_cqe / n) : 0;
	r->rx_batch = MAX(1, MIN(BATCH_MAX, r->rx_depth / 4));
}

static struct hwqnic_cq *make_cq(struct run *r, uint32_t cqe)
{
	struct hwqnic_cq *cq = rig_cq(&r->rig, cqe);

	if (!cq)
		fail("%s", r->rig.err);
	return cq;
}

static struct hwqnic_qp *make_qp(struct run *r, struct hwqnic_cq *cq,
				 uint32_t sq, uint32_t rq)
{
	struct hwqnic_qp *qp = rig_rc_qp(&r->rig, cq, cq, sq, rq, 0);

	if (!qp)
		fail("%s", r->rig.err);
	return qp;
}

/* RESET -> INIT -> RTR -> RTS, connected to `peer`. */
static void connect_qp(struct run *r, struct hwqnic_qp *qp,
		       const struct hwqnic_qp *peer)
{
	if (rig_rc_connect(&r->rig, qp, peer->qp_num))
		fail("%s", r->rig.err);
}

/*
 * Pair i: its send CQ, requester, then responder (QPNs in that order);
 * in the two-process form, this side's half, connected later.
 */
static void make_pair(struct run *r, struct pair *p)
{
	enum role role = r->o->role;
	uint32_t rq = p->op == RIG_SEND ? r->rx_depth : 0;

	if (role != ROLE_SERVER) {
		p->scq = make_cq(r, r->o->depth);
		p->req = make_qp(r, p->scq, r->o->depth, 0);
		p->req_qpn = p->req->qp_num;
	}
	if (role != ROLE_CLIENT) {
		p->resp = make_qp(r, r->rcq, 1, rq);
		p->resp_qpn = p->resp->qp_num;
	}
	if (role != ROLE_LOCAL)
		return;
	p->raddr = (uintptr_t)p->rem.buf;
	p->rkey = p->rem.mr->rkey;
	connect_qp(r, p->req, p->resp);
	connect_qp(r, p->resp, p->req);
}

static void oob_or_die(struct run *r, int err, const char *what)
{
	if (err)
		fail("%s: %s", what, r->oob.err);
}

/* The client sends its mix; its server adopts it. */
static void swap_mix(struct run *r)
{
	struct opts *o = r->o;
	uint8_t wire[OOB_LOAD_LEN];
	struct oob_load l;
	unsigned int i;

	if (o->role == ROLE_CLIENT) {
		memset(&l, 0, sizeof(l));
		l.qps = o->qps;
		l.nops = o->nops;
		l.nsizes = o->nsizes;
		l.depth = o->depth;
		for (i = 0; i < o->nops; i++)
			l.ops[i] = (uint8_t)o->ops[i];
		for (i = 0; i < o->nsizes; i++)
			l.sizes[i] = o->sizes[i];
		l.count = o->count;
		l.time_ns = o->count ? 0 : o->time_ns;
		l.errors = o->errors;
		oob_load_pack(wire, &l);
		oob_or_die(r, oob_send(&r->oob, wire, sizeof(wire)),
			   "sending the mix");
		return;
	}
	oob_or_die(r, oob_recv(&r->oob, wire, sizeof(wire)),
		   "reading the client's mix");
	if (oob_load_unpack(wire, &l, r->oob.err, sizeof(r->oob.err)))
		fail("%s", r->oob.err);
	o->qps = l.qps;
	o->nops = l.nops;
	o->nsizes = l.nsizes;
	o->depth = l.depth;
	for (i = 0; i < l.nops; i++)
		o->ops[i] = (enum rig_op)l.ops[i];
	for (i = 0; i < l.nsizes; i++)
		o->sizes[i] = l.sizes[i];
	o->count = l.count;
	o->time_ns = l.time_ns;
	o->has_t = !l.count;
	o->errors = l.errors;
}

/* Each pair's half to RTS towards the peer's half, named by the peer. */
static void connect_remote(struct run *r)
{
	bool client = r->o->role == ROLE_CLIENT;
	struct oob_perf me, peer;
	struct hwqnic_qp *qp;
	struct side *s;
	struct pair *p;
	unsigned int i;
	int err;

	for (i = 0; i < r->o->qps; i++) {
		p = &r->p[i];
		qp = client ? p->req : p->resp;
		s = client ? &p->loc : &p->rem;
		memset(&me, 0, sizeof(me));
		me.magic = OOB_PERF_MAGIC;
		me.version = OOB_PERF_VERSION;
		me.mode = OOB_PERF_MODE_LOAD;
		me.op = (uint8_t)p->op;
		me.qpn = qp->qp_num;
		me.psn = (uint32_t)lrand48() & 0xffffff;
		me.rkey = s->mr->rkey;
		me.mtu = r->rig.port.active_mtu;
		memcpy(me.gid, r->gid, 16);
		me.addr = (uintptr_t)s->buf;
		me.buf_size = r->buf_len;
		me.iters = r->o->count;
		me.cq_mod = r->o->depth;
		me.qps = r->o->qps;
		err = rig_rc_to_init(qp, RIG_ACCESS);
		if (err)
			fail("hwqnic_modify_qp(qp %u to INIT): %s", qp->qp_num,
			     strerror(err));
		oob_or_die(r, oob_perf_swap(&r->oob, &me, &peer, client ?
					    "server" : "client"),
			   "exchanging the QPs");
		if (client) {
			p->resp_qpn = peer.qpn;
			p->raddr = peer.addr;
			p->rkey = peer.rkey;
		} else {
			p->req_qpn = peer.qpn;
		}
		if (rig_rc_connect_peer(&r->rig, qp, peer.gid,
					r->o->gid_index, peer.qpn, peer.psn,
					peer.mtu, me.psn))
			fail("%s", r->rig.err);
	}
}

static void refill_recvs(struct run *r, struct pair *p, uint32_t min_batch);

static void setup(struct run *r)
{
	struct opts *o = r->o;
	unsigned int i;

	if (rig_open_netdev(&r->rig, o->netdev))
		fail("%s", r->rig.err);
	if (o->role != ROLE_LOCAL) {
		if (rig_local_gid(&r->rig, o->gid_index, r->gid))
			fail("%s", r->rig.err);
		srand48((long)(rig_now_ns() ^ (uint64_t)getpid()));
		oob_or_die(r, oob_open(&r->oob, o->server, o->port),
			   "exchange");
		swap_mix(r);
	}
	for (i = 0; i < o->qps; i++)
		r->p[i].op = o->ops[i % o->nops];
	r->buf_len = largest_size(o);
	check_limits(r);
	for (i = 0; i < o->qps; i++)
		setup_buffers(r, &r->p[i], i);
	plan_depths(r);
	if (o->role != ROLE_CLIENT)
		r->rcq = make_cq(r, MAX(1, r->nsend * r->rx_depth));
	for (i = 0; i < o->qps; i++)
		make_pair(r, &r->p[i]);
	if (o->role != ROLE_LOCAL)
		connect_remote(r);
	for (i = 0; i < o->qps && o->role != ROLE_CLIENT; i++)
		if (r->p[i].op == RIG_SEND)
			refill_recvs(r, &r->p[i], 1);
	if (o->role != ROLE_LOCAL)
		oob_or_die(r, oob_sync(&r->oob, SYNC_READY,
				       r->oob.timeout_ms),
			   "waiting for the peer's QPs");
}

static int destroy_side(struct run *r, struct side *s)
{
	int err = 0;

	if (s->mr)
		err = msg_warn_ret(hwqnic_dereg_mr(s->mr), "hwqnic_dereg_mr");
	if (s->buf)
		munmap(s->buf, r->buf_len);
	return err;
}

/* Destroys what exists, in reverse order of creation; 0 or 1. */
static int teardown(struct run *r)
{
	struct pair *p;
	int err = 0, i;

	for (i = MAX_QPS - 1; i >= 0; i--) {
		p = &r->p[i];
		if (p->resp)
			err |= msg_warn_ret(hwqnic_destroy_qp(p->resp),
					"hwqnic_destroy_qp");
		if (p->req)
			err |= msg_warn_ret(hwqnic_destroy_qp(p->req),
					"hwqnic_destroy_qp");
		if (p->scq)
			err |= msg_warn_ret(hwqnic_destroy_cq(p->scq),
					"hwqnic_destroy_cq");
	}
	if (r->rcq)
		err |= msg_warn_ret(hwqnic_destroy_cq(r->rcq), "hwqnic_destroy_cq");
	for (i = MAX_QPS - 1; i >= 0; i--) {
		err |= destroy_side(r, &r->p[i].rem);
		err |= destroy_side(r, &r->p[i].loc);
	}
	err |= rig_close(&r->rig);
	oob_close(&r->oob);
	free(r);
	return err;
}

/* msg_die()'s cleanup until the run is torn down as planned */
static void teardown_hook(void *r)
{
	teardown(r);
}

/* ---- completions ---- */

static uint64_t msg_size(const struct run *r, uint64_t k)
{
	return r->o->sizes[k % r->o->nsizes];
}

static void __attribute__((noreturn))
unexpected(const struct hwqnic_wc *wc, const char *what, uint64_t want)
{
	fail("unexpected completion on qp %u (wr_id 0x%" PRIx64 ", opcode %u"
	     ", byte_len %u): expected %s %" PRIu64, wc->qp_num,
	     (uint64_t)wc->wr_id, wc->opcode, wc->byte_len, what, want);
}

/* Normal WR k of p: in order, its opcode, all of its bytes. */
static void on_send_wc(struct run *r, struct pair *p,
		       const struct hwqnic_wc *wc)
{
	uint64_t k = wc->wr_id;

	rig_check_wc(wc, HWQNIC_WC_SUCCESS);
	if (k != p->done || k >= p->posted)
		unexpected(wc, "message", p->done);
	if (wc->opcode != rig_op_wc[p->op])
		unexpected(wc, "opcode", rig_op_wc[p->op]);
	if (wc->byte_len != msg_size(r, k))
		unexpected(wc, "byte_len", msg_size(r, k));
	p->done++;
	p->bytes += wc->byte_len;
}

/* Error WR j: the first fails on its rkey, the QP flushes the rest. */
static void on_error_wc(struct pair *p, const struct hwqnic_wc *wc)
{
	uint64_t j = wc->wr_id & ~ERR_BIT;

	rig_check_wc(wc, j ? HWQNIC_WC_WR_FLUSH_ERR :
			     HWQNIC_WC_REM_ACCESS_ERR);
	if (j != p->edone || j >= p->eposted)
		unexpected(wc, "error WR", p->edone);
	p->edone++;
}

static int poll_send(struct run *r, struct pair *p)
{
	struct hwqnic_wc wc[POLL_BATCH];
	int n = hwqnic_poll_cq(p->scq, POLL_BATCH, wc), i;

	if (n < 0)
		fail("hwqnic_poll_cq: %s", strerror(-n));
	for (i = 0; i < n; i++) {
		if (wc[i].qp_num != p->req->qp_num)
			unexpected(&wc[i], "qp", p->req->qp_num);
		if (wc[i].wr_id & ERR_BIT)
			on_error_wc(p, &wc[i]);
		else
			on_send_wc(r, p, &wc[i]);
	}
	return n;
}

/* Receive k of pair i's responder holds message k of its requester. */
static void on_recv_wc(struct run *r, const struct hwqnic_wc *wc)
{
	bool local = r->o->role == ROLE_LOCAL;
	struct pair *p;

	/* a server's --errors QP: the bad rkey moved it to ERR */
	if (!local && r->o->errors && wc->wr_id == 0 &&
	    wc->status == HWQNIC_WC_WR_FLUSH_ERR) {
		r->p[0].flushed = true;
		return;
	}
	rig_check_wc(wc, HWQNIC_WC_SUCCESS);
	if (wc->wr_id >= r->o->qps)
		unexpected(wc, "wr_id below", r->o->qps);
	p = &r->p[wc->wr_id];
	if (wc->qp_num != p->resp->qp_num)
		unexpected(wc, "qp", p->resp->qp_num);
	if (wc->opcode != HWQNIC_WC_RECV)
		unexpected(wc, "opcode", HWQNIC_WC_RECV);
	if (p->op != RIG_SEND || (local && p->rdone >= p->posted))
		fail("unexpected receive on qp %u: its requester posted %"
		     PRIu64 " SENDs", wc->qp_num,
		     p->op == RIG_SEND ? p->posted : 0);
	if (wc->byte_len != msg_size(r, p->rdone))
		unexpected(wc, "byte_len", msg_size(r, p->rdone));
	p->rdone++;
}

/* Polls the responders' CQ, a batch per SEND pair at most; refills. */
static int poll_recv(struct run *r)
{
	struct hwqnic_wc wc[POLL_BATCH];
	unsigned int q, rounds = 0;
	int n, i, total = 0;

	if (!r->rcq)
		return 0;
	do {
		n = hwqnic_poll_cq(r->rcq, POLL_BATCH, wc);
		if (n < 0)
			fail("hwqnic_poll_cq: %s", strerror(-n));
		for (i = 0; i < n; i++)
			on_recv_wc(r, &wc[i]);
		total += n;
	} while (n == POLL_BATCH && ++rounds < r->nsend);
	for (q = 0; total && q < r->o->qps; q++)
		if (r->p[q].op == RIG_SEND)
			refill_recvs(r, &r->p[q], r->rx_batch);
	return total;
}

/* ---- posting ---- */

static bool timed(const struct run *r)
{
	return !r->o->count;
}

/* Whether p still has normal WRs to post. */
static bool more_normal(const struct run *r, const struct pair *p)
{
	return !r->stop && (timed(r) || p->posted < r->o->count);
}

/* Whether p has posted and completed all it ever will. */
static bool pair_done(const struct run *r, const struct pair *p)
{
	bool errs = p == &r->p[0] && r->o->errors;

	return !more_normal(r, p) && p->done == p->posted &&
	       (!errs || p->edone == r->o->errors);
}

/* Posts the next cnt receives of p's responder, all into its buffer. */
static void post_recvs(struct run *r, struct pair *p, uint32_t cnt)
{
	struct hwqnic_recv_wr *bad = NULL;
	uint32_t j;
	int ret;

	for (j = 0; j < cnt; j++) {
		r->rsge[j].addr = (uintptr_t)p->rem.buf;
		r->rsge[j].length = r->buf_len;
		r->rsge[j].lkey = p->rem.mr->lkey;
		r->rwr[j].wr_id = p - r->p;
		r->rwr[j].next = j + 1 < cnt ? &r->rwr[j + 1] : NULL;
		r->rwr[j].sg_list = &r->rsge[j];
		r->rwr[j].num_sge = 1;
	}
	ret = hwqnic_post_recv(p->resp, r->rwr, &bad);
	if (ret)
		fail("hwqnic_post_recv(qp %u, %u WRs): %s", p->resp->qp_num,
		     cnt, strerror(ret));
	p->rposted += cnt;
}

/*
 * Tops p's responder up to rx_depth receives once min_batch are missing;
 * with -n, never more in all than the requester will send.
 */
static void refill_recvs(struct run *r, struct pair *p, uint32_t min_batch)
{
	uint64_t room = r->rx_depth - (p->rposted - p->rdone);
	uint64_t left = timed(r) ? UINT64_MAX : r->o->count - p->rposted;
	uint64_t cnt = MIN(room, left), b;

	if (p->flushed)
		return;
	if (!cnt || (cnt < min_batch && cnt < left))
		return;
	for (; cnt; cnt -= b) {
		b = MIN(cnt, BATCH_MAX);
		post_recvs(r, p, b);
	}
}

/* Posts the batch's first cnt WRs on p's requester, counted in *posted */
static bool post_send(struct run *r, struct pair *p, uint64_t cnt,
		      uint64_t *posted)
{
	struct hwqnic_send_wr *bad = NULL;
	int ret;

	if (!cnt)
		return false;
	ret = hwqnic_post_send(p->req, r->swr, &bad);
	if (ret)
		fail("hwqnic_post_send(qp %u, %" PRIu64 " WRs): %s",
		     p->req->qp_num, cnt, strerror(ret));
	*posted += cnt;
	return true;
}

/* WR j of a batch: len bytes of p's requester buffer, signaled. */
static void build_wr(struct run *r, struct pair *p, unsigned int j,
		     enum rig_op op, uint64_t len)
{
	struct hwqnic_send_wr *wr = &r->swr[j];
	struct hwqnic_sge *sge = &r->ssge[j];

	sge->addr = (uintptr_t)p->loc.buf;
	sge->length = len;
	sge->lkey = p->loc.mr->lkey;
	memset(wr, 0, sizeof(*wr));
	wr->sg_list = sge;
	wr->num_sge = 1;
	wr->opcode = rig_op_wr[op];
	wr->send_flags = HWQNIC_SEND_SIGNALED;
	if (op != RIG_SEND) {
		wr->wr.rdma.remote_addr = p->raddr;
		wr->wr.rdma.rkey = p->rkey;
	}
	if (j)
		r->swr[j - 1].next = wr;
}

/* Up to a batch of normal WRs: SQ room, and receives for SENDs. */
static bool post_normal(struct run *r, struct pair *p)
{
	uint64_t cnt = r->o->depth - (p->posted - p->done), j;

	cnt = MIN(cnt, BATCH_MAX);
	if (!timed(r))
		cnt = MIN(cnt, r->o->count - p->posted);
	/* a remote responder's receives are its own: RNR retries wait */
	if (p->op == RIG_SEND && r->o->role == ROLE_LOCAL)
		cnt = MIN(cnt, p->rposted - p->posted);
	for (j = 0; j < cnt; j++) {
		build_wr(r, p, j, p->op, msg_size(r, p->posted + j));
		r->swr[j].wr_id = p->posted + j;
	}
	return post_send(r, p, cnt, &p->posted);
}

/* Up to a batch of RDMA WRITEs whose rkey names no MR. */
static bool post_errors(struct run *r, struct pair *p)
{
	uint64_t cnt = r->o->depth - (p->eposted - p->edone), j;

	cnt = MIN(MIN(cnt, BATCH_MAX), r->o->errors - p->eposted);
	for (j = 0; j < cnt; j++) {
		build_wr(r, p, j, RIG_WRITE, msg_size(r, 0));
		r->swr[j].wr_id = ERR_BIT | (p->eposted + j);
		r->swr[j].wr.rdma.rkey ^= BAD_KEY_BITS;
	}
	return post_send(r, p, cnt, &p->eposted);
}

/* QP 0's error WRs follow once its normal traffic has completed. */
static bool post_batch(struct run *r, struct pair *p)
{
	if (more_normal(r, p))
		return post_normal(r, p);
	if (p == &r->p[0] && p->done == p->posted &&
	    p->eposted < r->o->errors)
		return post_errors(r, p);
	return false;
}

/* ---- the run ---- */

static void __attribute__((noreturn)) stalled(struct run *r)
{
	uint64_t posted = 0, done = 0, rposted = 0, rdone = 0;
	unsigned int i;

	for (i = 0; i < r->o->qps; i++) {
		posted += r->p[i].posted + r->p[i].eposted;
		done += r->p[i].done + r->p[i].edone;
		rposted += r->p[i].rposted;
		rdone += r->p[i].rdone;
	}
	fail("stalled: no progress for %llu s (send WRs posted %" PRIu64
	     ", completed %" PRIu64 "; receives posted %" PRIu64
	     ", completed %" PRIu64 ")", STALL_NS / NSEC_PER_SEC, posted,
	     done, rposted, rdone);
}

/*
 * Called on every pass; gives up after STALL_NS without progress. An idle
 * pass now and then yields the CPU, which the engine thread may need.
 */
static void watchdog(struct run *r, bool busy)
{
	uint64_t idle = rig_idle_pass(&r->idle, busy);

	if (idle < 2)
		return;
	if (!(idle % YIELD_EVERY))
		sched_yield();
	if (!(idle % 256) && rig_now_ns() - r->idle.since > STALL_NS)
		stalled(r);
}

static bool all_done(const struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->o->qps; i++)
		if (!pair_done(r, &r->p[i]))
			return false;
	return true;
}

static void check_stop(struct run *r)
{
	if (r->stop)
		return;
	if (msg_stop_signal() || (timed(r) && rig_now_ns() >= r->deadline))
		r->stop = true;
}

static void run_load(struct run *r)
{
	uint64_t t0 = rig_now_ns();
	unsigned int i;
	bool busy;

	r->deadline = t0 + r->o->time_ns;
	while (!all_done(r)) {
		check_stop(r);
		busy = false;
		for (i = 0; i < r->o->qps; i++) {
			busy |= post_batch(r, &r->p[i]);
			busy |= poll_send(r, &r->p[i]) > 0;
		}
		busy |= poll_recv(r) > 0;
		watchdog(r, busy);
	}
	r->elapsed_ns = rig_now_ns() - t0;
}

/*
 * The server's run: keep the responders' receives posted until the
 * client's end arrives. Idle, it sleeps on the exchange, so that a
 * client with no SENDs has the CPU.
 */
static void serve(struct run *r)
{
	uint64_t t0 = rig_now_ns(), idle = 0;

	while (!msg_stop_signal()) {
		if (poll_recv(r) > 0) {
			idle = 0;
			continue;
		}
		if (++idle < YIELD_EVERY)
			continue;
		if (oob_readable(&r->oob, idle < 256 ? 0 : SERVE_SLEEP_MS))
			break;
		sched_yield();
	}
	r->elapsed_ns = rig_now_ns() - t0;
}

/* Receives the SENDs of pair p delivered: its normal messages */
static uint64_t want_recvs(const struct run *r, unsigned int i)
{
	const struct pair *p = &r->p[i];

	if (p->op != RIG_SEND)
		return 0;
	return r->o->role == ROLE_SERVER ? r->peer_msgs[i] - r->peer_errs[i]
					 : p->done;
}

/*
 * The server polls the receives its client's SENDs completed, which it
 * may not have seen when the end arrived; bounded as the run's stalls.
 */
static void drain_recvs(struct run *r)
{
	uint64_t since = rig_now_ns();
	unsigned int i;

	for (i = 0; i < r->o->qps; i++) {
		while (r->p[i].rdone < want_recvs(r, i) && !r->p[i].flushed) {
			if (poll_recv(r) > 0)
				since = rig_now_ns();
			else if (rig_now_ns() - since > STALL_NS)
				return;
			else
				sched_yield();
		}
	}
}

/*
 * The end of the two-process form: the client sends each pair's
 * messages, bytes and errors, the server each responder's receives.
 */
static void remote_end(struct run *r)
{
	bool client = r->o->role == ROLE_CLIENT;
	unsigned int i, n = r->o->qps;
	uint64_t v[MAX_QPS];

	oob_or_die(r, oob_sync(&r->oob, SYNC_END, client ? r->oob.timeout_ms :
			       END_WAIT_MS), "waiting for the peer's end");
	if (client) {
		for (i = 0; i < n; i++)
			v[i] = r->p[i].done + r->p[i].edone;
		oob_or_die(r, oob_send_u64(&r->oob, v, n), "sending counts");
		for (i = 0; i < n; i++)
			v[i] = r->p[i].bytes;
		oob_or_die(r, oob_send_u64(&r->oob, v, n), "sending counts");
		for (i = 0; i < n; i++)
			v[i] = r->p[i].edone;
		oob_or_die(r, oob_send_u64(&r->oob, v, n), "sending counts");
		oob_or_die(r, oob_recv_u64(&r->oob, r->peer_recvs, n),
			   "reading the server's counts");
	} else {
		oob_or_die(r, oob_recv_u64(&r->oob, r->peer_msgs, n),
			   "reading the client's counts");
		oob_or_die(r, oob_recv_u64(&r->oob, r->peer_bytes, n),
			   "reading the client's counts");
		oob_or_die(r, oob_recv_u64(&r->oob, r->peer_errs, n),
			   "reading the client's counts");
		for (i = 0; i < n; i++)
			if (r->peer_errs[i] > r->peer_msgs[i])
				fail("the client's counts of qp %u: %" PRIu64
				     " errors of %" PRIu64 " messages",
				     r->p[i].req_qpn, r->peer_errs[i],
				     r->peer_msgs[i]);
		drain_recvs(r);
		for (i = 0; i < n; i++)
			v[i] = r->p[i].rdone;
		oob_or_die(r, oob_send_u64(&r->oob, v, n), "sending counts");
	}
	oob_close(&r->oob);
}

/* Each SEND pair's receives are its requester's messages: both sides */
static void check_counts(const struct run *r)
{
	bool client = r->o->role == ROLE_CLIENT;
	uint64_t got, want;
	unsigned int i;

	for (i = 0; i < r->o->qps; i++) {
		got = client ? r->peer_recvs[i] : r->p[i].rdone;
		want = want_recvs(r, i);
		if (got != want)
			fail("qp %u -> %u: the %s completed %" PRIu64 " receives"
			     ", the %s %" PRIu64 " SENDs", r->p[i].req_qpn,
			     r->p[i].resp_qpn, client ? "server" : "client",
			     got, client ? "client" : "server", want);
	}
}

/*
 * The bytes each pair moved arrived: the destination buffer of what this
 * side received (a READ's requester, a SEND's or WRITE's responder) holds
 * the source's pattern over the largest message of those completed.
 */
static void check_data(const struct run *r)
{
	enum role role = r->o->role;
	const struct pair *p;
	const char *buf;
	uint64_t n, len, k, at;
	unsigned int i;

	for (i = 0; i < r->o->qps; i++) {
		p = &r->p[i];
		if (p->op == RIG_READ && role != ROLE_SERVER) {
			buf = p->loc.buf;
			n = p->done;
		} else if (p->op == RIG_SEND && role != ROLE_CLIENT) {
			buf = p->rem.buf;
			n = p->rdone;
		} else if (p->op == RIG_WRITE && role != ROLE_CLIENT) {
			buf = p->rem.buf;
			n = role == ROLE_LOCAL ? p->done :
			    r->peer_msgs[i] - r->peer_errs[i];
		} else {
			continue;
		}
		for (len = 0, k = 0; k < n && k < r->o->nsizes; k++)
			len = MAX(len, r->o->sizes[k]);
		at = pattern_diff(buf, len, r->buf_len, i);
		if (at < len)
			fail("qp %u -> %u (%s): byte %" PRIu64 " of %" PRIu64
			     " differs from what was sent", p->req_qpn,
			     p->resp_qpn, rig_op_name(p->op), at, len);
	}
}

/* ---- results ---- */

static void collect(const struct run *r, struct result *res)
{
	const struct pair *p;
	unsigned int i;

	bool server = r->o->role == ROLE_SERVER;

	snprintf(res->device, sizeof(res->device), "%s",
		 hwqnic_device_name(r->rig.ctx));
	res->role = r->o->role;
	res->seconds = (double)r->elapsed_ns / NSEC_PER_SEC;
	res->qps = r->o->qps;
	/* the other side's half as it told it */
	for (i = 0; i < r->o->qps; i++) {
		p = &r->p[i];
		res->qp[i].qpn = p->req_qpn;
		res->qp[i].peer_qpn = p->resp_qpn;
		res->qp[i].op = p->op;
		res->qp[i].messages = server ? r->peer_msgs[i] :
				      p->done + p->edone;
		res->qp[i].bytes = server ? r->peer_bytes[i] : p->bytes;
		res->qp[i].errors = server ? r->peer_errs[i] : p->edone;
		res->qp[i].recvs = r->o->role == ROLE_CLIENT ?
				   r->peer_recvs[i] : p->rdone;
		if (r->o->role != ROLE_LOCAL)
			msg_check(hwqnic_query_qp_wire_counters(server ? p->resp :
								p->req,
								&res->qp[i].w),
				  "hwqnic_query_qp_wire_counters");
	}
	res->wire = r->o->role != ROLE_LOCAL;
}

static void totals(const struct result *res, uint64_t *msgs, uint64_t *bytes,
		   uint64_t *errs, uint64_t *recvs)
{
	unsigned int i;

	*msgs = *bytes = *errs = *recvs = 0;
	for (i = 0; i < res->qps; i++) {
		*msgs += res->qp[i].messages;
		*bytes += res->qp[i].bytes;
		*errs += res->qp[i].errors;
		*recvs += res->qp[i].recvs;
	}
}

static const char *const role_names[] = { "local", "server", "client" };

static void print_human(const struct result *res)
{
	uint64_t msgs, bytes, errs, recvs;
	double sec = res->seconds > 0 ? res->seconds : 1e-9;
	unsigned int i;

	totals(res, &msgs, &bytes, &errs, &recvs);
	printf("hwqload on %s, pid %d: %u QP pairs, %.3f s%s%s\n",
	       res->device, (int)getpid(), res->qps, res->seconds,
	       res->role == ROLE_LOCAL ? "" : ", the ",
	       res->role == ROLE_LOCAL ? "" : role_names[res->role]);
	printf(" %6s %9s  %-5s %12s %16s %8s %12s", "qpn", "peer_qpn",
	       "op", "messages", "bytes", "errors", "recvs");
	if (res->wire)
		printf(" %12s %12s %8s", "tx_pkts", "rx_pkts", "retx");
	putchar('\n');
	for (i = 0; i < res->qps; i++) {
		printf(" %6u %9u  %-5s %12" PRIu64 " %16" PRIu64 " %8" PRIu64
		       " %12" PRIu64, res->qp[i].qpn,
		       res->qp[i].peer_qpn, rig_op_name(res->qp[i].op),
		       res->qp[i].messages, res->qp[i].bytes,
		       res->qp[i].errors, res->qp[i].recvs);
		if (res->wire)
			printf(" %12llu %12llu %8llu",
			       (unsigned long long)res->qp[i].w.tx_pkts,
			       (unsigned long long)res->qp[i].w.rx_pkts,
			       (unsigned long long)res->qp[i].w.retransmits);
		putchar('\n');
	}
	printf(" %-23s %12" PRIu64 " %16" PRIu64 " %8" PRIu64 " %12" PRIu64
	       "\n", "total", msgs, bytes, errs, recvs);
	printf(" %.3f Mmsg/s, %.2f MiB/s\n", msgs / sec / 1e6,
	       bytes / sec / MIB);
}

/* this side's QP of pair i, as the transport counted it */
static void json_wire(struct json *j, const struct result *res,
		      unsigned int i)
{
	const struct hwqnic_qp_wire_counters *w = &res->qp[i].w;

	if (!res->wire)
		return;
	json_object(j, "wire");
	json_uint(j, "tx_pkts", w->tx_pkts);
	json_uint(j, "tx_bytes", w->tx_bytes);
	json_uint(j, "rx_pkts", w->rx_pkts);
	json_uint(j, "rx_bytes", w->rx_bytes);
	json_uint(j, "retransmits", w->retransmits);
	json_uint(j, "timeouts", w->timeouts);
	json_close(j);
}

static void print_json(const struct result *res)
{
	uint64_t msgs, bytes, errs, recvs;
	struct json j;
	unsigned int i;

	totals(res, &msgs, &bytes, &errs, &recvs);
	json_init(&j, stdout);
	json_head(&j, msg_name());
	json_str(&j, "dev", res->device, sizeof(res->device));
	if (res->role != ROLE_LOCAL)
		json_str(&j, "role", role_names[res->role], SIZE_MAX);
	json_int(&j, "pid", getpid());
	json_double(&j, "duration_s", res->seconds, 6);
	json_array(&j, "qps");
	for (i = 0; i < res->qps; i++) {
		json_object(&j, NULL);
		json_uint(&j, "qpn", res->qp[i].qpn);
		json_uint(&j, "peer_qpn", res->qp[i].peer_qpn);
		json_str(&j, "op", rig_op_name(res->qp[i].op), SIZE_MAX);
		json_uint(&j, "messages", res->qp[i].messages);
		json_uint(&j, "bytes", res->qp[i].bytes);
		json_uint(&j, "errors", res->qp[i].errors);
		if (res->role != ROLE_SERVER)
			json_wire(&j, res, i);
		json_close(&j);
	}
	json_close(&j);
	json_array(&j, "responders");
	for (i = 0; i < res->qps; i++) {
		json_object(&j, NULL);
		json_uint(&j, "qpn", res->qp[i].peer_qpn);
		json_uint(&j, "recvs", res->qp[i].recvs);
		if (res->role == ROLE_SERVER)
			json_wire(&j, res, i);
		json_close(&j);
	}
	json_close(&j);
	json_uint(&j, "total_messages", msgs);
	json_uint(&j, "total_bytes", bytes);
	json_close(&j);
	if (json_error(&j))
		msg_warn("JSON output: %s", strerror(json_error(&j)));
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	struct result res;
	struct opts o;
	struct run *r;
	int err;

	msg_init("hwqload");
	parse_args(argc, argv, &o);
	msg_check(msg_catch_stop(), "sigaction");
	r = calloc(1, sizeof(*r));
	if (!r)
		fail("out of memory");
	r->o = &o;
	oob_init(&r->oob, OOB_TIMEOUT_MS);
	msg_check(msg_on_exit(teardown_hook, r), "msg_on_exit");
	setup(r);
	if (o.role == ROLE_SERVER)
		serve(r);
	else
		run_load(r);
	/* a server stopped by a signal has no end from its client */
	if (o.role != ROLE_LOCAL && !msg_stop_signal()) {
		remote_end(r);
		check_counts(r);
	}
	check_data(r);
	memset(&res, 0, sizeof(res));
	collect(r, &res);
	msg_cancel(teardown_hook, r);
	err = teardown(r);
	if (o.json)
		print_json(&res);
	else
		print_human(&res);
	if (msg_stop_signal()) {
		msg_warn("stopped by signal %d", msg_stop_signal());
		return 128 + msg_stop_signal();
	}
	return err;
}
