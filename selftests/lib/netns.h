/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Two network namespaces joined by a veth pair, for the tests of the
 * ports (selftests/lib/netns.c): root only. Side 0 has 198.18.0.1/24 and
 * 2001:2::1/64 on its end, side 1 .2 and ::2 (benchmarking ranges, RFC
 * 2544 and 5180). The namespaces are the test's own, named after its pid;
 * those left by a test that died are removed by the next one.
 *
 * Or the two sides with a middle namespace between them (u_netns_trio()),
 * a bridge of two veth ends, one towards each side: what AF_XDP sends
 * and receives on the sides' ends goes around their taps and qdiscs, but
 * the middle's ends see and shape every packet, so captures and
 * impairments are made there.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_NETNS_H
#define _HWQNIC_SELFTESTS_LIB_NETNS_H

#include <net/if.h>
#include <stdint.h>

#define U_NETNS_MID	2		/* the middle namespace's side */

struct u_netns {
	char name[3][32];		/* side 0, side 1, the middle */
	char ifname[2][IFNAMSIZ];
	char mid_ifname[2][IFNAMSIZ];	/* the middle's end towards a side */
	int fd[3];			/* the namespaces, to setns() into */
	int home;			/* the test's own namespace */
	uint8_t v4[2][4];
	uint8_t v6[2][16];
	uint8_t gid4[2][16];		/* v4, IPv4-mapped */
};

/* NULL, or why the pair cannot be made (the test then skips). */
const char *u_netns_pair(struct u_netns *ns);
/* The same with the middle namespace between the sides. */
const char *u_netns_trio(struct u_netns *ns);
/* The calling thread into side 0, 1 or U_NETNS_MID's namespace, or home (-1). */
int u_netns_enter(const struct u_netns *ns, int side);
/* A shell command in side's namespace (ip netns exec); its exit status. */
int u_netns_sh(const struct u_netns *ns, int side, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Both namespaces and the veth pair go. */
void u_netns_del(struct u_netns *ns);
/* The id of the XDP program on side's veth end: 0 none, -1 unknown. */
uint32_t u_netns_xdp_prog(const struct u_netns *ns, int side);
/*
 * Why AF_XDP cannot be tested here, or NULL: under valgrind, which takes
 * libbpf 1.1's partly filled bpf(2) attributes for uninitialised bytes
 * (the ASan build runs those checks).
 */
const char *u_netns_no_xdp(void);
/*
 * pass(kind, arg) with HWQNIC_PORT=kind, "xdp" then "udp": the AF_XDP
 * pass is a printed skip where u_netns_no_xdp() says why.
 */
void u_netns_each_port(void (*pass)(const char *kind, void *arg),
		       void *arg);
/* The MAC of side's veth end. */
int u_netns_mac(const struct u_netns *ns, int side, uint8_t mac[6]);

#endif /* _HWQNIC_SELFTESTS_LIB_NETNS_H */
