// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tools' command line: argp with one-line usage errors (opts.h). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwqnic/verbs.h>

#include "msg.h"
#include "opts.h"
#include "safestr.h"

#define NSEC_PER_SEC	((uint64_t)1000000000)

void opts_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vdie(2, fmt, ap);
}

/* argp's end of a table: all of key, name, doc and group 0 */
static bool option_end(const struct argp_option *o)
{
	return !o->key && !o->name && !o->doc && !o->group;
}

static bool option_short(int key, unsigned int flags)
{
	return key > 0 && key <= 0xff && isprint(key) &&
	       !(flags & OPTION_DOC);
}

/* getopt_long()'s view of an argp tree: long options and short ones. */
struct table {
	struct option *lopts;
	char *sopts;
	size_t nl, ns;
	bool has_v;
};

static void add_long(struct table *t, const char *name, int has_arg)
{
	if (t->lopts)
		t->lopts[t->nl] = (struct option){ name, has_arg, NULL, 0 };
	t->nl++;
}

static void add_short(struct table *t, int key, int has_arg)
{
	if (t->sopts) {
		t->sopts[t->ns] = (char)key;
		if (has_arg != no_argument)
			t->sopts[t->ns + 1] = ':';
		if (has_arg == optional_argument)
			t->sopts[t->ns + 2] = ':';
	}
	t->ns += 1 + (has_arg != no_argument) +
		 (has_arg == optional_argument);
	if (key == 'V')
		t->has_v = true;
}

/* Counts (t->lopts and t->sopts NULL) or fills, children included. */
static void walk(const struct argp *argp, struct table *t)
{
	const struct argp_child *c;
	const struct argp_option *o;
	const char *arg = NULL;
	unsigned int flags = 0;
	int has_arg;

	for (o = argp->options; o && !option_end(o); o++) {
		if (o->flags & OPTION_DOC)
			continue;
		/* an alias takes the argument of the option before it */
		if (!(o->flags & OPTION_ALIAS)) {
			arg = o->arg;
			flags = o->flags;
		}
		if (!o->name && !o->key)
			continue;	/* a group header */
		has_arg = !arg ? no_argument :
			  (flags & OPTION_ARG_OPTIONAL) ? optional_argument :
			  required_argument;
		if (o->name)
			add_long(t, o->name, has_arg);
		if (option_short(o->key, o->flags))
			add_short(t, o->key, has_arg);
	}
	for (c = argp->children; c && c->argp; c++)
		walk(c->argp, t);
}

/* argp's own options: --help, --usage, --version (-V), hidden ones */
static void add_argp_own(struct table *t)
{
	add_long(t, "help", no_argument);
	add_long(t, "usage", no_argument);
	add_long(t, "program-name", required_argument);
	add_long(t, "HANG", optional_argument);
	add_long(t, "version", no_argument);
	if (t->sopts && !t->has_v)
		t->sopts[t->ns++] = 'V';
	else if (!t->sopts)
		t->ns++;
}

int opts_check(const struct argp *argp, int argc, char **argv, char *msg,
	       size_t len)
{
	char opt[SAFESTR_TEXT_SIZE(64)], short_opt[3] = "-";
	struct table t = { 0 };
	char **copy = NULL;
	const char *arg;
	int c, ret = 0;

	walk(argp, &t);
	add_argp_own(&t);
	t.lopts = calloc(t.nl + 1, sizeof(*t.lopts));
	t.sopts = calloc(t.ns + 2, 1);
	/* getopt permutes its argv: work on a copy */
	copy = calloc((size_t)argc + 1, sizeof(*copy));
	if (!t.lopts || !t.sopts || !copy) {
		snprintf(msg, len, "out of memory");
		ret = 1;
		goto out;
	}
	memcpy(copy, argv, (size_t)argc * sizeof(*copy));
	t.sopts[0] = ':';
	t.nl = 0;
	t.ns = 1;
	t.has_v = false;
	walk(argp, &t);
	add_argp_own(&t);

	opterr = 0;
	optind = 0;	/* a new argv: getopt starts afresh */
	while ((c = getopt_long(argc, copy, t.sopts, t.lopts, NULL)) != -1) {
		if (c != ':' && c != '?')
			continue;
		if (c == '?' && optopt == '?')
			continue;	/* -? is argp's help */
		arg = copy[optind - 1];
		/* the option as typed, made printable: it is one line */
		if (!strncmp(arg, "--", 2)) {
			safestr_text(opt, sizeof(opt), arg, strcspn(arg, "="));
			snprintf(msg, len, "%s option '%s' (see %s --help)",
				 c == ':' ? "missing value for" :
				 "unknown, ambiguous or misused", opt,
				 msg_name());
		} else {
			short_opt[1] = (char)optopt;
			safestr_text(opt, sizeof(opt), short_opt, 2);
			snprintf(msg, len, "%s option '%s' (see %s --help)",
				 c == ':' ? "missing value for" : "unknown",
				 opt, msg_name());
		}
		ret = 2;
		break;
	}
	optind = 1;
out:
	free(copy);
	free(t.sopts);
	free(t.lopts);
	return ret;
}

static void print_version(FILE *f, struct argp_state *state)
{
	(void)state;
	fprintf(f, "%s %s (hwqnic ABI %d)\n", msg_name(), HWQNIC_VERSION,
		HWQNIC_ABI_VERSION);
}

void opts_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	char msg[256];
	error_t err;
	int ret;

	ret = opts_check(argp, argc, argv, msg, sizeof(msg));
	if (ret)
		msg_die(ret, "%s", msg);
	argp_program_version_hook = print_version;
	/* what reaches argp's own reports still exits as a usage error */
	argp_err_exit_status = 2;
	err = argp_parse(argp, argc, argv, 0, NULL, input);
	if (err)
		opts_usage_error("bad command line: %s", strerror(err));
}

error_t opts_default(int key, char *arg, struct argp_state *state)
{
	if (key == 'h') {
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	}
	if (key == ARGP_KEY_ARG)
		opts_usage_error("unexpected argument '%s'", arg);
	return ARGP_ERR_UNKNOWN;
}

static unsigned int suffix_shift(char c)
{
	switch (c) {
	case 'K': case 'k':
		return 10;
	case 'M': case 'm':
		return 20;
	case 'G': case 'g':
		return 30;
	}
	return 0;
}

/* Decimal digits, with a K/M/G suffix if `suffix`. */
static int parse_num(const char *s, bool suffix, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return EINVAL;
	if (suffix && *end) {
		shift = suffix_shift(*end++);
		if (!shift)
			return EINVAL;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int opts_parse_uint(const char *s, uint64_t *out)
{
	return parse_num(s, false, out);
}

int opts_parse_size(const char *s, uint64_t *out)
{
	return parse_num(s, true, out);
}

int opts_parse_seconds(const char *s, uint64_t *ns)
{
	const uint64_t max_sec = UINT64_MAX / NSEC_PER_SEC;
	uint64_t sec = 0, frac = 0, scale = NSEC_PER_SEC;
	bool big = false;	/* a syntax error still says EINVAL */
	const char *p = s;

	if (*p < '0' || *p > '9')
		return EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (max_sec - (uint64_t)(*p - '0')) / 10)
			big = true;
		else
			sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) {
			scale /= 10;
			frac += (uint64_t)(*p - '0') * scale;
		}
	while (*p >= '0' && *p <= '9')		/* below a nanosecond */
		p++;
	if (*p)
		return EINVAL;
	if (big || frac > UINT64_MAX - sec * NSEC_PER_SEC)
		return ERANGE;
	*ns = sec * NSEC_PER_SEC + frac;
	return 0;
}

uint64_t opts_uint(const char *what, const char *s, uint64_t min,
		   uint64_t max)
{
	uint64_t v;

	if (parse_num(s, false, &v))
		opts_usage_error("bad %s '%s' (a decimal number)", what, s);
	if (v < min || v > max)
		opts_usage_error("%s must be %" PRIu64 " to %" PRIu64
				 ", not %s", what, min, max, s);
	return v;
}

/* v with the largest suffix that keeps it exact */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char sfx[] = "GMK";
	unsigned int i;

	for (i = 0; i < 3; i++) {
		unsigned int shift = 30 - 10 * i;

		if (v && !(v & ((1ULL << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift,
				 sfx[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

uint64_t opts_size(const char *what, const char *s, uint64_t min,
		   uint64_t max)
{
	char lo[32], hi[32];
	uint64_t v;

	if (parse_num(s, true, &v))
		opts_usage_error("bad %s '%s' (bytes, with an optional K, M "
				 "or G)", what, s);
	if (v < min || v > max)
		opts_usage_error("%s must be %s to %s, not %s", what,
				 size_str(min, lo, sizeof(lo)),
				 size_str(max, hi, sizeof(hi)), s);
	return v;
}

/* ns as seconds, no trailing zeros */
static const char *seconds_str(uint64_t ns, char *buf, size_t len)
{
	uint64_t frac = ns % NSEC_PER_SEC;
	int digits = 9;

	if (!frac) {
		snprintf(buf, len, "%" PRIu64, ns / NSEC_PER_SEC);
		return buf;
	}
	while (!(frac % 10)) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, ns / NSEC_PER_SEC,
		 digits, frac);
	return buf;
}

uint64_t opts_seconds(const char *what, const char *s, uint64_t min_ns,
		      uint64_t max_ns)
{
	char lo[32], hi[32];
	uint64_t ns = 0;
	int err;

	err = opts_parse_seconds(s, &ns);
	if (err == EINVAL)
		opts_usage_error("bad %s '%s' (seconds, such as 2 or 0.5)",
				 what, s);
	if (min_ns < 1)
		min_ns = 1;
	if (!err && ns >= min_ns && ns <= max_ns)
		return ns;
	if (min_ns == 1)
		opts_usage_error("%s must be above 0 and at most %s seconds, "
				 "not %s", what,
				 seconds_str(max_ns, hi, sizeof(hi)), s);
	opts_usage_error("%s must be %s to %s seconds, not %s", what,
			 seconds_str(min_ns, lo, sizeof(lo)),
			 seconds_str(max_ns, hi, sizeof(hi)), s);
}

unsigned int opts_keyword(const char *what, const char *s,
			  const char *const *names, unsigned int n)
{
	char list[512];
	unsigned int i, k, left = 0;
	size_t len = 0;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	for (i = 0; i < n; i++)
		left += names[i] != NULL;
	list[0] = '\0';
	for (i = k = 0; i < n && len < sizeof(list); i++) {
		if (!names[i])
			continue;
		k++;
		len += (size_t)snprintf(list + len, sizeof(list) - len,
					"%s%s", k == 1 ? "" :
					k == left ? " or " : ", ", names[i]);
	}
	opts_usage_error("unknown %s '%s' (%s)", what, s, list);
}

unsigned int opts_list(const char *what, const char *s,
		       char (*items)[OPTS_ITEM_MAX], unsigned int max)
{
	const char *p = s;
	unsigned int n = 0;
	size_t len;

	for (;;) {
		len = strcspn(p, ",");
		if (!len)
			opts_usage_error("bad %s list '%s' (an empty item)",
					 what, s);
		if (len >= OPTS_ITEM_MAX)
			opts_usage_error("bad %s list '%s' (an item too long)",
					 what, s);
		if (n == max)
			opts_usage_error("%s list '%s' has more than %u items",
					 what, s, max);
		memcpy(items[n], p, len);
		items[n++][len] = '\0';
		if (!p[len])
			return n;
		p += len + 1;
	}
}

void opts_interval_arg(struct opts_interval *iv, const char *arg,
		       uint64_t min_ns, uint64_t max_ns, uint64_t max_count)
{
	if (iv->nargs == 0)
		iv->interval_ns = opts_seconds("interval", arg, min_ns, max_ns);
	else if (iv->nargs == 1)
		iv->count = opts_uint("count", arg, 1, max_count);
	else
		opts_usage_error("unexpected argument '%s' (usage: %s "
				 "[options] [interval [count]])", arg,
				 msg_name());
	iv->nargs++;
}

bool opts_two_hosts(int key, char *arg, const char **netdev, uint16_t *port,
		    uint8_t *gid_index)
{
	switch (key) {
	case 'd':
		*netdev = arg;
		return true;
	case 'p':
		*port = (uint16_t)opts_uint("port", arg, 1, 65535);
		return true;
	case 'x':
		*gid_index = (uint8_t)opts_uint("gid-index", arg, 0, 255);
		return true;
	}
	return false;
}

enum opts_role opts_role(const char *server, const char *netdev)
{
	const char *env = getenv("HWQNIC_NETDEV");

	if (server)
		return OPTS_ROLE_CLIENT;
	if (netdev || (env && *env))
		return OPTS_ROLE_SERVER;
	return OPTS_ROLE_LOCAL;
}
