/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The file whose USDT probes a tool attaches to with libbpf's
 * bpf_program__attach_usdt(), for a program named on the command line or
 * a running process.
 *
 * libbpf (1.1) resolves a name without a slash itself, at attach: a
 * shared library's name ("libhwqnic.so.1") in LD_LIBRARY_PATH, then
 * /usr/lib64, /usr/lib and /lib/<multiarch>; any other name in PATH, then
 * /usr/bin and /usr/sbin. It does not look into the program it is given,
 * nor into a process. This adds what it lacks:
 *   - whether an ELF file holds a provider's probes (.note.stapsdt), so
 *     that a program linked statically is traced itself;
 *   - a program without the probes but linked against the library
 *     (DT_NEEDED): the library, found as the dynamic linker would before
 *     its default directories (DT_RPATH without DT_RUNPATH,
 *     LD_LIBRARY_PATH, DT_RUNPATH with $ORIGIN, /etc/ld.so.conf); when
 *     none has it, its bare name is left to libbpf's lookup above;
 *   - a process: its executable (/proc/PID/exe) when that has the
 *     probes, else the library it has mapped, seen from its root;
 *   - where a probe's arguments sit, for programs that read them from
 *     registers without decoding libbpf's spec each hit (usdt_regs.h).
 */
#ifndef _HWQNIC_TOOLS_RESOLVE_H
#define _HWQNIC_TOOLS_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#include "usdt_regs.h"

struct resolve_target {
	char path[PATH_MAX];	/* for bpf_program__attach_usdt() */
	bool by_libbpf;		/* path: a library name libbpf looks up */
	char needed_by[PATH_MAX];	/* the program that needs it, or "" */
};

/*
 * `provider`: the probes' provider ("hwqnic"); `libname`: the start of
 * the library's file names ("libhwqnic.so"). Each returns 0, or -1 with
 * one line in why (len bytes) that names the file or the process.
 */
int resolve_binary(const char *name, const char *provider,
		   const char *libname, struct resolve_target *t, char *why,
		   size_t len);
int resolve_pid(pid_t pid, const char *provider, const char *libname,
		struct resolve_target *t, char *why, size_t len);

/* 1: path holds probes of `provider`, 0: it does not, -errno: unread. */
int resolve_has_probes(const char *path, const char *provider);

/*
 * The registers the arguments of probe `name` of `provider` sit in, in
 * the ELF file path, when each of its sites there passes every argument
 * in the same register of x86-64 (their sizes and signs the same too):
 * 0. Else *r is zeroed (n = 0: decode them each hit) and the return is
 * -ENOENT (no site), -EINVAL (an argument in memory or a constant, more
 * than USDT_REGS_MAX, sites that differ, another architecture) or
 * -errno (the file cannot be read).
 */
int resolve_probe_regs(const char *path, const char *provider,
		       const char *name, struct usdt_regs *r);

/* One site's argument string ("4@%edi -8@%rax"): 0, or -EINVAL. */
int usdt_regs_parse(const char *args, struct usdt_regs *r);

#endif /* _HWQNIC_TOOLS_RESOLVE_H */
