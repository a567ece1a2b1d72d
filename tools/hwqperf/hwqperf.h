/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* hwqperf's own: its limits, options, the run and its parts (hwqperf(1)). */
#ifndef _HWQNIC_TOOLS_HWQPERF_H
#define _HWQNIC_TOOLS_HWQPERF_H

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
#include "lib/oob.h"
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
/* -a: every power of two from 2 to 8M, as perftest's -a */
#define ALL_MIN_SIZE	2
#define ALL_MAX_SIZE	(8 * MIB)
#define MAX_DURATION_NS	(86400 * NSEC_PER_SEC)	/* -D: a day */
/*
 * bw's peak: the best bandwidth over slices of the run this long, with
 * this many signaled completions at least (bw.c)
 */
#define SLICE_NS	(10 * NSEC_PER_SEC / 1000)
#define SLICE_SIGNALS	8
/* Faulting in this many bytes takes a second or more: msg_note() first */
#define NOTE_BYTES	(256 * MIB)

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

/* Indexed by enum mode (main.c) */
extern const char *const mode_names[];

struct opts {
	enum mode mode;
	enum rig_op op;
	uint64_t size;
	uint64_t iters;			/* per QP */
	uint64_t buf_size;		/* per side */
	unsigned int qps;		/* QP pairs */
	unsigned int cq_mod;
	uint32_t inline_size;		/* bytes; the device's limit applies */
	uint64_t duration_ns;		/* -D; 0: iters decides */
	bool all_sizes;			/* -a */
	bool verify;
	bool json;
	bool csv;
	bool has_size, has_iters, has_buf, has_cq_mod, has_inline;
	/* the two-process form (remote.c): a server, or a client of one */
	const char *server;		/* SERVER_ADDRESS: the client's */
	const char *netdev;		/* -d; NULL: HWQNIC_NETDEV's */
	uint16_t port;			/* -p */
	uint8_t gid_index;		/* -x */
	enum role { ROLE_LOOPBACK = OPTS_ROLE_LOCAL,
		    ROLE_SERVER = OPTS_ROLE_SERVER,
		    ROLE_CLIENT = OPTS_ROLE_CLIENT } role;
};

struct cpus {
	int count;			/* CPUs this process may run on */
	int app;			/* hwqperf's CPU, or -1 */
	int peer;			/* engine and RTT peer CPU, or -1 */
};

/* One side of the loopback: one buffer, one MR. */
struct side {
	char *buf;			/* NULL: the peer's, in another process */
	uint64_t len;
	struct hwqnic_mr *mr;
	uint64_t addr;			/* as a WR names it: buf, or the peer's */
	uint32_t rkey;
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
	uint64_t iters;			/* messages per QP: o->iters, or
					 * where -D's deadline ends the run */
	uint64_t sdone;			/* bw: send WQEs completed */
	uint64_t rdone;			/* bw: receives completed */
	struct rig_idle idle;		/* polls without progress */
	uint64_t stall_ns;		/* idle time that means a stall */
	uint64_t *samples;		/* lat: ns per iteration */
	uint64_t elapsed_ns;		/* bw */
	double peak_per_ns;		/* bw: messages per ns, best slice */
	struct oob oob;			/* the two-process form's exchange */
	struct oob_perf peer;		/* what the peer said of pair 0 */
};

/* The two-process form: the QPs of this process (A client, B server) */
static inline bool is_local(const struct run *r, const struct qpx *x)
{
	return r->o->role == ROLE_LOOPBACK ||
	       (r->o->role == ROLE_CLIENT) == ((x - r->qp) % 2 == 0);
}

/* One message size's figures, named as their JSON keys (docs/json.md) */
struct result {
	uint64_t size;
	uint64_t buf_size;
	uint64_t messages;		/* over all QPs */
	const char *backend;		/* the rig's */
	double min_us, max_us, typical_us, avg_us, stdev_us, p99_us,
	       p99_9_us;
	double rtt_us;			/* < 0: not measured */
	double floor_us;		/* < 0: not measured */
	double mib_per_s, peak_mib_per_s, mpps;
	double duration_s;		/* bw */
	double memcpy_mib_per_s;	/* < 0: not measured */
	uint32_t inline_size;		/* as run */
};

#define fail(...)	msg_die(1, __VA_ARGS__)
#define bad_usage(...)	opts_usage_error(__VA_ARGS__)

/*
 * Message k of sender x is g = k * nsenders + sidx, in slot g % nslots;
 * these run for every message, inline in lat and bw alike.
 */
static inline uint64_t msg_g(const struct run *r, const struct qpx *x,
			     uint64_t k)
{
	return k * r->nsenders + x->sidx;
}

static inline uint64_t msg_off(const struct run *r, uint64_t g)
{
	return (g % r->nslots) * r->o->size;
}

static inline char *msg_src(const struct run *r, const struct qpx *x,
			    uint64_t g)
{
	struct side *s = r->o->op == RIG_READ ? x->remote : x->local;

	return s->buf + msg_off(r, g);
}

static inline char *msg_dst(const struct run *r, const struct qpx *x,
			    uint64_t g)
{
	struct side *s = r->o->op == RIG_READ ? x->local : x->remote;

	return s->buf + msg_off(r, g);
}

static inline bool want_signal(const struct run *r, uint64_t k)
{
	return (k + 1) % r->o->cq_mod == 0 || k + 1 == r->iters;
}

/* refs.c: the CPUs and the same-run references */
void setup_cpus(struct cpus *c);
double measure_rtt(const struct cpus *c);
double measure_memcpy(const struct opts *o);
double measure_floor(const struct opts *o, const struct cpus *c);
void measure_refs(const struct opts *o, const struct cpus *c,
		  struct result *res);
char *map_anon(uint64_t len);
int cmp_u64(const void *a, const void *b);

/* verify.c: the data pattern and message slots */
void pat_fill(char *p, uint64_t len, uint64_t g);
uint8_t pat_byte(uint64_t seed, uint64_t b);
uint64_t pat_seed(uint64_t g);
void verify_msg(struct run *r, struct qpx *x, uint64_t k);
bool gate_ok(const struct run *r, uint64_t g);

/* io.c: completions and posting */
int poll_cq(struct run *r, struct hwqnic_cq *cq);
void watchdog(struct run *r, bool busy);
void stop_if_signalled(void);
void build_wr(const struct run *r, const struct qpx *x, uint64_t k,
	      struct hwqnic_send_wr *wr, struct hwqnic_sge *sge,
	      bool signal);
void post_send(struct qpx *x, struct hwqnic_send_wr *wr,
	       unsigned int cnt);
void refill_recvs(struct run *r, struct qpx *y, uint64_t min_batch);

/* bw.c and lat.c: the runs */
void bw_run(struct run *r);
bool bw_poll_recv(struct run *r);
void lat_run(struct run *r);
void lat_wait_done(struct run *r, struct qpx *x);
void lat_arm_write(struct run *r, struct qpx *x, uint64_t k);
bool lat_write_back(struct run *r, struct qpx *x, uint64_t k);
void lat_send_back(struct run *r, struct qpx *x, uint64_t k);

/* setup.c: the run on the rig */
void setup(struct run *r);
int teardown(struct run *r);
void teardown_hook(void *r);

/* remote.c: the two-process form's exchange and the server's part */
void remote_connect(struct run *r);
void remote_ready(struct run *r);
void remote_serve(struct run *r);
void remote_done(struct run *r);

/* report.c: results, a row per message size (res[n]) */
void lat_stats(struct run *r, struct result *res);
void bw_stats(const struct run *r, struct result *res);
void print_banner(const struct run *r, const struct cpus *c);
void print_head(const struct opts *o);
void print_row(const struct opts *o, const struct result *res);
void report(const struct opts *o, const struct result *res, unsigned int n,
	    const struct cpus *c);

#endif /* _HWQNIC_TOOLS_HWQPERF_H */
