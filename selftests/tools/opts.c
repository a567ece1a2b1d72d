// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/opts.c: the number parsers' values and limits, each usage
 * error as one line naming the tool with exit status 2, and opts_parse()
 * over an argp table with aliases, optional values, a group header and a
 * child parser: good command lines parse, bad ones end in one line,
 * --help and --version in argp's layout with exit 0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hwqnic/abi.h>

#include "../lib/tap.h"
#include "child.h"
#include "lib/msg.h"
#include "lib/opts.h"

#define SEC	1000000000ULL

static void test_parsers(void)
{
	uint64_t v = 0;

	ok(!opts_parse_uint("123", &v) && v == 123, "uint 123");
	ok(!opts_parse_uint("18446744073709551615", &v) && v == UINT64_MAX,
	   "uint 2^64 - 1");
	ok(opts_parse_uint("18446744073709551616", &v) == EINVAL,
	   "uint 2^64 is EINVAL");
	ok(opts_parse_uint("", &v) == EINVAL && opts_parse_uint("-1", &v) ==
	   EINVAL && opts_parse_uint(" 1", &v) == EINVAL &&
	   opts_parse_uint("12x", &v) == EINVAL && opts_parse_uint("4K", &v) ==
	   EINVAL, "uint: empty, negative, space, junk, suffix are EINVAL");
	ok(!opts_parse_size("4K", &v) && v == 4096 && !opts_parse_size("3m", &v)
	   && v == 3 << 20 && !opts_parse_size("2G", &v) && v == 2ULL << 30 &&
	   !opts_parse_size("65536", &v) && v == 65536,
	   "size: K, m, G suffixes are powers of 1024");
	ok(!opts_parse_size("17179869183G", &v) && v == 17179869183ULL << 30 &&
	   opts_parse_size("17179869184G", &v) == EINVAL,
	   "size: the largest G and one more (overflow)");
	ok(opts_parse_size("4KB", &v) == EINVAL && opts_parse_size("K", &v) ==
	   EINVAL && opts_parse_size("4T", &v) == EINVAL,
	   "size: 4KB, K, 4T are EINVAL");
	ok(!opts_parse_seconds("2", &v) && v == 2 * SEC &&
	   !opts_parse_seconds("0.5", &v) && v == SEC / 2 &&
	   !opts_parse_seconds("1.000000001", &v) && v == SEC + 1 &&
	   !opts_parse_seconds("0.0000000019", &v) && v == 1,
	   "seconds: whole, fraction, nanoseconds, digits below a ns dropped");
	ok(opts_parse_seconds(".5", &v) == EINVAL &&
	   opts_parse_seconds("1e3", &v) == EINVAL &&
	   opts_parse_seconds("-1", &v) == EINVAL &&
	   opts_parse_seconds("1s", &v) == EINVAL,
	   "seconds: .5, 1e3, -1, 1s are EINVAL");
	ok(opts_parse_seconds("18446744074", &v) == ERANGE &&
	   opts_parse_seconds("18446744073.8", &v) == ERANGE &&
	   !opts_parse_seconds("18446744073.7", &v) &&
	   v == 18446744073 * SEC + 700000000,
	   "seconds: beyond 64-bit nanoseconds is ERANGE");
}

/* ---- usage errors, each in a child ---- */

struct call {
	const char *what;
	const char *arg;
	uint64_t min, max;
	int kind;
};

enum { K_UINT, K_SIZE, K_SECONDS, K_KEYWORD, K_LIST, K_INTERVAL, K_ERROR };

static const char *const ops[] = { "send", NULL, "write", "read" };

static void call(void *arg)
{
	const struct call *c = arg;
	char items[4][OPTS_ITEM_MAX];
	struct opts_interval iv = { 0 };

	msg_init("opts-test");
	switch (c->kind) {
	case K_UINT:
		printf("%llu\n", (unsigned long long)opts_uint(c->what, c->arg,
							       c->min, c->max));
		break;
	case K_SIZE:
		printf("%llu\n", (unsigned long long)opts_size(c->what, c->arg,
							       c->min, c->max));
		break;
	case K_SECONDS:
		printf("%llu\n", (unsigned long long)opts_seconds(c->what,
			c->arg, c->min, c->max));
		break;
	case K_KEYWORD:
		printf("%u\n", opts_keyword(c->what, c->arg, ops, 4));
		break;
	case K_LIST:
		printf("%u\n", opts_list(c->what, c->arg, items, 4));
		break;
	case K_INTERVAL:
		opts_interval_arg(&iv, "1", SEC / 1000, 10 * SEC, 5);
		opts_interval_arg(&iv, "5", SEC / 1000, 10 * SEC, 5);
		opts_interval_arg(&iv, c->arg, SEC / 1000, 10 * SEC, 5);
		break;
	case K_ERROR:
		opts_usage_error("%s and %s", c->what, c->arg);
	}
}

/* The child printed `want` on stdout (exit 0) or one error line. */
static void check_call(struct call c, const char *want_out,
		       const char *want_err)
{
	struct child ch;
	char line[512];

	if (child_run(call, &c, &ch))
		return;
	if (want_out) {
		ok(ch.status == 0 && !strcmp(ch.out, want_out) && !ch.err[0],
		   "%s '%s' is %.*s (status %d, %s)", c.what, c.arg,
		   (int)strcspn(want_out, "\n"), want_out, ch.status, ch.err);
		return;
	}
	snprintf(line, sizeof(line), "opts-test: %s\n", want_err);
	ok(ch.status == 2 && ch.err_lines == 1 && !strcmp(ch.err, line) &&
	   !ch.out[0], "%s '%s': exit 2, \"%s\" (status %d, got \"%.*s\")",
	   c.what, c.arg, want_err, ch.status, (int)strcspn(ch.err, "\n"),
	   ch.err);
}

static void test_errors(void)
{
	check_call((struct call){ "count", "7", 1, 10, K_UINT }, "7\n", NULL);
	check_call((struct call){ "count", "0", 1, 10, K_UINT }, NULL,
		   "count must be 1 to 10, not 0");
	check_call((struct call){ "count", "ten", 1, 10, K_UINT }, NULL,
		   "bad count 'ten' (a decimal number)");
	check_call((struct call){ "size", "64K", 1, 2ULL << 30, K_SIZE },
		   "65536\n", NULL);
	check_call((struct call){ "size", "3G", 1, 2ULL << 30, K_SIZE }, NULL,
		   "size must be 1 to 2G, not 3G");
	check_call((struct call){ "size", "1000", 4096, 3 << 20, K_SIZE },
		   NULL, "size must be 4K to 3M, not 1000");
	check_call((struct call){ "size", "8x", 0, 100, K_SIZE }, NULL,
		   "bad size '8x' (bytes, with an optional K, M or G)");
	check_call((struct call){ "time", "0.25", 1, 365 * 86400 * SEC,
				  K_SECONDS }, "250000000\n", NULL);
	check_call((struct call){ "time", "0", 1, 365 * 86400 * SEC,
				  K_SECONDS }, NULL,
		   "time must be above 0 and at most 31536000 seconds, not 0");
	check_call((struct call){ "time", "99999999999999999999", 1,
				  365 * 86400 * SEC, K_SECONDS }, NULL,
		   "time must be above 0 and at most 31536000 seconds, not "
		   "99999999999999999999");
	check_call((struct call){ "interval", "0.0001", SEC / 1000, 2500 *
				  SEC / 1000, K_SECONDS }, NULL,
		   "interval must be 0.001 to 2.5 seconds, not 0.0001");
	check_call((struct call){ "time", "2s", 1, SEC, K_SECONDS }, NULL,
		   "bad time '2s' (seconds, such as 2 or 0.5)");
	check_call((struct call){ "op", "read", 0, 0, K_KEYWORD }, "3\n",
		   NULL);
	check_call((struct call){ "op", "recv", 0, 0, K_KEYWORD }, NULL,
		   "unknown op 'recv' (send, write or read)");
	check_call((struct call){ "--ops", "a,b,c", 0, 0, K_LIST }, "3\n",
		   NULL);
	check_call((struct call){ "--ops", "a,,c", 0, 0, K_LIST }, NULL,
		   "bad --ops list 'a,,c' (an empty item)");
	check_call((struct call){ "--ops", "a,", 0, 0, K_LIST }, NULL,
		   "bad --ops list 'a,' (an empty item)");
	check_call((struct call){ "--ops", "a,b,c,d,e", 0, 0, K_LIST }, NULL,
		   "--ops list 'a,b,c,d,e' has more than 4 items");
	check_call((struct call){ "--ops",
		   "a,0123456789012345678901234567890123456789", 0, 0, K_LIST },
		   NULL, "bad --ops list "
		   "'a,0123456789012345678901234567890123456789' (an item too "
		   "long)");
	check_call((struct call){ "interval", "x", 0, 0, K_INTERVAL }, NULL,
		   "unexpected argument 'x' (usage: opts-test [options] "
		   "[interval [count]])");
	check_call((struct call){ "-t", "-n", 0, 0, K_ERROR }, NULL,
		   "-t and -n");
}

/* ---- opts_parse() over a table ---- */

struct env {
	uint64_t size;
	bool json;
	const char *level;	/* --level[=L] */
	bool quiet;
	int child_key;
	struct opts_interval iv;
};

enum { OPT_JSON = 256, OPT_LEVEL };

static const struct argp_option test_opts[] = {
	{ "size", 's', "SIZE", 0, "Message size", 0 },
	{ "bytes", 0, NULL, OPTION_ALIAS, NULL, 0 },	/* takes SIZE */
	{ NULL, 0, NULL, 0, "Output:", 1 },		/* a group header */
	{ "word", 0, NULL, OPTION_DOC | OPTION_NO_USAGE, "A word, no option",
	  1 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object", 1 },
	{ "level", OPT_LEVEL, "L", OPTION_ARG_OPTIONAL, "Level", 1 },
	{ "quiet", 'q', NULL, 0, "Say less", 1 },
	OPTS_HELP_H,
	{},
};

static error_t child_parse(int key, char *arg, struct argp_state *state)
{
	struct env *e = state->input;

	(void)arg;
	if (key != 'c')
		return ARGP_ERR_UNKNOWN;
	e->child_key++;
	return 0;
}

static const struct argp_option child_opts[] = {
	{ "child", 'c', NULL, 0, "An option of a child parser", 0 },
	{},
};

static const struct argp child_argp = { .options = child_opts,
					.parser = child_parse };

static const struct argp_child children[] = {
	{ &child_argp, 0, NULL, 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct env *e = state->input;

	switch (key) {
	case 's':
		e->size = opts_size("size", arg, 1, 1ULL << 31);
		break;
	case OPT_JSON:
		e->json = true;
		break;
	case OPT_LEVEL:
		e->level = arg ? arg : "default";
		break;
	case 'q':
		e->quiet = true;
		break;
	case ARGP_KEY_INIT:
		/* children get the same input */
		state->child_inputs[0] = e;
		break;
	case ARGP_KEY_ARG:
		opts_interval_arg(&e->iv, arg, SEC / 1000, 60 * SEC, 100);
		break;
	default:
		return opts_default(key, arg, state);
	}
	return 0;
}

static const struct argp test_argp = {
	.options = test_opts,
	.parser = parse_arg,
	.args_doc = "[interval [count]]",
	.doc = "opts-test: the tools' command line, tested.",
	.children = children,
};

struct cmdline {
	const char *argv[12];
};

/* The arguments after argv[0], for a test's name */
static const char *joined(const struct cmdline *c, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 1; c->argv[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i > 1 ? " " : "",
				      c->argv[i]);
	return buf;
}

static int argc_of(const struct cmdline *c)
{
	int n = 0;

	while (c->argv[n])
		n++;
	return n;
}

static void parse_child(void *arg)
{
	struct cmdline *c = arg;
	struct env e = { 0 };

	msg_init("opts-test");
	opts_parse(&test_argp, argc_of(c), (char **)c->argv, &e);
	printf("size=%llu json=%d level=%s quiet=%d child=%d iv=%llu,%llu\n",
	       (unsigned long long)e.size, e.json, e.level ? e.level : "-",
	       e.quiet, e.child_key, (unsigned long long)e.iv.interval_ns,
	       (unsigned long long)e.iv.count);
}

static void check_parse(struct cmdline c, const char *want)
{
	struct child ch;
	char args[256];

	if (child_run(parse_child, &c, &ch))
		return;
	ok(ch.status == 0 && !strcmp(ch.out, want) && !ch.err[0],
	   "'%s': %.*s (status %d, %s)", joined(&c, args, sizeof(args)),
	   (int)strcspn(want, "\n"), want, ch.status, ch.err);
}

static void check_bad(struct cmdline c, const char *want_err)
{
	char line[512], args[256];
	struct child ch;

	if (child_run(parse_child, &c, &ch))
		return;
	snprintf(line, sizeof(line), "opts-test: %s\n", want_err);
	ok(ch.status == 2 && ch.err_lines == 1 && !strcmp(ch.err, line) &&
	   !ch.out[0], "'%s': exit 2, one line (status %d, got \"%.*s\")",
	   joined(&c, args, sizeof(args)), ch.status,
	   (int)strcspn(ch.err, "\n"), ch.err);
}

/* A tool that takes no positional argument leaves them to opts_default() */
static error_t plain_parse(int key, char *arg, struct argp_state *state)
{
	return opts_default(key, arg, state);
}

static const struct argp plain_argp = { .parser = plain_parse };

static void plain_child(void *arg)
{
	struct cmdline *c = arg;

	msg_init("opts-test");
	opts_parse(&plain_argp, argc_of(c), (char **)c->argv, NULL);
	printf("parsed\n");
}

/* Command lines that are one usage error each, and its line */
#define SEE	" (see opts-test --help)"
#define UNKNOWN	"unknown, ambiguous or misused option "
static const struct {
	struct cmdline c;
	const char *err;
} bad_lines[] = {
	{ { { "opts-test", "--frobnicate", NULL } },
	  UNKNOWN "'--frobnicate'" SEE },
	{ { { "opts-test", "--json=yes", NULL } }, UNKNOWN "'--json'" SEE },
	{ { { "opts-test", "--word", NULL } }, UNKNOWN "'--word'" SEE },
	{ { { "opts-test", "-x", NULL } }, "unknown option '-x'" SEE },
	{ { { "opts-test", "-qx", NULL } }, "unknown option '-x'" SEE },
	{ { { "opts-test", "1", "-s", NULL } },
	  "missing value for option '-s'" SEE },
	{ { { "opts-test", "--size", NULL } },
	  "missing value for option '--size'" SEE },
	{ { { "opts-test", "--bytes", NULL } },
	  "missing value for option '--bytes'" SEE },
	{ { { "opts-test", "-s", "1T", NULL } },
	  "bad size '1T' (bytes, with an optional K, M or G)" },
	{ { { "opts-test", "1", "2", "3", NULL } },
	  "unexpected argument '3' (usage: opts-test [options] [interval "
	  "[count]])" },
	{ { { "opts-test", "--", "-5", NULL } },
	  "bad interval '-5' (seconds, such as 2 or 0.5)" },
};

static void test_parse(void)
{
	size_t i;
	struct cmdline help = { { "opts-test", "--help", NULL } };
	struct cmdline h = { { "opts-test", "-h", NULL } };
	struct cmdline ver = { { "opts-test", "--version", NULL } };
	struct cmdline v = { { "opts-test", "-V", NULL } };
	char msg[256] = "", want_ver[64];
	struct child ch, ch2;
	char *good[] = { "t", "-s", "1K", "--json", NULL };
	char *bad[] = { "t", "--jsn", NULL };
	char *ctl[] = { "t", "-q\x1b", "--x\ny=1", NULL };

	check_parse((struct cmdline){ { "opts-test", NULL } },
		    "size=0 json=0 level=- quiet=0 child=0 iv=0,0\n");
	check_parse((struct cmdline){ { "opts-test", "-s", "4K", "--json",
					"-qc", "--level", "0.5", "3", NULL } },
		    "size=4096 json=1 level=default quiet=1 child=1 "
		    "iv=500000000,3\n");
	check_parse((struct cmdline){ { "opts-test", "--bytes=64", "--lev=hi",
					"--si", "2", NULL } },
		    "size=2 json=0 level=hi quiet=0 child=0 iv=0,0\n");
	check_parse((struct cmdline){ { "opts-test", "2", "--", "5", NULL } },
		    "size=0 json=0 level=- quiet=0 child=0 iv=2000000000,5\n");
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		check_bad(bad_lines[i].c, bad_lines[i].err);

	if (!child_run(plain_child, &(struct cmdline){ { "opts-test", NULL } },
		       &ch) &&
	    !child_run(plain_child, &(struct cmdline){ { "opts-test", "extra",
						      NULL } }, &ch2))
		ok(ch.status == 0 && !strcmp(ch.out, "parsed\n") &&
		   ch2.status == 2 && !strcmp(ch2.err, "opts-test: unexpected "
					      "argument 'extra'\n"),
		   "opts_default: a positional argument nobody takes is one "
		   "line, exit 2 (%d)", ch2.status);
	if (!child_run(parse_child, &help, &ch) &&
	    !child_run(parse_child, &h, &ch2))
		ok(ch.status == 0 && !ch.err[0] &&
		   strstr(ch.out, "Usage: opts-test [OPTION...] [interval "
			  "[count]]") && strstr(ch.out, "-s, --size=SIZE") &&
		   strstr(ch.out, "--bytes") && strstr(ch.out, "Output:") &&
		   strstr(ch.out, "--level[=L]") && strstr(ch.out, "--child")
		   && strstr(ch.out, "  word ")
		   && strstr(ch.out, "-V, --version") &&
		   !strcmp(ch.out, ch2.out) && ch2.status == 0,
		   "--help and -h: argp's help on stdout, exit 0 (%d, %d)",
		   ch.status, ch2.status);
	snprintf(want_ver, sizeof(want_ver), "opts-test %s (hwqnic ABI %d)\n",
		 HWQNIC_VERSION, HWQNIC_ABI_VERSION);
	if (!child_run(parse_child, &ver, &ch) &&
	    !child_run(parse_child, &v, &ch2))
		ok(ch.status == 0 && !strcmp(ch.out, want_ver) &&
		   !strcmp(ch.out, ch2.out) && ch2.status == 0,
		   "--version and -V: \"%.*s\"", (int)strcspn(ch.out, "\n"),
		   ch.out);

	msg_init("opts-test");
	ok(opts_check(&test_argp, 4, good, msg, sizeof(msg)) == 0 && !msg[0],
	   "opts_check: a good command line is 0");
	ok(opts_check(&test_argp, 2, bad, msg, sizeof(msg)) == 2 &&
	   !strcmp(msg, "unknown, ambiguous or misused option '--jsn' "
		   "(see opts-test --help)") && !strcmp(bad[1], "--jsn"),
	   "opts_check: a bad one is 2 with its message; argv untouched");
	ok(opts_check(&test_argp, 2, ctl, msg, sizeof(msg)) == 2 &&
	   !strcmp(msg, "unknown option '-\\x1b' (see opts-test --help)") &&
	   opts_check(&test_argp, 2, (char *[]){ "t", ctl[2], NULL }, msg,
		      sizeof(msg)) == 2 &&
	   !strcmp(msg, "unknown, ambiguous or misused option '--x\\x0ay' "
		   "(see opts-test --help)"),
	   "opts_check: control characters of an option are escaped (%s)",
	   msg);
}

int main(void)
{
	test_parsers();
	test_errors();
	test_parse();
	return tap_done();
}
