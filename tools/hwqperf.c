// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqperf: a perftest-like benchmark over the hwqnic verbs.
 *
 * Latency (lat) and bandwidth (bw) of SEND, RDMA_WRITE and RDMA_READ between
 * RC QPs connected in loopback on one device of the embedded backend (the
 * engine is a thread of this process). Each run also measures a reference
 * on the same machine, the cache-line round trip between two CPUs and the
 * protocol floor (lat) or single-core memcpy (bw), and prints the ratio to
 * it. See hwqperf(1).
 */
#include <argp.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>

#include "lib/json.h"
#include "lib/msg.h"
#include "lib/opts.h"
#include "lib/rig.h"

#define NSEC_PER_SEC	1000000000ULL
#define KIB		1024ULL
#define MIB		(1024ULL * 1024)

#define MAX_QPS		64		/* -q: QP pairs */
#define MAX_CQ_MOD	32768
#define MAX_SIZE	(1ULL << 31)	/* an SGE's length is 32 bits */
#define MAX_BUF_SIZE	(1ULL << 40)
#define MAX_ITERS	(1ULL << 40)
#define MAX_INLINE	(1U << 20)	/* -I: any larger is surely a typo */
/* perftest's latency defaults: messages up to this size go inline */
#define LAT_INLINE_SEND	236
#define LAT_INLINE_WRITE 220
#define DEF_BUF_SIZE	(64 * KIB)

#define BW_TX_DEPTH	128		/* outstanding send WQEs per QP */
#define LAT_TX_DEPTH	16
#define LAT_RX_DEPTH	16
#define BATCH_MAX	32		/* WRs per hwqnic_post_send() call */
#define RX_BATCH_MAX	32		/* WRs per hwqnic_post_recv() */
#define POLL_BATCH	64		/* WCs per hwqnic_poll_cq() */
/* No progress for STALL_NS, plus STALL_NS_PER_B per byte of cq-mod messages */
#define STALL_NS	(10 * NSEC_PER_SEC)
#define STALL_NS_PER_B	10
#define RECV_BIT	(1ULL << 63)	/* in wr_id: a receive */
#define NO_SENDER	(~0U)

#define MEMCPY_BUF	(64 * MIB)
#define MEMCPY_NS	(NSEC_PER_SEC / 2)
#define RTT_BATCHES	200
#define RTT_ITERS	1000
#define FLOOR_BATCHES	25
#define FLOOR_ITERS	400	/* lat iterations per batch, at most */
#define FLOOR_BYTES	(16 * MIB)	/* payload per batch, at most */
#define FLOOR_RING	16		/* slots per queue */

#define DASHES "-------------------------------------------------------" \
	       "--------------------------------"

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

enum mode { MODE_NONE, MODE_LAT, MODE_BW };
enum op { OP_SEND, OP_WRITE, OP_READ };

static const char *const mode_names[] = { "", "lat", "bw" };
static const char *const op_names[] = { "send", "write", "read" };
static const enum hwqnic_wr_opcode op_wr[] = {
	HWQNIC_WR_SEND, HWQNIC_WR_RDMA_WRITE, HWQNIC_WR_RDMA_READ
};
static const enum hwqnic_wc_opcode op_wc[] = {
	HWQNIC_WC_SEND, HWQNIC_WC_RDMA_WRITE, HWQNIC_WC_RDMA_READ
};

struct opts {
	enum mode mode;
	enum op op;
	uint64_t size;
	uint64_t iters;			/* per QP */
	uint64_t buf_size;		/* per side */
	unsigned int qps;		/* QP pairs */
	unsigned int cq_mod;
	uint32_t inline_size;		/* bytes; the device's limit applies */
	bool verify;
	bool json;
	bool has_size, has_iters, has_buf, has_cq_mod, has_inline;
};

struct cpus {
	int count;			/* CPUs this process may run on */
	int app;			/* hwqperf's CPU, or -1 */
	int peer;			/* engine and RTT peer CPU, or -1 */
};

/* One side of the loopback: one buffer, one MR. */
struct side {
	char *buf;
	uint64_t len;
	struct hwqnic_mr *mr;
};

struct qpx {
	struct hwqnic_qp *qp;
	struct hwqnic_cq *cq;		/* send and receive completions */
	struct side *local;
	struct side *remote;
	struct qpx *peer;		/* the QP it is connected to */
	unsigned int sidx;		/* sender index, or NO_SENDER */
	uint64_t posted;		/* send WQEs posted */
	uint64_t done;			/* send WQEs known complete */
	uint64_t verified;		/* own messages checked */
	uint64_t rposted;		/* receives posted */
	uint64_t rdone;			/* receives completed */
};

struct run {
	const struct opts *o;
	struct rig rig;			/* device, attributes, PD */
	struct side side[2];		/* 0: requester, 1: responder */
	struct hwqnic_cq *cq[2 * MAX_QPS];
	struct qpx qp[2 * MAX_QPS];	/* pair p: 2p (A), 2p + 1 (B) */
	struct qpx *sender[2 * MAX_QPS];
	unsigned int nsenders;
	uint64_t nslots;		/* message slots in a buffer */
	uint32_t tx_depth;
	uint32_t rx_depth;
	uint32_t rx_batch;
	uint32_t inline_size;		/* messages up to this size go inline */
	struct hwqnic_cq *scq;		/* bw: send completions */
	struct hwqnic_cq *rcq;		/* bw: receive completions */
	struct hwqnic_send_wr *swr;	/* scratch WR lists */
	struct hwqnic_recv_wr *rwr;
	struct hwqnic_sge *sge;
	uint64_t sdone;			/* bw: send WQEs completed */
	uint64_t rdone;			/* bw: receives completed */
	uint64_t idle;			/* polls without progress */
	uint64_t idle_since;
	uint64_t stall_ns;		/* idle time that means a stall */
	uint64_t *samples;		/* lat: ns per iteration */
	uint64_t elapsed_ns;		/* bw */
};

struct result {
	double t_min, t_max, t_typical, t_avg, t_stdev, p99, p99_9;
	double rtt_us;			/* < 0: not measured */
	double floor_us;		/* < 0: not measured */
	double mib_s, mops;
	double memcpy_mib_s;		/* < 0: not measured */
	uint32_t inline_size;		/* as run */
};

#define fail(...)	msg_die(1, __VA_ARGS__)
#define bad_usage(...)	opts_usage_error(__VA_ARGS__)

/* ---- options ---- */

static const char doc[] =
"A perftest-like benchmark over the hwqnic verbs: RC QPs in loopback on\n"
"the embedded engine.\n"
"\n"
"  lat                        ping-pong latency (as ib_*_lat)\n"
"  bw                         streaming bandwidth (as ib_*_bw)\n"
"\v"
"SIZE and B take a K, M or G suffix (powers of 1024).";

enum { OPT_OP = 256, OPT_CQ_MOD, OPT_BUF_SIZE, OPT_VERIFY, OPT_JSON };

static const struct argp_option options[] = {
	{ "op", OPT_OP, "OP", 0, "send, write or read (default write)", 0 },
	{ "size", 's', "SIZE", 0, "Message bytes (default 2 lat, 65536 bw)",
	  0 },
	{ "iters", 'n', "N", 0, "Messages per QP (default 1000 lat, 5000 bw)",
	  0 },
	{ "qps", 'q', "N", 0, "QP pairs, 1 to 64 (default 1)", 0 },
	{ "cq-mod", OPT_CQ_MOD, "N", 0,
	  "Signal every Nth WQE (default 1 lat, 100 bw)", 0 },
	{ "inline-size", 'I', "N", 0, "Send messages up to N bytes inline "
	  "(default 236 lat send, 220 lat write, else 0)", 0 },
	{ "buf-size", OPT_BUF_SIZE, "B", 0,
	  "One buffer per side (default max(SIZE, 64K))", 0 },
	{ "verify", OPT_VERIFY, NULL, 0, "Check every byte moved", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print one JSON object", 0 },
	OPTS_HELP_H,
	{},
};

/* The mode's names for opts_keyword(): MODE_NONE is none */
static const char *const mode_words[] = { NULL, "lat", "bw" };

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct opts *o = state->input;

	switch (key) {
	case OPT_OP:
		o->op = opts_keyword("op", arg, op_names, 3);
		break;
	case 's':
		o->size = opts_size("size", arg, 0, UINT64_MAX);
		o->has_size = true;
		break;
	case 'n':
		o->iters = opts_uint("iterations", arg, 1, MAX_ITERS);
		o->has_iters = true;
		break;
	case 'q':
		o->qps = opts_uint("QP count", arg, 1, MAX_QPS);
		break;
	case OPT_CQ_MOD:
		o->cq_mod = opts_uint("cq-mod", arg, 1, MAX_CQ_MOD);
		o->has_cq_mod = true;
		break;
	case 'I':
		o->inline_size = opts_uint("inline-size", arg, 0, MAX_INLINE);
		o->has_inline = true;
		break;
	case OPT_BUF_SIZE:
		o->buf_size = opts_size("buf-size", arg, 0, UINT64_MAX);
		o->has_buf = true;
		break;
	case OPT_VERIFY:
		o->verify = true;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case ARGP_KEY_ARG:
		if (o->mode != MODE_NONE)
			bad_usage("unexpected argument '%s'", arg);
		o->mode = opts_keyword("mode", arg, mode_words, 3);
		break;
	case ARGP_KEY_END:
		if (o->mode == MODE_NONE)
			bad_usage("missing mode (lat or bw)");
		break;
	default:
		return opts_default(key, arg, state);
	}
	return 0;
}

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.args_doc = "lat|bw",
	.doc = doc,
};

/* Defaults that depend on the mode, then the checks across options. */
static void finish_opts(struct opts *o)
{
	bool lat = o->mode == MODE_LAT;

	if (!o->has_size)
		o->size = lat ? 2 : 65536;
	if (!o->has_iters)
		o->iters = lat ? 1000 : 5000;
	if (!o->has_cq_mod)
		o->cq_mod = lat ? 1 : 100;
	if (!o->has_buf)
		o->buf_size = MAX(o->size, DEF_BUF_SIZE);
	if (o->has_inline && o->inline_size && o->op == OP_READ)
		bad_usage("inline data is not available with --op read");
	if (!o->has_inline && lat)
		o->inline_size = o->op == OP_SEND ? LAT_INLINE_SEND :
				 o->op == OP_WRITE ? LAT_INLINE_WRITE : 0;
	if (o->size > MAX_SIZE)
		bad_usage("message size %" PRIu64 " is over 2G", o->size);
	if (!o->size && o->op != OP_SEND)
		bad_usage("message size 0 is only valid with --op send");
	if (!o->buf_size)
		bad_usage("buf-size must be at least 1");
	if (o->buf_size > MAX_BUF_SIZE)
		bad_usage("buf-size %" PRIu64 " is over 1T", o->buf_size);
	if (o->size > o->buf_size)
		bad_usage("message size %" PRIu64 " exceeds buf-size %" PRIu64,
			  o->size, o->buf_size);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->op = OP_WRITE;
	o->qps = 1;
	opts_parse(&argp, argc, argv, o);
	finish_opts(o);
}

/* ---- CPUs and the reference measurements ---- */

/* Pins hwqperf to the first CPU it may use and the engine to the second. */
static void setup_cpus(struct cpus *c)
{
	cpu_set_t set;
	char buf[16];
	int i;

	c->count = 1;
	c->app = c->peer = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	c->count = CPU_COUNT(&set);
	if (c->count < 2)
		return;
	for (i = 0; i < CPU_SETSIZE && c->peer < 0; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (c->app < 0)
			c->app = i;
		else
			c->peer = i;
	}
	CPU_ZERO(&set);
	CPU_SET(c->app, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("sched_setaffinity(CPU %d): %s", c->app, strerror(errno));
	snprintf(buf, sizeof(buf), "%d", c->peer);
	if (setenv("HWQNIC_ENGINE_CPU", buf, 0))
		fail("setenv: %s", strerror(errno));
}

static struct {
	_Alignas(64) _Atomic uint64_t v;
	char pad[64 - sizeof(uint64_t)];
} rtt_line;

static void *rtt_peer(void *arg)
{
	uint64_t rounds = *(const uint64_t *)arg, i;

	for (i = 0; i < rounds; i++) {
		while (atomic_load_explicit(&rtt_line.v,
					    memory_order_acquire) != 2 * i + 1)
			;
		atomic_store_explicit(&rtt_line.v, 2 * i + 2,
				      memory_order_release);
	}
	return NULL;
}

/* Ping-pongs the line for RTT_ITERS rounds; returns the time taken. */
static uint64_t rtt_batch(uint64_t *v)
{
	uint64_t t0 = rig_now_ns(), i;

	for (i = 0; i < RTT_ITERS; i++) {
		atomic_store_explicit(&rtt_line.v, ++*v, memory_order_release);
		++*v;
		while (atomic_load_explicit(&rtt_line.v,
					    memory_order_acquire) != *v)
			;
	}
	return rig_now_ns() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A thread running fn(arg) on c->peer, the CPU the engine will run on. */
static pthread_t start_on_peer(const struct cpus *c, void *(*fn)(void *),
			       void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->peer, &set);
	msg_check(pthread_attr_init(&attr), "pthread_attr_init");
	msg_check(pthread_attr_setaffinity_np(&attr, sizeof(set), &set),
	      "pthread_attr_setaffinity_np");
	msg_check(pthread_create(&thread, &attr, fn, arg), "pthread_create");
	pthread_attr_destroy(&attr);
	return thread;
}

/* Median cache-line round trip between c->app and c->peer, ns; or -1. */
static double measure_rtt(const struct cpus *c)
{
	static uint64_t rounds = (RTT_BATCHES + 1) * RTT_ITERS;
	uint64_t samples[RTT_BATCHES], v = 0;
	pthread_t thread;
	int b;

	if (c->peer < 0)
		return -1;
	atomic_store(&rtt_line.v, 0);
	thread = start_on_peer(c, rtt_peer, &rounds);
	rtt_batch(&v);				/* warm-up */
	for (b = 0; b < RTT_BATCHES; b++)
		samples[b] = rtt_batch(&v);
	msg_check(pthread_join(thread, NULL), "pthread_join");
	qsort(samples, RTT_BATCHES, sizeof(samples[0]), cmp_u64);
	return (double)samples[RTT_BATCHES / 2] / RTT_ITERS;
}

static char *map_anon(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap(%" PRIu64 " bytes): %s", len, strerror(errno));
	return p;
}

/* memcpy of SIZE-byte chunks walking through two buffers; MiB/s or -1. */
static double measure_memcpy(const struct opts *o)
{
	uint64_t len = MAX(MIN(MEMCPY_BUF, o->buf_size), o->size);
	uint64_t size = o->size;
	uint64_t span, every, off = 0, bytes = 0, t0, t, i;
	char *src, *dst;

	if (!size)
		return -1;
	span = len / size * size;
	every = MAX(1, MIB / size);
	src = map_anon(len);
	dst = map_anon(len);
	memset(src, 0x5a, len);
	memset(dst, 0xa5, len);
	t0 = rig_now_ns();
	do {
		for (i = 0; i < every; i++) {
			memcpy(dst + off, src + off, size);
			off += size;
			if (off >= span)
				off = 0;
		}
		__asm__ __volatile__("" : : : "memory");
		bytes += every * size;
		t = rig_now_ns() - t0;
	} while (t < MEMCPY_NS);
	munmap(src, len);
	munmap(dst, len);
	return (double)bytes / MIB / ((double)t / NSEC_PER_SEC);
}

/*
 * The protocol floor: a lat iteration in which nothing but the queue
 * protocol's data moves between the two CPUs. A thread on the engine's CPU
 * plays a NIC that checks and translates nothing, and hwqperf's thread
 * plays both hosts as lat_iter() does. Per message the host writes a
 * one-line WQE and rings; the NIC copies the WQE and the payload (and for
 * SEND a receive WQE) and writes the CQEs the real run gets; the host
 * waits as the real run does and, for SEND, reposts the receive.
 */
struct floor_cqe {
	_Atomic uint64_t seq;		/* message number, written last */
	uint64_t rsvd[3];
};

/* Each line has one writer, as in the core. */
struct floor_side {
	_Alignas(64) char *buf;		/* payload; set before the run */
	_Alignas(64) uint64_t wqe[FLOOR_RING][8];
	uint64_t rqe[FLOOR_RING][8];
	struct floor_cqe cq[4 * FLOOR_RING];
	uint64_t cq_prod;		/* the NIC's */
	_Alignas(64) uint64_t cq_cons;	/* the host's, */
	uint64_t seen;			/* and the last number it took */
};

static struct {
	_Alignas(64) _Atomic uint64_t db;	/* last message rung */
	enum op op;
	uint64_t size;
	struct floor_side side[2];
} fl;

/* Message m's sender: the sides take turns, but only side 0 reads. */
static unsigned int floor_sender(uint64_t m)
{
	return fl.op == OP_READ ? 0 : (m - 1) & 1;
}

static void floor_cqe(struct floor_side *s, uint64_t m)
{
	struct floor_cqe *e = &s->cq[s->cq_prod++ % (4 * FLOOR_RING)];

	e->rsvd[0] = m;
	atomic_store_explicit(&e->seq, m, memory_order_release);
}

static void *floor_nic(void *arg)
{
	uint64_t last = 0, m, w[8];
	struct floor_side *s, *t;
	const void *next;

	(void)arg;
	for (;;) {
		/* as the engine does, fetch the next WQE with each look */
		next = fl.side[floor_sender(last + 1)].wqe[(last + 1) % FLOOR_RING];
		do {
			__builtin_prefetch(next);
			m = atomic_load_explicit(&fl.db, memory_order_acquire);
		} while (m == last);
		if (m == UINT64_MAX)
			return NULL;
		last = m;
		s = &fl.side[floor_sender(m)];
		t = &fl.side[1 - floor_sender(m)];
		memcpy(w, s->wqe[m % FLOOR_RING], sizeof(w));
		switch (fl.op) {
		case OP_SEND:
			memcpy(w, t->rqe[m % FLOOR_RING], 32);
			memcpy(t->buf, s->buf, fl.size);
			floor_cqe(t, m);
			break;
		case OP_WRITE:
			memcpy(t->buf, s->buf, fl.size);
			break;
		case OP_READ:
			memcpy(s->buf, t->buf, fl.size);
			break;
		}
		if (w[1])
			floor_cqe(s, m);
	}
}

/* The host: take side s's CQEs up to message m's. */
static void floor_wait(struct floor_side *s, uint64_t m)
{
	struct floor_cqe *e;
	uint64_t seq;

	while (s->seen < m) {
		e = &s->cq[s->cq_cons % (4 * FLOOR_RING)];
		seq = atomic_load_explicit(&e->seq, memory_order_acquire);
		if (seq > s->seen) {
			s->seen = seq;
			s->cq_cons++;
		}
	}
}

static void floor_post(uint64_t m, bool signal)
{
	uint64_t *w = fl.side[floor_sender(m)].wqe[m % FLOOR_RING];

	w[0] = m;
	w[1] = signal;
	atomic_store_explicit(&fl.db, m, memory_order_release);
}

static void floor_iter(const struct opts *o, uint64_t k, uint64_t *m)
{
	bool signal = (k + 1) % o->cq_mod == 0;
	unsigned int h;
	char tag, *last;

	for (h = 0; h < (o->op == OP_READ ? 1 : 2); h++) {
		struct floor_side *s = &fl.side[floor_sender(++*m)];
		struct floor_side *t = &fl.side[1 - floor_sender(*m)];

		switch (o->op) {
		case OP_SEND:
			floor_post(*m, signal);
			floor_wait(t, *m);
			t->rqe[*m % FLOOR_RING][0] = *m;
			break;
		case OP_WRITE:
			tag = (char)*m | 1;
			s->buf[o->size - 1] = tag;
			last = &t->buf[o->size - 1];
			__atomic_store_n(last, 0, __ATOMIC_RELAXED);
			floor_post(*m, signal);
			while (__atomic_load_n(last, __ATOMIC_ACQUIRE) != tag)
				;
			if (signal)
				floor_wait(s, *m);
			break;
		case OP_READ:
			floor_post(*m, true);
			floor_wait(s, *m);
			break;
		}
	}
}

/* Median one-way (READ: round-trip) floor between c->app and c->peer, ns. */
static double measure_floor(const struct opts *o, const struct cpus *c)
{
	uint64_t iters = MIN(FLOOR_ITERS, FLOOR_BYTES / MAX(1, o->size));
	uint64_t len = MAX(o->size, 64), samples[FLOOR_BATCHES], m = 0, t0, k;
	pthread_t thread;
	int b;

	if (c->peer < 0)
		return -1;
	iters = MAX(1, iters);
	memset(&fl, 0, sizeof(fl));
	fl.op = o->op;
	fl.size = o->size;
	fl.side[0].buf = map_anon(len);
	fl.side[1].buf = map_anon(len);
	memset(fl.side[0].buf, 1, len);
	memset(fl.side[1].buf, 2, len);
	thread = start_on_peer(c, floor_nic, NULL);
	for (b = -1; b < FLOOR_BATCHES; b++) {	/* batch -1: warm-up */
		t0 = rig_now_ns();
		for (k = 0; k < iters; k++)
			floor_iter(o, k, &m);
		if (b >= 0)
			samples[b] = rig_now_ns() - t0;
	}
	atomic_store_explicit(&fl.db, UINT64_MAX, memory_order_release);
	msg_check(pthread_join(thread, NULL), "pthread_join");
	munmap(fl.side[0].buf, len);
	munmap(fl.side[1].buf, len);
	qsort(samples, FLOOR_BATCHES, sizeof(samples[0]), cmp_u64);
	return (double)samples[FLOOR_BATCHES / 2] / iters /
	       (o->op == OP_READ ? 1 : 2);
}

/* ---- data pattern ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Word w of message g is seed(g) ^ w * golden; bytes little-endian. */
static uint64_t pat_seed(uint64_t g)
{
	return mix64(g + 1);
}

static uint64_t pat_word(uint64_t seed, uint64_t w)
{
	return seed ^ (w * 0x9e3779b97f4a7c15ULL);
}

static uint8_t pat_byte(uint64_t seed, uint64_t b)
{
	return pat_word(seed, b / 8) >> (8 * (b % 8));
}

static void pat_fill(char *p, uint64_t len, uint64_t g)
{
	uint64_t seed = pat_seed(g), w, v, b;

	for (w = 0; w < len / 8; w++) {
		v = htole64(pat_word(seed, w));
		memcpy(p + 8 * w, &v, 8);
	}
	for (b = len & ~7ULL; b < len; b++)
		p[b] = pat_byte(seed, b);
}

/* Offset of the first byte of p[len] that differs from message g, or -1. */
static int64_t pat_check(const char *p, uint64_t len, uint64_t g)
{
	uint64_t seed = pat_seed(g), w, v, b = len & ~7ULL;

	for (w = 0; w < len / 8; w++) {
		memcpy(&v, p + 8 * w, 8);
		if (le64toh(v) != pat_word(seed, w)) {
			b = 8 * w;
			break;
		}
	}
	for (; b < len; b++)
		if ((uint8_t)p[b] != pat_byte(seed, b))
			return b;
	return -1;
}

/* ---- messages: numbers, slots, buffers ---- */

/* Message k of sender x is g = k * nsenders + sidx, in slot g % nslots. */
static uint64_t msg_g(const struct run *r, const struct qpx *x, uint64_t k)
{
	return k * r->nsenders + x->sidx;
}

static uint64_t msg_off(const struct run *r, uint64_t g)
{
	return (g % r->nslots) * r->o->size;
}

static char *msg_src(const struct run *r, const struct qpx *x, uint64_t g)
{
	struct side *s = r->o->op == OP_READ ? x->remote : x->local;

	return s->buf + msg_off(r, g);
}

static char *msg_dst(const struct run *r, const struct qpx *x, uint64_t g)
{
	struct side *s = r->o->op == OP_READ ? x->local : x->remote;

	return s->buf + msg_off(r, g);
}

static void verify_msg(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k);
	const char *p = msg_dst(r, x, g);
	int64_t bad = pat_check(p, r->o->size, g);

	if (bad < 0)
		return;
	fail("verify failed: %s qp %u message %" PRIu64 " (slot offset %"
	     PRIu64 ") byte %" PRId64 ": expected 0x%02x, got 0x%02x",
	     op_names[r->o->op], x->qp->qp_num, k, msg_off(r, g), bad,
	     pat_byte(pat_seed(g), bad), (uint8_t)p[bad]);
}

/* With --verify, message g may reuse its slot once g - nslots is checked. */
static bool gate_ok(const struct run *r, uint64_t g)
{
	const struct qpx *x;
	uint64_t p;

	if (!r->o->verify || g < r->nslots)
		return true;
	p = g - r->nslots;
	x = r->sender[p % r->nsenders];
	return x->verified > p / r->nsenders;
}

/* ---- completions ---- */

static void check_wc_kind(const struct qpx *x, const struct hwqnic_wc *wc,
			  unsigned int opcode)
{
	if (wc->opcode != opcode || wc->qp_num != x->qp->qp_num)
		fail("verify failed: completion wr_id 0x%" PRIx64
		     " has opcode %u on qp %u, expected opcode %u on qp %u",
		     (uint64_t)wc->wr_id, wc->opcode, wc->qp_num, opcode,
		     x->qp->qp_num);
}

static struct qpx *wc_sender(struct run *r, uint64_t g)
{
	return r->sender[g % r->nsenders];
}

/* Signaled WQE k of x is done, so are all before it. */
static void on_send_wc(struct run *r, const struct hwqnic_wc *wc)
{
	struct qpx *x = wc_sender(r, wc->wr_id);
	uint64_t k = wc->wr_id / r->nsenders;

	if (k < x->done || k >= x->posted)
		fail("unexpected completion: qp %u message %" PRIu64
		     " (completed %" PRIu64 ", posted %" PRIu64 ")",
		     x->qp->qp_num, k, x->done, x->posted);
	r->sdone += k + 1 - x->done;
	x->done = k + 1;
	if (!r->o->verify)
		return;
	check_wc_kind(x, wc, op_wc[r->o->op]);
	if (r->o->op == OP_SEND)
		return;		/* checked at the receive */
	while (x->verified < x->done)
		verify_msg(r, x, x->verified++);
}

/* Receive for message g of the peer of y completed. */
static void on_recv_wc(struct run *r, const struct hwqnic_wc *wc)
{
	uint64_t g = wc->wr_id & ~RECV_BIT, k = g / r->nsenders;
	struct qpx *x = wc_sender(r, g), *y = x->peer;

	if (k != y->rdone)
		fail("receive out of order: qp %u message %" PRIu64
		     ", expected %" PRIu64, y->qp->qp_num, k, y->rdone);
	y->rdone++;
	r->rdone++;
	if (!r->o->verify)
		return;
	check_wc_kind(y, wc, HWQNIC_WC_RECV);
	if (wc->byte_len != r->o->size)
		fail("verify failed: qp %u message %" PRIu64
		     ": received %u bytes, expected %" PRIu64,
		     y->qp->qp_num, k, wc->byte_len, r->o->size);
	verify_msg(r, x, k);
	x->verified = k + 1;
}

static int poll_cq(struct run *r, struct hwqnic_cq *cq)
{
	struct hwqnic_wc wc[POLL_BATCH];
	int n = hwqnic_poll_cq(cq, POLL_BATCH, wc), i;

	if (n < 0)
		fail("hwqnic_poll_cq: %s", strerror(-n));
	for (i = 0; i < n; i++) {
		rig_check_wc(&wc[i], HWQNIC_WC_SUCCESS);
		if (wc[i].wr_id & RECV_BIT)
			on_recv_wc(r, &wc[i]);
		else
			on_send_wc(r, &wc[i]);
	}
	return n;
}

static void __attribute__((noreturn)) stalled(struct run *r)
{
	uint64_t posted = 0, done = 0, rposted = 0, rdone = 0;
	unsigned int i;

	for (i = 0; i < 2 * r->o->qps; i++) {
		posted += r->qp[i].posted;
		done += r->qp[i].done;
		rposted += r->qp[i].rposted;
		rdone += r->qp[i].rdone;
	}
	fail("stalled: no progress for %.0f s (send WQEs posted %" PRIu64
	     ", completed %" PRIu64 "; receives posted %" PRIu64
	     ", completed %" PRIu64 ")", (double)r->stall_ns / NSEC_PER_SEC,
	     posted, done, rposted, rdone);
}

/* Called on every poll or spin; gives up after stall_ns without progress. */
/* SIGINT, SIGTERM, SIGHUP: everything is destroyed, stats file included. */
static void stop_if_signalled(void)
{
	int sig = msg_stop_signal();

	if (sig)
		msg_die(128 + sig, "stopped by signal %d", sig);
}

static void watchdog(struct run *r, bool busy)
{
	stop_if_signalled();	/* every wait passes here */
	if (busy) {
		r->idle = 0;
		return;
	}
	if (!r->idle++) {
		r->idle_since = rig_now_ns();
		return;
	}
	if (!(r->idle % 4096) && rig_now_ns() - r->idle_since > r->stall_ns)
		stalled(r);
}

/* ---- posting ---- */

static bool want_signal(const struct run *r, uint64_t k)
{
	return (k + 1) % r->o->cq_mod == 0 || k + 1 == r->o->iters;
}

static void build_wr(const struct run *r, const struct qpx *x, uint64_t k,
		     struct hwqnic_send_wr *wr, struct hwqnic_sge *sge,
		     bool signal)
{
	uint64_t g = msg_g(r, x, k), off = msg_off(r, g);

	sge->addr = (uintptr_t)(x->local->buf + off);
	sge->length = r->o->size;
	sge->lkey = x->local->mr->lkey;
	memset(wr, 0, sizeof(*wr));
	wr->wr_id = g;
	wr->sg_list = sge;
	wr->num_sge = r->o->size ? 1 : 0;
	wr->opcode = op_wr[r->o->op];
	wr->send_flags = signal ? HWQNIC_SEND_SIGNALED : 0;
	if (r->o->size && r->o->size <= r->inline_size)
		wr->send_flags |= HWQNIC_SEND_INLINE;
	if (r->o->op == OP_SEND)
		return;
	wr->wr.rdma.remote_addr = (uintptr_t)(x->remote->buf + off);
	wr->wr.rdma.rkey = x->remote->mr->rkey;
}

static void post_send(struct qpx *x, struct hwqnic_send_wr *wr,
		      unsigned int cnt)
{
	struct hwqnic_send_wr *bad = NULL;
	int ret = hwqnic_post_send(x->qp, wr, &bad);

	if (ret)
		fail("hwqnic_post_send(qp %u, %u WRs): %s", x->qp->qp_num, cnt,
		     strerror(ret));
	x->posted += cnt;
}

/* Posts the next cnt receives of y: slots of its peer's messages. */
static void post_recvs(struct run *r, struct qpx *y, uint64_t cnt)
{
	struct hwqnic_recv_wr *bad = NULL;
	struct qpx *x = y->peer;
	uint64_t j, g;
	int ret;

	for (j = 0; j < cnt; j++) {
		g = msg_g(r, x, y->rposted + j);
		r->sge[j].addr = (uintptr_t)(y->local->buf + msg_off(r, g));
		r->sge[j].length = r->o->size;
		r->sge[j].lkey = y->local->mr->lkey;
		r->rwr[j].wr_id = g | RECV_BIT;
		r->rwr[j].next = j + 1 < cnt ? &r->rwr[j + 1] : NULL;
		r->rwr[j].sg_list = &r->sge[j];
		r->rwr[j].num_sge = r->o->size ? 1 : 0;
	}
	ret = hwqnic_post_recv(y->qp, r->rwr, &bad);
	if (ret)
		fail("hwqnic_post_recv(qp %u, %" PRIu64 " WRs): %s",
		     y->qp->qp_num, cnt, strerror(ret));
	y->rposted += cnt;
}

/* Tops up y's receive queue once at least min_batch slots are free. */
static void refill_recvs(struct run *r, struct qpx *y, uint64_t min_batch)
{
	uint64_t room = r->rx_depth - (y->rposted - y->rdone);
	uint64_t left = r->o->iters - y->rposted;
	uint64_t cnt = MIN(MIN(room, left), RX_BATCH_MAX);

	if (cnt && (cnt >= min_batch || cnt == left))
		post_recvs(r, y, cnt);
}

/* ---- bw ---- */

/* How many messages x may post now: SQ room, receives, slot reuse. */
static uint64_t bw_batch_len(const struct run *r, const struct qpx *x)
{
	uint64_t k = x->posted, cnt, j;

	cnt = r->tx_depth - (x->posted - x->done);
	cnt = MIN(MIN(cnt, r->o->iters - k), BATCH_MAX);
	if (r->o->op == OP_SEND)
		cnt = MIN(cnt, x->peer->rposted - x->posted);
	if (!r->o->verify)
		return cnt;
	for (j = 0; j < cnt; j++)
		if (!gate_ok(r, msg_g(r, x, k + j)))
			return j;
	return cnt;
}

/*
 * The last WQE of a batch is also signaled when the next message must wait
 * for a slot to be checked: the check may need this QP's completions.
 */
static bool tail_signal(const struct run *r, const struct qpx *x,
			uint64_t next)
{
	return r->o->verify && r->o->op != OP_SEND && next < r->o->iters &&
	       !gate_ok(r, msg_g(r, x, next));
}

static bool bw_post_batch(struct run *r, struct qpx *x)
{
	uint64_t cnt = bw_batch_len(r, x), k = x->posted, j, g;
	bool signal;

	for (j = 0; j < cnt; j++) {
		g = msg_g(r, x, k + j);
		if (r->o->verify)
			pat_fill(msg_src(r, x, g), r->o->size, g);
		signal = want_signal(r, k + j) ||
			 (j + 1 == cnt && tail_signal(r, x, k + cnt));
		build_wr(r, x, k + j, &r->swr[j], &r->sge[j], signal);
		r->swr[j].next = j + 1 < cnt ? &r->swr[j + 1] : NULL;
	}
	if (cnt)
		post_send(x, r->swr, cnt);
	return cnt > 0;
}

static bool bw_poll_recv(struct run *r)
{
	unsigned int i;
	int n = poll_cq(r, r->rcq);

	for (i = 0; n && i < r->nsenders; i++)
		refill_recvs(r, r->sender[i]->peer, r->rx_batch);
	return n > 0;
}

static void bw_run(struct run *r)
{
	uint64_t total = r->o->iters * r->o->qps, t0;
	bool send = r->o->op == OP_SEND, busy;
	unsigned int i;

	t0 = rig_now_ns();
	while (r->sdone < total || (send && r->rdone < total)) {
		busy = false;
		for (i = 0; i < r->nsenders; i++)
			if (r->sender[i]->posted < r->o->iters)
				busy |= bw_post_batch(r, r->sender[i]);
		busy |= poll_cq(r, r->scq) > 0;
		if (send)
			busy |= bw_poll_recv(r);
		watchdog(r, busy);
	}
	r->elapsed_ns = rig_now_ns() - t0;
}

/* ---- lat ---- */

static void lat_poll(struct run *r, struct qpx *x)
{
	watchdog(r, poll_cq(r, x->cq) > 0);
}

static void lat_wait_done(struct run *r, struct qpx *x)
{
	while (x->done < x->posted)
		lat_poll(r, x);
}

static void lat_post(struct run *r, struct qpx *x, uint64_t k, bool signal)
{
	struct hwqnic_send_wr wr;
	struct hwqnic_sge sge;

	while (x->posted - x->done >= r->tx_depth)
		lat_poll(r, x);
	build_wr(r, x, k, &wr, &sge, signal);
	post_send(x, &wr, 1);
}

/* x sends message k; its peer waits for it and reposts a receive. */
static void lat_send_one(struct run *r, struct qpx *x, uint64_t k)
{
	struct qpx *y = x->peer;
	uint64_t g = msg_g(r, x, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	lat_post(r, x, k, want_signal(r, k));
	while (y->rdone <= k)
		lat_poll(r, y);
	refill_recvs(r, y, 1);
}

/*
 * As ib_write_lat: the target polls the last byte of the message for its
 * new value. Its old value is made to differ first. With --verify every
 * write is signaled: the data is checked once the completion says it is
 * all placed. The CQ is polled now and then too, for error completions.
 */
static void lat_write_one(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k), last = r->o->size - 1;
	uint8_t *src = (uint8_t *)msg_src(r, x, g) + last;
	uint8_t *dst = (uint8_t *)msg_dst(r, x, g) + last;
	uint8_t tag = pat_byte(pat_seed(g), last);
	uint64_t spins = 0;
	bool signal = r->o->verify || want_signal(r, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	else
		*src = tag;
	__atomic_store_n(dst, (uint8_t)~tag, __ATOMIC_RELAXED);
	lat_post(r, x, k, signal);
	while (__atomic_load_n(dst, __ATOMIC_ACQUIRE) != tag) {
		if (!(++spins % 4096))
			poll_cq(r, x->cq);
		watchdog(r, false);
	}
	watchdog(r, true);
	if (signal)
		lat_wait_done(r, x);
}

/* As ib_read_lat: one READ from post to completion, a full round trip. */
static void lat_read_one(struct run *r, struct qpx *x, uint64_t k)
{
	uint64_t g = msg_g(r, x, k);

	if (r->o->verify)
		pat_fill(msg_src(r, x, g), r->o->size, g);
	lat_post(r, x, k, true);
	lat_wait_done(r, x);
}

static uint64_t lat_iter(struct run *r, struct qpx *a, struct qpx *b,
			 uint64_t k)
{
	uint64_t t0 = rig_now_ns();

	switch (r->o->op) {
	case OP_SEND:
		lat_send_one(r, a, k);
		lat_send_one(r, b, k);
		break;
	case OP_WRITE:
		lat_write_one(r, a, k);
		lat_write_one(r, b, k);
		break;
	case OP_READ:
		lat_read_one(r, a, k);
		break;
	}
	return rig_now_ns() - t0;
}

static void lat_run(struct run *r)
{
	unsigned int p, q = r->o->qps;
	uint64_t k;

	for (k = 0; k < r->o->iters; k++)
		for (p = 0; p < q; p++)
			r->samples[k * q + p] = lat_iter(r, &r->qp[2 * p],
							 &r->qp[2 * p + 1], k);
	for (p = 0; p < 2 * q; p++)
		lat_wait_done(r, &r->qp[p]);
}

/* ---- setup and teardown ---- */

/* Device limits that the options must respect: exit 2 when they do not. */
static void check_limits(const struct run *r)
{
	const struct opts *o = r->o;

	if (o->size > r->rig.port.max_msg_sz)
		bad_usage("message size %" PRIu64 " exceeds the port's "
			  "max_msg_sz %u", o->size, r->rig.port.max_msg_sz);
	if (o->buf_size > r->rig.dev.max_mr_size)
		bad_usage("buf-size %" PRIu64 " exceeds the device's "
			  "max_mr_size %llu", o->buf_size,
			  (unsigned long long)r->rig.dev.max_mr_size);
	if (2 * o->qps > r->rig.dev.max_qp || 2 * o->qps > r->rig.dev.max_cq)
		bad_usage("%u QP pairs exceed the device's limits",
			  o->qps);
	if (o->cq_mod > r->rig.dev.max_qp_wr)
		bad_usage("cq-mod %u exceeds the send queue depth %u",
			  o->cq_mod, r->rig.dev.max_qp_wr);
	if (o->has_inline && o->inline_size > r->rig.dev.max_inline_data)
		bad_usage("inline-size %u exceeds the device's "
			  "max_inline_data %u", o->inline_size,
			  r->rig.dev.max_inline_data);
}

static void open_device(struct run *r)
{
	if (rig_open(&r->rig))
		fail("%s", r->rig.err);
	check_limits(r);
	r->inline_size = MIN(r->o->inline_size, r->rig.dev.max_inline_data);
}

/* Bytes of a buffer that the run will touch. */
static uint64_t used_bytes(const struct run *r)
{
	uint64_t msgs = r->o->iters * r->nsenders;

	if (msgs >= r->nslots)
		return r->nslots * r->o->size;
	return msgs * r->o->size;
}

/* Faults the pages in now, so that the run does not time page faults. */
static void prefault(char *buf, uint64_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t off;

	if (!len || !madvise(buf, len, MADV_POPULATE_WRITE))
		return;
	for (off = 0; off < len; off += page)
		((volatile char *)buf)[off] = 0;
}

static void setup_side(struct run *r, struct side *s)
{
	s->len = r->o->buf_size;
	s->buf = map_anon(s->len);
	prefault(s->buf, used_bytes(r));
	s->mr = hwqnic_reg_mr(r->rig.pd, s->buf, s->len, RIG_ACCESS);
	if (!s->mr)
		fail("hwqnic_reg_mr(%" PRIu64 " bytes): %s", s->len,
		     strerror(errno));
}

/* Pair p: A = qp[2p] on side 0, B = qp[2p + 1] on side 1. */
static void plan_qps(struct run *r)
{
	bool both = r->o->mode == MODE_LAT && r->o->op != OP_READ;
	unsigned int p;
	struct qpx *a, *b;

	for (p = 0; p < r->o->qps; p++) {
		a = &r->qp[2 * p];
		b = &r->qp[2 * p + 1];
		a->local = b->remote = &r->side[0];
		a->remote = b->local = &r->side[1];
		a->peer = b;
		b->peer = a;
		a->sidx = both ? 2 * p : p;
		b->sidx = both ? 2 * p + 1 : NO_SENDER;
		r->sender[a->sidx] = a;
		if (both)
			r->sender[b->sidx] = b;
	}
	r->nsenders = both ? 2 * r->o->qps : r->o->qps;
	/* 0-byte messages share one empty slot: no reuse to wait for */
	r->nslots = r->o->size ? r->o->buf_size / r->o->size : UINT64_MAX;
}

/*
 * Queue depths. bw keeps up to tx_depth WQEs outstanding per QP; cq-mod
 * must fit in it, or no completion would ever free the queue.
 */
static void plan_depths(struct run *r)
{
	const struct opts *o = r->o;
	bool lat = o->mode == MODE_LAT;
	uint32_t max_wr = r->rig.dev.max_qp_wr, want;

	want = MAX(lat ? LAT_TX_DEPTH : BW_TX_DEPTH, o->cq_mod);
	r->tx_depth = MIN(want, max_wr);
	if (!lat && o->verify)	/* any WQE may be signaled */
		r->tx_depth = MIN(r->tx_depth, r->rig.dev.max_cqe / o->qps);
	if (r->tx_depth < o->cq_mod)
		bad_usage("cq-mod %u exceeds the send queue depth %u",
			  o->cq_mod, r->tx_depth);
	r->rx_depth = 1;
	if (o->op == OP_SEND && lat)
		r->rx_depth = LAT_RX_DEPTH;
	else if (o->op == OP_SEND)	/* one CQ holds them all */
		r->rx_depth = MIN(2 * r->tx_depth,
				   r->rig.dev.max_cqe / o->qps);
	r->rx_depth = MIN(r->rx_depth, max_wr);
	r->rx_batch = MAX(1, MIN(RX_BATCH_MAX, r->rx_depth / 4));
}

static struct hwqnic_cq *make_cq(struct run *r, uint64_t cqe)
{
	struct hwqnic_cq *cq = rig_cq(&r->rig, cqe);
	unsigned int i;

	if (!cq)
		fail("%s", r->rig.err);
	for (i = 0; r->cq[i]; i++)
		;
	r->cq[i] = cq;
	return cq;
}

static void make_qp(struct run *r, struct qpx *x, struct hwqnic_cq *scq,
		    struct hwqnic_cq *rcq, uint32_t sq, uint32_t rq)
{
	x->cq = scq;
	x->qp = rig_rc_qp(&r->rig, scq, rcq, sq, rq, r->inline_size);
	if (!x->qp)
		fail("%s", r->rig.err);
}

/* lat: a CQ per QP; bw: one CQ for the requesters, one for responders. */
static void make_qps(struct run *r)
{
	unsigned int q = r->o->qps, i, sig;
	bool verify = r->o->verify;

	if (r->o->mode == MODE_LAT) {
		for (i = 0; i < 2 * q; i++) {
			struct hwqnic_cq *cq = make_cq(r, r->tx_depth +
						       r->rx_depth);

			make_qp(r, &r->qp[i], cq, cq, r->tx_depth,
				r->rx_depth);
		}
		return;
	}
	sig = verify ? r->tx_depth : r->tx_depth / r->o->cq_mod + 2;
	r->scq = make_cq(r, (uint64_t)q * sig);
	r->rcq = make_cq(r, (uint64_t)q * r->rx_depth);
	for (i = 0; i < q; i++) {
		make_qp(r, &r->qp[2 * i], r->scq, r->scq, r->tx_depth, 1);
		make_qp(r, &r->qp[2 * i + 1], r->rcq, r->rcq, 1,
			r->rx_depth);
	}
}

static void connect_qp(struct run *r, struct qpx *x)
{
	if (rig_rc_connect(&r->rig, x->qp, x->peer->qp->qp_num))
		fail("%s", r->rig.err);
}

static void *xcalloc(uint64_t n, uint64_t size)
{
	void *p = calloc(n, size);

	if (!p)
		fail("out of memory (%" PRIu64 " x %" PRIu64 " bytes)", n,
		     size);
	return p;
}

static void setup(struct run *r)
{
	uint64_t scratch;
	unsigned int i;

	plan_qps(r);
	r->stall_ns = STALL_NS + MIN(r->o->cq_mod, r->o->iters) *
		      r->o->size * STALL_NS_PER_B;
	open_device(r);
	setup_side(r, &r->side[0]);
	setup_side(r, &r->side[1]);
	plan_depths(r);
	make_qps(r);
	for (i = 0; i < 2 * r->o->qps; i++)
		connect_qp(r, &r->qp[i]);
	scratch = MAX(BATCH_MAX, RX_BATCH_MAX);
	r->swr = xcalloc(scratch, sizeof(*r->swr));
	r->rwr = xcalloc(scratch, sizeof(*r->rwr));
	r->sge = xcalloc(scratch, sizeof(*r->sge));
	if (r->o->mode == MODE_LAT)
		r->samples = xcalloc(r->o->iters * r->o->qps,
				     sizeof(*r->samples));
	if (r->o->op != OP_SEND)
		return;
	for (i = 0; i < r->nsenders; i++)
		while (r->sender[i]->peer->rposted <
		       MIN(r->rx_depth, r->o->iters))
			refill_recvs(r, r->sender[i]->peer, 1);
}

/* Destroys what exists, in reverse order of creation; 0 or 1. */
static int teardown(struct run *r)
{
	int err = 0, i;

	for (i = 2 * MAX_QPS - 1; i >= 0; i--)
		if (r->qp[i].qp)
			err |= msg_warn_ret(hwqnic_destroy_qp(r->qp[i].qp),
					"hwqnic_destroy_qp");
	for (i = 2 * MAX_QPS - 1; i >= 0; i--)
		if (r->cq[i])
			err |= msg_warn_ret(hwqnic_destroy_cq(r->cq[i]),
					"hwqnic_destroy_cq");
	for (i = 1; i >= 0; i--)
		if (r->side[i].mr)
			err |= msg_warn_ret(hwqnic_dereg_mr(r->side[i].mr),
					"hwqnic_dereg_mr");
	err |= rig_close(&r->rig);
	for (i = 0; i < 2; i++)
		if (r->side[i].buf)
			munmap(r->side[i].buf, r->side[i].len);
	free(r->swr);
	free(r->rwr);
	free(r->sge);
	free(r->samples);
	free(r);
	return err;
}

/* msg_die()'s cleanup until the run is torn down as planned */
static void teardown_hook(void *r)
{
	teardown(r);
}

/* ---- results ---- */

/* The sample of rank ceil(n * permille / 1000) in sorted s[n]. */
static uint64_t rank(const uint64_t *s, uint64_t n, uint64_t permille)
{
	uint64_t i = (n * permille + 999) / 1000;

	return s[i ? i - 1 : 0];
}

static void lat_stats(struct run *r, struct result *res)
{
	uint64_t n = r->o->iters * r->o->qps, i, *s = r->samples;
	double div = r->o->op == OP_READ ? 1000.0 : 2000.0, sum = 0, d;

	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	res->t_avg = sum / n / div;
	sum = 0;
	for (i = 0; i < n; i++) {
		d = s[i] / div - res->t_avg;
		sum += d * d;
	}
	res->t_stdev = sqrt(sum / n);
	res->t_min = s[0] / div;
	res->t_max = s[n - 1] / div;
	res->t_typical = s[n / 2] / div;
	res->p99 = rank(s, n, 990) / div;
	res->p99_9 = rank(s, n, 999) / div;
}

static void bw_stats(const struct run *r, struct result *res)
{
	double msgs = (double)r->o->iters * r->o->qps;
	double sec = (double)r->elapsed_ns / NSEC_PER_SEC;

	res->mib_s = msgs * r->o->size / MIB / sec;
	res->mops = msgs / 1e6 / sec;
}

static void print_banner(const struct run *r, const struct cpus *c)
{
	const struct opts *o = r->o;
	const char *engine = getenv("HWQNIC_ENGINE_CPU");

	printf("%s\n", DASHES);
	printf(" hwqperf %s --op %s: RC loopback on %s\n",
	       mode_names[o->mode], op_names[o->op],
	       hwqnic_device_name(r->rig.ctx));
	printf(" QP pairs       : %u\n", o->qps);
	printf(" Message size   : %" PRIu64 " bytes\n", o->size);
	printf(" Iterations     : %" PRIu64 " per QP\n", o->iters);
	printf(" CQ moderation  : %u\n", o->cq_mod);
	printf(" Inline data    : up to %u bytes\n", r->inline_size);
	printf(" Buffer         : %" PRIu64 " bytes per side", o->buf_size);
	if (o->size)
		printf(", %" PRIu64 " message slots", r->nslots);
	printf("\n");
	printf(" Verify         : %s\n", o->verify ? "on" : "off");
	if (c->app >= 0)
		printf(" CPUs           : hwqperf %d, engine %s\n", c->app,
		       engine ? engine : "any");
	else
		printf(" CPUs           : not pinned (one CPU)\n");
	printf("%s\n", DASHES);
	fflush(stdout);
}

static void print_lat(const struct opts *o, const struct result *res,
		      const struct cpus *c)
{
	printf(" #bytes #iterations    t_min[usec]    t_max[usec]"
	       "  t_typical[usec]    t_avg[usec]    t_stdev[usec]"
	       "   99%% percentile[usec]   99.9%% percentile[usec]\n");
	printf(" %6" PRIu64 " %11" PRIu64 " %14.2f %14.2f %16.2f %14.2f"
	       " %16.2f %22.2f %24.2f\n", o->size, o->iters * o->qps,
	       res->t_min, res->t_max, res->t_typical, res->t_avg,
	       res->t_stdev, res->p99, res->p99_9);
	printf("%s\n", DASHES);
	if (res->rtt_us < 0) {
		printf(" cache-line round trip, protocol floor: not measured"
		       " (one CPU)\n");
		return;
	}
	printf(" cache-line round trip (CPU %d <-> CPU %d): %.3f usec;"
	       " t_typical / cacheline_rtt = %.2f\n", c->app, c->peer,
	       res->rtt_us, res->t_typical / res->rtt_us);
	printf(" protocol floor (queue data moves, no checks): %.3f usec;"
	       " t_typical / floor = %.2f\n", res->floor_us,
	       res->t_typical / res->floor_us);
}

static void print_bw(const struct opts *o, const struct result *res)
{
	printf(" #bytes     #iterations    #qps    BW average[MiB/sec]"
	       "   MsgRate[Mops]\n");
	printf(" %-10" PRIu64 " %-14" PRIu64 " %-7u %-21.2f %.6f\n",
	       o->size, o->iters, o->qps, res->mib_s, res->mops);
	printf("%s\n", DASHES);
	if (res->memcpy_mib_s < 0) {
		printf(" memcpy: not measured (0-byte messages)\n");
		return;
	}
	printf(" memcpy (1 core, %" PRIu64 "-byte chunks): %.2f MiB/sec;"
	       " BW / memcpy = %.3f\n", o->size, res->memcpy_mib_s,
	       res->mib_s / res->memcpy_mib_s);
}

static void print_json(const struct opts *o, const struct result *res)
{
	bool lat = o->mode == MODE_LAT;
	double ref = lat ? res->rtt_us : res->memcpy_mib_s;
	double ratio = ref > 0 ? (lat ? res->t_typical : res->mib_s) / ref
			       : -1;
	struct json j;

	json_init(&j, stdout);
	json_object(&j, NULL);
	json_str(&j, "mode", mode_names[o->mode], 8);
	json_str(&j, "op", op_names[o->op], 8);
	json_uint(&j, "size", o->size);
	json_uint(&j, "iters", o->iters);
	json_uint(&j, "qps", o->qps);
	json_uint(&j, "cq_mod", o->cq_mod);
	json_uint(&j, "inline_size", res->inline_size);
	json_uint(&j, "buf_size", o->buf_size);
	json_bool(&j, "verify", o->verify);
	if (lat) {
		json_measured(&j, "t_min", res->t_min, 4);
		json_measured(&j, "t_max", res->t_max, 4);
		json_measured(&j, "t_typical", res->t_typical, 4);
		json_measured(&j, "t_avg", res->t_avg, 4);
		json_measured(&j, "t_stdev", res->t_stdev, 4);
		json_measured(&j, "p99", res->p99, 4);
		json_measured(&j, "p99_9", res->p99_9, 4);
		json_measured(&j, "cacheline_rtt_us", res->rtt_us, 4);
		json_measured(&j, "rtt_ratio", ratio, 4);
		json_measured(&j, "floor_us", res->floor_us, 4);
		json_measured(&j, "floor_ratio", res->floor_us > 0 ?
			      res->t_typical / res->floor_us : -1, 4);
	} else {
		json_measured(&j, "mib_s", res->mib_s, 4);
		json_measured(&j, "mops", res->mops, 4);
		json_measured(&j, "memcpy_mib_s", res->memcpy_mib_s, 4);
		json_measured(&j, "memcpy_ratio", ratio, 4);
	}
	json_close(&j);
	if (json_error(&j))
		msg_warn("JSON output: %s", strerror(json_error(&j)));
}

int main(int argc, char **argv)
{
	struct result res = { .rtt_us = -1, .floor_us = -1,
			      .memcpy_mib_s = -1 };
	struct cpus cpus;
	struct opts o;
	struct run *r;
	int err;

	msg_init("hwqperf");
	parse_args(argc, argv, &o);
	msg_check(msg_catch_stop(), "sigaction");
	setup_cpus(&cpus);
	if (o.mode == MODE_LAT && cpus.peer >= 0) {
		res.rtt_us = measure_rtt(&cpus) / 1000;
		res.floor_us = measure_floor(&o, &cpus) / 1000;
	} else if (o.mode == MODE_BW)
		res.memcpy_mib_s = measure_memcpy(&o);
	r = xcalloc(1, sizeof(*r));
	r->o = &o;
	msg_check(msg_on_exit(teardown_hook, r), "msg_on_exit");
	setup(r);
	stop_if_signalled();
	if (!o.json)
		print_banner(r, &cpus);
	if (o.mode == MODE_LAT) {
		lat_run(r);
		lat_stats(r, &res);
	} else {
		bw_run(r);
		bw_stats(r, &res);
	}
	msg_cancel(teardown_hook, r);
	res.inline_size = r->inline_size;
	err = teardown(r);
	if (o.json)
		print_json(&o, &res);
	else if (o.mode == MODE_LAT)
		print_lat(&o, &res, &cpus);
	else
		print_bw(&o, &res);
	return err;
}
