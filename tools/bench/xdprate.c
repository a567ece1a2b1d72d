// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdprate: the AF_XDP port's raw frame rate between two netdevs, the
 * floor under hwqnic's WRITE rate and bandwidth (tools/bench-wire.sh).
 * It drives libhwqnic's own port (hwqnic_port_open() and its ops, as the
 * engine calls them), with no device, QP or ICRC per frame: the sender
 * builds one RC WRITE Only frame and queues copies of it as fast as the
 * port lends buffers, for a bounded time; the receiver steers the frames'
 * QP to its socket and counts them from the first to the last. Built for
 * `make bench` and the net tests only; not installed.
 */
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "osdep.h"
#include "dev.h"
#include "wire.h"
#include "uport.h"
#include "lib/json.h"
#include "lib/msg.h"
#include "lib/opts.h"

/* the frames' QP on both ends: any number the receiver steers */
#define RATE_QPN	0x0000f1
/* the receiver's run ends this long after the last frame */
#define IDLE_NS		(500 * 1000000ULL)
#define NS		1000000000ULL
/* the longest -t and -T */
#define MAX_TIME_NS	(600 * NS)

static struct {
	const char *netdev;
	const char *peer;	/* NULL: receive */
	u32 size;		/* payload bytes; 0: the port's active MTU */
	u64 time_ns;
	u64 timeout_ns;
	bool json;
} env = { .time_ns = 2 * NS, .timeout_ns = 30 * NS };

static const struct argp_option opts[] = {
	{ "netdev", 'd', "NETDEV", 0, "The netdev to open the port on "
	  "(required)", 0 },
	{ "size", 's', "SIZE", 0, "Payload bytes of each RC WRITE Only frame "
	  "(default the port's active MTU)", 0 },
	{ "time", 't', "SECONDS", 0, "Send for this long (default 2)", 0 },
	{ "timeout", 'T', "SECONDS", 0, "Receiver: give up when no frame "
	  "came in this long (default 30)", 0 },
	{ "json", 'j', NULL, 0, "Print one JSON object", 0 },
	OPTS_HELP_H,
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'd':
		env.netdev = arg;
		return 0;
	case 's':
		env.size = (u32)opts_size("size", arg, 1, HWQNIC_MTU);
		return 0;
	case 't':
		env.time_ns = opts_seconds("time", arg, NS / 100, MAX_TIME_NS);
		return 0;
	case 'T':
		env.timeout_ns = opts_seconds("timeout", arg, NS / 100,
					      MAX_TIME_NS);
		return 0;
	case 'j':
		env.json = true;
		return 0;
	case ARGP_KEY_ARG:
		if (env.peer)
			opts_usage_error("one PEER at most");
		env.peer = arg;
		return 0;
	case ARGP_KEY_END:
		if (!env.netdev)
			opts_usage_error("-d NETDEV is required");
		return 0;
	}
	return opts_default(key, arg, state);
}

static const struct argp argp = OPTS_ARGP(opts, parse_arg, "[PEER]",
	"The AF_XDP port's raw frame rate: with no PEER, receive and count "
	"RoCEv2 frames; with PEER (an IPv4 address on the other end), send "
	"them to it.\vStart the receiver first; it prints frames/s and "
	"bytes/s from its first frame to its last, and ends 0.5 s after the "
	"last. Needs root (XDP).");

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NS + (u64)ts.tv_nsec;
}

static struct {
	u64 frames, bytes, first_ns, last_ns;
	u32 first_len;
} rx;

static void count(struct hwqnic_dev *dev, const u8 *frame, u32 len)
{
	(void)dev;
	(void)frame;
	rx.last_ns = now_ns();
	if (!rx.frames++) {
		rx.first_ns = rx.last_ns;
		rx.first_len = len;
	}
	rx.bytes += len;
}

static void report(const char *role, u64 frames, u64 bytes, u64 ns, u32 len)
{
	double s = (double)ns / NS;
	double fps = s > 0 ? frames / s : 0, bps = s > 0 ? bytes / s : 0;
	struct json j;

	if (env.json) {
		json_init(&j, stdout);
		json_head_bench(&j, msg_name(), NULL);
		json_str(&j, "role", role, strlen(role));
		json_uint(&j, "frame_bytes", len);
		json_uint(&j, "frames", frames);
		json_uint(&j, "bytes", bytes);
		json_double(&j, "duration_s", s, 6);
		json_double(&j, "frames_per_s", fps, 0);
		json_double(&j, "bytes_per_s", bps, 0);
		json_double(&j, "mib_per_s", bps / (1 << 20), 3);
		json_close(&j);
		if (json_error(&j))
			msg_warn("JSON output: %s", strerror(json_error(&j)));
	} else {
		printf("%s: %llu frames of %u B in %.3f s: %.0f frames/s, "
		       "%.3f MiB/s\n", role, (unsigned long long)frames, len, s, fps,
		       bps / (1 << 20));
	}
}

static int receive(struct hwqnic_dev *dev, struct uport *p)
{
	u64 start = now_ns(), t;
	struct pollfd pfd = { .fd = p->rx_fd, .events = POLLIN };
	int rc = p->ops->qp_steer(dev, RATE_QPN, true);

	if (rc)
		msg_die(1, "steering QP 0x%x: %s", RATE_QPN, strerror(-rc));
	for (;;) {
		hwqnic_lock(&dev->lock);
		rc = (int)p->ops->rx_poll(dev, 256, count);
		hwqnic_unlock(&dev->lock);
		t = now_ns();
		/* a sender that never stops does not hold the receiver */
		if (t - start > env.timeout_ns + MAX_TIME_NS)
			break;
		if (rc)
			continue;
		if (rx.frames ? t - rx.last_ns > IDLE_NS :
		    t - start > env.timeout_ns)
			break;
		/* nothing now: sleep briefly, the bound still counts */
		poll(&pfd, 1, 1);
	}
	p->ops->qp_steer(dev, RATE_QPN, false);
	if (rx.frames < 2)
		msg_die(1, "%llu frames received in %.1f s: no rate",
			(unsigned long long)rx.frames, (double)env.timeout_ns / NS);
	/* n frames span n - 1 gaps: the first's arrival starts the clock */
	report("receiver", rx.frames - 1, rx.bytes - rx.first_len,
	       rx.last_ns - rx.first_ns, rx.first_len);
	return 0;
}

/* The first IPv4 GID of the port's netdev. */
static int ipv4_gid(struct uport *p, u8 gid[16])
{
	static const u8 mapped[12] = { [10] = 0xff, [11] = 0xff };
	u8 gids[UPORT_GID_MAX][16];
	u32 n, i;
	int rc = hwqnic_netdev_gids(&p->nd, gids, UPORT_GID_MAX, &n);

	if (rc)
		return rc;
	for (i = 0; i < n && i < UPORT_GID_MAX; i++)
		if (!memcmp(gids[i], mapped, sizeof(mapped))) {
			memcpy(gid, gids[i], 16);
			return 0;
		}
	return -EADDRNOTAVAIL;
}

static int send_frames(struct hwqnic_dev *dev, struct uport *p)
{
	static u8 payload[HWQNIC_MTU], tmpl[HWQNIC_FRAME_MAX];
	struct hwqnic_pkt pkt = { 0 };
	struct in_addr a;
	u64 start, end, frames = 0;
	u32 len, size = env.size ? env.size : p->active_mtu;
	int off, rc;
	u8 *f;

	if (inet_pton(AF_INET, env.peer, &a) != 1)
		msg_die(2, "%s: not an IPv4 address", env.peer);
	if (size > p->active_mtu)
		msg_die(2, "size %u is over the port's active MTU (%u)", size,
			p->active_mtu);
	pkt.path.dgid[10] = pkt.path.dgid[11] = 0xff;
	memcpy(&pkt.path.dgid[12], &a, 4);
	rc = ipv4_gid(p, pkt.path.sgid);
	if (rc)
		msg_die(1, "%s has no IPv4 address: %s", env.netdev,
			strerror(-rc));
	rc = hwqnic_netdev_resolve(&p->nd, pkt.path.dgid, pkt.path.dmac,
				   5000);
	if (rc)
		msg_die(1, "resolving %s: %s", env.peer, strerror(-rc));
	memcpy(pkt.path.smac, p->nd.mac, 6);
	pkt.path.hop_limit = 64;
	pkt.path.sport = hwqnic_udp_sport(RATE_QPN, RATE_QPN);
	pkt.opcode = HWQNIC_IB_RC | HWQNIC_IB_WRITE_ONLY;
	pkt.pkey = HWQNIC_DEFAULT_PKEY;
	pkt.dqpn = RATE_QPN;
	pkt.dma_len = size;
	pkt.rkey = 1;
	off = hwqnic_pkt_build(tmpl, sizeof(tmpl), &pkt, size);
	if (off < 0)
		msg_die(1, "a frame of %u B does not build", size);
	memcpy(tmpl + off, payload, size);
	len = hwqnic_pkt_seal(tmpl, &pkt, size);

	start = now_ns();
	end = start + env.time_ns;
	do {
		/* a batch, as the engine sends one: every buffer lent, a flush */
		hwqnic_lock(&dev->lock);
		while ((f = p->ops->tx_frame(dev))) {
			memcpy(f, tmpl, len);
			p->ops->tx_queue(dev, f, len);
			frames++;
		}
		p->ops->tx_flush(dev);
		hwqnic_unlock(&dev->lock);
	} while (now_ns() < end);
	/* what the port could not send is not sent */
	frames -= p->tx_dropped;
	report("sender", frames, frames * len, now_ns() - start, len);
	return 0;
}

static void port_free(void *p)
{
	hwqnic_port_free(p);
}

int main(int argc, char **argv)
{
	struct hwqnic_dev dev = { 0 };
	const char *why = "";
	struct uport *p;
	int err = 0, rc;

	msg_init("xdprate");
	opts_parse(&argp, argc, argv, NULL);
	p = hwqnic_port_open(env.netdev, &err, &why);
	if (!p)
		msg_die(1, "no port on %s: %s (%s)", env.netdev, why,
			strerror(-err));
	if (p->kind != UPORT_XDP) {
		msg_warn("%s: the port is not AF_XDP (%s)", env.netdev,
			 p->why_not_xdp ? p->why_not_xdp : "HWQNIC_PORT");
		hwqnic_port_free(p);
		return 1;
	}
	/* a failure's exit detaches the XDP program too */
	msg_on_exit(port_free, p);
	hwqnic_lock_init(&dev.lock);
	dev.port = p->ops;
	dev.port_priv = p;
	rc = env.peer ? send_frames(&dev, p) : receive(&dev, p);
	msg_cancel(port_free, p);
	hwqnic_port_free(p);
	return rc;
}
