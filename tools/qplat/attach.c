// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What qplat needs before it traces (root, uprobes, hwqnic.ko, the file
 * whose probes it attaches to), then the BPF object: loaded with only
 * the programs of the events asked for, attached, its maps pinned.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "qplat_priv.h"
#include "qplat.skel.h"
#include "lib/msg.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BPFFS		"/sys/fs/bpf"

static const char *const probe_names[] = {
	"post", "db", "wqe", "cqe", "poll", "complete",
};

/* -v: libbpf's messages; the print callback has no context of its own */
static bool libbpf_verbose;

static int libbpf_print_fn(enum libbpf_print_level level, const char *format,
			   va_list args)
{
	if (!libbpf_verbose)
		return 0;
	(void)level;
	return vfprintf(stderr, format, args);
}

/* CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN, in the effective set. */
static bool have_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS_CAP(c)	(data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS_CAP(CAP_SYS_ADMIN) ||
	       (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

static bool uprobes_available(void)
{
	return !access("/sys/bus/event_source/devices/uprobe/type", R_OK) ||
	       !access("/sys/kernel/tracing/uprobe_events", W_OK) ||
	       !access("/sys/kernel/debug/tracing/uprobe_events", W_OK);
}

/* --pin: DIR on bpffs (mounting /sys/fs/bpf if needed), then the maps. */
static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX], *s;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * --pin DIR, before anything is loaded or made: bpffs mounted on
 * /sys/fs/bpf if DIR is under it and nothing is; then DIR walked from its
 * start: the deepest part that exists must be a directory on bpffs, so
 * that mkdir_p() later creates nothing elsewhere, and no name looked up
 * or made on bpffs may hold a dot (bpffs refuses those with a bare
 * EPERM). Dies (status 1) saying why not.
 */
static void check_pin(const char *dir)
{
	size_t n = strlen(BPFFS), len;
	char p[PATH_MAX] = "";
	const char *s = dir, *e;
	bool bpffs, exists = true;
	struct stat st;

	if (!strncmp(dir, BPFFS, n) && (dir[n] == '/' || !dir[n]) &&
	    !on_bpffs(BPFFS) &&
	    mount("bpf", BPFFS, "bpf", 0, "mode=0700"))
		msg_die(1, "--pin %s: cannot mount bpffs on " BPFFS ": %s",
			dir, strerror(errno));
	if (strlen(dir) >= sizeof(p))
		msg_die(1, "--pin %s: %s", dir, strerror(ENAMETOOLONG));
	bpffs = on_bpffs(*dir == '/' ? "/" : ".");
	if (*dir == '/')
		p[0] = '/';
	while (*s) {
		while (*s == '/')
			s++;
		e = strchrnul(s, '/');
		len = (size_t)(e - s);
		if (!len)
			break;
		if (bpffs && memchr(s, '.', len))
			msg_die(1, "--pin %s: bpffs refuses names with a dot "
				"('%.*s'): choose another", dir, (int)len, s);
		if (p[0] && p[strlen(p) - 1] != '/')
			strcat(p, "/");
		strncat(p, s, len);
		s = e;
		if (!exists)
			continue;
		if (stat(p, &st)) {
			if (errno != ENOENT)
				msg_die(1, "--pin %s: %s: %s", dir, p,
					strerror(errno));
			/* made by mkdir_p() in the directory above */
			if (!bpffs)
				break;
			exists = false;
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			msg_die(1, "--pin %s: %s is not a directory", dir, p);
		bpffs = on_bpffs(p);
	}
	if (!bpffs)
		msg_die(1, "--pin %s: not on a BPF filesystem (mount -t bpf "
			"bpf DIR, or pin under " BPFFS ")", dir);
}

static int pin_maps(struct qplat_bpf *skel, const char *dir)
{
	struct bpf_map *maps[] = { skel->maps.hists, skel->maps.counters };
	char path[PATH_MAX];
	size_t i;
	int err;

	err = mkdir_p(dir);
	if (err) {
		msg_warn("--pin %s: %s", dir, strerror(-err));
		return -1;
	}
	if (!on_bpffs(dir)) {
		msg_warn("--pin %s: not on a BPF filesystem (mount -t bpf bpf "
			 BPFFS ")", dir);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir,
			 bpf_map__name(maps[i]));
		if (unlink(path) && errno != ENOENT) {
			msg_warn("--pin: cannot replace %s: %s", path,
			     strerror(errno));
			return -1;
		}
		err = bpf_map__pin(maps[i], path);
		if (err) {
			msg_warn("--pin: cannot pin %s: %s", path,
				 strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* The five-event mode's events, then the default mode's one. */
#define NPROBES		6
#define COMPLETE	5

/*
 * The programs of one flavour, in probe_names' order, and their links:
 * USDT probes (libhwqnic) or tracepoints (hwqnic.ko).
 */
static void flavour(struct qplat_bpf *skel, bool usdt,
		    struct bpf_program *progs[NPROBES],
		    struct bpf_link **links[NPROBES])
{
	struct bpf_program *p[2][NPROBES] = {
		{ skel->progs.qplat_k_post, skel->progs.qplat_k_db,
		  skel->progs.qplat_k_wqe, skel->progs.qplat_k_cqe,
		  skel->progs.qplat_k_poll, skel->progs.qplat_k_complete },
		{ skel->progs.qplat_post, skel->progs.qplat_db,
		  skel->progs.qplat_wqe, skel->progs.qplat_cqe,
		  skel->progs.qplat_poll, skel->progs.qplat_complete },
	};
	struct bpf_link **l[2][NPROBES] = {
		{ &skel->links.qplat_k_post, &skel->links.qplat_k_db,
		  &skel->links.qplat_k_wqe, &skel->links.qplat_k_cqe,
		  &skel->links.qplat_k_poll, &skel->links.qplat_k_complete },
		{ &skel->links.qplat_post, &skel->links.qplat_db,
		  &skel->links.qplat_wqe, &skel->links.qplat_cqe,
		  &skel->links.qplat_poll, &skel->links.qplat_complete },
	};

	memcpy(progs, p[usdt], sizeof(p[usdt]));
	memcpy(links, l[usdt], sizeof(l[usdt]));
}

/* Whether the mode env asks for uses event i. */
static bool mode_uses(const struct qplat_env *env, size_t i)
{
	return env->five ? i != COMPLETE : i == COMPLETE;
}

/* Only the programs of the mode's events, of the events' flavours. */
static void set_flavour(const struct qplat_env *env, struct qplat_bpf *skel)
{
	struct bpf_program *usdt[NPROBES], *tp[NPROBES];
	struct bpf_link **links[NPROBES];
	size_t i;

	flavour(skel, true, usdt, links);
	flavour(skel, false, tp, links);
	for (i = 0; i < NPROBES; i++) {
		bpf_program__set_autoload(usdt[i], mode_uses(env, i) &&
					  (env->pid || env->binary));
		bpf_program__set_autoload(tp[i], mode_uses(env, i) &&
					  env->kernel);
	}
	skel->rodata->usdt_pid0 = env->kernel;
}

/*
 * Where the arguments of the mode's USDT probes sit in t's file, for the
 * programs to read from registers (bpf/usdt_args.h); *st: the file as it
 * was read. A probe whose sites there do not all pass them in the same
 * registers, or a library libbpf finds by name, is decoded each hit.
 * -1 when the file's completion event has too few arguments to read: a
 * libhwqnic older than this qplat, whose completions would record
 * nothing.
 */
static int set_regs(const struct qplat_env *env, struct qplat_bpf *skel,
		    const struct resolve_target *t, struct stat *st)
{
	struct usdt_regs *regs[NPROBES] = {
		&skel->rodata->post_regs, &skel->rodata->db_regs,
		&skel->rodata->wqe_regs, &skel->rodata->cqe_regs,
		&skel->rodata->poll_regs, &skel->rodata->complete_regs,
	};
	size_t i;
	int err;

	memset(st, 0, sizeof(*st));
	if ((!env->pid && !env->binary) || t->by_libbpf || stat(t->path, st))
		return 0;
	for (i = 0; i < NPROBES; i++) {
		if (!mode_uses(env, i))
			continue;
		err = resolve_probe_regs(t->path, PROVIDER, probe_names[i],
					 regs[i]);
		if (!err && i == COMPLETE && regs[i]->n < QPLAT_COMPLETE_ARGS) {
			msg_warn("%s: %s:%s has %u arguments, not %u: a "
				 "libhwqnic older than this qplat", t->path,
				 PROVIDER, probe_names[i], regs[i]->n,
				 QPLAT_COMPLETE_ARGS);
			return -1;
		}
		if (!env->verbose)
			continue;
		if (err)
			msg_warn("%s:%s: arguments decoded each hit (%s)",
				 PROVIDER, probe_names[i],
				 err == -EINVAL ? "not all in registers, or "
				 "sites that differ" : strerror(-err));
		else
			msg_warn("%s:%s: %u arguments read from registers",
				 PROVIDER, probe_names[i], regs[i]->n);
	}
	return 0;
}

/*
 * Whether the file whose registers set_regs() read is the one attached
 * to: one replaced meanwhile (a rebuild) may pass them elsewhere.
 */
static bool same_file(const char *path, const struct stat *was)
{
	struct stat now;

	if (!was->st_ino)
		return true;	/* nothing read from it */
	return !stat(path, &now) && now.st_dev == was->st_dev &&
	       now.st_ino == was->st_ino && now.st_size == was->st_size &&
	       now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == was->st_mtim.tv_nsec;
}

/* hwqnic.ko's tracepoints, then the USDT probes of t, as env asks. */
static int attach(const struct qplat_env *env, struct qplat_bpf *skel,
		  const struct resolve_target *t)
{
	struct bpf_program *progs[NPROBES];
	struct bpf_link **links[NPROBES];
	bool first = true;
	size_t i;

	flavour(skel, false, progs, links);
	for (i = 0; env->kernel && i < NPROBES; i++) {
		if (!mode_uses(env, i))
			continue;
		*links[i] = bpf_program__attach(progs[i]);
		if (!*links[i]) {
			msg_warn("cannot attach to tracepoint "
				 "hwqnic:hwqnic_%s: %s%s", probe_names[i],
				 strerror(errno),
				 libbpf_verbose ? "" : " (-v says more)");
			return -1;
		}
	}
	flavour(skel, true, progs, links);
	for (i = 0; (env->pid || env->binary) && i < NPROBES; i++) {
		if (!mode_uses(env, i))
			continue;
		*links[i] = bpf_program__attach_usdt(progs[i],
						     env->pid ? env->pid : -1,
						     t->path, PROVIDER,
						     probe_names[i], NULL);
		if (!*links[i] && t->by_libbpf && errno == ENOENT && first) {
			msg_warn("%s: needs %s, which is not found with %s "
				 "USDT probes (set LD_LIBRARY_PATH, or give -B "
				 "the library)", t->needed_by, t->path,
				 PROVIDER);
			return -1;
		}
		if (!*links[i]) {
			msg_warn("cannot attach to USDT probe %s:%s in %s: "
				 "%s%s", PROVIDER, probe_names[i], t->path,
				 strerror(errno),
				 libbpf_verbose ? "" : " (-v says more)");
			return -1;
		}
		first = false;
	}
	return 0;
}

void qplat_check(const struct qplat_env *env, struct resolve_target *t)
{
	char why[2 * PATH_MAX];

	if (!have_caps())
		msg_die(1, "needs root (CAP_BPF and CAP_PERFMON)");
	if (env->kernel && access("/sys/module/hwqnic", F_OK))
		msg_die(1, "hwqnic.ko is not loaded: no hwqnic tracepoints");
	if (env->pin)
		check_pin(env->pin);
	if (!env->pid && !env->binary) {
		memset(t, 0, sizeof(*t));
		snprintf(t->path, sizeof(t->path), "hwqnic.ko");
		return;
	}
	if (env->binary ?
	    resolve_binary(env->binary, PROVIDER, LIBNAME, t, why,
			   sizeof(why)) :
	    resolve_pid(env->pid, PROVIDER, LIBNAME, t, why, sizeof(why)))
		msg_die(1, "%s", why);
	if (!uprobes_available())
		msg_die(1, "this kernel has no uprobes (CONFIG_UPROBE_EVENTS): "
			"cannot attach to USDT probes");
}

struct qplat_bpf *qplat_open(const struct qplat_env *env,
			     const struct resolve_target *t)
{
	struct qplat_bpf *skel;
	struct stat st;
	int err;

	libbpf_verbose = env->verbose;
	libbpf_set_print(libbpf_print_fn);
	skel = qplat_bpf__open();
	if (!skel)
		msg_die(1, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->targ_qpn = env->qpn;
	skel->rodata->filter_op = env->filter_op;
	skel->rodata->targ_op = env->op;
	if (env->lat >= 0)
		skel->rodata->lat_mask = 1U << env->lat;
	/* exact (-c 1) never changes a period: no sample_since to look at */
	skel->rodata->sampling = env->smp && env->period != 1;
	set_flavour(env, skel);
	if (set_regs(env, skel, t, &st)) {
		qplat_bpf__destroy(skel);
		return NULL;
	}

	err = qplat_bpf__load(skel);
	if (err == -ENOSYS)
		msg_warn("this kernel has no BPF (bpf(2): %s)", strerror(-err));
	else if (err)
		msg_warn("cannot load the BPF programs: %s%s", strerror(-err),
			 env->verbose ? "" : " (-v says more)");
	if (!err && (qplat_catch_stop() || attach(env, skel, t)))
		err = -1;
	if (!err && !same_file(t->path, &st)) {
		msg_warn("%s changed while qplat attached to it; run it again",
			 t->path);
		err = -1;
	}
	if (err || (env->pin && pin_maps(skel, env->pin))) {
		qplat_bpf__destroy(skel);
		return NULL;
	}

	if (env->pid)
		fprintf(stderr, "Tracing hwqnic work requests of pid %d (%s)",
			env->pid, t->path);
	else
		fprintf(stderr, "Tracing hwqnic work requests in %s", t->path);
	if (env->kernel && (env->pid || env->binary))
		fprintf(stderr, " and hwqnic.ko");
	fprintf(stderr, "... Hit Ctrl-C to end.\n");
	return skel;
}
