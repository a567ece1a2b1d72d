// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A device bound to a netdev runs in shared-CPU mode (docs/libhwqnic.md):
 * its poller runs the engine's pass that takes the frames in, so that two
 * busy processes on one host do not take turns at scheduler granularity.
 * HWQNIC_SHARED_CPU=0 still turns it off; an unbound device keeps the
 * backend's choice. On the UDP port, which needs no XDP (valgrind too).
 */
#include "../lib/helpers.h"
#include "../lib/netns.h"

static struct u_netns ns;

static int mode_of(const char *netdev)
{
	struct hwqnic_context *ctx;
	int shared = -1;

	u_netns_enter(&ns, 0);
	ctx = netdev ? hwqnic_open_netdev(NULL, netdev, HWQNIC_OPEN_EMBEDDED) :
	      hwqnic_open(NULL, HWQNIC_OPEN_EMBEDDED);
	u_netns_enter(&ns, -1);
	if (!ctx || hwqnic_shared_cpu(ctx, &shared))
		shared = -1;
	if (ctx)
		hwqnic_close(ctx);
	return shared;
}

int main(void)
{
	const char *why = u_netns_pair(&ns);
	int unbound;

	if (why)
		tap_skip_all(why);
	setenv("HWQNIC_PORT", "udp", 1);
	unsetenv("HWQNIC_SHARED_CPU");
	unsetenv("HWQNIC_NETDEV");
	unbound = mode_of(NULL);
	ok(unbound == 0 || unbound == 1, "an unbound device opens (shared %d)",
	   unbound);
	ok(mode_of(ns.ifname[0]) == 1, "bound to %s: shared-CPU mode",
	   ns.ifname[0]);
	setenv("HWQNIC_SHARED_CPU", "0", 1);
	ok(mode_of(ns.ifname[0]) == 0, "bound, HWQNIC_SHARED_CPU=0: off");
	unsetenv("HWQNIC_SHARED_CPU");
	setenv("HWQNIC_NETDEV", ns.ifname[0], 1);
	ok(mode_of(NULL) == 1, "bound through HWQNIC_NETDEV: shared-CPU mode");
	unsetenv("HWQNIC_NETDEV");
	ok(mode_of(NULL) == unbound, "unbound again: the backend's choice");
	u_netns_del(&ns);
	return tap_done();
}
