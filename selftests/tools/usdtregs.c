// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/resolve.c: where a USDT probe's arguments sit. A site's
 * argument string is taken only when every argument is a register of
 * x86-64 by any of its names, with a size of 1, 2, 4 or 8 and a sign;
 * anything else (memory, a constant, a name it does not know, too many)
 * leaves the layout empty. A probe's sites in a file must agree: this
 * test's file has sites of its own to read back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <asm/ptrace.h>
#include <sys/sdt.h>

#include "../lib/tap.h"
#include "lib/resolve.h"

#define W(r)	(offsetof(struct pt_regs, r) / 8)

/*
 * Probe sites of provider "hwqtest", never traced: their notes in this
 * test's own file are what resolve_probe_regs() reads back.
 */
static __attribute__((noinline)) void sites(uint32_t a, uint64_t b)
{
	{
		register uint32_t x __asm__("edi") = a;
		register uint64_t y __asm__("r10") = b;

		STAP_PROBE2(hwqtest, regs, x, y);	/* 4@%edi 8@%r10 */
		STAP_PROBE2(hwqtest, regs, x, y);	/* a second site */
		STAP_PROBE2(hwqtest, differ, x, y);
	}
	{
		register uint64_t x __asm__("rsi") = a;
		register uint64_t y __asm__("r11") = b;

		STAP_PROBE2(hwqtest, differ, x, y);	/* 8@%rsi 8@%r11 */
	}
	STAP_PROBE1(hwqtest, konst, 5);			/* -4@$5 */
}

static void good(const char *args, unsigned int n, const int *word,
		 const int *size)
{
	struct usdt_regs r;
	unsigned int i;
	bool same;

	memset(&r, 0xa5, sizeof(r));
	same = !usdt_regs_parse(args, &r) && r.n == n;
	for (i = 0; same && i < n; i++)
		same = r.word[i] == word[i] && r.size[i] == size[i];
	for (; same && i < USDT_REGS_MAX; i++)
		same = !r.word[i] && !r.size[i];
	ok(same, "\"%s\": %u arguments, each its register and size", args, n);
}

static void bad(const char *args)
{
	struct usdt_regs r;

	memset(&r, 0xa5, sizeof(r));
	ok(usdt_regs_parse(args, &r) == -EINVAL && !r.n && !r.word[0] &&
	   !r.size[0], "\"%s\": refused, the layout left empty", args);
}

int main(int argc, char **argv)
{
	static const char *const names[][4] = {
		{ "rax", "eax", "ax", "al" }, { "rdi", "edi", "di", "dil" },
		{ "rsp", "esp", "sp", "spl" }, { "r8", "r8d", "r8w", "r8b" },
		{ "r15", "r15d", "r15w", "r15b" },
	};
	const int words[] = { W(rax), W(rdi), W(rsp), W(r8), W(r15) };
	/* (under valgrind /proc/self/exe is valgrind's) */
	const char *self = argc && strchr(argv[0], '/') ? argv[0] :
			   "/proc/self/exe";
	struct usdt_regs r;
	char args[64];
	size_t i, j;
	int ret;

	good("", 0, NULL, NULL);
	good("4@%edi -8@%rax 1@%r9b -2@%si", 4,
	     (int[]){ W(rdi), W(rax), W(r9), W(rsi) },
	     (int[]){ 4, -8, 1, -2 });
	good("8@%r10  4@%ecx", 2, (int[]){ W(r10), W(rcx) },
	     (int[]){ 8, 4 });
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (j = 0; j < 4; j++) {
			snprintf(args, sizeof(args), "%d@%%%s", 8 >> j,
				 names[i][j]);
			good(args, 1, &words[i], (int[]){ 8 >> j });
		}
	good("1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al "
	     "1@%al 1@%al", USDT_REGS_MAX,
	     (int[USDT_REGS_MAX]){ [0 ... USDT_REGS_MAX - 1] = W(rax) },
	     (int[USDT_REGS_MAX]){ [0 ... USDT_REGS_MAX - 1] = 1 });

	bad("8@-8(%rbp)");		/* in memory */
	bad("4@$5");			/* a constant */
	bad("4@%edi 8@(%rax)");
	bad("4@%xmm0");			/* not a general register */
	bad("4@%rip");
	bad("4@%eaxx");
	bad("4@%EAX");
	bad("4@%");
	bad("@%eax");
	bad("4%eax");
	bad("3@%eax");
	bad("16@%rax");
	bad("99999999999999999999@%rax");
	bad("4@%eax,4@%ebx");
	bad("4@%eax junk");
	bad("1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al 1@%al "
	    "1@%al 1@%al 1@%al");	/* more than USDT_REGS_MAX */

	/* this test's own file: its probes' sites above */
	sites(1, 2);
	ret = resolve_probe_regs(self, "hwqtest", "regs", &r);
	ok(!ret && r.n == 2 && r.word[0] == W(rdi) && r.size[0] == 4 &&
	   r.word[1] == W(r10) && r.size[1] == 8,
	   "two sites of 4@%%edi 8@%%r10: that layout (%d)", ret);
	ret = resolve_probe_regs(self, "hwqtest", "differ", &r);
	ok(ret == -EINVAL && !r.n, "sites in other registers: -EINVAL (%d)",
	   ret);
	ret = resolve_probe_regs(self, "hwqtest", "konst", &r);
	ok(ret == -EINVAL && !r.n, "a constant argument: -EINVAL (%d)", ret);
	ret = resolve_probe_regs(self, "hwqtest", "nosuch", &r);
	ok(ret == -ENOENT && !r.n, "a probe it does not have: -ENOENT (%d)",
	   ret);
	ret = resolve_probe_regs(self, "nosuch", "regs", &r);
	ok(ret == -ENOENT && !r.n, "another provider's: -ENOENT (%d)", ret);
	ret = resolve_probe_regs("/proc/self/status", "hwqtest", "regs", &r);
	ok(ret == -ENOEXEC && !r.n, "a file that is not ELF: -ENOEXEC (%d)",
	   ret);
	ret = resolve_probe_regs("/nonexistent/lib.so", "hwqtest", "regs",
				 &r);
	ok(ret == -ENOENT && !r.n, "a missing file: -ENOENT (%d)", ret);
	return tap_done();
}
