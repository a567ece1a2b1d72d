// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TAP output for the C tests: see tap.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "tap.h"

struct tap_count {
	int n, failed;
};

static struct tap_count own;
static struct tap_count *count = &own;
static const char *prefix;
/*
 * A failed test and the diagnostics after it go to stderr as well: prove
 * shows a test's stderr even when not verbose, so that a CI log says why.
 */
static bool failing;

static void line_to(FILE *f, const char *lead, const char *fmt, va_list ap)
{
	fputs(lead, f);
	if (prefix)
		fprintf(f, "%s: ", prefix);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

static void line(const char *lead, const char *fmt, va_list ap)
{
	va_list again;

	va_copy(again, ap);
	line_to(stdout, lead, fmt, ap);
	if (failing)
		line_to(stderr, lead, fmt, again);
	va_end(again);
}

int ok(int cond, const char *fmt, ...)
{
	char lead[32];
	va_list ap;

	snprintf(lead, sizeof(lead), "%sok %d - ", cond ? "" : "not ",
		 ++count->n);
	failing = !cond;
	va_start(ap, fmt);
	line(lead, fmt, ap);
	va_end(ap);
	if (!cond)
		count->failed++;
	return cond;
}

int ok_why(const char *why, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	return ok(!why, "%s%s%s", desc, why ? ": " : "", why ? why : "");
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("# ", fmt, ap);
	va_end(ap);
}

void tap_skip(const char *what, const char *why, ...)
{
	va_list ap;

	printf("ok %d - ", ++count->n);
	if (prefix)
		printf("%s: ", prefix);
	printf("%s # SKIP ", what);
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void tap_skip_all(const char *why, ...)
{
	va_list ap;

	fputs("1..0 # SKIP ", stdout);
	va_start(ap, why);
	vprintf(why, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(0);
}

int tap_done(void)
{
	printf("1..%d\n", count->n);
	fflush(stdout);
	return count->failed ? 1 : 0;
}

void tap_prefix(const char *p)
{
	prefix = p;
}

int tap_share(void)
{
	struct tap_count *c;

	if (count != &own)
		return 0;
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return errno;
	*c = own;
	count = c;
	return 0;
}

uint64_t tap_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

uint64_t tap_seed(void)
{
	const char *e = getenv("HWQNIC_SEED");
	uint64_t s = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);

	diag("seed %llu (set HWQNIC_SEED to repeat)", (unsigned long long)s);
	return s ? s : 1;
}
