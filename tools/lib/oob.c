// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The out-of-band TCP exchange of two tools on two hosts (oob.h). */
#include "oob.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rig.h"

static int say(struct oob *o, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(struct oob *o, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
	return err;
}

void oob_init(struct oob *o, int timeout_ms)
{
	memset(o, 0, sizeof(*o));
	o->lfd = -1;
	o->fd = -1;
	o->timeout_ms = timeout_ms > 0 ? timeout_ms : OOB_TIMEOUT_MS;
}

void oob_close(struct oob *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->lfd >= 0)
		close(o->lfd);
	o->fd = -1;
	o->lfd = -1;
}

/* Milliseconds left until deadline (CLOCK_MONOTONIC ns), 0 at the end */
static int left_ms(uint64_t deadline)
{
	uint64_t now = rig_now_ns();

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + 999999) / 1000000);
}

static uint64_t deadline_of(const struct oob *o)
{
	return rig_now_ns() + (uint64_t)o->timeout_ms * 1000000;
}

/* Waits for events on fd until deadline: 0, ETIMEDOUT or errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n, ms;

	for (;;) {
		ms = left_ms(deadline);
		if (!ms)
			return ETIMEDOUT;
		n = poll(&p, 1, ms);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return errno;
	}
}

static void set_nodelay(int fd)
{
	int one = 1, idle = 5, intvl = 2, cnt = 5;

	/* each message is one segment; a lost setting only costs latency */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* a peer host that dies during a long run is seen within ~15 s */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
			 sizeof(intvl));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

int oob_listen_start(struct oob *o, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, zero = 0, fd;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return say(o, errno, "socket: %s", strerror(errno));
	/* IPv4 clients too (as ::ffff:a.b.c.d); a restart reuses the port */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		int err = errno;

		close(fd);
		return say(o, err, "setsockopt: %s", strerror(err));
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		int err = errno;

		close(fd);
		return say(o, err, "listen on port %u: %s", port,
			   strerror(err));
	}
	o->lfd = fd;
	return 0;
}

uint16_t oob_local_port(const struct oob *o)
{
	struct sockaddr_in6 a;
	socklen_t len = sizeof(a);
	int fd = o->fd >= 0 ? o->fd : o->lfd;

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	return ntohs(a.sin6_port);
}

int oob_accept(struct oob *o)
{
	uint64_t deadline = deadline_of(o);
	int fd, err;

	for (;;) {
		err = wait_fd(o->lfd, POLLIN, deadline);
		if (err == ETIMEDOUT)
			return say(o, err, "no client within %d ms on port %u",
				   o->timeout_ms, oob_local_port(o));
		if (err)
			return say(o, err, "poll: %s", strerror(err));
		fd = accept4(o->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0)
			break;
		/* a client that went away before accept(): wait for the next */
		if (errno != EAGAIN && errno != ECONNABORTED &&
		    errno != EINTR)
			return say(o, errno, "accept: %s", strerror(errno));
	}
	close(o->lfd);
	o->lfd = -1;
	o->fd = fd;
	set_nodelay(fd);
	return 0;
}

int oob_listen(struct oob *o, uint16_t port)
{
	int err = oob_listen_start(o, port);

	if (err)
		return err;
	err = oob_accept(o);
	if (err)
		oob_close(o);
	return err;
}

/* One non-blocking connect to ai, finished within deadline: 0 or errno */
static int try_connect(struct oob *o, const struct addrinfo *ai,
		       uint64_t deadline)
{
	socklen_t len = sizeof(int);
	int fd, err = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		err = errno;
		if (err == EINPROGRESS) {
			err = wait_fd(fd, POLLOUT, deadline);
			if (!err && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
					       &len))
				err = errno;
		}
	}
	if (err) {
		close(fd);
		return err;
	}
	o->fd = fd;
	set_nodelay(fd);
	return 0;
}

int oob_connect(struct oob *o, const char *host, uint16_t port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	uint64_t deadline = deadline_of(o);
	struct addrinfo *res, *ai;
	char service[8];
	int rc, err = 0, last = 0;
	struct timespec nap = { 0, OOB_RETRY_MS * 1000000L };

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc)
		return say(o, rc == EAI_SYSTEM ? errno : EHOSTUNREACH,
			   "%s: %s", host, gai_strerror(rc));
	for (;;) {
		for (ai = res; ai; ai = ai->ai_next) {
			err = try_connect(o, ai, deadline);
			/* the deadline's cut says less than a refusal */
			if (err != ETIMEDOUT || !last)
				last = err;
			if (!err)
				break;
		}
		/* refused or unreachable: the server may not listen yet */
		if (!err || !left_ms(deadline) ||
		    (err != ECONNREFUSED && err != EHOSTUNREACH &&
		     err != ENETUNREACH && err != ETIMEDOUT))
			break;
		nanosleep(&nap, NULL);
	}
	freeaddrinfo(res);
	if (err)
		return say(o, last, "connect to %s port %u: %s", host, port,
			   strerror(last));
	return 0;
}

int oob_send(struct oob *o, const void *buf, size_t len)
{
	uint64_t deadline = deadline_of(o);
	const char *p = buf;
	size_t done = 0;
	ssize_t n;
	int err;

	while (done < len) {
		n = send(o->fd, p + done, len - done, MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return say(o, errno, "send to the peer: %s",
				   strerror(errno));
		err = wait_fd(o->fd, POLLOUT, deadline);
		if (err == ETIMEDOUT)
			return say(o, err, "the peer took nothing for %d ms",
				   o->timeout_ms);
		if (err)
			return say(o, err, "poll: %s", strerror(err));
	}
	return 0;
}

int oob_recv(struct oob *o, void *buf, size_t len)
{
	uint64_t deadline = deadline_of(o);
	char *p = buf;
	size_t done = 0;
	ssize_t n;
	int err;

	while (done < len) {
		n = recv(o->fd, p + done, len - done, 0);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (!n)
			return say(o, EPIPE, "the peer closed the connection "
				   "after %zu of %zu bytes", done, len);
		if (errno != EAGAIN && errno != EINTR)
			return say(o, errno, "receive from the peer: %s",
				   strerror(errno));
		err = wait_fd(o->fd, POLLIN, deadline);
		if (err == ETIMEDOUT)
			return say(o, err, "the peer sent %zu of %zu bytes in "
				   "%d ms", done, len, o->timeout_ms);
		if (err)
			return say(o, err, "poll: %s", strerror(err));
	}
	return 0;
}

int oob_sync(struct oob *o, uint8_t step, int timeout_ms)
{
	int saved = o->timeout_ms, err;
	uint8_t peer;

	err = oob_send(o, &step, 1);
	if (err)
		return err;
	o->timeout_ms = timeout_ms;
	err = oob_recv(o, &peer, 1);
	o->timeout_ms = saved;
	if (err)
		return err;
	if (peer != step)
		return say(o, EPROTO, "the peer is at step '%c', this side "
			   "at '%c'", peer, step);
	return 0;
}

int oob_open(struct oob *o, const char *server, uint16_t port)
{
	return server ? oob_connect(o, server, port) : oob_listen(o, port);
}

bool oob_readable(const struct oob *o, int timeout_ms)
{
	struct pollfd p = { .fd = o->fd, .events = POLLIN };

	return o->fd >= 0 && poll(&p, 1, timeout_ms) > 0;
}

int oob_send_u64(struct oob *o, const uint64_t *v, size_t n)
{
	uint8_t b[8];
	size_t i;
	int j, err;

	for (i = 0; i < n; i++) {
		for (j = 0; j < 8; j++)
			b[j] = (uint8_t)(v[i] >> (56 - 8 * j));
		err = oob_send(o, b, 8);
		if (err)
			return err;
	}
	return 0;
}

int oob_recv_u64(struct oob *o, uint64_t *v, size_t n)
{
	uint8_t b[8];
	size_t i;
	int j, err;

	for (i = 0; i < n; i++) {
		err = oob_recv(o, b, 8);
		if (err)
			return err;
		for (v[i] = 0, j = 0; j < 8; j++)
			v[i] = v[i] << 8 | b[j];
	}
	return 0;
}

/* ---- libibverbs' pingpong exchange ---- */

static const char hexd[] = "0123456789abcdef";

static void put_hex(char *s, uint32_t v, int digits)
{
	int i;

	for (i = digits - 1; i >= 0; i--, v >>= 4)
		s[i] = hexd[v & 0xf];
}

void oob_ibv_format(char msg[OOB_IBV_MSG_LEN], const struct oob_ibv_dest *d)
{
	int i;

	put_hex(msg, d->lid, 4);
	msg[4] = ':';
	put_hex(msg + 5, d->qpn & 0xffffff, 6);
	msg[11] = ':';
	put_hex(msg + 12, d->psn & 0xffffff, 6);
	msg[18] = ':';
	for (i = 0; i < 16; i++)
		put_hex(msg + 19 + 2 * i, d->gid[i], 2);
	msg[OOB_IBV_MSG_LEN - 1] = '\0';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* digits hex digits at s: 0 and *v, or -1 */
static int get_hex(const char *s, int digits, uint32_t *v)
{
	int i, h;

	*v = 0;
	for (i = 0; i < digits; i++) {
		h = hex_val(s[i]);
		if (h < 0)
			return -1;
		*v = *v << 4 | (uint32_t)h;
	}
	return 0;
}

int oob_ibv_parse(const char msg[OOB_IBV_MSG_LEN], struct oob_ibv_dest *d,
		  char *err, size_t errsz)
{
	static const struct { int off, digits; const char *name; } f[] = {
		{ 0, 4, "LID" }, { 5, 6, "QPN" }, { 12, 6, "PSN" },
	};
	uint32_t v[3], b;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if (get_hex(msg + f[i].off, f[i].digits, &v[i])) {
			snprintf(err, errsz, "the peer's address: its %s is "
				 "not %d hex digits", f[i].name, f[i].digits);
			return EPROTO;
		}
		if (msg[f[i].off + f[i].digits] != ':') {
			snprintf(err, errsz, "the peer's address: no ':' "
				 "after its %s", f[i].name);
			return EPROTO;
		}
	}
	for (i = 0; i < 16; i++) {
		if (get_hex(msg + 19 + 2 * i, 2, &b)) {
			snprintf(err, errsz, "the peer's address: its GID is "
				 "not 32 hex digits");
			return EPROTO;
		}
		d->gid[i] = (uint8_t)b;
	}
	if (msg[OOB_IBV_MSG_LEN - 1] != '\0') {
		snprintf(err, errsz, "the peer's address does not end with "
			 "a NUL after its GID");
		return EPROTO;
	}
	d->lid = (uint16_t)v[0];
	d->qpn = v[1];
	d->psn = v[2];
	return 0;
}

/* ---- hwqperf's exchange ---- */

static uint8_t *put_be(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + bytes;
}

static const uint8_t *get_be(const uint8_t *p, uint64_t *v, int bytes)
{
	int i;

	*v = 0;
	for (i = 0; i < bytes; i++)
		*v = *v << 8 | p[i];
	return p + bytes;
}

void oob_perf_pack(uint8_t out[OOB_PERF_LEN], const struct oob_perf *p)
{
	uint8_t *q = out;

	q = put_be(q, p->magic, 4);
	q = put_be(q, p->version, 2);
	q = put_be(q, p->mode, 1);
	q = put_be(q, p->op, 1);
	q = put_be(q, p->qpn, 4);
	q = put_be(q, p->psn, 4);
	q = put_be(q, p->rkey, 4);
	q = put_be(q, p->mtu, 4);
	memcpy(q, p->gid, 16);
	q += 16;
	q = put_be(q, p->addr, 8);
	q = put_be(q, p->buf_size, 8);
	q = put_be(q, p->size, 8);
	q = put_be(q, p->iters, 8);
	q = put_be(q, p->cq_mod, 4);
	q = put_be(q, p->flags, 4);
	put_be(q, p->qps, 4);
}

int oob_perf_unpack(const uint8_t in[OOB_PERF_LEN], struct oob_perf *p,
		    char *err, size_t errsz)
{
	const uint8_t *q = in;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	q = get_be(q, &v, 4);
	p->magic = (uint32_t)v;
	q = get_be(q, &v, 2);
	p->version = (uint16_t)v;
	q = get_be(q, &v, 1);
	p->mode = (uint8_t)v;
	q = get_be(q, &v, 1);
	p->op = (uint8_t)v;
	q = get_be(q, &v, 4);
	p->qpn = (uint32_t)v;
	q = get_be(q, &v, 4);
	p->psn = (uint32_t)v;
	q = get_be(q, &v, 4);
	p->rkey = (uint32_t)v;
	q = get_be(q, &v, 4);
	p->mtu = (uint32_t)v;
	memcpy(p->gid, q, 16);
	q += 16;
	q = get_be(q, &p->addr, 8);
	q = get_be(q, &p->buf_size, 8);
	q = get_be(q, &p->size, 8);
	q = get_be(q, &p->iters, 8);
	q = get_be(q, &v, 4);
	p->cq_mod = (uint32_t)v;
	q = get_be(q, &v, 4);
	p->flags = (uint32_t)v;
	get_be(q, &v, 4);
	p->qps = (uint32_t)v;
	if (p->magic != OOB_PERF_MAGIC) {
		snprintf(err, errsz, "the peer is no hwqperf (magic 0x%08x)",
			 p->magic);
		return EPROTO;
	}
	if (p->version != OOB_PERF_VERSION) {
		snprintf(err, errsz, "the peer speaks exchange version %u, "
			 "this hwqperf %u", p->version, OOB_PERF_VERSION);
		return EPROTO;
	}
	if (p->qpn > 0xffffff || p->psn > 0xffffff) {
		snprintf(err, errsz, "the peer's QPN 0x%x or PSN 0x%x is over "
			 "24 bits", p->qpn, p->psn);
		return EPROTO;
	}
	if (p->flags & ~OOB_PERF_FLAGS) {
		snprintf(err, errsz, "the peer's flags 0x%x are unknown",
			 p->flags);
		return EPROTO;
	}
	return 0;
}

int oob_perf_match(const struct oob_perf *mine, const struct oob_perf *peer,
		   const char *peer_name, char *err, size_t errsz)
{
	static const char *const modes[] = { "?", "lat", "bw", "load" };
	const char *me = strcmp(peer_name, "server") ? "server" : "client";
	const char *pm = peer->mode < 4 ? modes[peer->mode] : "?";
	const char *po = peer->op < RIG_NOPS ?
			 rig_op_name((enum rig_op)peer->op) : "?";
	const char *mm = mine->mode < 4 ? modes[mine->mode] : "?";
	const char *mo = mine->op < RIG_NOPS ?
			 rig_op_name((enum rig_op)mine->op) : "?";

#define DIFF(field, what)						\
	if (mine->field != peer->field) {				\
		snprintf(err, errsz, "%s: the %s has %" PRIu64 ", this " \
			 "%s %" PRIu64, what, peer_name,		\
			 (uint64_t)peer->field, me, (uint64_t)mine->field); \
		return EPROTO;						\
	}
	if (mine->mode != peer->mode || mine->op != peer->op) {
		snprintf(err, errsz, "the %s runs %s --op %s but this %s %s "
			 "--op %s", peer_name, pm, po, me, mm, mo);
		return EPROTO;
	}
	DIFF(size, "message size")
	DIFF(buf_size, "buf-size")
	DIFF(iters, "iterations")
	DIFF(cq_mod, "cq-mod")
	DIFF(qps, "QP pairs")
	if ((mine->flags ^ peer->flags) & OOB_PERF_VERIFY) {
		snprintf(err, errsz, "the %s runs %s --verify but this %s %s",
			 peer_name, peer->flags & OOB_PERF_VERIFY ? "with" :
			 "without", me, mine->flags & OOB_PERF_VERIFY ?
			 "with" : "without");
		return EPROTO;
	}
#undef DIFF
	return 0;
}

int oob_perf_swap(struct oob *o, const struct oob_perf *mine,
		  struct oob_perf *peer, const char *peer_name)
{
	uint8_t wire[OOB_PERF_LEN];
	int err;

	oob_perf_pack(wire, mine);
	err = oob_send(o, wire, sizeof(wire));
	if (err)
		return err;
	err = oob_recv(o, wire, sizeof(wire));
	if (err)
		return err;
	err = oob_perf_unpack(wire, peer, o->err, sizeof(o->err));
	if (!err)
		err = oob_perf_match(mine, peer, peer_name, o->err,
				     sizeof(o->err));
	return err;
}

/* ---- hwqload's exchange ---- */

void oob_load_pack(uint8_t out[OOB_LOAD_LEN], const struct oob_load *l)
{
	uint8_t *q = out;
	int i;

	q = put_be(q, OOB_LOAD_MAGIC, 4);
	q = put_be(q, OOB_LOAD_VERSION, 2);
	q = put_be(q, l->qps, 2);
	q = put_be(q, l->nops, 2);
	q = put_be(q, l->nsizes, 2);
	q = put_be(q, l->depth, 4);
	q = put_be(q, l->count, 8);
	q = put_be(q, l->time_ns, 8);
	q = put_be(q, l->errors, 8);
	for (i = 0; i < OOB_LOAD_MAX; i++)
		q = put_be(q, l->ops[i], 1);
	for (i = 0; i < OOB_LOAD_MAX; i++)
		q = put_be(q, l->sizes[i], 8);
}

/* v within [lo, hi], else EPROTO naming what */
static int in_range(char *err, size_t errsz, const char *what, uint64_t v,
		    uint64_t lo, uint64_t hi)
{
	if (v >= lo && v <= hi)
		return 0;
	snprintf(err, errsz, "the client's %s %" PRIu64 " is not within %"
		 PRIu64 " to %" PRIu64, what, v, lo, hi);
	return EPROTO;
}

/* The mix's counts within hwqload's limits: 0, or EPROTO naming one */
static int load_limits(const struct oob_load *l, char *err, size_t errsz)
{
	const struct {
		const char *what;
		uint64_t v, lo, hi;
	} lim[] = {
		{ "QP count", l->qps, 1, OOB_LOAD_MAX },
		{ "op count", l->nops, 1, OOB_LOAD_MAX },
		{ "size count", l->nsizes, 1, OOB_LOAD_MAX },
		{ "depth", l->depth, 1, OOB_LOAD_MAX_DEPTH },
		{ "message count", l->count, 0, OOB_LOAD_MAX_COUNT },
		{ "time", l->time_ns, 0, OOB_LOAD_MAX_TIME_NS },
		{ "error count", l->errors, 0, OOB_LOAD_MAX_ERRORS },
	};
	unsigned int i;
	int e = 0;

	for (i = 0; !e && i < sizeof(lim) / sizeof(lim[0]); i++)
		e = in_range(err, errsz, lim[i].what, lim[i].v, lim[i].lo,
			     lim[i].hi);
	return e;
}

int oob_load_unpack(const uint8_t in[OOB_LOAD_LEN], struct oob_load *l,
		    char *err, size_t errsz)
{
	const uint8_t *q = in;
	uint64_t magic, version, v;
	unsigned int i;
	int e;

	memset(l, 0, sizeof(*l));
	q = get_be(q, &magic, 4);
	q = get_be(q, &version, 2);
	q = get_be(q, &v, 2);
	l->qps = (uint32_t)v;
	q = get_be(q, &v, 2);
	l->nops = (uint32_t)v;
	q = get_be(q, &v, 2);
	l->nsizes = (uint32_t)v;
	q = get_be(q, &v, 4);
	l->depth = (uint32_t)v;
	q = get_be(q, &l->count, 8);
	q = get_be(q, &l->time_ns, 8);
	q = get_be(q, &l->errors, 8);
	for (i = 0; i < OOB_LOAD_MAX; i++) {
		q = get_be(q, &v, 1);
		l->ops[i] = (uint8_t)v;
	}
	for (i = 0; i < OOB_LOAD_MAX; i++)
		q = get_be(q, &l->sizes[i], 8);
	if (magic != OOB_LOAD_MAGIC) {
		snprintf(err, errsz, "the peer is no hwqload (magic 0x%08"
			 PRIx64 ")", magic);
		return EPROTO;
	}
	if (version != OOB_LOAD_VERSION) {
		snprintf(err, errsz, "the peer speaks exchange version %"
			 PRIu64 ", this hwqload %u", version,
			 OOB_LOAD_VERSION);
		return EPROTO;
	}
	e = load_limits(l, err, errsz);
	for (i = 0; !e && i < l->nops; i++)
		e = in_range(err, errsz, "op", l->ops[i], 0, RIG_NOPS - 1);
	for (i = 0; !e && i < l->nsizes; i++)
		e = in_range(err, errsz, "message size", l->sizes[i], 1,
			     OOB_LOAD_MAX_SIZE);
	if (!e && !l->count == !l->time_ns) {
		snprintf(err, errsz, "the client's mix has %s", l->count ?
			 "both a count and a time" : "neither a count nor a "
			 "time");
		e = EPROTO;
	}
	return e;
}
