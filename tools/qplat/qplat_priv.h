/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * qplat's own pieces (not "qplat.h": that name is bpf/qplat.h, the map
 * layouts qplat shares with its BPF programs and with nictop).
 *
 *   main.c     parse, open, run, report
 *   options.c  the command line
 *   attach.c   checks, loading, attaching (USDT and tracepoints), pinning
 *   run.c      the intervals: waiting for the next, a signal or the end
 *              of the traced process
 *   report.c   reading the maps and printing them, as text or JSON
 *   svg.c      --svg: the run's latency CDFs as an SVG picture
 *   sample.c   sampling: the control words written, the histograms
 *              scaled, the exact counters read from the stats files
 */
#ifndef _HWQNIC_QPLAT_PRIV_H
#define _HWQNIC_QPLAT_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>

#include "qplat.h"
#include "lib/opts.h"
#include "lib/resolve.h"

#define PROVIDER	"hwqnic"
#define LIBNAME		"libhwqnic.so"

struct qplat_bpf;
struct hist_entry;
struct hist_ctr_entry;
struct hist_base;

/* --svg: the histograms summed over the run, sorted by key */
struct qplat_acc {
	struct hist_entry *e;
	long n;
};

/*
 * Sampling: the default is -F QPLAT_DEFAULT_HZ; a process whose rate is
 * not known yet (its first tick under -F) is asked for
 * QPLAT_SAMPLE_FIRST. Every QPLAT_TICK_NS the histograms are scaled and
 * the periods recomputed.
 */
#define QPLAT_DEFAULT_HZ	1000
#define QPLAT_SAMPLE_FIRST	1024
#define QPLAT_TICK_NS		200000000ULL

/* A traced process's sampling. */
struct qplat_proc {
	pid_t pid;
	__u32 in_force;		/* the period of the samples coming in */
	__u32 want;		/* asked for at the last scan */
	__u32 lo, hi;		/* in force over the printed interval */
	__u64 done;		/* completions at the last scan (exact) */
	__u64 sum;		/* summing this scan's files */
	double t;		/* the last scan's time */
	unsigned int files;	/* found by this scan */
	bool wrote;		/* a word of ours went to its files */
};

struct qplat_sampler {
	int dfd;		/* HWQNIC_STATS_DIR */
	int ifd;		/* inotify on it, or -1 */
	char exe[PATH_MAX];	/* -B of a program with the probes, or "" */
	bool unready;		/* a file not published yet: look again soon */
	struct qplat_bpf *skel;	/* its maps, once attached */
	struct qplat_proc *p;
	size_t n;
	struct qplat_acc pend;	/* the interval's scaled histograms */
	/* each QP's exact counters as last read, sorted (a QP destroyed
	 * keeps its last reading: its slot is emptied with it) */
	struct hist_ctr_entry *ctr;
	long nctr;
};

struct qplat_env {
	pid_t pid;		/* -p: 0 for every process */
	const char *binary;	/* -B */
	bool kernel;		/* -k */
	bool five;		/* --five-events: post, db, wqe, cqe, poll */
	__u32 qpn;		/* -Q: 0 for every QP */
	bool filter_op;		/* -o */
	__u32 op;
	int lat;		/* -L: enum qplat_lat, or -1 for all */
	bool msecs;		/* -m */
	bool histograms;	/* -H */
	bool timestamp;
	bool json;
	bool verbose;
	const char *pin;
	const char *svg;		/* --svg FILE */
	FILE *svg_file;			/* opened before tracing */
	struct qplat_acc *acc;		/* with svg */
	/* the last reading of `hists`, each interval's base (hist_read()) */
	struct hist_base *base;
	struct opts_interval iv;	/* interval [count]; 0: print once */
	__u32 period;		/* -c N: 0 with -F or exact */
	__u32 hz;		/* -F HZ */
	struct qplat_sampler *smp;	/* sampling (not --five-events) */
};

extern const char *const qplat_lat_names[QPLAT_LAT_MAX];

/* options.c: returns only with a good command line */
void qplat_parse(int argc, char **argv, struct qplat_env *env);

/* attach.c: dies (status 1) when the target cannot be traced */
void qplat_check(const struct qplat_env *env, struct resolve_target *t);
/* loaded, attached and pinned, or NULL (said why) */
struct qplat_bpf *qplat_open(const struct qplat_env *env,
			     const struct resolve_target *t);

/* run.c: SIGINT and SIGTERM held for run; 0 or -1 (said why) */
int qplat_catch_stop(void);
/* 0 when it traced until stopped and printed, else 1 */
int qplat_run(const struct qplat_env *env, struct qplat_bpf *skel);

/* report.c: names and quantiles as qplat prints them */
const char *qplat_op_name(__u32 op, char *buf, size_t len);
const char *qplat_lat_name(__u32 lat);
/* the device's name, or NULL for a context of /dev/hwqnic0 */
const char *qplat_dev_name(const struct qplat_env *env, __u32 dev,
			   char *buf, size_t len);
/* bounded by the histogram's least and greatest samples */
double qplat_quantile_ns(const struct hist_entry *e, double p);

/* svg.c: --svg FILE opened (a regular file, never followed through a
 * link) or -1 (said why); then the CDFs written, 0 or -1 (said why) */
int qplat_svg_open(struct qplat_env *env);
int qplat_svg(const struct qplat_env *env, const struct hist_entry *h,
	      long n);

/* report.c: one interval's output (the histograms' gain since the last
 * reading; `last`: the end of the run). 0 or -1 (said why). */
int qplat_report(const struct qplat_env *env, struct qplat_bpf *skel,
		 double interval_s, bool last);

/* report.c: the maps read (hist_read()), the histograms differenced
 * from env->base, which becomes this reading; a histogram's counts
 * multiplied by n; h added to acc */
int qplat_read(const struct qplat_env *env, struct qplat_bpf *skel,
	       struct hist_entry **h, long *nh, struct hist_ctr_entry **c,
	       long *nc);
/* report.c: process pid has exited (a zombie has not yet): its `hists`
 * entries can go (hist_base) */
bool qplat_exited(__u32 pid);
void qplat_hist_scale(struct hist_entry *e, __u64 n);
int qplat_acc_add(struct qplat_acc *acc, const struct hist_entry *h, long n);

/* sample.c: 0 or -errno. open asks the processes there now, before
 * tracing starts; fd is inotify's for new files (-1: none); soon drains
 * it and says that files appeared or wait to be published; files reads
 * them and asks the processes seen first now;
 * tick reads the files and asks each process for its period, taking what
 * the histograms gained (scaled) before a period changes and for a
 * report, whose counters, when exact, come from the same reading (c);
 * printed starts the next interval; close gives the processes their
 * words back. */
int qplat_sample_open(struct qplat_env *env, const struct resolve_target *t);
int qplat_sample_fd(const struct qplat_env *env);
bool qplat_sample_soon(const struct qplat_env *env);
int qplat_sample_files(const struct qplat_env *env);
int qplat_sample_tick(const struct qplat_env *env, struct qplat_bpf *skel,
		      bool report, struct hist_ctr_entry **c, long *nc);
void qplat_sample_printed(const struct qplat_env *env);
void qplat_sample_close(struct qplat_env *env);

#endif /* _HWQNIC_QPLAT_PRIV_H */
