// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nictop's columns, and the text of each cell and line it prints. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <hwqnic/verbs.h>

#include "nictop.h"

/* title, name, what, widths (screen, batch), left-aligned, descending */
const struct col cols[NCOLS] = {
	[C_QPN]	  = { "QPN",	"qpn",	   "queue pair number",
		      5,  6,  false, false },
	[C_TYPE]  = { "TYPE",	"type",	   "RC or UD",
		      4,  4,  true,  false },
	[C_STATE] = { "STATE",	"state",   "RESET ... RTS, ERR",
		      5,  5,  true,  false },
	[C_PID]	  = { "PID",	"pid",	   "owner's process id",
		      7,  7,  false, false },
	[C_COMM]  = { "COMMAND", "comm",   "owner's command name",
		      10, 15, true,  false },
	[C_DEV]	  = { "DEV",	"dev",	   "device (hwqnic-DEV)",
		      5,  14, true,  false },
	[C_OPS]	  = { "OPS/s",	"ops",	   "work requests posted per second",
		      8,  10, false, true },
	[C_MIB]	  = { "MiB/s",	"mib",	   "payload moved, MiB per second",
		      8,  10, false, true },
	[C_SQ]	  = { "SQ",	"sq",	   "send WQEs outstanding",
		      6,  6,  false, true },
	[C_RQ]	  = { "RQ",	"rq",	   "receives outstanding",
		      6,  6,  false, true },
	[C_CQBL]  = { "CQBL",	"cqbl",	   "CQEs written, not yet polled",
		      6,  6,  false, true },
	[C_RXPK]  = { "RXpk/s", "rx_pkts", "wire: packets received per second",
		      7,  10, false, true,  true },
	[C_TXPK]  = { "TXpk/s", "tx_pkts", "wire: packets sent per second",
		      7,  10, false, true,  true },
	[C_RXB]	  = { "RXB/s",	"rx_bytes", "wire: bytes received per second",
		      7,  12, false, true,  true },
	[C_TXB]	  = { "TXB/s",	"tx_bytes", "wire: bytes sent per second",
		      7,  12, false, true,  true },
	[C_RETX]  = { "RETX",	"retx",	   "wire: packets retransmitted",
		      6,  10, false, true,  true },
	[C_DROP]  = { "DROPS",	"drops",   "wire: received packets dropped",
		      6,  10, false, true,  true },
	[C_P50]	  = { "p50dev",	"dev_p50", "device latency p50, us",
		      7,  9,  false, true },
	[C_P99]	  = { "p99dev",	"dev_p99", "device latency p99, us",
		      7,  9,  false, true },
	[C_E2E99] = { "p99e2e",	"e2e_p99", "post to poll latency p99, us",
		      7,  9,  false, true },
	[C_ERR]	  = { "ERRORS",	"errors",  "error completions",
		      6,  10, false, true },
};

/*
 * What a narrow screen keeps: latencies and rates before the columns
 * that rarely change from row to row (type, device, state) or say less.
 */
const int col_rank[NCOLS] = {
	C_QPN, C_OPS, C_P99, C_E2E99, C_P50, C_MIB, C_PID, C_ERR, C_COMM,
	C_RXPK, C_TXPK, C_RETX, C_DROP, C_RXB, C_TXB,
	C_CQBL, C_STATE, C_SQ, C_RQ, C_TYPE, C_DEV,
};

/*
 * A number in at most `width` characters (0: any): fewer decimals first,
 * then a k, M, G or T suffix. "-" when unknown (< 0).
 */
static void fmt_num(char *buf, size_t len, double v, int dec, int width)
{
	static const char sfx[] = "kMGTP";
	int d, i;

	if (v < 0 || !isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	for (d = dec; d >= 0; d--)
		if (snprintf(buf, len, "%.*f", d, v) <= width || !width)
			return;
	for (i = 0; sfx[i]; i++) {
		v /= 1000;
		for (d = 1; d >= 0; d--)
			if (snprintf(buf, len, "%.*f%c", d, v, sfx[i]) <= width)
				return;
	}
}

/* The screen shows device names without their common prefix. */
static const char *short_dev(const char *name)
{
	static const char prefix[] = "hwqnic-";

	if (!strncmp(name, prefix, sizeof(prefix) - 1) &&
	    name[sizeof(prefix) - 1])
		return name + sizeof(prefix) - 1;
	return name;
}

static void cell(char *buf, size_t len, const struct row *r, int col,
		 int width, bool full)
{
	switch (col) {
	case C_QPN:
		snprintf(buf, len, "%u", r->qpn);
		return;
	case C_TYPE:
		snprintf(buf, len, "%s", hwqnic_qp_type_str(r->type));
		return;
	case C_STATE:
		snprintf(buf, len, "%s", hwqnic_qp_state_str(r->state));
		return;
	case C_PID:
		snprintf(buf, len, "%d", r->pid);
		return;
	case C_COMM:
		safestr_text(buf, len, r->comm, sizeof(r->comm));
		return;
	case C_DEV:
		safestr_text(buf, len, full ? r->dev : short_dev(r->dev),
			     sizeof(r->dev));
		return;
	}
	/* numbers: one decimal for rates of bytes and for latencies */
	fmt_num(buf, len, row_num(r, col),
		col == C_MIB || col == C_P50 || col == C_P99 ||
		col == C_E2E99 ? 1 : 0, width);
}

/* "TEXT" padded or cut to width, aligned as the column wants. */
int pad(char *buf, size_t len, const char *text, int col, int width)
{
	if (cols[col].left)
		return snprintf(buf, len, "%-*.*s", width, width, text);
	return snprintf(buf, len, "%*.*s", width, width, text);
}

static int col_width(int c, bool batch)
{
	return batch ? cols[c].bwidth : cols[c].width;
}

/*
 * The columns of o->col_on that fit in `width` characters (0: any), the
 * wire's only when a device shown is bound to a netdev (`wire`), in
 * table order, into vis[NCOLS]: the least important go first, never the
 * last one. Returns how many.
 */
int cols_fit(const struct opts *o, int width, bool batch, bool wire,
	     int *vis)
{
	bool on[NCOLS];
	int c, i, n = 0, x = 0;

	memcpy(on, o->col_on, sizeof(on));
	for (c = 0; c < NCOLS; c++)
		on[c] &= wire || !cols[c].wire;
	for (c = 0; c < NCOLS; c++)
		if (on[c])
			x += col_width(c, batch) + (n++ ? 1 : 0);
	for (i = NCOLS - 1; width && x > width && n > 1 && i >= 0; i--) {
		c = col_rank[i];
		if (!on[c])
			continue;
		on[c] = false;
		x -= col_width(c, batch) + 1;
		n--;
	}
	for (c = n = 0; c < NCOLS; c++)
		if (on[c])
			vis[n++] = c;
	return n;
}

/* One line of a table: the columns vis[nvis], widths from `batch`. */
void table_line(char *line, size_t len, const struct row *r, const int *vis,
		int nvis, bool batch)
{
	char text[64];
	size_t off = 0;
	int i, c, w;

	line[0] = '\0';
	for (i = 0; i < nvis && off < len; i++) {
		c = vis[i];
		w = col_width(c, batch);
		if (r)
			cell(text, sizeof(text), r, c, w, batch);
		else
			snprintf(text, sizeof(text), "%s", cols[c].title);
		if (i)
			line[off++] = ' ';
		off += pad(line + off, len - off, text, c, w);
	}
}

void fmt_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

/*
 * The rates of a device or of the totals; numbers in at most `w`
 * characters (0: as they come).
 */
static void rates_text(char *buf, size_t len, double ops_s, double mib_s,
		       double cqes_s, __u64 errors, double busy, int w)
{
	char ops[16], mib[16], cqes[16], pct[16];

	fmt_num(ops, sizeof(ops), ops_s, 0, w);
	fmt_num(mib, sizeof(mib), mib_s, 1, w);
	fmt_num(cqes, sizeof(cqes), cqes_s, 0, w);
	fmt_num(pct, sizeof(pct), busy, 1, 5);
	snprintf(buf, len, "%*s ops/s %*s MiB/s %*s cqes/s  busy %s%s  %"
		 PRIu64 " err", w, ops, w, mib, w, cqes, pct,
		 busy < 0 ? "" : "%", (uint64_t)errors);
}

void totals_text(char *buf, size_t len, const struct totals *t,
			double interval, int w)
{
	char rates[160];
	bool known = interval > 0;

	rates_text(rates, sizeof(rates), known ? t->ops_s : -1,
		   known ? t->mib_s : -1, known ? t->cqes_s : -1, t->errors,
		   t->busy_pct, w);
	snprintf(buf, len, "Total %s  %u dev %u QP", rates, t->ndev, t->nqp);
}

/*
 * A bound device's wire totals: every frame its port passed, for its QPs
 * or not, and the transport's retransmissions, timeouts, NAKs and drops.
 */
static void wire_text(char *buf, size_t len, const struct dev_row *d, int w)
{
	char nd[SAFESTR_TEXT_SIZE(sizeof(d->netdev))];
	char rp[16], tp[16], rb[16], tb[16];
	const struct hwqnic_wire_counters *c = &d->wc;

	safestr_text(nd, sizeof(nd), d->netdev, sizeof(d->netdev));
	fmt_num(rp, sizeof(rp), d->wr.rx_pkts_s, 0, w);
	fmt_num(tp, sizeof(tp), d->wr.tx_pkts_s, 0, w);
	fmt_num(rb, sizeof(rb), d->wr.rx_bytes_s, 0, w);
	fmt_num(tb, sizeof(tb), d->wr.tx_bytes_s, 0, w);
	snprintf(buf, len, "  wire %s rx %*s pk/s %*s B/s tx %*s pk/s %*s "
		 "B/s  %" PRIu64 " retx %" PRIu64 " timeouts %" PRIu64
		 " naks %" PRIu64 " drops", nd, w, rp, w, rb, w, tp, w, tb,
		 (uint64_t)c->retransmits, (uint64_t)c->timeouts,
		 (uint64_t)(c->seq_naks_sent + c->seq_naks_rcvd +
			    c->rnr_naks_sent + c->rnr_naks_rcvd),
		 (uint64_t)dev_wire_drops(c));
}

void dev_text(char *buf, size_t len, const struct dev_row *d, int w)
{
	char rates[160], comm[SAFESTR_TEXT_SIZE(sizeof(d->comm))];
	char name[SAFESTR_TEXT_SIZE(sizeof(d->name))];
	char wire[256] = "";

	rates_text(rates, sizeof(rates), d->ops_s, d->mib_s, d->cqes_s,
		   d->errors, dev_busy(d), w);
	safestr_text(comm, sizeof(comm), d->comm, sizeof(d->comm));
	safestr_text(name, sizeof(name), w ? short_dev(d->name) : d->name,
		     sizeof(d->name));
	if (d->wire)
		wire_text(wire, sizeof(wire), d, w);
	if (w)
		snprintf(buf, len, "%6d %-8.8s %-5.5s %s%s", d->pid, comm, name,
			 rates, wire);
	else
		snprintf(buf, len, "%7d %-15s %-13s %s%s", d->pid, comm, name,
			 rates, wire);
}

/* The skipped files that pass the PID filter: how many, the first. */
unsigned int skipped_shown(const struct skip_list *l,
				  const struct opts *o,
				  const struct skipped **first)
{
	unsigned int i, n = 0;

	*first = NULL;
	for (i = 0; i < l->kept; i++) {
		if (o->pid >= 0 && l->skip[i].pid != o->pid)
			continue;
		if (!n++)
			*first = &l->skip[i];
	}
	/* those not kept cannot be filtered: counted when unfiltered */
	return o->pid >= 0 ? n : l->n;
}

/* Into SKIPPED_TEXT_SIZE bytes. */
void skipped_text(char *buf, size_t len, const struct skipped *k)
{
	char name[SAFESTR_TEXT_SIZE(sizeof(k->name))];
	char why[SAFESTR_TEXT_SIZE(sizeof(k->why))];

	safestr_text(name, sizeof(name), k->name, sizeof(k->name));
	safestr_text(why, sizeof(why), k->why, sizeof(k->why));
	snprintf(buf, len, "%s: %s", name, why);
}

