// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hwqnic_modify_qp(3)'s table of transitions is the state machine's: for
 * each row of the page, for RC, UC and UD, the attributes the core requires
 * and those it takes (hwqnic_qp_modify_check(), which hwqnic_qp_modify()
 * decides with) are the row's; and every transition the page does not
 * list is refused. Run from the top of the sources (make check does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qp.h"
#include "../lib/tap.h"

#define PAGE	"docs/man/hwqnic_modify_qp.3"
#define NSTATE	(HWQNIC_QPS_ERR + 1)

/* the attributes a transition may involve: every mask bit but the state's */
static const u32 attrs[] = {
	HWQNIC_QP_ACCESS_FLAGS, HWQNIC_QP_PKEY_INDEX, HWQNIC_QP_PORT,
	HWQNIC_QP_QKEY, HWQNIC_QP_AV, HWQNIC_QP_PATH_MTU, HWQNIC_QP_TIMEOUT,
	HWQNIC_QP_RETRY_CNT, HWQNIC_QP_RNR_RETRY, HWQNIC_QP_RQ_PSN,
	HWQNIC_QP_MAX_QP_RD_ATOMIC, HWQNIC_QP_MIN_RNR_TIMER,
	HWQNIC_QP_SQ_PSN, HWQNIC_QP_MAX_DEST_RD_ATOMIC, HWQNIC_QP_CAP,
	HWQNIC_QP_DEST_QPN,
};
static const char *const attr_names[] = {
	"ACCESS_FLAGS", "PKEY_INDEX", "PORT", "QKEY", "AV", "PATH_MTU",
	"TIMEOUT", "RETRY_CNT", "RNR_RETRY", "RQ_PSN", "MAX_QP_RD_ATOMIC",
	"MIN_RNR_TIMER", "SQ_PSN", "MAX_DEST_RD_ATOMIC", "CAP", "DEST_QPN",
};
static const char *const states[NSTATE] = {
	"RESET", "INIT", "RTR", "RTS", "SQD", "SQE", "ERR",
};

/* a list of the page's ("PORT, QKEY" or "\-") as a mask; ~0 if unknown */
static u32 parse_attrs(char *s)
{
	u32 m = 0;
	char *tok;
	unsigned int i;

	if (!strcmp(s, "\\-"))
		return 0;
	for (tok = strtok(s, ", "); tok; tok = strtok(NULL, ", ")) {
		for (i = 0; i < ARRAY_SIZE(attrs); i++)
			if (!strcmp(tok, attr_names[i]))
				break;
		if (i == ARRAY_SIZE(attrs))
			return ~0U;
		m |= attrs[i];
	}
	return m;
}

static int state_of(const char *s, size_t n)
{
	int i;

	for (i = 0; i < NSTATE; i++)
		if (strlen(states[i]) == n && !strncmp(s, states[i], n))
			return i;
	return -1;
}

/* attributes every value of which the core takes */
static void good_values(struct hwqnic_qp_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->port_num = 1;
	a->path_mtu = HWQNIC_MTU_1024;
}

/* What the core requires and takes of cur->next for a QP type. */
static bool core_row(u8 type, int cur, int next, u32 *req, u32 *opt)
{
	struct hwqnic_qp_attr a;
	struct hwqnic_qp_why why;
	unsigned int i;

	good_values(&a);
	a.qp_state = next;
	*req = *opt = 0;
	if (hwqnic_qp_modify_check(type, cur, &a, HWQNIC_QP_STATE, &why)) {
		if (why.code != HWQNIC_QPW_MISSING)
			return false;
		*req = why.attrs;
	}
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (*req & attrs[i])
			continue;
		if (!hwqnic_qp_modify_check(type, cur, &a, HWQNIC_QP_STATE |
					    *req | attrs[i], &why))
			*opt |= attrs[i];
	}
	return true;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 65536);
	n = buf ? fread(buf, 1, 65535, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

/* "T{\n...\nT}" text blocks of tbl, joined into their row */
static void join_blocks(char *s)
{
	char *p;

	while ((p = strstr(s, "T{\n")))
		memmove(p, p + 3, strlen(p + 3) + 1);
	while ((p = strstr(s, "\nT}")))
		memmove(p, p + 3, strlen(p + 3) + 1);
}

int main(void)
{
	static const u8 qpts[] = { HWQNIC_QPT_RC, HWQNIC_QPT_UD, HWQNIC_QPT_UC };
	static const char *const qpt_names[] = { "RC", "UD", "UC" };
	bool listed[3][NSTATE][NSTATE] = { { { false } } };
	char *page = slurp(PAGE), *tbl, *end, *line, *save;
	int cur = -1, next = -1, rows = 0, t, c, n;

	if (!page)
		tap_skip_all("no %s here: run from the top of the sources", PAGE);
	tbl = strstr(page, "\n.TS\n");
	end = tbl ? strstr(tbl, "\n.TE\n") : NULL;
	if (!ok(tbl && end, "%s has a table", PAGE))
		return tap_done();
	*end = '\0';
	join_blocks(tbl);
	/* its options, two format lines, the header: then the rows */
	line = strtok_r(tbl + 5, "\n", &save);
	for (n = 0; line && n < 4; n++)
		line = strtok_r(NULL, "\n", &save);
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4], *arrow;
		u32 req, opt, want_req, want_opt;
		bool any;
		int i, types[3], ntypes = 0;

		for (i = 0; i < 4; i++)
			f[i] = strsep(&line, "\t");
		if (!f[3]) {
			ok(0, "a row of 4 cells: \"%s\"", f[0]);
			continue;
		}
		rows++;
		if (strcmp(f[0], "\\^")) {
			arrow = strstr(f[0], "\\->");
			any = arrow && !strncmp(f[0], "any", 3);
			cur = arrow && !any ? state_of(f[0], arrow - f[0]) : -1;
			next = arrow ? state_of(arrow + 3, strlen(arrow + 3)) : -1;
			if (!ok(next >= 0 && (any || cur >= 0),
				"row %d: %s is a transition", rows, f[0]))
				continue;
			if (any)
				cur = -2;
		}
		/* a column index of listed[]: "all", or one type's name */
		for (i = 0; i < 3; i++)
			if (!strcmp(f[1], "all") || !strcmp(f[1], qpt_names[i]))
				types[ntypes++] = i;
		if (!ok(ntypes, "row %d: QP type %s known", rows, f[1]))
			continue;
		want_req = parse_attrs(f[2]);
		want_opt = parse_attrs(f[3]);
		for (i = 0; i < ntypes; i++) {
			t = types[i];
			for (c = 0; c < NSTATE; c++) {
				bool got;

				if (cur != -2 && c != cur)
					continue;
				/* "any": the states a QP can be in */
				if (c == HWQNIC_QPS_SQD || c == HWQNIC_QPS_SQE)
					continue;
				listed[t][c][next] = true;
				got = core_row(qpts[t], c, next, &req, &opt);
				if (!ok(got && req == want_req && opt == want_opt,
					"%s->%s %s: required and optional as "
					"the core's", states[c], states[next],
					qpt_names[t]))
					diag("core: %s, required 0x%x, optional "
					     "0x%x; page 0x%x, 0x%x", got ?
					     "a transition" : "none", req, opt,
					     want_req, want_opt);
			}
		}
	}
	ok(rows > 0, "the table has %d rows", rows);

	/* what the page does not list, the core refuses */
	n = 0;
	for (t = 0; t < 3; t++)
		for (c = 0; c < NSTATE; c++)
			for (next = 0; next < NSTATE; next++) {
				u32 req, opt;

				if (listed[t][c][next])
					continue;
				if (core_row(qpts[t], c, next, &req, &opt)) {
					diag("%s->%s %s: the core takes it",
					     states[c], states[next],
					     qpt_names[t]);
					n++;
				}
			}
	ok(!n, "every transition the page does not list is refused (%d taken)",
	   n);
	free(page);
	return tap_done();
}
