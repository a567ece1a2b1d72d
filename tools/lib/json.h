/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The tools' JSON writer: one document per line, written as it goes, in
 * the layout every tool prints ({"key": value, "key": [1, 2]}).
 *
 *   strings   through safestr_json(): valid UTF-8, '"' and '\' escaped,
 *             control and invisible characters as \uXXXX, ill-formed
 *             bytes as \ufffd; a source ends at its NUL or after n bytes
 *   integers  signed or unsigned 64-bit, in decimal
 *   doubles   %.*f with the decimals asked for; null when not finite,
 *             and json_measured() also null when negative (a figure that
 *             was not measured)
 *
 * Each value call takes a key: inside an object it must be given, inside
 * an array and at the top it must be NULL. A value at the top is one
 * document: it ends with a newline and a flush, and another may follow.
 * Misuse (a key where none belongs or none where one must be, nesting
 * beyond JSON_MAX_DEPTH, closing what is not open) writes nothing more
 * and is kept as EINVAL; a failed allocation as ENOMEM, a failed write
 * as EIO: json_error() says which came first.
 */
#ifndef _HWQNIC_TOOLS_JSON_H
#define _HWQNIC_TOOLS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	unsigned int depth;
	bool array[JSON_MAX_DEPTH];	/* per level: an array, not an object */
	bool some[JSON_MAX_DEPTH];	/* per level: a member is written */
	int err;
};

void json_init(struct json *j, FILE *f);

void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_close(struct json *j);	/* the innermost open one */

void json_str(struct json *j, const char *key, const char *s, size_t n);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_double(struct json *j, const char *key, double v, int decimals);
void json_measured(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* A wall-clock time as seconds with milliseconds: 1733270400.123 */
void json_time(struct json *j, const char *key, const struct timespec *ts);

/*
 * Opens a document, the top-level object, with what every tool's starts
 * with (docs/json.md): "tool" and "version" (hwqnic's, HWQNIC_VERSION).
 */
void json_head(struct json *j, const char *tool);

/*
 * json_head() and then the machine a benchmark ran on: "kernel" (uname
 * -r), "cpu_model" (/proc/cpuinfo's first model name, null where it has
 * none), "cpus" (online) and, unless NULL, "backend" ("embedded" or
 * "kernel").
 */
void json_head_bench(struct json *j, const char *tool, const char *backend);

/* 0, or the first error: EINVAL, ENOMEM or EIO. */
int json_error(const struct json *j);

#endif /* _HWQNIC_TOOLS_JSON_H */
