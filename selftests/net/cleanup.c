// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a port leaves behind, and how it is chosen. A process bound to a
 * netdev (by HWQNIC_NETDEV, through hwqnic_open()) is killed with SIGKILL:
 * its XDP program leaves the netdev and its UDP port 4791 is free again,
 * as after a close. Without CAP_NET_ADMIN and CAP_BPF the port is the UDP
 * socket, chosen by itself and said under HWQNIC_DEBUG; HWQNIC_PORT=xdp
 * then fails, naming why; a failed open leaves no descriptor behind.
 */
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../lib/helpers.h"
#include "../lib/fds.h"
#include "../lib/netns.h"

static struct u_netns ns;

/*
 * What the child said, up to its report ("open ..." or "fail ..."),
 * within the bound; what came before it is its stderr.
 */
static const char *child_says(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t end = u_now_ns() + u_timeout_ns();
	size_t at = 0;
	ssize_t n;

	buf[0] = '\0';
	while (!strstr(buf, "open ") && !strstr(buf, "fail ") &&
	       at < len - 1 && u_now_ns() < end &&
	       poll(&p, 1, 100) >= 0) {
		if (!(p.revents & POLLIN))
			continue;
		n = read(fd, buf + at, len - 1 - at);
		if (n <= 0)
			break;
		at += n;
		buf[at] = '\0';
	}
	return buf;
}

/* The report at the end of what the child said. */
static const char *report(const char *buf)
{
	const char *r = strstr(buf, "open ");

	return r ? r : (r = strstr(buf, "fail ")) ? r : buf;
}

/* In the child: report what the open gave and wait to be killed. */
static void __attribute__((noreturn)) child(int fd, bool drop_caps)
{
	struct hwqnic_port_attr pa = { 0 };
	struct hwqnic_context *ctx;
	char line[64];

	u_netns_enter(&ns, 0);
	if (drop_caps) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct d[2] = { 0 };

		if (syscall(SYS_capset, &h, d))
			_exit(3);
		/* what HWQNIC_DEBUG says goes to the parent too */
		setenv("HWQNIC_DEBUG", "1", 1);
		dup2(fd, 2);
	}
	ctx = hwqnic_open(NULL, 0);
	if (ctx && hwqnic_query_port(ctx, 1, &pa))
		pa.port_type = 99;
	snprintf(line, sizeof(line), "%s %u %d", ctx ? "open" : "fail",
		 pa.port_type, ctx ? 0 : errno);
	(void)!write(fd, line, strlen(line));
	if (ctx)
		pause();
	_exit(0);
}

static pid_t spawn(bool drop_caps, int *fd)
{
	pid_t pid = u_fork_piped(fd);

	if (!pid)
		child(*fd, drop_caps);
	return pid;
}

/* UDP 4791 on side 0's end can be bound: nobody holds it. */
static bool udp_free(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(4791) };
	int fd, rc;

	u_netns_enter(&ns, 0);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	u_netns_enter(&ns, -1);
	rc = fd >= 0 && !bind(fd, (void *)&sa, sizeof(sa));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Bounded: the kernel releases a killed process's link in a work item. */
static bool gone(bool xdp)
{
	uint64_t end = u_now_ns() + u_timeout_ns();
	unsigned int spins = 0;

	while (u_now_ns() < end) {
		if (xdp ? u_netns_xdp_prog(&ns, 0) == 0 : udp_free())
			return true;
		u_relax(&spins);
	}
	return false;
}

static void killed(const char *kind)
{
	bool xdp = !strcmp(kind, "xdp");
	char buf[512];
	unsigned int type;
	int fd, st;
	pid_t pid;

	setenv("HWQNIC_PORT", kind, 1);
	pid = spawn(false, &fd);
	if (!ok(pid > 0, "%s: a child", kind))
		return;
	child_says(fd, buf, sizeof(buf));
	ok(sscanf(buf, "open %u", &type) == 1 &&
	   type == (xdp ? HWQNIC_PORT_TYPE_XDP : HWQNIC_PORT_TYPE_UDP),
	   "%s: hwqnic_open() binds to HWQNIC_NETDEV=%s, on the port asked "
	   "for (%s)", kind, ns.ifname[0], buf);
	ok(xdp ? u_netns_xdp_prog(&ns, 0) + 1 > 1 : !udp_free(),
	   "%s: while it lives, %s", kind, xdp ? "its XDP program is on the "
	   "netdev" : "it holds UDP port 4791");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	ok(WIFSIGNALED(st) && gone(xdp), "%s: killed by SIGKILL, it leaves "
	   "%s", kind, xdp ? "no XDP program on the netdev" :
	   "UDP port 4791 free");
}

/*
 * A child closes the bound context it inherited: it frees its copies, and
 * the parent's port goes on (its program attached, its port held) until
 * the parent closes it.
 */
static void inherited(const char *kind)
{
	bool xdp = !strcmp(kind, "xdp");
	struct hwqnic_context *ctx;
	char buf[64] = "";
	uint32_t id = 0;
	int fd, st;
	pid_t pid;

	setenv("HWQNIC_PORT", kind, 1);
	u_netns_enter(&ns, 0);
	ctx = hwqnic_open_netdev(NULL, ns.ifname[0], 0);
	u_netns_enter(&ns, -1);
	if (!ok(ctx != NULL, "%s: the parent's bound device", kind))
		return;
	if (xdp)
		id = u_netns_xdp_prog(&ns, 0);
	pid = u_fork_piped(&fd);
	if (!pid) {
		snprintf(buf, sizeof(buf), "open %d", hwqnic_close(ctx));
		(void)!write(fd, buf, strlen(buf));
		_exit(0);
	}
	child_says(fd, buf, sizeof(buf));
	waitpid(pid, &st, 0);
	close(fd);
	ok(!strcmp(buf, "open 0") && WIFEXITED(st) && !WEXITSTATUS(st),
	   "%s: the child's hwqnic_close() of the inherited context: 0", kind);
	ok(xdp ? u_netns_xdp_prog(&ns, 0) == id : !udp_free(),
	   "%s: the parent's port lives on (%s)", kind,
	   xdp ? "its program attached" : "UDP 4791 held");
	ok(!hwqnic_close(ctx) && gone(xdp), "%s: until the parent closes it",
	   kind);
}

static void unprivileged(void)
{
	char buf[512];
	unsigned int type;
	int fd, st, err;
	pid_t pid;

	unsetenv("HWQNIC_PORT");
	pid = spawn(true, &fd);
	child_says(fd, buf, sizeof(buf));
	ok(sscanf(report(buf), "open %u", &type) == 1 &&
	   type == HWQNIC_PORT_TYPE_UDP,
	   "without CAP_NET_ADMIN and CAP_BPF, the UDP socket port is "
	   "chosen by itself (%s)", report(buf));
	ok(strstr(buf, "UDP socket port, as AF_XDP cannot be had: AF_XDP "
		  "needs CAP_NET_ADMIN and CAP_BPF") != NULL,
	   "HWQNIC_DEBUG says so, and why");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(fd);
	gone(false);

	setenv("HWQNIC_PORT", "xdp", 1);
	pid = spawn(true, &fd);
	child_says(fd, buf, sizeof(buf));
	ok(sscanf(report(buf), "fail %u %d", &type, &err) == 2 &&
	   err == EPERM && strstr(buf, "HWQNIC_NETDEV=hwqa: AF_XDP needs"),
	   "and HWQNIC_PORT=xdp then fails with EPERM, saying why (%s)",
	   report(buf));
	waitpid(pid, &st, 0);
	close(fd);
}

/* A port that cannot be had: the open fails and leaves nothing open. */
static void failed_open(void)
{
	struct hwqnic_context *ctx;
	int fds = u_open_fds(), blocker;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(4791) };

	u_netns_enter(&ns, 0);
	blocker = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bind(blocker, (void *)&sa, sizeof(sa));
	setenv("HWQNIC_PORT", "udp", 1);
	ctx = hwqnic_open_netdev(NULL, ns.ifname[0], 0);
	ok(!ctx && errno == EADDRINUSE, "UDP 4791 taken: the open fails "
	   "with EADDRINUSE (%s)", strerror(errno));
	close(blocker);
	ctx = hwqnic_open_netdev(NULL, "hwq-nonesuch", 0);
	ok(!ctx && errno == ENODEV, "a netdev that is not there: ENODEV");
	u_netns_enter(&ns, -1);
	ok(u_open_fds() == fds, "the failed opens left no descriptor (%d, %d)",
	   u_open_fds(), fds);
}

int main(void)
{
	const char *why = u_netns_pair(&ns);

	if (why)
		tap_skip_all("%s", why);
	setenv("HWQNIC_NETDEV", ns.ifname[0], 1);
	if (u_netns_no_xdp()) {
		tap_skip("xdp: killed or closed by a child", "%s",
			 u_netns_no_xdp());
	} else {
		killed("xdp");
		inherited("xdp");
	}
	killed("udp");
	inherited("udp");
	unprivileged();
	unsetenv("HWQNIC_NETDEV");
	failed_open();
	u_netns_del(&ns);
	return tap_done();
}
