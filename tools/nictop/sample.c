// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nictop's readings: every stats file of /dev/shm that describes a live
 * device (each read as another user's data, hwqnic/stats.h), and qplat's
 * pinned maps when they are there.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "nictop.h"
#include "lib/bpfmap.h"
#include "lib/hist.h"

void *xrealloc(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (size && n > SIZE_MAX / size)
		fail("out of memory");
	bytes = n * size;
	p = realloc(p, bytes ? bytes : 1);
	if (!p)
		fail("out of memory");
	return p;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t secs_to_ns(double s)
{
	return (uint64_t)(s * NSEC_PER_SEC + 0.5);
}

/* ---- reading the published counters ---- */

/* The N that ends a device name (hwqnic-embN): qplat's dev. Else -1. */
static long dev_id(const char *name)
{
	size_t len = strlen(name), i = len;

	while (i && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i == len || len - i > 9)
		return -1;
	return strtol(name + i, NULL, 10);
}

static void read_dev(const struct hwqnic_stats *f, struct dev_sample *d)
{
	const struct hwqnic_stats_qp *s;
	struct qp_sample *q;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->pid = f->pid;
	memcpy(d->comm, f->comm, sizeof(d->comm));
	memcpy(d->name, f->dev, sizeof(d->name));
	d->id = dev_id(d->name);
	d->eng = f->engine;
	d->wire = f->flags & HWQNIC_STATS_F_NETDEV;
	memcpy(d->netdev, f->netdev, sizeof(d->netdev));
	d->wc = f->wire;
	d->nqp = f->nqp;
	d->qp = msg_xcalloc(f->nqp, sizeof(*d->qp));
	for (i = 0; i < f->nqp; i++) {
		s = &f->qp[i];
		q = &d->qp[i];
		q->qpn = s->qpn;
		q->type = s->qp_type;
		q->state = s->state;
		q->send_cq = s->send_cq;
		q->recv_cq = s->recv_cq;
		q->c = s->c;
		q->w = s->w;
	}
}

int dev_cmp(const void *a, const void *b)
{
	const struct dev_sample *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void skip_add(struct skip_list *l, int pid, const char *name,
		     const char *why)
{
	struct skipped *k;

	if (l->n++ >= MAX_SKIPPED)
		return;
	k = &l->skip[l->kept++];
	k->pid = pid;
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->why, sizeof(k->why), "%s", why);
}

/*
 * Reads one file into s->dev[] if it describes a live device; notes why
 * not unless it is not a stats file, not ours to read, or not yet (or no
 * longer) one: a process that died or is just starting.
 */
static void sample_file(struct sample *s, int dfd, const char *name,
			unsigned int *cap)
{
	int pid = hwqnic_stats_name_pid(name), rc;
	char why[HWQNIC_STATS_WHY_LEN];
	struct hwqnic_stats f;
	uid_t owner;

	if (pid < 0)
		return;
	rc = hwqnic_stats_pid_owner(pid, &owner);
	if (rc == ENOENT)
		return;
	if (rc) {
		snprintf(why, sizeof(why), "owner of process %d unknown: %s",
			 pid, strerror(rc));
		skip_add(&s->skipped, pid, name, why);
		return;
	}
	rc = hwqnic_stats_read(dfd, name, owner, &f, why);
	if (rc == HWQNIC_STATS_ENAME || rc == HWQNIC_STATS_EGONE ||
	    rc == HWQNIC_STATS_EACCESS || rc == HWQNIC_STATS_EUNREADY)
		return;
	if (rc) {
		skip_add(&s->skipped, pid, name, why);
		return;
	}
	if (s->ndev == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		s->dev = xrealloc(s->dev, *cap, sizeof(*s->dev));
	}
	read_dev(&f, &s->dev[s->ndev++]);
	hwqnic_stats_free(&f);
}

static void sample_devs(struct sample *s)
{
	unsigned int cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(HWQNIC_STATS_DIR);
	if (!d)
		return;
	while ((de = readdir(d)))
		sample_file(s, dirfd(d), de->d_name, &cap);
	closedir(d);
	if (s->ndev)
		qsort(s->dev, s->ndev, sizeof(*s->dev), dev_cmp);
}

/* ---- reading qplat's pinned maps ---- */

/* Opens DIR/NAME if it is a map of the expected layout; else -1 and why. */
static int map_open(const char *dir, const char *name, __u32 ksize,
		    __u32 vsize, struct bpf_map_info *info, char *why,
		    size_t len)
{
	__u32 ilen = sizeof(*info);
	char path[MAPS_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT)
		snprintf(why, len, "no qplat maps at %s (run qplat --pin %s)",
			 dir, dir);
	else if (fd < 0 && (errno == EPERM || errno == EACCES))
		snprintf(why, len, "cannot open %s: %s (run nictop as root)",
			 path, strerror(errno));
	else if (fd < 0)
		snprintf(why, len, "cannot open %s: %s", path, strerror(errno));
	if (fd < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &ilen) ||
	    info->key_size != ksize || info->value_size != vsize) {
		snprintf(why, len, "%s is not qplat's %s map (key %u, value "
			 "%u bytes)", path, name, info->key_size,
			 info->value_size);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * qplat's maps pinned in DIR: the histograms, and the map's id (a new map
 * starts over); the counters too when that map opens (the histograms are
 * shown without them). False, and why in l, when the histograms cannot
 * be opened or read.
 */
static void sample_lat(struct lat_sample *l, const char *dir)
{
	struct bpf_map_info info, cinfo;
	long nh = 0, nc = 0;
	int hfd, cfd, err;
	char why[sizeof(l->why)];

	memset(l, 0, sizeof(*l));
	hfd = map_open(dir, "hists", hist_map_layout.key_size,
		       hist_map_layout.value_size, &info, l->why,
		       sizeof(l->why));
	if (hfd < 0)
		return;
	l->hist_id = info.id;
	cfd = map_open(dir, "counters", hist_ctr_layout.key_size,
		       hist_ctr_layout.value_size, &cinfo, why, sizeof(why));
	err = hist_read(hfd, cfd, NULL, &l->hist, &nh,
			cfd >= 0 ? &l->ctr : NULL, &nc);
	close(hfd);
	if (cfd >= 0)
		close(cfd);
	if (err == -ENOMEM)
		fail("out of memory");
	if (err) {
		snprintf(l->why, sizeof(l->why), "cannot read %s/hists: %s",
			 dir, strerror(-err));
		return;
	}
	l->nhist = (size_t)nh;
	l->nctr = (size_t)nc;
	l->ok = true;
}

struct sample *sample_take(const struct opts *o)
{
	struct sample *s = msg_xcalloc(1, sizeof(*s));

	s->mono_ns = now_ns();
	clock_gettime(CLOCK_REALTIME, &s->wall);
	sample_devs(s);
	sample_lat(&s->lat, o->maps);
	return s;
}

void sample_free(struct sample *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < s->ndev; i++)
		free(s->dev[i].qp);
	free(s->dev);
	free(s->lat.hist);
	free(s->lat.ctr);
	free(s);
}

