// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: the tools' command line (tools/lib/opts.c). The input
 * is an argv, its arguments separated by NUL bytes. Invariants: the
 * pre-pass of opts_parse() (opts_check()) over a table with short and
 * long options, values required and optional, aliases and a child
 * parser answers 0 or 2, a message of printable ASCII with 2 and none
 * with 0, and leaves argv as it was; each argument read as a number, a size or
 * seconds is accepted exactly when it is digits (a K/M/G suffix for a
 * size; D or D.F for seconds) whose value fits in 64 bits, and then has
 * that value. Checked here with code of its own, not the library's.
 */
#include <argp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/lib/opts.h"

#define MAX_ARGS	64

static const struct argp_option child_opts[] = {
	{ "child", 'c', "N", 0, "A child's option", 0 },
	{},
};

static const struct argp child = { .options = child_opts };

static const struct argp_child children[] = {
	{ &child, 0, NULL, 0 },
	{ 0 },
};

static const struct argp_option table[] = {
	{ "size", 's', "SIZE", 0, "Bytes", 0 },
	{ "bytes", 0, NULL, OPTION_ALIAS, NULL, 0 },
	{ NULL, 0, NULL, 0, "A group:", 1 },
	{ "json", 1000, NULL, 0, "JSON", 1 },
	{ "level", 'l', "L", OPTION_ARG_OPTIONAL, "Level", 1 },
	{ "quiet", 'q', NULL, 0, "Quiet", 1 },
	OPTS_HELP_H,
	{},
};

static const struct argp argp = { .options = table, .children = children };

/* digits: their value, unless it overflows 64 bits; *end past them */
static int digits(const char *s, const char **end, uint64_t *v)
{
	int over = 0;

	*v = 0;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (*v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			over = 1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	*end = s;
	return over ? -1 : 0;
}

static void check_numbers(const char *s)
{
	uint64_t v = 0, want, shift = 0, sec, frac = 0, scale = 1000000000;
	const char *end = s, *p;
	int ok, got;

	/* a decimal number */
	ok = !digits(s, &end, &want) && !*end;
	got = opts_parse_uint(s, &v);
	if ((got == 0) != ok || (got && got != EINVAL) || (ok && v != want))
		abort();

	/* a size: digits and one suffix letter at most */
	ok = !digits(s, &end, &want);
	if (ok && *end) {
		switch (*end) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		default: ok = 0;
		}
		ok = ok && !end[1] && want <= UINT64_MAX >> shift;
	}
	got = opts_parse_size(s, &v);
	if ((got == 0) != ok || (ok && v != want << shift))
		abort();

	/* seconds: D or D.F in ns, digits below a ns dropped */
	got = opts_parse_seconds(s, &v);
	if (digits(s, &end, &sec) && !(*s >= '0' && *s <= '9')) {
		if (got != EINVAL)
			abort();
		return;
	}
	for (p = s; *p >= '0' && *p <= '9'; p++)
		;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	if (*p) {
		if (got != EINVAL)
			abort();
		return;
	}
	ok = !digits(s, &end, &sec) && sec <= UINT64_MAX / 1000000000 &&
	     frac <= UINT64_MAX - sec * 1000000000;
	if ((got == 0) != ok || (!ok && got != ERANGE) ||
	    (ok && v != sec * 1000000000 + frac))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_ARGS + 2], *copy[MAX_ARGS + 2], msg[256];
	size_t i, start = 0;
	int argc = 1, ret;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "fuzz";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (buf[i])
			continue;
		argv[argc++] = buf + start;
		start = i + 1;
	}
	argv[argc] = NULL;
	memcpy(copy, argv, sizeof(argv));

	memset(msg, 0, sizeof(msg));
	ret = opts_check(&argp, argc, argv, msg, sizeof(msg));
	if ((ret != 0 && ret != 2) || (ret == 0) != !msg[0] ||
	    memcmp(copy, argv, sizeof(argv)))
		abort();
	for (i = 0; msg[i]; i++)	/* one line of printable ASCII */
		if (msg[i] < 0x20 || msg[i] > 0x7e)
			abort();
	for (i = 1; i < (size_t)argc; i++)
		check_numbers(argv[i]);
	free(buf);
	return 0;
}
