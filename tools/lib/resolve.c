// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The file to attach USDT probes to (resolve.h): what libbpf does not
 * resolve by itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <asm/ptrace.h>
#include <linux/types.h>

#include "resolve.h"


struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_file_open(const char *path, struct elf_file *ef)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ELIBACC;
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0)
		return -errno;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF) {
		if (ef->elf)
			elf_end(ef->elf);
		close(ef->fd);
		return -ENOEXEC;
	}
	return 0;
}

static void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);
	close(ef->fd);
}

/* One probe site, from its note: strings that end inside the note. */
struct sdt_probe {
	const char *provider;
	const char *name;
	const char *args;	/* "4@%edi -8@%rax ...", "" for none */
};

/*
 * fn(probe, arg) for each well-formed note of .note.stapsdt, until one
 * returns nonzero: that, or 0.
 */
static int elf_each_probe(Elf *elf,
			  int (*fn)(const struct sdt_probe *, void *),
			  void *arg)
{
	size_t shstrndx, asz = gelf_getclass(elf) == ELFCLASS32 ? 4 : 8;
	Elf_Scn *scn = NULL;
	int ret;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t off = 0, next, noff, doff;
		struct sdt_probe p;
		const char *name, *d;
		Elf_Data *data;
		GElf_Nhdr nh;
		GElf_Shdr sh;
		size_t left, name_off, args_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".note.stapsdt"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((next = gelf_getnote(data, off, &nh, &noff, &doff))) {
			off = next;
			if (nh.n_type != 3 ||
			    nh.n_namesz != sizeof("stapsdt") ||
			    memcmp((char *)data->d_buf + noff, "stapsdt",
				   sizeof("stapsdt")) ||
			    nh.n_descsz <= 3 * asz)
				continue;
			/*
			 * after the site's, base's and semaphore's addresses,
			 * three strings, each ending inside the note (one of
			 * no arguments may end after the name)
			 */
			d = (char *)data->d_buf + doff + 3 * asz;
			left = nh.n_descsz - 3 * asz;
			name_off = strnlen(d, left) + 1;
			if (name_off >= left)
				continue;
			args_off = name_off + strnlen(d + name_off,
						      left - name_off) + 1;
			if (args_off > left || (args_off < left &&
			    !memchr(d + args_off, 0, left - args_off)))
				continue;
			p.provider = d;
			p.name = d + name_off;
			p.args = args_off < left ? d + args_off : "";
			ret = fn(&p, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int is_provider(const struct sdt_probe *p, void *provider)
{
	return !strcmp(p->provider, provider);
}

/* Whether .note.stapsdt holds a probe of `provider`. */
static bool elf_has_probes(Elf *elf, const char *provider)
{
	return elf_each_probe(elf, is_provider, (void *)provider);
}

int resolve_has_probes(const char *path, const char *provider)
{
	struct elf_file ef;
	int ret;

	ret = elf_file_open(path, &ef);
	if (ret)
		return ret;
	ret = elf_has_probes(ef.elf, provider);
	elf_file_close(&ef);
	return ret;
}

/*
 * The word of struct pt_regs (the kernel's layout, which <asm/ptrace.h>
 * gives userspace too) where the trap saves the register an operand
 * names by any of its names (len bytes at reg), or -1: x86-64's general
 * registers, none elsewhere.
 */
static int reg_word(const char *reg, size_t len)
{
#if defined(__x86_64__)
#define REG(r, n64, n32, n16, n8) \
	{ { #n64, #n32, #n16, #n8 }, offsetof(struct pt_regs, r) / 8 }
	static const struct {
		const char *names[4];
		int word;
	} regs[] = {
		REG(rax, rax, eax, ax, al), REG(rbx, rbx, ebx, bx, bl),
		REG(rcx, rcx, ecx, cx, cl), REG(rdx, rdx, edx, dx, dl),
		REG(rsi, rsi, esi, si, sil), REG(rdi, rdi, edi, di, dil),
		REG(rbp, rbp, ebp, bp, bpl), REG(rsp, rsp, esp, sp, spl),
		REG(r8, r8, r8d, r8w, r8b), REG(r9, r9, r9d, r9w, r9b),
		REG(r10, r10, r10d, r10w, r10b),
		REG(r11, r11, r11d, r11w, r11b),
		REG(r12, r12, r12d, r12w, r12b),
		REG(r13, r13, r13d, r13w, r13b),
		REG(r14, r14, r14d, r14w, r14b),
		REG(r15, r15, r15d, r15w, r15b),
	};
#undef REG
	size_t i, j;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (j = 0; j < 4; j++)
			if (strlen(regs[i].names[j]) == len &&
			    !strncmp(reg, regs[i].names[j], len))
				return regs[i].word;
#else
	(void)reg;
	(void)len;
#endif
	return -1;
}

int usdt_regs_parse(const char *args, struct usdt_regs *r)
{
	const char *a = args, *reg;
	int word;
	char *end;
	long size;
	size_t len;

	memset(r, 0, sizeof(*r));
	while (*a) {
		/* "[-]SIZE@%REG": a register; "8@-8(%rbp)", "4@$1" are not */
		size = strtol(a, &end, 10);
		if (r->n == USDT_REGS_MAX || end == a || end[0] != '@' ||
		    end[1] != '%')
			goto bad;
		if (labs(size) != 1 && labs(size) != 2 && labs(size) != 4 &&
		    labs(size) != 8)
			goto bad;
		reg = end + 2;
		len = strspn(reg, "abcdefghijklmnopqrstuvwxyz0123456789");
		word = reg_word(reg, len);
		if (word < 0 || (reg[len] && reg[len] != ' '))
			goto bad;
		r->word[r->n] = word;
		r->size[r->n++] = size;
		a = reg + len;
		while (*a == ' ')
			a++;
	}
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	return -EINVAL;
}

struct probe_regs {
	const char *provider, *name;
	struct usdt_regs *r;
	int sites;
};

/* One site of the probe: its layout, which must be every other's. */
static int probe_regs_site(const struct sdt_probe *p, void *arg)
{
	struct probe_regs *w = arg;
	struct usdt_regs one;

	if (strcmp(p->provider, w->provider) || strcmp(p->name, w->name))
		return 0;
	if (usdt_regs_parse(p->args, &one) ||
	    (w->sites && memcmp(&one, w->r, sizeof(one))))
		return -EINVAL;
	*w->r = one;
	w->sites++;
	return 0;
}

int resolve_probe_regs(const char *path, const char *provider,
		       const char *name, struct usdt_regs *r)
{
	struct probe_regs w = { provider, name, r, 0 };
	struct elf_file ef;
	int ret;

	ret = elf_file_open(path, &ef);
	if (ret)
		return ret;
	ret = elf_each_probe(ef.elf, probe_regs_site, &w);
	elf_file_close(&ef);
	if (!ret && !w.sites)
		ret = -ENOENT;
	if (ret)
		memset(r, 0, sizeof(*r));
	return ret;
}

struct dyn_info {
	char needed[NAME_MAX + 1];	/* the library it needs, or "" */
	char rpath[PATH_MAX];
	char runpath[PATH_MAX];
	bool has_runpath;
};

static void elf_dynamic(Elf *elf, const char *libname, struct dyn_info *di)
{
	Elf_Scn *scn = NULL;

	memset(di, 0, sizeof(*di));
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			const char *s;
			GElf_Dyn d;

			if (!gelf_getdyn(data, i, &d))
				break;
			if (d.d_tag != DT_NEEDED && d.d_tag != DT_RPATH &&
			    d.d_tag != DT_RUNPATH)
				continue;
			s = elf_strptr(elf, sh.sh_link, d.d_un.d_val);
			if (!s)
				continue;
			if (d.d_tag == DT_NEEDED) {
				if (!strncmp(s, libname, strlen(libname)) &&
				    !di->needed[0])
					snprintf(di->needed,
						 sizeof(di->needed), "%s", s);
			} else if (d.d_tag == DT_RPATH) {
				snprintf(di->rpath, sizeof(di->rpath), "%s", s);
			} else {
				snprintf(di->runpath, sizeof(di->runpath), "%s",
					 s);
				di->has_runpath = true;
			}
		}
	}
}

/* Appends dir to a colon-separated list. */
static void dirs_add(char *list, size_t len, const char *dir)
{
	size_t n = strlen(list);

	snprintf(list + n, len - n, "%s%s", n ? ":" : "", dir);
}

/* The directories of /etc/ld.so.conf and its includes. */
static void ldso_conf_dirs(const char *conf, char *list, size_t len, int depth)
{
	char line[PATH_MAX], *s, *e;
	FILE *f;

	if (depth > 4)
		return;
	f = fopen(conf, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		s = line + strspn(line, " \t");
		e = strpbrk(s, "#\n");
		if (e)
			*e = 0;
		e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*s)
			continue;
		if (!strncmp(s, "include", 7) &&
		    (s[7] == ' ' || s[7] == '\t')) {
			char pat[PATH_MAX];
			glob_t g;
			size_t i;

			s += 8 + strspn(s + 8, " \t");
			if (*s == '/')
				snprintf(pat, sizeof(pat), "%s", s);
			else
				snprintf(pat, sizeof(pat), "/etc/%s", s);
			if (glob(pat, 0, NULL, &g))
				continue;
			for (i = 0; i < g.gl_pathc; i++)
				ldso_conf_dirs(g.gl_pathv[i], list, len,
					       depth + 1);
			globfree(&g);
		} else if (*s == '/') {
			dirs_add(list, len, s);
		}
	}
	fclose(f);
}

/* snprintf that says whether it all fit */
static bool fits(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fits(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

/*
 * Looks for `lib` in the colon-separated `dirs`, $ORIGIN standing for
 * `origin`. Fills out and returns true when found.
 */
static bool find_in_dirs(const char *dirs, const char *origin,
			 const char *lib, char *out, size_t len)
{
	const char *p = dirs, *colon;
	char dir[PATH_MAX];

	while (p && *p) {
		bool ok;
		size_t n;

		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (n && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = 0;
			if (!strncmp(dir, "$ORIGIN", 7) ||
			    !strncmp(dir, "${ORIGIN}", 9))
				ok = fits(out, len, "%s%s/%s", origin,
					  dir + (dir[1] == '{' ? 9 : 7), lib);
			else
				ok = fits(out, len, "%s/%s", dir, lib);
			if (ok && !access(out, R_OK))
				return true;
		}
		p = colon ? colon + 1 : NULL;
	}
	return false;
}

/*
 * Where the dynamic linker would find the library for the program at
 * `exe`, before its default directories: DT_RPATH (without DT_RUNPATH),
 * LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.conf. The default directories
 * are libbpf's to search (resolve.h).
 */
static bool find_library(const char *exe, const struct dyn_info *di,
			 char *out, size_t len)
{
	char origin[PATH_MAX], real[PATH_MAX], conf[8192] = "";
	const char *ldlp = getenv("LD_LIBRARY_PATH");

	if (!realpath(exe, real))
		snprintf(real, sizeof(real), "%s", exe);
	snprintf(origin, sizeof(origin), "%s", dirname(real));
	if (!di->has_runpath && find_in_dirs(di->rpath, origin, di->needed,
					     out, len))
		return true;
	if (ldlp && find_in_dirs(ldlp, origin, di->needed, out, len))
		return true;
	if (find_in_dirs(di->runpath, origin, di->needed, out, len))
		return true;
	ldso_conf_dirs("/etc/ld.so.conf", conf, sizeof(conf), 0);
	return find_in_dirs(conf, origin, di->needed, out, len);
}

/* A command name without a slash: the first executable in $PATH. */
static bool find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	return find_in_dirs(path, ".", name, out, len) && !access(out, X_OK);
}

/* A message for the caller: -1. */
static int fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int target_set(struct resolve_target *t, const char *path,
		      bool by_libbpf, const char *needed_by)
{
	memset(t, 0, sizeof(*t));
	t->by_libbpf = by_libbpf;
	snprintf(t->needed_by, sizeof(t->needed_by), "%s", needed_by);
	return fits(t->path, sizeof(t->path), "%s", path) ? 0 : -1;
}

int resolve_binary(const char *name, const char *provider,
		   const char *libname, struct resolve_target *t, char *why,
		   size_t len)
{
	char file[PATH_MAX], lib[PATH_MAX];
	struct dyn_info di;
	struct elf_file ef;
	struct stat st;
	int ret;

	if (!strchr(name, '/') && find_in_path(name, file, sizeof(file)))
		name = file;
	if (stat(name, &st))
		return fail(why, len, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(why, len, "%s: not a regular file", name);
	ret = elf_file_open(name, &ef);
	if (ret == -ENOEXEC)
		return fail(why, len, "%s: not an ELF file", name);
	if (ret)
		return fail(why, len, "%s: %s", name, ret == -ELIBACC ?
			    elf_errmsg(-1) : strerror(-ret));
	if (elf_has_probes(ef.elf, provider)) {
		elf_file_close(&ef);
		if (target_set(t, name, false, ""))
			return fail(why, len, "%s: %s", name,
				    strerror(ENAMETOOLONG));
		return 0;
	}
	elf_dynamic(ef.elf, libname, &di);
	elf_file_close(&ef);
	if (!di.needed[0])
		return fail(why, len, "%s: no %s USDT probes, and not linked "
			    "against %s", name, provider, libname);
	if (!find_library(name, &di, lib, sizeof(lib))) {
		/* libbpf looks in LD_LIBRARY_PATH and the default
		 * directories, and finds the probes, at attach */
		target_set(t, di.needed, true, name);
		return 0;
	}
	ret = resolve_has_probes(lib, provider);
	if (ret < 0)
		return fail(why, len, "%s: %s", lib, strerror(-ret));
	if (!ret)
		return fail(why, len, "%s (needed by %s): no %s USDT probes",
			    lib, name, provider);
	if (target_set(t, lib, false, name))
		return fail(why, len, "%s: %s", lib, strerror(ENAMETOOLONG));
	return 0;
}

int resolve_pid(pid_t pid, const char *provider, const char *libname,
		struct resolve_target *t, char *why, size_t len)
{
	char path[64], line[PATH_MAX + 256], lib[PATH_MAX + 32];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (kill(pid, 0) && errno == ESRCH)
		return fail(why, len, "no process %d", pid);
	ret = resolve_has_probes(path, provider);
	if (ret == 1)
		return target_set(t, path, false, "");
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return fail(why, len, "cannot read %s: %s", path,
			    strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *file = strchr(line, '/'), *base, *nl;

		if (!file)
			continue;
		nl = strchr(file, '\n');
		if (nl)
			*nl = 0;
		base = strrchr(file, '/') + 1;
		if (strncmp(base, libname, strlen(libname)) ||
		    strstr(file, " (deleted)"))
			continue;
		if (!fits(lib, sizeof(lib), "/proc/%d/root%s", pid, file))
			continue;
		if (resolve_has_probes(lib, provider) == 1 &&
		    !target_set(t, lib, false, "")) {
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return fail(why, len, "process %d has no %s USDT probes (in its "
		    "executable or a mapped %s)", pid, provider, libname);
}
