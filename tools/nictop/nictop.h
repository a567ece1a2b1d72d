/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nictop's own pieces.
 *
 *   main.c      parse, run (the screen or batch output)
 *   options.c   the command line, and the parsers the screen's prompts use
 *   sample.c    readings: the published counters (/dev/shm) and qplat's
 *               pinned maps
 *   snapshot.c  the rates and latencies between two readings
 *   view.c      the rows that pass the filters, sorted; the totals
 *   cells.c     the columns, and each line's text
 *   batch.c     -b: plain text or JSON per interval
 *   tui.c       the screen (ncurses) and its keys
 */
#ifndef _HWQNIC_NICTOP_H
#define _HWQNIC_NICTOP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <linux/types.h>

#include <hwqnic/stats.h>
#include "qplat.h"
#include "lib/hist.h"
#include "lib/msg.h"
#include "lib/safestr.h"

#define NSEC_PER_SEC	1000000000ULL
#define MIB		(1024.0 * 1024.0)

#define DEF_MAPS	"/sys/fs/bpf/hwqnic"
#define DEF_INTERVAL	1.0
#define MIN_INTERVAL	0.1
#define MAX_INTERVAL	3600.0
#define MAX_COUNT	(1ULL << 40)
#define MAX_DEV_LINES	4		/* device lines on the screen */
#define INPUT_MAX	20		/* characters of a prompt's answer */
#define MAPS_MAX	256		/* bytes of --maps DIR */
#define CQBL_SLACK	64		/* counters read at other instants */
#define MAX_SKIPPED	32		/* refused stats files kept per sample */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/*
 * A failure: msg.c's cleanups first (the screen restores the terminal),
 * then the message, which the screen would otherwise swallow.
 */
#define fail(...)	do {				\
		msg_run_hooks();			\
		msg_die(1, __VA_ARGS__);		\
	} while (0)

/* ---- columns and options ---- */

enum col_id {
	C_QPN, C_TYPE, C_STATE, C_PID, C_COMM, C_DEV, C_OPS, C_MIB, C_SQ,
	C_RQ, C_CQBL, C_RXPK, C_TXPK, C_RXB, C_TXB, C_RETX, C_DROP, C_P50,
	C_P99, C_E2E99, C_ERR, NCOLS
};

struct col {
	const char *title;
	const char *name;	/* for --sort and --columns */
	const char *what;	/* for the field chooser */
	int width;		/* on the screen */
	int bwidth;		/* in batch output */
	bool left;		/* left-aligned */
	bool desc;		/* sorts descending first */
	bool wire;		/* only beside a device bound to a netdev */
};

extern const struct col cols[NCOLS];
extern const int col_rank[NCOLS];	/* most important first */

struct opts {
	double interval;	/* seconds */
	uint64_t count;		/* updates before exiting; 0: forever */
	bool batch;
	bool json;
	long pid;		/* filter; -1: every process */
	long long qpn;		/* filter; -1: every QP */
	const char *maps;	/* qplat's pin directory */
	int sort;		/* enum col_id; -1: the mode's default */
	bool reverse;
	bool col_on[NCOLS];	/* the columns asked for */
	bool no_color;
};

/* ---- samples: what one reading of the counters found ---- */

struct qp_sample {
	__u32 qpn;
	__u8 type;
	__u8 state;
	__u32 send_cq;
	__u32 recv_cq;
	struct hwqnic_qp_counters c;
	struct hwqnic_qp_wire_counters w;
};

/* Names are the bytes another process wrote: each output escapes them. */
struct dev_sample {
	int pid;
	long id;		/* the N ending the name, qplat's dev; or -1 */
	char comm[HWQNIC_STATS_COMM_LEN];
	char name[HWQNIC_STATS_DEV_LEN];
	struct hwqnic_engine_counters eng;
	bool wire;		/* bound to a netdev: the wire counters count */
	char netdev[HWQNIC_STATS_NETDEV_LEN];
	struct hwqnic_wire_counters wc;
	unsigned int nqp;
	struct qp_sample *qp;	/* by QPN */
};

struct lat_sample {
	bool ok;		/* hists could be read */
	char why[2 * MAPS_MAX];	/* if not */
	__u32 hist_id;		/* the map's id: a new map starts over */
	size_t nhist;
	size_t nctr;
	struct hist_entry *hist;	/* by key */
	struct hist_ctr_entry *ctr;	/* by key */
};

/* Wire rates of a QP or a device: < 0 when unknown. */
struct wire_rates {
	double rx_pkts_s, tx_pkts_s;
	double rx_bytes_s, tx_bytes_s;
};

/* A stats file refused: its name is another process's bytes too. */
struct skipped {
	int pid;		/* the one it names */
	char name[256];
	char why[HWQNIC_STATS_WHY_LEN];
};

/* "NAME: WHY", escaped */
#define SKIPPED_TEXT_SIZE	(SAFESTR_TEXT_SIZE(256) + 2 + \
				 SAFESTR_TEXT_SIZE(HWQNIC_STATS_WHY_LEN))

struct skip_list {
	unsigned int n;		/* refused in all */
	unsigned int kept;	/* the first of them, in skip[] */
	struct skipped skip[MAX_SKIPPED];
};

struct sample {
	uint64_t mono_ns;
	struct timespec wall;
	unsigned int ndev;
	struct dev_sample *dev;	/* by (pid, name) */
	struct skip_list skipped;
	struct lat_sample lat;
};


struct row {
	int pid;
	char comm[HWQNIC_STATS_COMM_LEN];
	char dev[HWQNIC_STATS_DEV_LEN];
	__u32 qpn;
	__u8 type;
	__u8 state;
	__u32 send_cq;
	__u32 recv_cq;
	double ops_s;		/* rates: < 0 when unknown */
	double mib_s;
	double cqes_s;
	long long cqbl;		/* < 0: unknown */
	double p50;		/* latencies, us: < 0 when unknown */
	double p99;
	double e2e99;
	double pick50;		/* pickup p50: JSON only */
	struct hwqnic_qp_counters c;
	bool wire;		/* its device is bound to a netdev */
	struct wire_rates wr;
	struct hwqnic_qp_wire_counters w;
};

struct dev_row {
	int pid;
	char comm[HWQNIC_STATS_COMM_LEN];
	char name[HWQNIC_STATS_DEV_LEN];
	double ops_s;
	double mib_s;
	double cqes_s;
	__u64 errors;
	__u64 busy_ns;		/* the engine's, over the interval */
	__u64 run_ns;
	bool wire;		/* bound to a netdev */
	char netdev[HWQNIC_STATS_NETDEV_LEN];
	struct wire_rates wr;	/* every frame, for its QPs or not */
	struct hwqnic_wire_counters wc;
};

struct snapshot {
	struct timespec wall;
	double interval;	/* seconds; 0: a first sample, no rates */
	unsigned int nrow;
	unsigned int ndev;
	struct row *row;
	struct dev_row *dev;
	bool wire;		/* some device is bound to a netdev */
	struct skip_list skipped;
	char lat_status[3 * MAPS_MAX];
};

struct totals {
	double ops_s;
	double mib_s;
	double cqes_s;
	__u64 errors;
	double busy_pct;	/* < 0: unknown */
	unsigned int ndev;
	unsigned int nqp;
};


/* ---- what each file gives the others ---- */

/* options.c */
void nictop_parse(int argc, char **argv, struct opts *o);
bool nictop_interval(const char *s, double *out);
long long nictop_filter(const char *s, long long max);

/* sample.c */
void *xrealloc(void *p, size_t n, size_t size);
uint64_t now_ns(void);
uint64_t secs_to_ns(double s);
int dev_cmp(const void *a, const void *b);	/* by (pid, name) */
struct sample *sample_take(const struct opts *o);
void sample_free(struct sample *s);

/* snapshot.c */
struct snapshot *snapshot_build(const struct sample *cur,
				const struct sample *prev, const char *dir);
void snapshot_free(struct snapshot *sn);

/* view.c */
bool dev_shown(const struct snapshot *sn, const struct dev_row *d,
	       const struct opts *o);
double row_num(const struct row *r, int col);
unsigned int view_build(const struct snapshot *sn, const struct opts *o,
			const struct row ***out);
void totals_build(const struct snapshot *sn, const struct opts *o,
		  struct totals *t);
double dev_busy(const struct dev_row *d);
bool wire_shown(const struct snapshot *sn, const struct opts *o);
__u64 qp_wire_drops(const struct hwqnic_qp_wire_counters *w);
__u64 dev_wire_drops(const struct hwqnic_wire_counters *wc);

/* cells.c */
int pad(char *buf, size_t len, const char *text, int col, int width);
int cols_fit(const struct opts *o, int width, bool batch, bool wire,
	     int *vis);
void table_line(char *line, size_t len, const struct row *r, const int *vis,
		int nvis, bool batch);
void fmt_time(char *buf, size_t len, const struct timespec *ts);
void totals_text(char *buf, size_t len, const struct totals *t,
		 double interval, int w);
void dev_text(char *buf, size_t len, const struct dev_row *d, int w);
unsigned int skipped_shown(const struct skip_list *l, const struct opts *o,
			   const struct skipped **first);
void skipped_text(char *buf, size_t len, const struct skipped *k);

/* batch.c, tui.c: the exit status */
int run_batch(const struct opts *o);
int run_tui(struct opts *o);

#endif /* _HWQNIC_NICTOP_H */
