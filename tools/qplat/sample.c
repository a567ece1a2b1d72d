// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * qplat's sampling (qplat(8), docs/tracepoints.md "Sampling"): the library
 * of each traced process samples one completion in N before its probe
 * fires, N from the control word of its stats file, which qplat writes
 * (-c N, or -F HZ: N from the rate of the process's exact completion
 * counters, recomputed each tick). Every tick qplat takes the histograms
 * out of the map, multiplies each by the period that was in force for its
 * process while they filled, and adds them to the interval's; the
 * counters it prints come from the stats files, exact, not from probes.
 * Every file in /dev/shm is taken as hostile: read and written through
 * hwqnic_stats_read() and hwqnic_stats_set_sample() only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <hwqnic/stats.h>

#include "qplat_priv.h"
#include "qplat.skel.h"
#include "lib/hist.h"
#include "lib/msg.h"

/* a process's file, as the last scan found it */
struct smp_file {
	char name[NAME_MAX + 1];
	uid_t owner;
	__u32 word;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct qplat_proc *proc_get(struct qplat_sampler *s, pid_t pid,
				   bool add)
{
	struct qplat_proc *p;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].pid == pid)
			return &s->p[i];
	if (!add)
		return NULL;
	p = realloc(s->p, (s->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	s->p = p;
	p = &s->p[s->n++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

/* The N of hwqnic-embN or hwqnicN: the id the events carry. */
static __u32 dev_index(const char *dev)
{
	size_t n = strlen(dev);

	while (n && dev[n - 1] >= '0' && dev[n - 1] <= '9')
		n--;
	return (__u32)strtoul(dev + n, NULL, 10);
}

/* -p: that process; -B: a process of a program with the probes, else any */
static bool traced(const struct qplat_env *env, pid_t pid)
{
	char link[32], exe[PATH_MAX];
	ssize_t n;

	if (env->pid)
		return pid == env->pid;
	if (!env->smp->exe[0])
		return true;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	return !strcmp(exe, env->smp->exe);
}

/*
 * The period a process is asked for now: -c's, or under -F its
 * completion rate over the last tick divided by HZ. A tick without a
 * completion tells nothing (the period stays); the period falls at most
 * by a factor of 4 a tick, so that a process that was idle (setting up,
 * waiting) and starts at full rate is not traced exactly in between; and
 * it stays within 25% of the rate's, so that noise changes nothing (each
 * change reads the histograms' gain from the map).
 */
static __u32 wanted(const struct qplat_env *env, struct qplat_proc *p,
		    __u64 done, double t)
{
	__u32 was = p->want ? p->want : QPLAT_SAMPLE_FIRST, floor;
	double n;

	if (!env->hz)
		return env->period;
	if (!p->t || t <= p->t || done <= p->done)
		return was;
	n = (double)(done - p->done) / (t - p->t) / env->hz;
	if (n >= was * 0.8 && n <= was * 1.25)
		return was;
	floor = was / 4 ? was / 4 : 1;
	if (n < floor)
		return floor;
	return n > HWQNIC_SAMPLE_MAX ? HWQNIC_SAMPLE_MAX : (__u32)lround(n);
}

/*
 * st's QPs' counters (only qpn_only's, unless 0) into s->ctr: a QP's
 * entry replaced, a new one added.
 */
static int add_counters(struct qplat_sampler *s, pid_t pid, __u32 qpn_only,
			const struct hwqnic_stats *st)
{
	struct hist_ctr_entry *c, e;
	long old = s->nctr;
	unsigned int i;

	c = realloc(s->ctr, (s->nctr + st->nqp + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	s->ctr = c;
	for (i = 0; i < st->nqp; i++) {
		const struct hwqnic_qp_counters *q = &st->qp[i].c;

		if (qpn_only && st->qp[i].qpn != qpn_only)
			continue;
		memset(&e, 0, sizeof(e));
		e.key.pid = pid;
		e.key.dev = dev_index(st->dev);
		e.key.qpn = st->qp[i].qpn;
		e.val.wqes = q->wqes;
		e.val.cqes = q->completions;
		e.val.err_cqes = q->errors;
		e.val.bytes = q->bytes;
		e.val.doorbells = q->doorbells;
		c = bsearch(&e.key, s->ctr, (size_t)old, sizeof(e),
			    hist_qp_key_cmp);
		*(c ? c : &s->ctr[s->nctr++]) = e;
	}
	qsort(s->ctr, (size_t)s->nctr, sizeof(e), hist_qp_key_cmp);
	return 0;
}

/*
 * What the map's histograms gained since the last reading (which stays
 * in the map: hist_read()), each multiplied by the period in force for
 * its process while it filled, and added to the interval's. Done
 * before any word changes, so that every sample is scaled by the period
 * it was taken at (but for a countdown drawn before the change, which
 * runs out first: one interval per queue). With c, the counters of the
 * same reading too (hist_read()).
 */
static int flush(const struct qplat_env *env, struct hist_ctr_entry **c,
		 long *nc)
{
	struct qplat_sampler *s = env->smp;
	struct hist_entry *h = NULL;
	long n, i;
	size_t k;
	int ret;

	if (!s->skel)
		return 0;	/* not attached yet: no sample */
	ret = qplat_read(env, s->skel, &h, &n, c, nc);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		pid_t pid = h[i].key.pid ? (pid_t)h[i].key.pid : env->pid;
		struct qplat_proc *p = proc_get(s, pid, false);
		__u32 per = p && p->in_force ? p->in_force : 1;

		/*
		 * qplat -k -B charges every process's events to pid 0: the
		 * greatest period asked (-c asks them all the same)
		 */
		if (!pid)
			for (k = 0; k < s->n; k++)
				per = s->p[k].in_force > per ?
				      s->p[k].in_force : per;

		qplat_hist_scale(&h[i], per);
		if (p) {
			p->lo = !p->lo || per < p->lo ? per : p->lo;
			p->hi = per > p->hi ? per : p->hi;
		}
	}
	ret = qplat_acc_add(&s->pend, h, n);
	free(h);
	return ret;
}

/*
 * The files of the traced processes: their exact counters kept for the
 * report, their completion totals for -F, and each asked for its
 * process's period where its word says otherwise. `tick`: the periods
 * follow the rates; else only processes seen first get a period. A
 * process seen first has taken its samples so far at its file's word (0:
 * every completion). What the histograms gained is taken before any
 * word is written, and with `all` in any case (a report, which may want
 * the counters of that reading in c).
 */
static int scan(const struct qplat_env *env, bool tick, bool all,
		struct hist_ctr_entry **c, long *nc)
{
	struct qplat_sampler *s = env->smp;
	char why[HWQNIC_STATS_WHY_LEN];
	struct smp_file *files = NULL, *f;
	size_t nf = 0, i, k;
	struct hwqnic_stats st;
	struct dirent *de;
	double t = now_s();
	bool change = false;
	int fd, pid, ret = 0;
	DIR *d;

	fd = dup(s->dfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	s->unready = false;
	for (i = 0; i < s->n; i++)
		s->p[i].files = 0, s->p[i].sum = 0;
	while ((de = readdir(d))) {
		struct qplat_proc *p;
		uid_t owner;
		int rc;
		__u64 sum = 0;

		pid = hwqnic_stats_name_pid(de->d_name);
		if (pid <= 0 || !traced(env, pid) ||
		    hwqnic_stats_pid_owner(pid, &owner))
			continue;
		rc = hwqnic_stats_read(s->dfd, de->d_name, owner, &st, why);
		if (rc == HWQNIC_STATS_EUNREADY)
			s->unready = true;
		if (rc)
			continue;
		p = proc_get(s, pid, true);
		f = realloc(files, (nf + 1) * sizeof(*f));
		if (!p || !f || add_counters(s, pid, env->qpn, &st)) {
			hwqnic_stats_free(&st);
			if (f)
				files = f;
			ret = -ENOMEM;
			break;
		}
		files = f;
		f = &files[nf++];
		snprintf(f->name, sizeof(f->name), "%s", de->d_name);
		f->owner = owner;
		f->word = st.sample_ctl;
		if (!p->in_force)
			p->in_force = hwqnic_sample_period(st.sample_ctl);
		for (k = 0; k < st.nqp; k++)
			sum += st.qp[k].c.completions;
		p->sum += sum;
		p->files++;
		hwqnic_stats_free(&st);
	}
	closedir(d);
	for (i = 0; i < s->n; i++) {
		struct qplat_proc *p = &s->p[i];
		bool first = !p->t;

		if (!p->files || (!tick && !first))
			continue;
		p->want = wanted(env, p, p->sum, t);
		p->done = p->sum;
		p->t = t;
		if (first && env->verbose)
			msg_warn("pid %d: sampling 1 in %u (so far 1 in %u)",
				 p->pid, p->want, p->in_force);
	}
	for (i = 0; i < nf; i++) {
		struct qplat_proc *p = proc_get(s, hwqnic_stats_name_pid(
							files[i].name), false);

		change |= p && files[i].word != HWQNIC_SAMPLE_CTL(p->want);
	}
	if (!ret && (all || change))
		ret = flush(env, all ? c : NULL, nc);
	for (i = 0; i < nf && !ret; i++) {
		struct qplat_proc *p = proc_get(s, hwqnic_stats_name_pid(
							files[i].name), false);

		if (!p || files[i].word == HWQNIC_SAMPLE_CTL(p->want))
			continue;
		if (s->skel &&
		    hwqnic_sample_period(files[i].word) != p->want) {
			/* in flight at the old period: let go (qplat.bpf.c) */
			__u32 key = env->kernel ? 0 : (__u32)p->pid;
			struct timespec ts;
			__u64 ns;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
			bpf_map_update_elem(bpf_map__fd(s->skel->maps.sample_since),
					    &key, &ns, BPF_ANY);
		}
		/* a file gone or replaced since is no error: next scan */
		if (!hwqnic_stats_set_sample(s->dfd, files[i].name,
					     files[i].owner, p->want, why))
			p->wrote = true;
		else if (env->verbose)
			msg_warn("%s: %s", files[i].name, why);
	}
	for (i = 0; i < s->n && !ret; i++)
		if (s->p[i].files)
			s->p[i].in_force = s->p[i].want;
	free(files);
	return ret;
}

int qplat_sample_open(struct qplat_env *env, const struct resolve_target *t)
{
	struct qplat_sampler *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->dfd = open(HWQNIC_STATS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dfd < 0) {
		ret = -errno;
		free(s);
		return ret;
	}
	/* new processes are asked as soon as their file appears */
	s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->ifd >= 0 &&
	    inotify_add_watch(s->ifd, HWQNIC_STATS_DIR,
			      IN_CREATE | IN_MOVED_TO) < 0) {
		close(s->ifd);
		s->ifd = -1;
	}
	/* a program with the probes itself: its processes only */
	if (!env->pid && !t->by_libbpf && !t->needed_by[0] &&
	    !strstr(t->path, LIBNAME) && !realpath(t->path, s->exe))
		s->exe[0] = '\0';
	env->smp = s;
	ret = scan(env, false, false, NULL, NULL);
	if (ret)
		qplat_sample_close(env);
	return ret;
}

int qplat_sample_fd(const struct qplat_env *env)
{
	return env->smp ? env->smp->ifd : -1;
}

bool qplat_sample_soon(const struct qplat_env *env)
{
	struct qplat_sampler *s = env->smp;
	char buf[4096];
	bool any = false;

	if (!s)
		return false;
	while (s->ifd >= 0 && read(s->ifd, buf, sizeof(buf)) > 0)
		any = true;
	return any || s->unready;
}

int qplat_sample_files(const struct qplat_env *env)
{
	return env->smp ? scan(env, false, false, NULL, NULL) : 0;
}

int qplat_sample_tick(const struct qplat_env *env, struct qplat_bpf *skel,
		      bool report, struct hist_ctr_entry **c, long *nc)
{
	env->smp->skel = skel;
	return scan(env, true, report, c, nc);
}

void qplat_sample_printed(const struct qplat_env *env)
{
	struct qplat_sampler *s = env->smp;
	size_t k;

	s->pend.n = 0;
	for (k = 0; k < s->n; k++)
		s->p[k].lo = s->p[k].hi = 0;
}

/*
 * The words this qplat wrote and that are still its own go back to 0: a
 * stale word is harmless anyway (the library reads it only while traced),
 * but the next tracer of the process should find no request.
 */
void qplat_sample_close(struct qplat_env *env)
{
	struct qplat_sampler *s = env->smp;
	char why[HWQNIC_STATS_WHY_LEN];
	struct hwqnic_stats st;
	struct dirent *de;
	DIR *d;
	int fd;

	if (!s)
		return;
	fd = dup(s->dfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	while (d && (de = readdir(d))) {
		int pid = hwqnic_stats_name_pid(de->d_name);
		struct qplat_proc *p = pid > 0 ? proc_get(s, pid, false) : NULL;
		uid_t owner;

		if (!p || !p->wrote || hwqnic_stats_pid_owner(pid, &owner) ||
		    hwqnic_stats_read(s->dfd, de->d_name, owner, &st, why))
			continue;
		if (st.sample_ctl == HWQNIC_SAMPLE_CTL(p->want))
			hwqnic_stats_set_sample(s->dfd, de->d_name, owner, 0,
						why);
		hwqnic_stats_free(&st);
	}
	if (d)
		closedir(d);
	if (s->ifd >= 0)
		close(s->ifd);
	close(s->dfd);
	free(s->pend.e);
	free(s->ctr);
	free(s->p);
	free(s);
	env->smp = NULL;
}
