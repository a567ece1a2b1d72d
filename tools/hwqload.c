// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqload: a known, mixed RDMA workload on one embedded hwqnic device, for
 * people and tests that watch hwqnic with tracing tools (qplat, nictop).
 *
 * Requester QP i is RC-connected in loopback to responder QP i and sends
 * only opcode ops[i % nops]; its message k has size sizes[k % nsizes].
 * Every WR is signaled, so the counts are exact: with -n, OPS completions
 * per requester QP. One thread posts and polls, round-robin over the QPs.
 * See hwqload(1).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "cli.h"

#define HWQLOAD_VERSION	"0.1"

#define NSEC_PER_SEC	1000000000ULL
#define MIB		(1024.0 * 1024.0)

#define MAX_QPS		64		/* -q: requester QPs */
#define MAX_LIST	64		/* items in --ops and --sizes */
#define ITEM_MAX	32		/* bytes of one item, with its NUL */
#define MAX_SIZE	(1ULL << 31)	/* an SGE's length is 32 bits */
#define MAX_COUNT	(1ULL << 40)	/* -n */
#define MAX_SECONDS	(365ULL * 86400)
#define MAX_ERRORS	(1ULL << 30)
#define MAX_DEPTH	32768		/* the device's max_qp_wr */
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

#define MR_ACCESS	(HWQNIC_ACCESS_LOCAL_WRITE | \
			 HWQNIC_ACCESS_REMOTE_WRITE | \
			 HWQNIC_ACCESS_REMOTE_READ)

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum op { OP_SEND, OP_WRITE, OP_READ };

static const char *const op_names[] = { "send", "write", "read" };
static const enum hwqnic_wr_opcode op_wr[] = {
	HWQNIC_WR_SEND, HWQNIC_WR_RDMA_WRITE, HWQNIC_WR_RDMA_READ
};
static const enum hwqnic_wc_opcode op_wc[] = {
	HWQNIC_WC_SEND, HWQNIC_WC_RDMA_WRITE, HWQNIC_WC_RDMA_READ
};

struct opts {
	unsigned int qps;
	uint64_t count;			/* -n, per requester; 0: -t */
	uint64_t time_ns;		/* -t */
	enum op ops[MAX_LIST];
	unsigned int nops;
	uint64_t sizes[MAX_LIST];
	unsigned int nsizes;
	uint64_t errors;
	uint32_t depth;
	bool json;
	bool has_t;
};

/* One buffer and its MR. */
struct side {
	char *buf;
	struct hwqnic_mr *mr;
};

/* Requester QP `req` and responder QP `resp`, connected to each other. */
struct pair {
	enum op op;
	struct side loc;		/* the requester's buffer */
	struct side rem;		/* the responder's buffer */
	struct hwqnic_cq *scq;		/* the requester's completions */
	struct hwqnic_qp *req;
	struct hwqnic_qp *resp;
	uint64_t posted;		/* normal WRs */
	uint64_t done;
	uint64_t bytes;			/* of successful completions */
	uint64_t eposted;		/* --errors WRs */
	uint64_t edone;
	uint64_t rposted;		/* the responder's receives */
	uint64_t rdone;
};

struct run {
	const struct opts *o;
	struct hwqnic_context *ctx;
	struct hwqnic_pd *pd;
	struct hwqnic_device_attr dev;
	struct hwqnic_port_attr port;
	struct hwqnic_cq *rcq;		/* all responders' completions */
	struct pair p[MAX_QPS];
	uint64_t buf_len;		/* each buffer: the largest size */
	uint32_t rx_depth;		/* receives posted per SEND pair */
	uint32_t rx_batch;
	unsigned int nsend;		/* SEND pairs */
	bool stop;			/* no more normal WRs */
	uint64_t deadline;		/* -t */
	uint64_t elapsed_ns;
	uint64_t idle;			/* loop passes without progress */
	uint64_t idle_since;
	struct hwqnic_send_wr swr[BATCH_MAX];
	struct hwqnic_sge ssge[BATCH_MAX];
	struct hwqnic_recv_wr rwr[BATCH_MAX];
	struct hwqnic_sge rsge[BATCH_MAX];
};

/* What is printed, kept past teardown. */
struct result {
	char device[64];
	double seconds;
	unsigned int qps;
	struct {
		uint32_t qpn, peer_qpn;
		enum op op;
		uint64_t messages, bytes, errors, recvs;
	} qp[MAX_QPS];
};

static struct run *cur_run;

static int teardown(struct run *r);

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	struct run *r = cur_run;
	va_list ap;

	fflush(stdout);
	fputs("hwqload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (r) {
		cur_run = NULL;
		teardown(r);
	}
	exit(code);
}

#define fail(...)	die(1, __VA_ARGS__)
#define bad_usage(...)	die(2, __VA_ARGS__)

static void check(int ret, const char *what)
{
	if (ret)
		fail("%s: %s", what, strerror(ret));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* ---- options ---- */

static const char usage_text[] =
	"Usage: hwqload [-q QPS] [-t SECONDS | -n OPS] [--ops LIST]\n"
	"               [--sizes LIST] [--errors N] [--depth D] [--json]\n"
	"       hwqload -h | --help | --version\n"
	"\n"
	"A known, mixed RDMA workload on one embedded hwqnic device, for\n"
	"tracing tools (qplat, nictop) and the tests that check them.\n"
	"\n"
	"  -q, --qps QPS        requester QPs, 1 to 64, each RC-connected in\n"
	"                       loopback to a responder QP (default 4)\n"
	"  -t, --time SECONDS   run that long (default 3; fractions allowed)\n"
	"  -n, --count OPS      exactly OPS messages per requester QP\n"
	"      --ops LIST       opcodes send, write, read; requester QP i\n"
	"                       uses item i mod n (default send,write,read)\n"
	"      --sizes LIST     message sizes; a QP's message k has item\n"
	"                       k mod n (default 64,4K,64K)\n"
	"      --errors N       then N RDMA WRITEs with a bad rkey on QP 0\n"
	"      --depth D        send WRs outstanding per QP, 1 to 32768\n"
	"                       (default 16)\n"
	"      --json           print one JSON object\n"
	"  -h, --help           print this help\n"
	"      --version        print the version\n"
	"\n"
	"LISTs are comma-separated. Sizes are 1 byte to 2G and take a K, M\n"
	"or G suffix (powers of 1024). -t and -n exclude each other.\n";

static unsigned int suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k':
		return 10;
	case 'M': case 'm':
		return 20;
	case 'G': case 'g':
		return 30;
	}
	return 0;
}

/* A decimal number, with a K/M/G suffix if `suffix`; 0 or -1. */
static int parse_u64(const char *s, bool suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (suffix && *end) {
		shift = suffix_shift(*end++);
		if (!shift)
			return -1;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static uint64_t parse_count(const char *what, const char *s, uint64_t lo,
			    uint64_t hi)
{
	uint64_t v;

	if (parse_u64(s, false, &v))
		bad_usage("bad %s '%s' (a decimal number)", what, s);
	if (v < lo || v > hi)
		bad_usage("%s must be %" PRIu64 " to %" PRIu64 ", not %s",
			  what, lo, hi, s);
	return v;
}

/* Seconds as D or D.F (at most 9 digits of F), in ns; above 0. */
static uint64_t parse_seconds(const char *s)
{
	uint64_t sec = 0, frac = 0, scale = NSEC_PER_SEC;
	const char *p = s;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (*p - '0');
		if (sec > MAX_SECONDS)
			goto range;
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	while (*p >= '0' && *p <= '9')		/* below a nanosecond */
		p++;
	if (*p)
		goto bad;
	if ((!sec && !frac) || (sec == MAX_SECONDS && frac))
		goto range;
	return sec * NSEC_PER_SEC + frac;
bad:
	bad_usage("bad time '%s' (seconds, such as 2 or 0.5)", s);
range:
	bad_usage("time must be above 0 and at most %llu seconds, not %s",
		  MAX_SECONDS, s);
}

/* Splits a comma list; an empty or overlong item is bad usage. */
static unsigned int split_list(const char *what, const char *list,
			       char items[][ITEM_MAX])
{
	const char *s = list;
	unsigned int n = 0;
	size_t len;

	for (;;) {
		len = strcspn(s, ",");
		if (!len)
			bad_usage("bad %s list '%s' (an empty item)", what,
				  list);
		if (len >= ITEM_MAX)
			bad_usage("bad %s list '%s' (an item too long)", what,
				  list);
		if (n == MAX_LIST)
			bad_usage("%s list '%s' has more than %u items", what,
				  list, MAX_LIST);
		memcpy(items[n], s, len);
		items[n++][len] = '\0';
		if (!s[len])
			return n;
		s += len + 1;
	}
}

static enum op parse_op(const char *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(op_names); i++)
		if (!strcmp(s, op_names[i]))
			return i;
	bad_usage("unknown op '%s' in --ops (send, write or read)", s);
}

static void parse_ops(struct opts *o, const char *list)
{
	char items[MAX_LIST][ITEM_MAX];
	unsigned int i;

	o->nops = split_list("--ops", list, items);
	for (i = 0; i < o->nops; i++)
		o->ops[i] = parse_op(items[i]);
}

static void parse_sizes(struct opts *o, const char *list)
{
	char items[MAX_LIST][ITEM_MAX];
	unsigned int i;
	uint64_t v;

	o->nsizes = split_list("--sizes", list, items);
	for (i = 0; i < o->nsizes; i++) {
		if (parse_u64(items[i], true, &v))
			bad_usage("bad size '%s' in --sizes (bytes, with an "
				  "optional K, M or G)", items[i]);
		if (!v || v > MAX_SIZE)
			bad_usage("size '%s' in --sizes is not 1 byte to 2G",
				  items[i]);
		o->sizes[i] = v;
	}
}

enum {
	OPT_OPS = 256, OPT_SIZES, OPT_ERRORS, OPT_DEPTH, OPT_JSON,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "qps",	required_argument,	NULL, 'q' },
	{ "time",	required_argument,	NULL, 't' },
	{ "count",	required_argument,	NULL, 'n' },
	{ "ops",	required_argument,	NULL, OPT_OPS },
	{ "sizes",	required_argument,	NULL, OPT_SIZES },
	{ "errors",	required_argument,	NULL, OPT_ERRORS },
	{ "depth",	required_argument,	NULL, OPT_DEPTH },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

static void __attribute__((noreturn)) bad_option(char **argv, int c)
{
	char msg[256];

	bad_usage("%s", cli_option_error(argv, c, msg, sizeof(msg)));
}

static void __attribute__((noreturn)) version(void)
{
	printf("hwqload %s (hwqnic ABI %d)\n", HWQLOAD_VERSION,
	       HWQNIC_ABI_VERSION);
	exit(0);
}

static void parse_one(struct opts *o, int c, char **argv)
{
	switch (c) {
	case 'q':
		o->qps = parse_count("QP count", optarg, 1, MAX_QPS);
		break;
	case 't':
		o->time_ns = parse_seconds(optarg);
		o->has_t = true;
		break;
	case 'n':
		o->count = parse_count("message count", optarg, 1, MAX_COUNT);
		break;
	case OPT_OPS:
		parse_ops(o, optarg);
		break;
	case OPT_SIZES:
		parse_sizes(o, optarg);
		break;
	case OPT_ERRORS:
		o->errors = parse_count("error count", optarg, 0, MAX_ERRORS);
		break;
	case OPT_DEPTH:
		o->depth = parse_count("depth", optarg, 1, MAX_DEPTH);
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case 'h':
		fputs(usage_text, stdout);
		exit(0);
	case OPT_VERSION:
		version();
	default:
		bad_option(argv, c);
	}
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->qps = DEF_QPS;
	o->depth = DEF_DEPTH;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq:t:n:", long_opts,
				NULL)) != -1)
		parse_one(o, c, argv);
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
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

	if (r->buf_len > r->port.max_msg_sz)
		bad_usage("size %" PRIu64 " exceeds the port's max_msg_sz %u",
			  r->buf_len, r->port.max_msg_sz);
	if (r->buf_len > r->dev.max_mr_size)
		bad_usage("size %" PRIu64 " exceeds the device's max_mr_size",
			  r->buf_len);
	if (2 * o->qps > r->dev.max_qp || o->qps + 1 > r->dev.max_cq)
		bad_usage("%u QPs exceed the device's limits", o->qps);
	if (o->depth > r->dev.max_qp_wr || o->depth > r->dev.max_cqe)
		bad_usage("depth %u exceeds the device's queue limits",
			  o->depth);
	if (pages > 0 && psize > 0 && total / 2 > (uint64_t)pages / 4 * psize)
		bad_usage("buffers of %" PRIu64 " bytes in all (2 x %u QPs x "
			  "the largest size) exceed half the memory", total,
			  o->qps);
}

static void open_device(struct run *r)
{
	r->ctx = hwqnic_open(NULL, 0);
	if (!r->ctx)
		fail("hwqnic_open: %s", strerror(errno));
	check(hwqnic_query_device(r->ctx, &r->dev), "hwqnic_query_device");
	check(hwqnic_query_port(r->ctx, 1, &r->port), "hwqnic_query_port");
	if (r->port.state != HWQNIC_PORT_ACTIVE)
		fail("port 1 is not active (state %u)", r->port.state);
	check_limits(r);
	r->pd = hwqnic_alloc_pd(r->ctx);
	if (!r->pd)
		fail("hwqnic_alloc_pd: %s", strerror(errno));
}

/* Word w of pair i's source: a pattern that differs between pairs. */
static void fill_pattern(char *buf, uint64_t len, unsigned int i)
{
	uint64_t w, v;

	for (w = 0; w < len / 8; w++) {
		v = ((uint64_t)(i + 1) << 56) ^ (w * 0x9e3779b97f4a7c15ULL);
		memcpy(buf + 8 * w, &v, 8);
	}
	memset(buf + (len & ~7ULL), 0xa5, len & 7);
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
	s->mr = hwqnic_reg_mr(r->pd, s->buf, r->buf_len, MR_ACCESS);
	if (!s->mr)
		fail("hwqnic_reg_mr(%" PRIu64 " bytes): %s", r->buf_len,
		     strerror(errno));
}

/* READ moves the responder's buffer to the requester's; the rest, back. */
static void setup_buffers(struct run *r, struct pair *p, unsigned int i)
{
	setup_side(r, &p->loc);
	setup_side(r, &p->rem);
	fill_pattern(p->op == OP_READ ? p->rem.buf : p->loc.buf, r->buf_len,
		     i);
}

/* Receives per SEND responder: twice the send depth, within the CQ. */
static void plan_depths(struct run *r)
{
	uint32_t want = MIN(2 * r->o->depth, r->dev.max_qp_wr);
	unsigned int i, n = 0;

	for (i = 0; i < r->o->qps; i++)
		n += r->p[i].op == OP_SEND;
	r->nsend = n;
	r->rx_depth = n ? MIN(want, r->dev.max_cqe / n) : 0;
	r->rx_batch = MAX(1, MIN(BATCH_MAX, r->rx_depth / 4));
}

static struct hwqnic_cq *make_cq(struct run *r, uint32_t cqe)
{
	struct hwqnic_cq *cq = hwqnic_create_cq(r->ctx, (int)cqe, NULL, NULL);

	if (!cq)
		fail("hwqnic_create_cq(%u): %s", cqe, strerror(errno));
	return cq;
}

static struct hwqnic_qp *make_qp(struct run *r, struct hwqnic_cq *cq,
				 uint32_t sq, uint32_t rq)
{
	struct hwqnic_qp_init_attr ia = {
		.send_cq = cq,
		.recv_cq = cq,
		.cap = {
			.max_send_wr = sq,
			.max_recv_wr = rq,
			.max_send_sge = 1,
			.max_recv_sge = 1,
		},
		.qp_type = HWQNIC_QPT_RC,
	};
	struct hwqnic_qp *qp = hwqnic_create_qp(r->pd, &ia);

	if (!qp)
		fail("hwqnic_create_qp(send %u, recv %u): %s", sq, rq,
		     strerror(errno));
	if (ia.cap.max_send_wr < sq || ia.cap.max_recv_wr < rq)
		fail("hwqnic_create_qp: asked for %u/%u WRs, got %u/%u", sq,
		     rq, ia.cap.max_send_wr, ia.cap.max_recv_wr);
	return qp;
}

static void modify(struct hwqnic_qp *qp, struct hwqnic_qp_attr *a, int mask,
		   const char *state)
{
	int ret = hwqnic_modify_qp(qp, a, mask);

	if (ret)
		fail("hwqnic_modify_qp(qp %u to %s): %s", qp->qp_num, state,
		     strerror(ret));
}

static enum hwqnic_mtu mtu_enum(uint32_t bytes)
{
	enum hwqnic_mtu m = HWQNIC_MTU_4096;

	while (m > HWQNIC_MTU_256 && bytes < (128U << m))
		m--;
	return m;
}

/* RESET -> INIT -> RTR -> RTS, connected to `peer`. */
static void connect_qp(struct run *r, struct hwqnic_qp *qp,
		       const struct hwqnic_qp *peer)
{
	uint8_t rd = MAX(1, MIN(r->dev.max_qp_rd_atom, 16));
	struct hwqnic_qp_attr a;

	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = MR_ACCESS;
	modify(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
	       HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS, "INIT");
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = mtu_enum(r->port.active_mtu);
	a.dest_qp_num = peer->qp_num;
	a.max_dest_rd_atomic = rd;
	a.min_rnr_timer = 12;
	modify(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
	       HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
	       HWQNIC_QP_MAX_DEST_RD_ATOMIC | HWQNIC_QP_MIN_RNR_TIMER, "RTR");
	memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = rd;
	modify(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN | HWQNIC_QP_TIMEOUT |
	       HWQNIC_QP_RETRY_CNT | HWQNIC_QP_RNR_RETRY |
	       HWQNIC_QP_MAX_QP_RD_ATOMIC, "RTS");
}

/* Pair i: its send CQ, requester, then responder (QPNs in that order). */
static void make_pair(struct run *r, struct pair *p)
{
	uint32_t rq = p->op == OP_SEND ? r->rx_depth : 0;

	p->scq = make_cq(r, r->o->depth);
	p->req = make_qp(r, p->scq, r->o->depth, 0);
	p->resp = make_qp(r, r->rcq, 1, rq);
	connect_qp(r, p->req, p->resp);
	connect_qp(r, p->resp, p->req);
}

static void refill_recvs(struct run *r, struct pair *p, uint32_t min_batch);

static void setup(struct run *r)
{
	const struct opts *o = r->o;
	unsigned int i;

	for (i = 0; i < o->qps; i++)
		r->p[i].op = o->ops[i % o->nops];
	r->buf_len = largest_size(o);
	open_device(r);
	for (i = 0; i < o->qps; i++)
		setup_buffers(r, &r->p[i], i);
	plan_depths(r);
	r->rcq = make_cq(r, MAX(1, r->nsend * r->rx_depth));
	for (i = 0; i < o->qps; i++)
		make_pair(r, &r->p[i]);
	for (i = 0; i < o->qps; i++)
		if (r->p[i].op == OP_SEND)
			refill_recvs(r, &r->p[i], 1);
}

static int warn_ret(int ret, const char *what)
{
	if (ret)
		fprintf(stderr, "hwqload: %s: %s\n", what, strerror(ret));
	return ret != 0;
}

static int destroy_side(struct run *r, struct side *s)
{
	int err = 0;

	if (s->mr)
		err = warn_ret(hwqnic_dereg_mr(s->mr), "hwqnic_dereg_mr");
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
			err |= warn_ret(hwqnic_destroy_qp(p->resp),
					"hwqnic_destroy_qp");
		if (p->req)
			err |= warn_ret(hwqnic_destroy_qp(p->req),
					"hwqnic_destroy_qp");
		if (p->scq)
			err |= warn_ret(hwqnic_destroy_cq(p->scq),
					"hwqnic_destroy_cq");
	}
	if (r->rcq)
		err |= warn_ret(hwqnic_destroy_cq(r->rcq), "hwqnic_destroy_cq");
	for (i = MAX_QPS - 1; i >= 0; i--) {
		err |= destroy_side(r, &r->p[i].rem);
		err |= destroy_side(r, &r->p[i].loc);
	}
	if (r->pd)
		err |= warn_ret(hwqnic_dealloc_pd(r->pd), "hwqnic_dealloc_pd");
	if (r->ctx)
		err |= warn_ret(hwqnic_close(r->ctx), "hwqnic_close");
	free(r);
	return err;
}

/* ---- completions ---- */

static const char *const wc_status_names[] = {
	"SUCCESS", "LOC_LEN_ERR", "LOC_QP_OP_ERR", "LOC_EEC_OP_ERR",
	"LOC_PROT_ERR", "WR_FLUSH_ERR", "MW_BIND_ERR", "BAD_RESP_ERR",
	"LOC_ACCESS_ERR", "REM_INV_REQ_ERR", "REM_ACCESS_ERR", "REM_OP_ERR",
	"RETRY_EXC_ERR", "RNR_RETRY_EXC_ERR", "LOC_RDD_VIOL_ERR",
	"REM_INV_RD_REQ_ERR", "REM_ABORT_ERR", "INV_EECN_ERR",
	"INV_EEC_STATE_ERR", "FATAL_ERR", "RESP_TIMEOUT_ERR", "GENERAL_ERR",
};

static const char *status_name(unsigned int s)
{
	return s < ARRAY_SIZE(wc_status_names) ? wc_status_names[s] : "?";
}

/* A completion whose status is not `want` ends the run. */
static void check_status(const struct hwqnic_wc *wc, unsigned int want)
{
	unsigned int s = wc->status;

	if (s == want)
		return;
	fail("completion error: status %u (%s), wr_id 0x%" PRIx64
	     ", qp %u, vendor_err %u%s%s", s, status_name(s),
	     (uint64_t)wc->wr_id, wc->qp_num, wc->vendor_err,
	     want ? "; expected " : "", want ? status_name(want) : "");
}

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

	check_status(wc, HWQNIC_WC_SUCCESS);
	if (k != p->done || k >= p->posted)
		unexpected(wc, "message", p->done);
	if (wc->opcode != op_wc[p->op])
		unexpected(wc, "opcode", op_wc[p->op]);
	if (wc->byte_len != msg_size(r, k))
		unexpected(wc, "byte_len", msg_size(r, k));
	p->done++;
	p->bytes += wc->byte_len;
}

/* Error WR j: the first fails on its rkey, the QP flushes the rest. */
static void on_error_wc(struct pair *p, const struct hwqnic_wc *wc)
{
	uint64_t j = wc->wr_id & ~ERR_BIT;

	check_status(wc, j ? HWQNIC_WC_WR_FLUSH_ERR :
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
	struct pair *p;

	check_status(wc, HWQNIC_WC_SUCCESS);
	if (wc->wr_id >= r->o->qps)
		unexpected(wc, "wr_id below", r->o->qps);
	p = &r->p[wc->wr_id];
	if (wc->qp_num != p->resp->qp_num)
		unexpected(wc, "qp", p->resp->qp_num);
	if (wc->opcode != HWQNIC_WC_RECV)
		unexpected(wc, "opcode", HWQNIC_WC_RECV);
	if (p->op != OP_SEND || p->rdone >= p->posted)
		fail("unexpected receive on qp %u: its requester posted %"
		     PRIu64 " SENDs", wc->qp_num,
		     p->op == OP_SEND ? p->posted : 0);
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

	do {
		n = hwqnic_poll_cq(r->rcq, POLL_BATCH, wc);
		if (n < 0)
			fail("hwqnic_poll_cq: %s", strerror(-n));
		for (i = 0; i < n; i++)
			on_recv_wc(r, &wc[i]);
		total += n;
	} while (n == POLL_BATCH && ++rounds < r->nsend);
	for (q = 0; total && q < r->o->qps; q++)
		if (r->p[q].op == OP_SEND)
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

	if (!cnt || (cnt < min_batch && cnt < left))
		return;
	for (; cnt; cnt -= b) {
		b = MIN(cnt, BATCH_MAX);
		post_recvs(r, p, b);
	}
}

static void post_send(struct pair *p, struct hwqnic_send_wr *wr,
		      uint64_t cnt)
{
	struct hwqnic_send_wr *bad = NULL;
	int ret = hwqnic_post_send(p->req, wr, &bad);

	if (ret)
		fail("hwqnic_post_send(qp %u, %" PRIu64 " WRs): %s",
		     p->req->qp_num, cnt, strerror(ret));
}

/* WR j of a batch: len bytes of p's requester buffer, signaled. */
static void build_wr(struct run *r, struct pair *p, unsigned int j,
		     enum op op, uint64_t len)
{
	struct hwqnic_send_wr *wr = &r->swr[j];
	struct hwqnic_sge *sge = &r->ssge[j];

	sge->addr = (uintptr_t)p->loc.buf;
	sge->length = len;
	sge->lkey = p->loc.mr->lkey;
	memset(wr, 0, sizeof(*wr));
	wr->sg_list = sge;
	wr->num_sge = 1;
	wr->opcode = op_wr[op];
	wr->send_flags = HWQNIC_SEND_SIGNALED;
	if (op != OP_SEND) {
		wr->wr.rdma.remote_addr = (uintptr_t)p->rem.buf;
		wr->wr.rdma.rkey = p->rem.mr->rkey;
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
	if (p->op == OP_SEND)
		cnt = MIN(cnt, p->rposted - p->posted);
	for (j = 0; j < cnt; j++) {
		build_wr(r, p, j, p->op, msg_size(r, p->posted + j));
		r->swr[j].wr_id = p->posted + j;
	}
	if (!cnt)
		return false;
	post_send(p, r->swr, cnt);
	p->posted += cnt;
	return true;
}

/* Up to a batch of RDMA WRITEs whose rkey names no MR. */
static bool post_errors(struct run *r, struct pair *p)
{
	uint64_t cnt = r->o->depth - (p->eposted - p->edone), j;

	cnt = MIN(MIN(cnt, BATCH_MAX), r->o->errors - p->eposted);
	for (j = 0; j < cnt; j++) {
		build_wr(r, p, j, OP_WRITE, msg_size(r, 0));
		r->swr[j].wr_id = ERR_BIT | (p->eposted + j);
		r->swr[j].wr.rdma.rkey ^= BAD_KEY_BITS;
	}
	if (!cnt)
		return false;
	post_send(p, r->swr, cnt);
	p->eposted += cnt;
	return true;
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
	if (busy) {
		r->idle = 0;
		return;
	}
	if (!r->idle++) {
		r->idle_since = now_ns();
		return;
	}
	if (!(r->idle % YIELD_EVERY))
		sched_yield();
	if (!(r->idle % 256) && now_ns() - r->idle_since > STALL_NS)
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
	if (cli_stop_signal || (timed(r) && now_ns() >= r->deadline))
		r->stop = true;
}

static void run_load(struct run *r)
{
	uint64_t t0 = now_ns();
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
	r->elapsed_ns = now_ns() - t0;
}

/* ---- results ---- */

static void collect(const struct run *r, struct result *res)
{
	const struct pair *p;
	unsigned int i;

	snprintf(res->device, sizeof(res->device), "%s",
		 hwqnic_device_name(r->ctx));
	res->seconds = (double)r->elapsed_ns / NSEC_PER_SEC;
	res->qps = r->o->qps;
	for (i = 0; i < r->o->qps; i++) {
		p = &r->p[i];
		res->qp[i].qpn = p->req->qp_num;
		res->qp[i].peer_qpn = p->resp->qp_num;
		res->qp[i].op = p->op;
		res->qp[i].messages = p->done + p->edone;
		res->qp[i].bytes = p->bytes;
		res->qp[i].errors = p->edone;
		res->qp[i].recvs = p->rdone;
	}
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

static void print_human(const struct result *res)
{
	uint64_t msgs, bytes, errs, recvs;
	double sec = res->seconds > 0 ? res->seconds : 1e-9;
	unsigned int i;

	totals(res, &msgs, &bytes, &errs, &recvs);
	printf("hwqload on %s, pid %d: %u QP pairs, %.3f s\n", res->device,
	       (int)getpid(), res->qps, res->seconds);
	printf(" %6s %9s  %-5s %12s %16s %8s %12s\n", "qpn", "peer_qpn",
	       "op", "messages", "bytes", "errors", "recvs");
	for (i = 0; i < res->qps; i++)
		printf(" %6u %9u  %-5s %12" PRIu64 " %16" PRIu64 " %8" PRIu64
		       " %12" PRIu64 "\n", res->qp[i].qpn,
		       res->qp[i].peer_qpn, op_names[res->qp[i].op],
		       res->qp[i].messages, res->qp[i].bytes,
		       res->qp[i].errors, res->qp[i].recvs);
	printf(" %-23s %12" PRIu64 " %16" PRIu64 " %8" PRIu64 " %12" PRIu64
	       "\n", "total", msgs, bytes, errs, recvs);
	printf(" %.3f Mmsg/s, %.2f MiB/s\n", msgs / sec / 1e6,
	       bytes / sec / MIB);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct result *res)
{
	uint64_t msgs, bytes, errs, recvs;
	unsigned int i;

	totals(res, &msgs, &bytes, &errs, &recvs);
	printf("{\"device\": ");
	json_str(res->device);
	printf(", \"pid\": %d, \"seconds\": %.6f, \"qps\": [", (int)getpid(),
	       res->seconds);
	for (i = 0; i < res->qps; i++)
		printf("%s{\"qpn\": %u, \"peer_qpn\": %u, \"op\": \"%s\", "
		       "\"messages\": %" PRIu64 ", \"bytes\": %" PRIu64
		       ", \"errors\": %" PRIu64 "}", i ? ", " : "",
		       res->qp[i].qpn, res->qp[i].peer_qpn,
		       op_names[res->qp[i].op], res->qp[i].messages,
		       res->qp[i].bytes, res->qp[i].errors);
	printf("], \"responders\": [");
	for (i = 0; i < res->qps; i++)
		printf("%s{\"qpn\": %u, \"recvs\": %" PRIu64 "}",
		       i ? ", " : "", res->qp[i].peer_qpn, res->qp[i].recvs);
	printf("], \"total_messages\": %" PRIu64 ", \"total_bytes\": %"
	       PRIu64 "}\n", msgs, bytes);
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	struct result res;
	struct opts o;
	struct run *r;
	int err;

	parse_args(argc, argv, &o);
	err = cli_catch_stop();
	if (err)
		fail("sigaction: %s", strerror(err));
	r = calloc(1, sizeof(*r));
	if (!r)
		fail("out of memory");
	r->o = &o;
	cur_run = r;
	setup(r);
	run_load(r);
	memset(&res, 0, sizeof(res));
	collect(r, &res);
	cur_run = NULL;
	err = teardown(r);
	if (o.json)
		print_json(&res);
	else
		print_human(&res);
	if (cli_stop_signal) {
		fprintf(stderr, "hwqload: stopped by signal %d\n",
			(int)cli_stop_signal);
		return 128 + cli_stop_signal;
	}
	return err;
}
