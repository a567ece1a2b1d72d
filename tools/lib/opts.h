/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The tools' one command-line style: argp, as libbpf-tools use it (an
 * env struct per tool, an argp_option table, a parse_arg() callback,
 * `interval [count]` positionals where a tool has them), with hwqnic's
 * rules on top:
 *
 *   - a usage error is one line on stderr, "<tool>: <what>", and exit
 *     status 2; nothing is run. argp alone says an unknown option or a
 *     missing value on two lines and exits 64: opts_parse() looks for
 *     those first, with getopt_long() over the same table;
 *   - --help, -? (and -h where the table has OPTS_HELP_H) print argp's
 *     help on stdout and exit 0, --usage the short form; --version (-V)
 *     prints "<tool> HWQNIC_VERSION (hwqnic ABI N)" and exits 0;
 *   - numbers, sizes, seconds, lists and keywords are parsed here, each
 *     with one wording for its errors.
 *
 * The opts_* parsers that take `what` end the tool with a usage error on
 * bad input; opts_parse_*() return 0 or an errno value instead.
 */
#ifndef _HWQNIC_TOOLS_OPTS_H
#define _HWQNIC_TOOLS_OPTS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

/* hwqnic's version, the Makefile's VERSION: no other is kept. */
#ifndef HWQNIC_VERSION
#error "HWQNIC_VERSION is the Makefile's VERSION (-DHWQNIC_VERSION)"
#endif

/*
 * A tool's argp, declared the one way: its option table, parser, the
 * words after the options (NULL: none) and its doc ("what\vmore" as argp
 * takes it).
 */
#define OPTS_ARGP(opts, parse, args, doc_) \
	{ .options = (opts), .parser = (parse), .args_doc = (args), \
	  .doc = (doc_) }

/* An entry for a tool's argp_option table: -h shows the full help. */
#define OPTS_HELP_H \
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 }

/* Items of a list (opts_list()), and bytes of one item with its NUL. */
#define OPTS_ITEM_MAX	32

/*
 * Parses argv for `argp` (whose parser gets `input` as state->input):
 * the tool's name for messages is msg_name() (msg_init() first). Returns
 * only when the command line is good; a usage error exits 2, --help and
 * --version exit 0.
 */
void opts_parse(const struct argp *argp, int argc, char **argv, void *input);

/*
 * The pre-pass alone: 0 when argv has no unknown option and no option
 * without its value; else 2, with the one-line message in msg[len].
 */
int opts_check(const struct argp *argp, int argc, char **argv, char *msg,
	       size_t len);

/*
 * What a tool's parse_arg() returns for keys it does not know (each case
 * it knows returns 0, and the switch ends in this): -h shows
 * the help; a positional argument the tool does not take is the usage
 * error "unexpected argument 'S'".
 */
error_t opts_default(int key, char *arg, struct argp_state *state);

/* "<tool>: <message>" on stderr and exit 2. */
void opts_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * A decimal number from min to max: "bad WHAT 'S' (a decimal number)" or
 * "WHAT must be MIN to MAX, not S".
 */
uint64_t opts_uint(const char *what, const char *s, uint64_t min,
		   uint64_t max);

/*
 * Bytes, with an optional K, M or G suffix (powers of 1024), from min to
 * max: "bad WHAT 'S' (bytes, with an optional K, M or G)" or "WHAT must
 * be MIN to MAX, not S" (bounds with a suffix where exact).
 */
uint64_t opts_size(const char *what, const char *s, uint64_t min,
		   uint64_t max);

/*
 * Seconds as D or D.F (digits below a nanosecond are dropped), in ns,
 * from min_ns (at least 1) to max_ns: "bad WHAT 'S' (seconds, such as 2
 * or 0.5)" or "WHAT must be above 0 and at most MAX seconds, not S" (or
 * "MIN to MAX seconds" when min_ns is above 1 ns).
 */
uint64_t opts_seconds(const char *what, const char *s, uint64_t min_ns,
		      uint64_t max_ns);

/*
 * The index of s in names[n] (NULL entries are skipped): "unknown WHAT
 * 'S' (a, b or c)".
 */
unsigned int opts_keyword(const char *what, const char *s,
			  const char *const *names, unsigned int n);

/*
 * A comma-separated list into items[max]; the item count. "bad WHAT list
 * 'S' (an empty item)", "(an item too long)", or "WHAT list 'S' has more
 * than MAX items".
 */
unsigned int opts_list(const char *what, const char *s,
		       char (*items)[OPTS_ITEM_MAX], unsigned int max);

/* The parsers underneath, for callers that report errors themselves. */
int opts_parse_uint(const char *s, uint64_t *out);	/* 0, EINVAL */
int opts_parse_size(const char *s, uint64_t *out);	/* 0, EINVAL */
int opts_parse_seconds(const char *s, uint64_t *ns);	/* 0, EINVAL, ERANGE */

/* The `interval [count]` positionals of a monitoring tool. */
struct opts_interval {
	uint64_t interval_ns;	/* 0: none given */
	uint64_t count;		/* 0: none given */
	unsigned int nargs;
};

/*
 * ARGP_KEY_ARG for a tool whose positionals are `[interval [count]]`:
 * the interval in seconds within [min_ns, max_ns], the count from 1 to
 * max_count; a third is "unexpected argument 'S'".
 */
void opts_interval_arg(struct opts_interval *iv, const char *arg,
		       uint64_t min_ns, uint64_t max_ns, uint64_t max_count);

/*
 * The two-process forms' options (hwqperf, hwqload, as perftest's), in
 * argp group `group` of a tool named `tool`: -d NETDEV, -p PORT and
 * -x INDEX; SERVER_ADDRESS is the tool's own argument.
 */
#define OPTS_TWO_HOSTS(tool, group) \
	{ NULL, 0, NULL, 0, "Two hosts (a server, then its client with " \
	  "SERVER_ADDRESS):", group }, \
	{ "ib-dev", 'd', "NETDEV", 0, "Bind the device to NETDEV (default " \
	  "HWQNIC_NETDEV's); bound, " tool " is a server or a client", \
	  group }, \
	{ "port", 'p', "PORT", 0, "TCP port of the exchange (default 18515)", \
	  group }, \
	{ "gid-index", 'x', "INDEX", 0, "Local GID index (default 0)", group }

/* -d, -p or -x (OPTS_TWO_HOSTS): stored, and true; another key: false */
bool opts_two_hosts(int key, char *arg, const char **netdev, uint16_t *port,
		    uint8_t *gid_index);

/*
 * The side a tool takes: a client names its server; a device bound to a
 * netdev (-d, or HWQNIC_NETDEV set) without one is a server; else the
 * tool runs alone.
 */
enum opts_role { OPTS_ROLE_LOCAL, OPTS_ROLE_SERVER, OPTS_ROLE_CLIENT };
enum opts_role opts_role(const char *server, const char *netdev);

#endif /* _HWQNIC_TOOLS_OPTS_H */
