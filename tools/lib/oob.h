/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The out-of-band exchange of two tools on two hosts, as perftest and
 * libibverbs' pingpong examples make it: one TCP connection, port 18515
 * unless told otherwise; the server listens and takes one client, the
 * client connects, retrying for a bounded time so that it may start just
 * before its server. Every read and write ends within the connection's
 * timeout, and what the peer sends is hostile: messages have fixed sizes
 * and are parsed strictly. Functions return 0 or an errno value and leave
 * a one-line message in oob->err; nothing here exits.
 *
 * Three message formats travel on it:
 *   - libibverbs' (ibv_rc_pingpong, ibv_ud_pingpong): 52 bytes, the NUL-
 *     terminated "%04x:%06x:%06x:%s" of LID, QPN, PSN and the GID as 32
 *     hex digits, its 16 bytes in order; then the client's "done" with its
 *     NUL (5 bytes);
 *   - hwqperf's: struct oob_perf, every field big-endian;
 *   - hwqload's: struct oob_load, the client's mix, then one oob_perf a
 *     QP; every field big-endian.
 */
#ifndef _HWQNIC_TOOLS_OOB_H
#define _HWQNIC_TOOLS_OOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OOB_PORT	18515
/* A peer that says nothing for this long is gone */
#define OOB_TIMEOUT_MS	30000

struct oob {
	int lfd;		/* the server's listening socket, or -1 */
	int fd;			/* the connection, or -1 */
	int timeout_ms;		/* each exchange step, and the connect */
	char err[200];		/* the last failure, one line */
};

/* An unconnected oob (both sockets -1): oob_close() may follow. */
void oob_init(struct oob *o, int timeout_ms);

/*
 * Listens on port (every address, IPv6 and IPv4) and accepts the first
 * client within the timeout; the listening socket is closed then.
 * oob_listen_start() and oob_accept() are the two halves, for a caller
 * that must know the port is open before the client starts (port 0:
 * the kernel's choice, which oob_local_port() tells).
 */
int oob_listen(struct oob *o, uint16_t port);
int oob_listen_start(struct oob *o, uint16_t port);
int oob_accept(struct oob *o);
uint16_t oob_local_port(const struct oob *o);

/*
 * Connects to host (a name or an address) on port, trying again every
 * OOB_RETRY_MS while it is refused, until the timeout.
 */
#define OOB_RETRY_MS	100
int oob_connect(struct oob *o, const char *host, uint16_t port);

/*
 * Sends len bytes, or receives exactly len: EPIPE when the peer closed
 * first (with how many bytes came), ETIMEDOUT when it stalls.
 */
int oob_send(struct oob *o, const void *buf, size_t len);
int oob_recv(struct oob *o, void *buf, size_t len);

/*
 * A step both sides reach: each sends the byte step and waits up to
 * timeout_ms for the peer's; another byte is EPROTO.
 */
int oob_sync(struct oob *o, uint8_t step, int timeout_ms);

/*
 * The two-process forms' connection: with a server address, connect to
 * it; without, listen and accept one client.
 */
int oob_open(struct oob *o, const char *server, uint16_t port);

/*
 * Whether, within timeout_ms (0: now), the peer has sent something or
 * closed, so that oob_recv() would return without waiting.
 */
bool oob_readable(const struct oob *o, int timeout_ms);

/* n 64-bit counts, big-endian on the wire */
int oob_send_u64(struct oob *o, const uint64_t *v, size_t n);
int oob_recv_u64(struct oob *o, uint64_t *v, size_t n);

/* Closes what is open (idempotent). */
void oob_close(struct oob *o);

/* ---- libibverbs' pingpong exchange ---- */

#define OOB_IBV_MSG_LEN	52	/* "LLLL:QQQQQQ:PPPPPP:" 32 hex digits, NUL */
#define OOB_IBV_DONE	"done"
#define OOB_IBV_DONE_LEN 5	/* with its NUL */

struct oob_ibv_dest {
	uint16_t lid;
	uint32_t qpn;		/* 24 bits */
	uint32_t psn;		/* 24 bits */
	uint8_t gid[16];
};

/* The message of d (qpn and psn are cut to 24 bits, as rdma-core's). */
void oob_ibv_format(char msg[OOB_IBV_MSG_LEN], const struct oob_ibv_dest *d);

/*
 * The message msg, strictly: every field its width of hex digits, the
 * colons in place, the NUL last. 0, or EPROTO with why in err.
 */
int oob_ibv_parse(const char msg[OOB_IBV_MSG_LEN], struct oob_ibv_dest *d,
		  char *err, size_t errsz);

/* ---- hwqperf's exchange ---- */

#define OOB_PERF_MAGIC		0x68777170U	/* "hwqp" */
#define OOB_PERF_VERSION	2

/* hwqload's mode in oob_perf (hwqperf's enum mode has 1 and 2) */
#define OOB_PERF_MODE_LOAD	3

/* What each side of a hwqperf run tells the other; big-endian fields */
struct oob_perf {
	uint32_t magic;
	uint16_t version;
	uint8_t mode;		/* hwqperf's enum mode */
	uint8_t op;		/* enum rig_op */
	uint32_t qpn;
	uint32_t psn;
	uint32_t rkey;
	uint32_t mtu;		/* the side's active path MTU, bytes */
	uint8_t gid[16];
	uint64_t addr;		/* the buffer's address */
	uint64_t buf_size;
	uint64_t size;		/* message bytes */
	uint64_t iters;
	uint32_t cq_mod;
	uint32_t flags;		/* OOB_PERF_* */
	uint32_t qps;		/* QP pairs, one message each */
};

#define OOB_PERF_VERIFY	1U
#define OOB_PERF_FLAGS	OOB_PERF_VERIFY
#define OOB_PERF_LEN	84	/* bytes on the wire */

void oob_perf_pack(uint8_t out[OOB_PERF_LEN], const struct oob_perf *p);

/*
 * The peer's message: magic, version, 24-bit QPN and PSN, known flags
 * checked; EPROTO with why in err.
 */
int oob_perf_unpack(const uint8_t in[OOB_PERF_LEN], struct oob_perf *p,
		    char *err, size_t errsz);

/*
 * The two sides' run parameters agree (mode, op, size, buf_size, iters,
 * cq_mod, flags, qps): 0, or EPROTO with the first that differs in err,
 * "the server runs bw but this client lat".
 */
int oob_perf_match(const struct oob_perf *mine, const struct oob_perf *peer,
		   const char *peer_name, char *err, size_t errsz);

/*
 * Sends mine, receives the peer's, unpacks and matches it; the failure's
 * message in o->err.
 */
int oob_perf_swap(struct oob *o, const struct oob_perf *mine,
		  struct oob_perf *peer, const char *peer_name);

/* ---- hwqload's exchange ---- */

#define OOB_LOAD_MAGIC		0x6877716cU	/* "hwql" */
#define OOB_LOAD_VERSION	1
/* The limits of a mix, which the server enforces on what it is sent */
#define OOB_LOAD_MAX		64		/* QPs, ops, sizes */
#define OOB_LOAD_MAX_SIZE	(1ULL << 31)	/* an SGE's length is 32 bits */
#define OOB_LOAD_MAX_COUNT	(1ULL << 40)
#define OOB_LOAD_MAX_TIME_NS	(365ULL * 86400 * 1000000000ULL)
#define OOB_LOAD_MAX_ERRORS	(1ULL << 30)
#define OOB_LOAD_MAX_DEPTH	32768

/* The client's mix, which its server adopts (hwqload(1)) */
struct oob_load {
	uint32_t qps;		/* 1 to OOB_LOAD_MAX */
	uint32_t nops;		/* 1 to OOB_LOAD_MAX */
	uint32_t nsizes;	/* 1 to OOB_LOAD_MAX */
	uint32_t depth;		/* 1 to OOB_LOAD_MAX_DEPTH */
	uint8_t ops[OOB_LOAD_MAX];	/* enum rig_op, nops of them */
	uint64_t sizes[OOB_LOAD_MAX];	/* 1 to OOB_LOAD_MAX_SIZE, nsizes */
	uint64_t count;		/* per QP; or, 0, ... */
	uint64_t time_ns;	/* ... a run this long; exactly one is 0 */
	uint64_t errors;
};

#define OOB_LOAD_LEN	(40 + OOB_LOAD_MAX + 8 * OOB_LOAD_MAX)

void oob_load_pack(uint8_t out[OOB_LOAD_LEN], const struct oob_load *l);

/* The client's mix, every field within its limits: 0, or EPROTO and why */
int oob_load_unpack(const uint8_t in[OOB_LOAD_LEN], struct oob_load *l,
		    char *err, size_t errsz);

#endif /* _HWQNIC_TOOLS_OOB_H */
