// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/json.c: the tools' layout byte for byte, strings escaped by
 * safestr_json() whatever their length, numbers (null when not finite or
 * not measured), one document per line, and misuse or a failed write
 * kept as an error with nothing more written.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "../lib/tap.h"
#include "lib/json.h"

/* A writer into memory; json_text() ends it and returns the text. */
struct mem {
	struct json j;
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->f = open_memstream(&m->buf, &m->len);
	if (!m->f)
		abort();
	json_init(&m->j, m->f);
}

static const char *mem_text(struct mem *m)
{
	fclose(m->f);
	return m->buf ? m->buf : "";
}

static void check(struct mem *m, const char *want, int want_err,
		  const char *name)
{
	const char *got = mem_text(m);

	if (!ok(!strcmp(got, want) && json_error(&m->j) == want_err,
		"%s (error %d)", name, json_error(&m->j)))
		diag("got: %s", got);
	free(m->buf);
}

static void test_layout(void)
{
	struct mem m;

	mem_open(&m);
	json_object(&m.j, NULL);
	json_str(&m.j, "mode", "lat", 16);
	json_uint(&m.j, "size", 65536);
	json_int(&m.j, "pid", -42);
	json_bool(&m.j, "verify", false);
	json_double(&m.j, "t", 1.23456, 4);
	json_measured(&m.j, "rtt", -1, 4);
	json_array(&m.j, "qps");
	json_object(&m.j, NULL);
	json_uint(&m.j, "qpn", 17);
	json_close(&m.j);
	json_object(&m.j, NULL);
	json_close(&m.j);
	json_close(&m.j);
	json_array(&m.j, "none");
	json_close(&m.j);
	json_null(&m.j, "n");
	json_close(&m.j);
	check(&m, "{\"mode\": \"lat\", \"size\": 65536, \"pid\": -42, "
	      "\"verify\": false, \"t\": 1.2346, \"rtt\": null, \"qps\": "
	      "[{\"qpn\": 17}, {}], \"none\": [], \"n\": null}\n", 0,
	      "an object in the tools' layout, nested, empty containers");

	mem_open(&m);
	json_object(&m.j, NULL);
	json_close(&m.j);
	json_array(&m.j, NULL);
	json_uint(&m.j, NULL, 1);
	json_uint(&m.j, NULL, 2);
	json_close(&m.j);
	json_uint(&m.j, NULL, 3);
	check(&m, "{}\n[1, 2]\n3\n", 0, "one document per line");
}

static void test_numbers(void)
{
	struct timespec ts = { 1733270400, 123999999 };
	struct mem m;

	mem_open(&m);
	json_array(&m.j, NULL);
	json_int(&m.j, NULL, INT64_MIN);
	json_int(&m.j, NULL, INT64_MAX);
	json_uint(&m.j, NULL, UINT64_MAX);
	json_double(&m.j, NULL, NAN, 3);
	json_double(&m.j, NULL, INFINITY, 3);
	json_double(&m.j, NULL, -INFINITY, 3);
	json_double(&m.j, NULL, -0.5, 1);
	json_double(&m.j, NULL, 2.5, 0);
	json_double(&m.j, NULL, 0.1, 6);
	json_measured(&m.j, NULL, 0, 2);
	json_measured(&m.j, NULL, -0.001, 2);
	json_measured(&m.j, NULL, NAN, 2);
	json_measured(&m.j, NULL, 99.999, 2);
	json_time(&m.j, NULL, &ts);
	json_close(&m.j);
	check(&m, "[-9223372036854775808, 9223372036854775807, "
	      "18446744073709551615, null, null, null, -0.5, 2, 0.100000, "
	      "0.00, null, null, 100.00, 1733270400.123]\n", 0,
	      "integers at their limits; doubles finite or null; "
	      "measured: negative is null; time truncated to ms");
}

static void test_strings(void)
{
	static const char src[] = "q\"b\\c\x01\x7f\xe2\x80\xae\xc3\xa9\xff"
				  "\xf0\x9f\x98\x80";
	char *big, *want, *w;
	size_t i, n = 5000;
	struct mem m;

	mem_open(&m);
	json_array(&m.j, NULL);
	json_str(&m.j, NULL, src, sizeof(src));
	json_str(&m.j, NULL, "abcdef", 3);
	json_str(&m.j, NULL, "", 10);
	json_close(&m.j);
	check(&m, "[\"q\\\"b\\\\c\\u0001\\u007f\\u202e\xc3\xa9\\ufffd"
	      "\xf0\x9f\x98\x80\", \"abc\", \"\"]\n", 0,
	      "strings: quote, backslash, controls, bidi override escaped; "
	      "ill-formed UTF-8 is U+FFFD; at most n bytes");

	mem_open(&m);
	json_object(&m.j, NULL);
	json_uint(&m.j, "a\"\n", 1);
	json_close(&m.j);
	check(&m, "{\"a\\\"\\u000a\": 1}\n", 0, "keys are escaped too");

	/* past the writer's stack buffer: every byte needs an escape */
	big = malloc(n + 1);
	want = malloc(6 * n + 8);
	if (!big || !want)
		abort();
	w = want;
	*w++ = '"';
	for (i = 0; i < n; i++) {
		static const char *const esc[] = { "\\u0001", "\\\"",
						   "\\ufffd" };

		big[i] = "\x01\"\xff"[i % 3];
		w = stpcpy(w, esc[i % 3]);
	}
	big[n] = '\0';
	strcpy(w, "\"\n");
	mem_open(&m);
	json_str(&m.j, NULL, big, n);
	check(&m, want, 0, "a 5000-byte string of escapes, whole");
	free(big);
	free(want);
}

static void test_misuse(void)
{
	struct mem m;
	FILE *ro;
	struct json j;
	int i;

	mem_open(&m);
	json_object(&m.j, NULL);
	json_uint(&m.j, NULL, 1);
	json_uint(&m.j, "x", 2);
	json_close(&m.j);
	check(&m, "{", EINVAL, "a value without its key in an object: EINVAL, "
	      "nothing more written");

	mem_open(&m);
	json_array(&m.j, NULL);
	json_uint(&m.j, "k", 1);
	check(&m, "[", EINVAL, "a key in an array: EINVAL");

	mem_open(&m);
	json_uint(&m.j, "k", 1);
	check(&m, "", EINVAL, "a key at the top: EINVAL");

	mem_open(&m);
	json_close(&m.j);
	check(&m, "", EINVAL, "closing nothing: EINVAL");

	mem_open(&m);
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_array(&m.j, NULL);
	check(&m, "[[[[[[[[[[[[[[[[", EINVAL,
	      "nesting beyond JSON_MAX_DEPTH: EINVAL");

	ro = fopen("/dev/null", "r");
	if (!ro)
		abort();
	json_init(&j, ro);
	json_object(&j, NULL);
	json_uint(&j, "a", 1);
	json_close(&j);
	ok(json_error(&j) == EIO, "a failed write: EIO (%d)", json_error(&j));
	fclose(ro);
}

/* The common head: tool and version first; the machine for benchmarks */
static void test_head(void)
{
	char want[512], cpus[32];
	struct utsname u;
	const char *got;
	struct mem m;

	mem_open(&m);
	json_head(&m.j, "probecost");
	json_uint(&m.j, "iters", 1);
	json_close(&m.j);
	check(&m, "{\"tool\": \"probecost\", \"version\": \""
	      HWQNIC_VERSION "\", \"iters\": 1}\n", 0,
	      "json_head: tool and version open the document");

	if (uname(&u))
		abort();
	snprintf(want, sizeof(want), "{\"tool\": \"hwqperf\", \"version\": "
		 "\"%s\", \"kernel\": \"%s\", \"cpu_model\": ",
		 HWQNIC_VERSION, u.release);
	snprintf(cpus, sizeof(cpus), ", \"cpus\": %ld, ",
		 sysconf(_SC_NPROCESSORS_ONLN));
	mem_open(&m);
	json_head_bench(&m.j, "hwqperf", "embedded");
	json_close(&m.j);
	got = mem_text(&m);
	if (!ok(!strncmp(got, want, strlen(want)) && strstr(got, cpus) &&
		strstr(got, "\"backend\": \"embedded\"}\n") &&
		!json_error(&m.j), "json_head_bench: kernel, cpu_model, cpus "
		"and backend follow, in order"))
		diag("got: %s", got);
	free(m.buf);

	mem_open(&m);
	json_head_bench(&m.j, "probecost", NULL);
	json_close(&m.j);
	got = mem_text(&m);
	ok(strstr(got, "\"cpus\": ") && !strstr(got, "backend") &&
	   !json_error(&m.j), "json_head_bench: no backend when NULL");
	free(m.buf);
}

int main(void)
{
	test_layout();
	test_numbers();
	test_strings();
	test_misuse();
	test_head();
	return tap_done();
}
