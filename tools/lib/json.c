// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tools' JSON writer (json.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "json.h"
#include "safestr.h"

/* Escaped strings of up to this many source bytes need no allocation. */
#define JSON_STACK_STR	128

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void fail(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void out(struct json *j, const char *s)
{
	if (!j->err && fputs(s, j->f) == EOF)
		fail(j, EIO);
}

static void outf(struct json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void outf(struct json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->err)
		return;
	va_start(ap, fmt);
	n = vfprintf(j->f, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail(j, EIO);
}

static void quoted(struct json *j, const char *s, size_t n)
{
	char small[SAFESTR_JSON_SIZE(JSON_STACK_STR)], *buf = small;
	size_t size;

	n = strnlen(s, n);
	size = SAFESTR_JSON_SIZE(n);
	if (n > JSON_STACK_STR) {
		buf = n < (SIZE_MAX - 1) / 6 ? malloc(size) : NULL;
		if (!buf) {
			fail(j, ENOMEM);
			return;
		}
	}
	safestr_json(buf, size, s, n);
	out(j, "\"");
	out(j, buf);
	out(j, "\"");
	if (buf != small)
		free(buf);
}

/* The separator and key before a value; false when it may not be written */
static bool member(struct json *j, const char *key)
{
	bool in_object = j->depth && !j->array[j->depth - 1];

	if (j->err)
		return false;
	if (!key != !in_object) {
		fail(j, EINVAL);
		return false;
	}
	if (j->depth) {
		if (j->some[j->depth - 1])
			out(j, ", ");
		j->some[j->depth - 1] = true;
	}
	if (key) {
		quoted(j, key, SIZE_MAX);
		out(j, ": ");
	}
	return !j->err;
}

/* After a value: at the top, a whole document, one line of its own */
static void value_done(struct json *j)
{
	if (j->depth || j->err)
		return;
	out(j, "\n");
	if (!j->err && fflush(j->f))
		fail(j, EIO);
}

static void open_container(struct json *j, const char *key, bool array)
{
	if (!member(j, key))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		fail(j, EINVAL);
		return;
	}
	j->array[j->depth] = array;
	j->some[j->depth] = false;
	j->depth++;
	out(j, array ? "[" : "{");
}

void json_object(struct json *j, const char *key)
{
	open_container(j, key, false);
}

void json_array(struct json *j, const char *key)
{
	open_container(j, key, true);
}

void json_close(struct json *j)
{
	if (j->err)
		return;
	if (!j->depth) {
		fail(j, EINVAL);
		return;
	}
	j->depth--;
	out(j, j->array[j->depth] ? "]" : "}");
	value_done(j);
}

void json_str(struct json *j, const char *key, const char *s, size_t n)
{
	if (!member(j, key))
		return;
	quoted(j, s, n);
	value_done(j);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	if (!member(j, key))
		return;
	outf(j, "%" PRId64, v);
	value_done(j);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	if (!member(j, key))
		return;
	outf(j, "%" PRIu64, v);
	value_done(j);
}

void json_double(struct json *j, const char *key, double v, int decimals)
{
	if (!member(j, key))
		return;
	if (!isfinite(v))
		out(j, "null");
	else
		outf(j, "%.*f", decimals < 0 ? 0 : decimals, v);
	value_done(j);
}

void json_measured(struct json *j, const char *key, double v, int decimals)
{
	json_double(j, key, v < 0 ? NAN : v, decimals);
}

void json_bool(struct json *j, const char *key, bool v)
{
	if (!member(j, key))
		return;
	out(j, v ? "true" : "false");
	value_done(j);
}

void json_null(struct json *j, const char *key)
{
	if (!member(j, key))
		return;
	out(j, "null");
	value_done(j);
}

void json_time(struct json *j, const char *key, const struct timespec *ts)
{
	if (!member(j, key))
		return;
	outf(j, "%" PRId64 ".%03ld", (int64_t)ts->tv_sec,
	     ts->tv_nsec / 1000000);
	value_done(j);
}

void json_head(struct json *j, const char *tool)
{
	json_object(j, NULL);
	json_str(j, "tool", tool, SIZE_MAX);
	json_str(j, "version", HWQNIC_VERSION, SIZE_MAX);
}

/*
 * The first "model name : X" of /proc/cpuinfo into buf; false when there
 * is none (not every architecture names one). A longer line is cut.
 */
static bool cpu_model(char *buf, size_t len)
{
	char line[256], *p;
	bool found = false;
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		p += strspn(p + 1, " \t") + 1;
		p[strcspn(p, "\n")] = '\0';
		snprintf(buf, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

void json_head_bench(struct json *j, const char *tool, const char *backend)
{
	struct utsname u;
	char model[256];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	json_head(j, tool);
	if (!uname(&u))
		json_str(j, "kernel", u.release, sizeof(u.release));
	else
		json_null(j, "kernel");
	if (cpu_model(model, sizeof(model)))
		json_str(j, "cpu_model", model, sizeof(model));
	else
		json_null(j, "cpu_model");
	if (cpus > 0)
		json_int(j, "cpus", cpus);
	else
		json_null(j, "cpus");
	if (backend)
		json_str(j, "backend", backend, SIZE_MAX);
}

int json_error(const struct json *j)
{
	return j->err;
}
