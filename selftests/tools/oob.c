// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/oob.c: libibverbs' 52-byte pingpong address as rdma-core's
 * examples print it, parsed back strictly (bad digits, colons and the
 * missing NUL refused); hwqperf's exchange packed and unpacked, a foreign
 * or damaged one refused, a mismatched run named; and the TCP connection:
 * a client before its server still connects, a silent, short or absent
 * peer ends each step in bounded time with a clear error.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "lib/oob.h"
#include "lib/rig.h"

#define SHORT_MS	300

static const uint8_t gid4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
				  198, 18, 0, 1 };

static void test_ibv(void)
{
	struct oob_ibv_dest d = { .lid = 0x12, .qpn = 0x1000123,
				  .psn = 0xabcdef }, e;
	char msg[OOB_IBV_MSG_LEN], bad[OOB_IBV_MSG_LEN], err[200];

	memcpy(d.gid, gid4, 16);
	oob_ibv_format(msg, &d);
	ok(!memcmp(msg, "0012:000123:abcdef:00000000000000000000ffffc6120001",
		   OOB_IBV_MSG_LEN), "ibv: the address as rdma-core prints "
	   "it, QPN cut to 24 bits, NUL last");
	ok(!oob_ibv_parse(msg, &e, err, sizeof(err)) && e.lid == 0x12 &&
	   e.qpn == 0x123 && e.psn == 0xabcdef && !memcmp(e.gid, gid4, 16),
	   "ibv: parsed back");
	memcpy(bad, "0012:0001A3:ABCDEF:00000000000000000000FFFFC6120001",
	       OOB_IBV_MSG_LEN);
	ok(!oob_ibv_parse(bad, &e, err, sizeof(err)) && e.qpn == 0x1a3 &&
	   e.gid[10] == 0xff, "ibv: upper-case hex digits too (sscanf's %%x)");
	memcpy(bad, msg, sizeof(bad));
	bad[7] = 'g';
	ok(oob_ibv_parse(bad, &e, err, sizeof(err)) == EPROTO &&
	   strstr(err, "QPN"), "ibv: a QPN with a non-hex digit: %s", err);
	memcpy(bad, msg, sizeof(bad));
	bad[18] = '-';
	ok(oob_ibv_parse(bad, &e, err, sizeof(err)) == EPROTO &&
	   strstr(err, "PSN"), "ibv: no colon after the PSN: %s", err);
	memcpy(bad, msg, sizeof(bad));
	bad[50] = '\0';
	ok(oob_ibv_parse(bad, &e, err, sizeof(err)) == EPROTO &&
	   strstr(err, "GID"), "ibv: a GID of 31 digits: %s", err);
	memcpy(bad, msg, sizeof(bad));
	bad[51] = '7';
	ok(oob_ibv_parse(bad, &e, err, sizeof(err)) == EPROTO &&
	   strstr(err, "NUL"), "ibv: no NUL at the end: %s", err);
	memset(bad, 0, sizeof(bad));
	ok(oob_ibv_parse(bad, &e, err, sizeof(err)) == EPROTO,
	   "ibv: 52 NULs refused");
}

static void test_perf(void)
{
	struct oob_perf p = { .magic = OOB_PERF_MAGIC,
			      .version = OOB_PERF_VERSION, .mode = 2,
			      .op = RIG_WRITE, .qpn = 0x345, .psn = 0xfffff0,
			      .rkey = 0xdeadbeef, .mtu = 1024,
			      .addr = 0x7f0011223344ULL, .buf_size = 65536,
			      .size = 4096, .iters = 5000, .cq_mod = 100,
			      .flags = OOB_PERF_VERIFY, .qps = 3 }, q, r;
	uint8_t wire[OOB_PERF_LEN], bad[OOB_PERF_LEN];
	char err[200];

	memcpy(p.gid, gid4, 16);
	oob_perf_pack(wire, &p);
	ok(wire[0] == 'h' && wire[3] == 'p' && wire[8] == 0 &&
	   wire[11] == 0x45, "perf: magic and QPN big-endian on the wire");
	ok(!oob_perf_unpack(wire, &q, err, sizeof(err)) &&
	   !memcmp(&p, &q, sizeof(p)), "perf: unpacked as packed");
	memcpy(bad, wire, sizeof(bad));
	bad[0] ^= 1;
	ok(oob_perf_unpack(bad, &q, err, sizeof(err)) == EPROTO &&
	   strstr(err, "no hwqperf"), "perf: a foreign magic: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[5] = 9;
	ok(oob_perf_unpack(bad, &q, err, sizeof(err)) == EPROTO &&
	   strstr(err, "version"), "perf: another version: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[8] = 1;
	ok(oob_perf_unpack(bad, &q, err, sizeof(err)) == EPROTO &&
	   strstr(err, "24 bits"), "perf: a QPN over 24 bits: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[79] |= 0x80;
	ok(oob_perf_unpack(bad, &q, err, sizeof(err)) == EPROTO &&
	   strstr(err, "flags"), "perf: unknown flags: %s", err);
	r = p;
	ok(!oob_perf_match(&p, &r, "server", err, sizeof(err)),
	   "perf: the same run matches");
	r.op = RIG_READ;
	ok(oob_perf_match(&p, &r, "server", err, sizeof(err)) == EPROTO &&
	   strstr(err, "server runs bw --op read but this client bw --op "
		  "write"), "perf: another op: %s", err);
	r = p;
	r.size = 64;
	ok(oob_perf_match(&p, &r, "client", err, sizeof(err)) == EPROTO &&
	   strstr(err, "message size: the client has 64, this server 4096"),
	   "perf: another size: %s", err);
	r = p;
	r.qps = 4;
	ok(oob_perf_match(&p, &r, "client", err, sizeof(err)) == EPROTO &&
	   strstr(err, "QP pairs: the client has 4, this server 3"),
	   "perf: another QP count: %s", err);
	r = p;
	r.flags = 0;
	ok(oob_perf_match(&p, &r, "server", err, sizeof(err)) == EPROTO &&
	   strstr(err, "verify"), "perf: --verify on one side: %s", err);
}

static void test_load(void)
{
	struct oob_load l = { .qps = 6, .nops = 3, .nsizes = 2, .depth = 16,
			      .ops = { RIG_SEND, RIG_WRITE, RIG_READ },
			      .sizes = { 64, 1ULL << 31 }, .count = 300 }, m;
	uint8_t wire[OOB_LOAD_LEN], bad[OOB_LOAD_LEN];
	char err[200];

	oob_load_pack(wire, &l);
	ok(wire[0] == 'h' && wire[3] == 'l' && wire[7] == 6 &&
	   wire[40] == RIG_SEND && wire[42] == RIG_READ,
	   "load: magic, QP count, ops big-endian on the wire");
	ok(!oob_load_unpack(wire, &m, err, sizeof(err)) &&
	   !memcmp(&l, &m, sizeof(l)), "load: unpacked as packed");
	memcpy(bad, wire, sizeof(bad));
	bad[1] ^= 1;
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "no hwqload"), "load: a foreign magic: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[5] = 2;
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "version"), "load: another version: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[7] = OOB_LOAD_MAX + 1;
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "QP count 65"), "load: 65 QPs: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[7] = 0;
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "QP count 0"), "load: no QP: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[40 + 2] = RIG_NOPS;
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "op 3"), "load: an unknown op: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[40 + OOB_LOAD_MAX + 8 + 3] = 0x81;	/* sizes[1] > 2G */
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "message size"), "load: a size over 2G: %s", err);
	memcpy(bad, wire, sizeof(bad));
	memset(bad + 40 + OOB_LOAD_MAX, 0, 8);	/* sizes[0] = 0 */
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "message size 0"), "load: a size of 0: %s", err);
	memcpy(bad, wire, sizeof(bad));
	bad[14] = 0x80;				/* depth */
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "depth"), "load: a depth over the limit: %s", err);
	l.time_ns = 1000;
	oob_load_pack(bad, &l);
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "both a count and a time"), "load: both: %s", err);
	l.count = l.time_ns = 0;
	oob_load_pack(bad, &l);
	ok(oob_load_unpack(bad, &m, err, sizeof(err)) == EPROTO &&
	   strstr(err, "neither"), "load: neither: %s", err);
}

/* A peer in a child: connects to port, sends len bytes of what, lingers */
static pid_t peer(uint16_t port, const char *what, size_t len,
		  int delay_ms, int linger_ms)
{
	struct timespec d = { delay_ms / 1000, delay_ms % 1000 * 1000000L };
	struct timespec l = { linger_ms / 1000, linger_ms % 1000 * 1000000L };
	struct oob o;
	pid_t pid = fork();

	if (pid)
		return pid;
	nanosleep(&d, NULL);
	oob_init(&o, 5000);
	if (oob_connect(&o, "127.0.0.1", port))
		_exit(3);
	if (len && oob_send(&o, what, len))
		_exit(4);
	nanosleep(&l, NULL);
	oob_close(&o);
	_exit(0);
}

static int reap(pid_t pid)
{
	int st = -1;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_tcp(void)
{
	char buf[OOB_IBV_MSG_LEN];
	struct oob s, c;
	uint64_t t0;
	uint16_t port = 0;
	pid_t pid;
	int rc;

	/* the whole message arrives */
	oob_init(&s, 5000);
	ok(!oob_listen_start(&s, 0) && (port = oob_local_port(&s)),
	   "tcp: listening on a port of the kernel's choice");
	pid = peer(port, "0000:000001:000002:", 20, 0, 0);
	ok(!oob_accept(&s) && s.lfd < 0 && !oob_recv(&s, buf, 20) &&
	   !memcmp(buf, "0000:000001:000002:", 20),
	   "tcp: the client's bytes received, the listener closed");
	ok(reap(pid) == 0, "tcp: the client sent them");
	oob_close(&s);

	/* whether anything waits: a silent peer, then its close */
	oob_init(&s, 5000);
	oob_listen_start(&s, 0);
	pid = peer(oob_local_port(&s), NULL, 0, 0, 300);
	rc = oob_accept(&s);
	ok(!rc && !oob_readable(&s, 0), "tcp: nothing readable from a "
	   "silent peer");
	ok(oob_readable(&s, 5000), "tcp: its close is readable");
	reap(pid);
	oob_close(&s);

	/* counts: 2 of 8 bytes each, big-endian */
	oob_init(&s, 5000);
	oob_listen_start(&s, 0);
	pid = peer(oob_local_port(&s), "\x01\x02\x03\x04\x05\x06\x07\x08"
		   "\0\0\0\0\0\0\0\x2a", 16, 0, 0);
	rc = oob_accept(&s);
	{
		uint64_t v[2];

		ok(!rc && !oob_recv_u64(&s, v, 2) &&
		   v[0] == 0x0102030405060708ULL && v[1] == 42,
		   "tcp: counts read big-endian");
	}
	reap(pid);
	oob_close(&s);

	/* a short message: the peer closes after 10 of 52 bytes */
	oob_init(&s, 5000);
	oob_listen_start(&s, 0);
	pid = peer(oob_local_port(&s), "0000:00000", 10, 0, 0);
	rc = oob_accept(&s);
	rc = rc ? rc : oob_recv(&s, buf, sizeof(buf));
	ok(rc == EPIPE && strstr(s.err, "after 10 of 52 bytes"),
	   "tcp: a short message is EPIPE: %s", s.err);
	reap(pid);
	oob_close(&s);

	/* a silent peer: bounded by the timeout */
	oob_init(&s, SHORT_MS);
	oob_listen_start(&s, 0);
	pid = peer(oob_local_port(&s), NULL, 0, 0, 3 * SHORT_MS);
	t0 = rig_now_ns();
	rc = oob_accept(&s);
	rc = rc ? rc : oob_recv(&s, buf, sizeof(buf));
	ok(rc == ETIMEDOUT && rig_now_ns() - t0 < 60000000000ULL,
	   "tcp: a silent peer times out: %s", s.err);
	reap(pid);
	oob_close(&s);

	/* no client at all */
	oob_init(&s, SHORT_MS);
	oob_listen_start(&s, 0);
	port = oob_local_port(&s);
	ok(oob_accept(&s) == ETIMEDOUT && strstr(s.err, "no client"),
	   "tcp: no client within the timeout: %s", s.err);
	oob_close(&s);

	/* the port is free now: nobody listens, the client gives up */
	oob_init(&c, SHORT_MS);
	rc = oob_connect(&c, "127.0.0.1", port);
	ok(rc == ECONNREFUSED && strstr(c.err, "connect to 127.0.0.1"),
	   "tcp: no server within the timeout: %s", c.err);
	oob_close(&c);

	/* a client started before its server: its retries reach it */
	pid = peer(port, "done\0RX", OOB_IBV_DONE_LEN + 2, 0, 1000);
	nanosleep(&(struct timespec){ 0, 3 * OOB_RETRY_MS * 1000000L }, NULL);
	oob_init(&s, 5000);
	rc = oob_listen(&s, port);
	rc = rc ? rc : oob_recv(&s, buf, OOB_IBV_DONE_LEN);
	ok(!rc && !memcmp(buf, "done", 5), "tcp: a client that started "
	   "first connects on a retry: %s", rc ? s.err : "ok");
	ok(!oob_sync(&s, 'R', 1000), "tcp: a sync on the same step");
	rc = oob_sync(&s, 'E', SHORT_MS);
	ok(rc == EPROTO && strstr(s.err, "step 'X'"), "tcp: a sync at "
	   "another step: %s", s.err);
	ok(reap(pid) == 0, "tcp: that client sent its done");
	oob_close(&s);

	oob_init(&c, SHORT_MS);
	ok(oob_connect(&c, "no-such-host.invalid", port) &&
	   strstr(c.err, "no-such-host.invalid"),
	   "tcp: an unknown host named: %s", c.err);
	oob_close(&c);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_ibv();
	test_perf();
	test_load();
	test_tcp();
	return tap_done();
}
