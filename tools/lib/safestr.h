/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strings that another process controls (a command name, a device name,
 * a file name in /dev/shm), made safe for one output. Nothing of the
 * source reaches the output raw unless it is harmless there:
 *
 *   text  printable ASCII only, for a terminal or a log in any locale:
 *         a backslash is "\\", a byte that is not printable ASCII or not
 *         part of well-formed UTF-8 is "\xNN", and any other character
 *         "\uXXXX" (or "\UXXXXXXXX"). Lossless and one column per byte.
 *   json  the body of a JSON string, valid UTF-8: '"' and '\' escaped,
 *         control, invisible and bidirectional formatting characters as
 *         \uXXXX, ill-formed UTF-8 as \ufffd, everything else as is.
 *
 * The source ends at its first NUL or after n bytes. The output always
 * ends with a NUL when size > 0 and is cut before an escape that does not
 * fit; the return value is its length.
 */
#ifndef _HWQNIC_TOOLS_SAFESTR_H
#define _HWQNIC_TOOLS_SAFESTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output sizes that always hold the whole of n source bytes. */
#define SAFESTR_TEXT_SIZE(n)	(4 * (n) + 1)
#define SAFESTR_JSON_SIZE(n)	(6 * (n) + 1)

size_t safestr_text(char *dst, size_t size, const char *src, size_t n);
size_t safestr_json(char *dst, size_t size, const char *src, size_t n);

/*
 * The well-formed UTF-8 sequence at s (at most n bytes): true, with its
 * code point and length. Else false, and *len is the length of the
 * ill-formed part to replace as one (Unicode's "maximal subpart", >= 1).
 */
bool safestr_utf8(const unsigned char *s, size_t n, uint32_t *cp,
		  size_t *len);

/* A character that must never reach a terminal raw. */
bool safestr_unsafe(uint32_t cp);

#endif /* _HWQNIC_TOOLS_SAFESTR_H */
