// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* nictop's screen: ncurses, a reading every interval, keys between. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "nictop.h"

#define ESC		27
#define CTRL(c)		((c) & 0x1f)

enum ui_mode { UI_TABLE, UI_HELP, UI_PROMPT, UI_FIELDS };
/* colour pairs, as htop's: cyan title, green meter, black on green
 * column titles, the sort column black on cyan, errors red */
enum { CP_TITLE = 1, CP_HEAD, CP_SORT, CP_METER, CP_ERR, CP_KEY };
enum ui_prompt { PR_PID, PR_QPN, PR_DELAY };

struct ui {
	struct opts *o;
	struct snapshot *shown;		/* on the screen */
	struct snapshot *latest;	/* differs from shown when paused */
	bool paused;
	bool quit;
	enum ui_mode mode;
	enum ui_prompt prompt;
	char input[INPUT_MAX + 1];
	char msg[80];			/* says why a key did nothing */
	unsigned int scroll;		/* first row shown */
	unsigned int page;		/* rows that fit */
	int title_len;			/* where the title line ends */
	bool can_color;			/* the terminal has colours */
	bool color;			/* and they are on */
	bool color_started;
	int vis[NCOLS];			/* the columns on the screen */
	int nvis;
	int field;			/* the field chooser's cursor */
};

static const char *const help_lines[] = {
	"nictop: hwqnic devices and their queue pairs, live",
	"",
	"  h  ?  F1        this help; any key returns",
	"  f  F2           choose the columns (and the sort column)",
	"  <  >            sort by the column on the left / right",
	"  r  R  I         reverse the sort order",
	"  p               show one process only: its PID (empty: all)",
	"  \\  o  F4        show one QP only: its QPN (empty: all)",
	"  c               clear both filters",
	"  space  Z        pause / resume the screen (sampling goes on)",
	"  d  s   +  -     set the interval / the next longer, shorter one",
	"  z  Ctrl-L       colours on / off; redraw",
	"  Up Down PgUp PgDn Home End    scroll the rows",
	"  q  Q  F10       quit (Ctrl-C too)",
	"",
	"Columns ('f' lists them all): p50dev / p99dev (doorbell -> CQE) and",
	"p99e2e (post -> poll) in microseconds over the last interval, from",
	"qplat's pinned maps; CQBL, CQEs written and not yet polled; ERRORS,",
	"error CQEs since the QP was made.",
};

static const double steps[] = {
	0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600
};

/* Writes text at (y, x), cut at the screen's edge. */
static void put(int y, int x, const char *text)
{
	if (y < LINES && x < COLS)
		mvaddnstr(y, x, text, COLS - x);
}

/* Colour pair `pair` when colours are on, else the attributes `mono`. */
static attr_t look(const struct ui *u, short pair, attr_t mono)
{
	return u->color ? COLOR_PAIR(pair) : mono;
}

static void color_set_up(struct ui *u, bool on)
{
	u->color = on && u->can_color;
	if (!u->color || u->color_started)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_TITLE, COLOR_CYAN, -1);
	init_pair(CP_HEAD, COLOR_BLACK, COLOR_GREEN);
	init_pair(CP_SORT, COLOR_BLACK, COLOR_CYAN);
	init_pair(CP_METER, COLOR_GREEN, -1);
	init_pair(CP_ERR, COLOR_RED, -1);
	init_pair(CP_KEY, COLOR_BLACK, COLOR_CYAN);
	u->color_started = true;
}

/* Text on one line, or on two broken at a space; returns the next line. */
static int put_wrapped(int y, const char *text)
{
	int len = strlen(text), cut;

	if (len <= COLS) {
		put(y, 0, text);
		return y + 1;
	}
	for (cut = COLS; cut > 0 && text[cut] != ' '; cut--)
		;
	if (!cut)
		cut = COLS;
	mvaddnstr(y, 0, text, cut);
	put(y + 1, 2, text + cut + (text[cut] == ' '));
	return y + 2;
}

static void draw_title(struct ui *u, int y)
{
	const struct opts *o = u->o;
	char line[256], ts[16], f[64] = "";
	int n;

	fmt_time(ts, sizeof(ts), &u->shown->wall);
	if (o->pid >= 0)
		snprintf(f, sizeof(f), " pid %ld", o->pid);
	if (o->qpn >= 0)
		snprintf(f + strlen(f), sizeof(f) - strlen(f), " qpn %lld",
			 o->qpn);
	n = snprintf(line, sizeof(line), "nictop %s  every %gs%s  sort %s %s",
		     ts, o->interval, u->paused ? "  PAUSED" : "",
		     cols[o->sort].title,
		     cols[o->sort].desc != o->reverse ? "desc" : "asc");
	if (f[0])
		n += snprintf(line + n, sizeof(line) - n, "  filter%s", f);
	attron(A_BOLD | look(u, CP_TITLE, 0));
	put(y, 0, line);
	attroff(A_BOLD | look(u, CP_TITLE, 0));
	u->title_len = MIN(n, (int)sizeof(line) - 1);
}

/*
 * The engines' busy share as htop draws a CPU: "Engine[|||||   42.1%]",
 * the width of the screen.
 */
static void draw_meter(struct ui *u, int y, double pct)
{
	int w = COLS - 8, bars, i;	/* "Engine[" and "]" */
	char num[16];

	if (w < 8)
		return;
	if (pct < 0)
		snprintf(num, sizeof(num), "-");
	else
		snprintf(num, sizeof(num), "%.1f%%", MIN(pct, 100.0));
	bars = pct > 0 ? (int)(MIN(pct, 100.0) / 100 * w + 0.5) : 0;
	bars = MIN(bars, w - (int)strlen(num));
	attron(A_BOLD | look(u, CP_TITLE, 0));
	put(y, 0, "Engine");
	attroff(A_BOLD | look(u, CP_TITLE, 0));
	attron(A_BOLD);
	put(y, 6, "[");
	put(y, COLS - 1, "]");
	attroff(A_BOLD);
	attron(look(u, CP_METER, 0));
	for (i = 0; i < bars; i++)
		put(y, 7 + i, "|");
	attroff(look(u, CP_METER, 0));
	put(y, COLS - 1 - (int)strlen(num), num);
}

/* Device lines; returns the next free line. */
static int draw_devs(struct ui *u, int y)
{
	const struct snapshot *sn = u->shown;
	unsigned int i, shown = 0, more = 0;
	char line[512];

	for (i = 0; i < sn->ndev; i++) {
		if (!dev_shown(sn, &sn->dev[i], u->o))
			continue;
		if (shown++ >= MAX_DEV_LINES - 1 && sn->ndev > MAX_DEV_LINES) {
			more++;
			continue;
		}
		dev_text(line, sizeof(line), &sn->dev[i], 6);
		put(y++, 0, line);
	}
	if (more) {
		snprintf(line, sizeof(line), "        ... and %u more devices",
			 more);
		put(y++, 0, line);
	}
	return y;
}

/* One line for the stats files refused, if any: how many, the first. */
static int draw_skipped(struct ui *u, int y)
{
	const struct skipped *first;
	unsigned int n = skipped_shown(&u->shown->skipped, u->o, &first);
	char line[SKIPPED_TEXT_SIZE + 64], text[SKIPPED_TEXT_SIZE];

	if (!n)
		return y;
	if (first)
		skipped_text(text, sizeof(text), first);
	snprintf(line, sizeof(line), "skipped %u stats file%s%s%s%s", n,
		 n > 1 ? "s" : "", first ? " (" : "", first ? text : "",
		 !first ? "" : n > 1 ? ", ...)" : ")");
	attron(look(u, CP_ERR, 0));
	put(y, 0, line);
	attroff(look(u, CP_ERR, 0));
	return y + 1;
}

static int draw_header(struct ui *u)
{
	const struct snapshot *sn = u->shown;
	struct totals t;
	char line[256], text[200];
	int y;

	draw_title(u, 0);
	totals_build(sn, u->o, &t);
	draw_meter(u, 1, t.busy_pct);
	totals_text(text, sizeof(text), &t, sn->interval, 6);
	snprintf(line, sizeof(line), "  %s", text);
	put(2, 0, line);
	y = draw_devs(u, 3);
	y = draw_skipped(u, y);
	return put_wrapped(y, sn->lat_status);
}

static void draw_col_titles(struct ui *u, int y)
{
	char line[512], text[32];
	int i, c, x = 0;

	table_line(line, sizeof(line), NULL, u->vis, u->nvis, false);
	attron(look(u, CP_HEAD, A_REVERSE));
	mvhline(y, 0, ' ', COLS);
	put(y, 0, line);
	attroff(look(u, CP_HEAD, A_REVERSE));
	for (i = 0; i < u->nvis; x += cols[c].width + 1, i++) {
		c = u->vis[i];
		if (c != u->o->sort)
			continue;
		pad(text, sizeof(text), cols[c].title, c, cols[c].width);
		attron(look(u, CP_SORT, A_BOLD | A_UNDERLINE));
		put(y, x, text);
		attroff(look(u, CP_SORT, A_BOLD | A_UNDERLINE));
	}
}

/* A row's ERRORS cell again, in red, when it counts any. */
static void draw_errors(struct ui *u, int y, const struct row *r)
{
	char line[64];
	int i, x = 0;

	if (!u->color || !r->c.errors)
		return;
	for (i = 0; i < u->nvis; x += cols[u->vis[i]].width + 1, i++) {
		if (u->vis[i] != C_ERR)
			continue;
		table_line(line, sizeof(line), r, &u->vis[i], 1, false);
		attron(A_BOLD | look(u, CP_ERR, 0));
		put(y, x, line);
		attroff(A_BOLD | look(u, CP_ERR, 0));
	}
}

static void draw_rows(struct ui *u, int y, int bottom)
{
	const struct row **v;
	unsigned int n, i;
	char line[512];

	u->nvis = cols_fit(u->o, COLS, false, wire_shown(u->shown, u->o),
			   u->vis);
	draw_col_titles(u, y++);
	n = view_build(u->shown, u->o, &v);
	u->page = bottom > y ? bottom - y : 0;
	if (u->scroll + u->page > n)
		u->scroll = n > u->page ? n - u->page : 0;
	for (i = u->scroll; i < n && y < bottom; i++, y++) {
		table_line(line, sizeof(line), v[i], u->vis, u->nvis, false);
		put(y, 0, line);
		draw_errors(u, y, v[i]);
	}
	if (!n && y < bottom)
		put(y, 0, u->shown->ndev || u->o->pid >= 0 || u->o->qpn >= 0 ?
			  "  (no QP matches)" : "  (no hwqnic devices in use)");
	if (n > u->page) {
		snprintf(line, sizeof(line), "  rows %u-%u of %u",
			 u->scroll + 1, MIN(n, u->scroll + u->page), n);
		put(0, u->title_len, line);
	}
	free(v);
}

static void prompt_text(char *buf, size_t len, const struct ui *u)
{
	const struct opts *o = u->o;

	if (u->prompt == PR_DELAY)
		snprintf(buf, len, "Interval in seconds (now %g): ",
			 o->interval);
	else if (u->prompt == PR_PID && o->pid >= 0)
		snprintf(buf, len, "PID to show (now %ld; empty: all): ",
			 o->pid);
	else if (u->prompt == PR_QPN && o->qpn >= 0)
		snprintf(buf, len, "QPN to show (now %lld; empty: all): ",
			 o->qpn);
	else
		snprintf(buf, len, "%s to show (empty: all): ",
			 u->prompt == PR_PID ? "PID" : "QPN");
}

static void draw_footer(struct ui *u)
{
	/* what fits in 80 columns; the help has the rest */
	static const char keys[] = "h Help  f Columns  < > Sort  "
				   "r Reverse  p PID  \\ QPN  Space Pause  "
				   "q Quit";
	int y = LINES - 1, x;
	char text[96];

	move(y, 0);
	clrtoeol();
	if (u->mode == UI_PROMPT) {
		prompt_text(text, sizeof(text), u);
		put(y, 0, text);
		x = MIN(COLS - 1, (int)strlen(text));
		put(y, x, u->input);
		move(y, MIN(COLS - 1, x + (int)strlen(u->input)));
		return;
	}
	if (u->msg[0]) {
		attron(A_BOLD | look(u, CP_ERR, A_REVERSE));
		put(y, 0, u->msg);
		attroff(A_BOLD | look(u, CP_ERR, A_REVERSE));
		return;
	}
	attron(look(u, CP_KEY, A_REVERSE));
	mvhline(y, 0, ' ', COLS);
	put(y, 0, keys);
	attroff(look(u, CP_KEY, A_REVERSE));
}

static void draw_help(void)
{
	char line[256] = "A narrow screen drops columns, least important first:";
	unsigned int i;
	int c;

	for (i = 0; i < ARRAY_SIZE(help_lines) && (int)i < LINES; i++)
		put(i, 0, help_lines[i]);
	for (c = NCOLS - 1; c >= 0; c--)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 " %s%s", cols[col_rank[c]].title, c ? "," : ".");
	put_wrapped(i, line);
}

/* top's 'f': every column, its rank of importance, on or off */
static void draw_fields(struct ui *u)
{
	char line[160], rank[NCOLS];
	int c, i;

	for (i = 0; i < NCOLS; i++)
		rank[col_rank[i]] = i + 1;
	attron(A_BOLD | look(u, CP_TITLE, 0));
	put(0, 0, "Columns: Up Down move, space toggles, s sorts by it, "
		  "f q Esc return");
	attroff(A_BOLD | look(u, CP_TITLE, 0));
	put(1, 0, "A narrow screen drops the columns on, least important "
		  "(highest rank) first.");
	for (c = 0; c < NCOLS; c++) {
		snprintf(line, sizeof(line), "  [%c] %-8s rank %2d  %s%s",
			 u->o->col_on[c] ? 'x' : ' ', cols[c].title, rank[c],
			 cols[c].what, c == u->o->sort ? "  (sort)" : "");
		if (c == u->field)
			attron(A_REVERSE);
		put(3 + c, 0, line);
		if (c == u->field)
			attroff(A_REVERSE);
	}
}

static void draw(struct ui *u)
{
	int y;

	erase();
	curs_set(u->mode == UI_PROMPT ? 1 : 0);
	if (u->mode == UI_HELP) {
		draw_help();
	} else if (u->mode == UI_FIELDS) {
		draw_fields(u);
	} else {
		y = draw_header(u);
		draw_rows(u, y, LINES - 1);
		draw_footer(u);
	}
	refresh();
}

static void ui_show(struct ui *u, struct snapshot *sn)
{
	if (u->latest != u->shown)
		snapshot_free(u->latest);
	u->latest = sn;
	if (u->paused)
		return;
	snapshot_free(u->shown);
	u->shown = sn;
}

static void ui_pause(struct ui *u)
{
	u->paused = !u->paused;
	if (u->paused || u->shown == u->latest)
		return;
	snapshot_free(u->shown);
	u->shown = u->latest;
}

static void ui_prompt(struct ui *u, enum ui_prompt p)
{
	u->mode = UI_PROMPT;
	u->prompt = p;
	u->input[0] = '\0';
}

static void prompt_done(struct ui *u)
{
	long long v;
	double d;

	u->mode = UI_TABLE;
	if (u->prompt == PR_DELAY) {
		if (nictop_interval(u->input, &d))
			u->o->interval = d;
		else
			snprintf(u->msg, sizeof(u->msg), "interval: %g to %g "
				 "seconds", MIN_INTERVAL, MAX_INTERVAL);
		return;
	}
	v = nictop_filter(u->input, u->prompt == PR_PID ? INT_MAX : UINT32_MAX);
	if (v == -2) {
		snprintf(u->msg, sizeof(u->msg), "not a %s: '%s'",
			 u->prompt == PR_PID ? "PID" : "QPN", u->input);
		return;
	}
	if (u->prompt == PR_PID)
		u->o->pid = v;
	else
		u->o->qpn = v;
	u->scroll = 0;
}

static void key_prompt(struct ui *u, int ch)
{
	size_t n = strlen(u->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		prompt_done(u);
	else if (ch == ESC || ch == CTRL('g'))
		u->mode = UI_TABLE;
	else if ((ch == KEY_BACKSPACE || ch == 127 || ch == CTRL('h')) && n)
		u->input[n - 1] = '\0';
	else if (ch == CTRL('u'))
		u->input[0] = '\0';
	else if (ch > ' ' && ch < 127 && n < INPUT_MAX)
		u->input[n] = ch, u->input[n + 1] = '\0';
}

/* '+': the next longer step; '-': the next shorter. */
static void step_interval(struct opts *o, int dir)
{
	int i, n = ARRAY_SIZE(steps);

	if (dir > 0) {
		for (i = 0; i < n && steps[i] <= o->interval + 1e-9; i++)
			;
		o->interval = steps[MIN(i, n - 1)];
		return;
	}
	for (i = n - 1; i >= 0 && steps[i] >= o->interval - 1e-9; i--)
		;
	o->interval = steps[MAX(i, 0)];
}

/* '<' '>': the visible column left or right of the sort column. */
static void sort_step(struct ui *u, int dir)
{
	int i;

	if (!u->nvis)
		return;
	for (i = 0; i < u->nvis && u->vis[i] != u->o->sort; i++)
		;
	if (i == u->nvis)	/* not on the screen: from an edge */
		i = dir > 0 ? -1 : u->nvis;
	u->o->sort = u->vis[(i + dir + u->nvis) % u->nvis];
	u->o->reverse = false;
}

static void key_fields(struct ui *u, int ch)
{
	struct opts *o = u->o;
	int c, on = 0;

	switch (ch) {
	case KEY_UP: case 'k':
		u->field = (u->field + NCOLS - 1) % NCOLS;
		break;
	case KEY_DOWN: case 'j':
		u->field = (u->field + 1) % NCOLS;
		break;
	case ' ': case 'd': case '\n': case '\r': case KEY_ENTER:
		for (c = 0; c < NCOLS; c++)
			on += o->col_on[c];
		/* one column stays */
		if (!o->col_on[u->field] || on > 1)
			o->col_on[u->field] = !o->col_on[u->field];
		break;
	case 's':
		o->sort = u->field;
		o->reverse = false;
		o->col_on[u->field] = true;
		break;
	case 'f': case 'q': case ESC: case KEY_F(2):
		u->mode = UI_TABLE;
		break;
	}
}

static void key_scroll(struct ui *u, int ch)
{
	unsigned int page = MAX(u->page, 1);

	switch (ch) {
	case KEY_UP:
		u->scroll -= u->scroll > 0;
		break;
	case KEY_DOWN:
		u->scroll++;
		break;
	case KEY_PPAGE:
		u->scroll -= MIN(u->scroll, page);
		break;
	case KEY_NPAGE:
		u->scroll += page;
		break;
	case KEY_HOME:
		u->scroll = 0;
		break;
	case KEY_END:
		u->scroll = UINT_MAX / 2;
		break;
	}
}

static void key_table(struct ui *u, int ch)
{
	struct opts *o = u->o;

	switch (ch) {
	case 'q': case 'Q': case KEY_F(10):
		u->quit = true;
		break;
	case 'h': case '?': case KEY_F(1):
		u->mode = UI_HELP;
		break;
	case 'f': case KEY_F(2):
		u->mode = UI_FIELDS;
		break;
	case '<': case ',':
		sort_step(u, -1);
		break;
	case '>': case '.':
		sort_step(u, 1);
		break;
	case 'r': case 'R': case 'I':
		o->reverse = !o->reverse;
		break;
	case 'p':
		ui_prompt(u, PR_PID);
		break;
	case '\\': case 'o': case KEY_F(4):
		ui_prompt(u, PR_QPN);
		break;
	case 'c':
		o->pid = -1;
		o->qpn = -1;
		break;
	case ' ': case 'Z':
		ui_pause(u);
		break;
	case 'z':
		color_set_up(u, !u->color);
		break;
	case 'd': case 's':
		ui_prompt(u, PR_DELAY);
		break;
	case '+': case '=':
		step_interval(o, 1);
		break;
	case '-': case '_':
		step_interval(o, -1);
		break;
	case CTRL('l'):
		clearok(curscr, TRUE);
		break;
	default:
		key_scroll(u, ch);
	}
}

static void ui_key(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return;
	u->msg[0] = '\0';
	if (u->mode == UI_HELP)
		u->mode = UI_TABLE;
	else if (u->mode == UI_PROMPT)
		key_prompt(u, ch);
	else if (u->mode == UI_FIELDS)
		key_fields(u, ch);
	else
		key_table(u, ch);
}

static void tui_end(void *arg)
{
	(void)arg;
	endwin();
}

static void tui_start(struct ui *u)
{
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		fail("the screen needs a terminal (use -b for batch output)");
	setlocale(LC_ALL, "");
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		fail("cannot use terminal type '%s' (use -b for batch output)",
		     getenv("TERM") ? getenv("TERM") : "");
	/* a failure from here on restores the terminal first */
	if (msg_on_exit(tui_end, NULL)) {
		endwin();
		fail("cannot register the terminal's cleanup");
	}
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	u->can_color = has_colors();
	color_set_up(u, !u->o->no_color);
}

static void tui_stop(struct ui *u)
{
	msg_cancel(tui_end, NULL);
	endwin();
	if (u->latest != u->shown)
		snapshot_free(u->latest);
	snapshot_free(u->shown);
}

/* Milliseconds until the CLOCK_MONOTONIC time t. */
static int ms_until(uint64_t t)
{
	uint64_t now = now_ns();

	if (t <= now)
		return 0;
	return (int)MIN((t - now + 999999) / 1000000, 1000);
}

/* Takes the next sample when its time has come; true if it did. */
static bool tui_tick(struct ui *u, struct sample **prev, uint64_t *next)
{
	struct sample *cur;

	if (now_ns() < *next)
		return false;
	cur = sample_take(u->o);
	ui_show(u, snapshot_build(cur, *prev, u->o->maps));
	sample_free(*prev);
	*prev = cur;
	*next = cur->mono_ns + secs_to_ns(u->o->interval);
	return true;
}

int run_tui(struct opts *o)
{
	struct ui u = { .o = o };
	struct sample *prev;
	uint64_t next, updates = 0;
	int ch;

	tui_start(&u);
	prev = sample_take(o);
	ui_show(&u, snapshot_build(prev, NULL, o->maps));
	next = prev->mono_ns + secs_to_ns(o->interval);
	draw(&u);
	while (!msg_stop_signal() && !u.quit &&
	       (!o->count || updates < o->count)) {
		timeout(ms_until(next));
		ch = getch();
		if (ch != ERR) {
			ui_key(&u, ch);
			/* a shorter interval counts from now */
			next = MIN(next, now_ns() + secs_to_ns(o->interval));
		}
		if (tui_tick(&u, &prev, &next))
			updates++;
		else if (ch == ERR)
			continue;
		draw(&u);
	}
	tui_stop(&u);
	sample_free(prev);
	return 0;
}

