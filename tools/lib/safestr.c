// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Strings from other processes, made safe for text and JSON (safestr.h). */
#include <stdio.h>
#include <string.h>

#include "safestr.h"

bool safestr_utf8(const unsigned char *s, size_t n, uint32_t *cp,
		  size_t *len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t c;

	*len = 1;
	if (!n)
		return false;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return true;
	}
	/* Unicode's table of well-formed sequences: no overlong forms,
	 * no surrogates, nothing above U+10FFFF */
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		c &= 0x0f;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		c &= 0x07;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return false;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*len = i;
			return false;
		}
		c = c << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	*len = need + 1;
	return true;
}

/*
 * C0, DEL and C1 controls; the Arabic letter mark; zero widths, LRM and
 * RLM; line and paragraph separators, bidi embeddings and overrides;
 * the word joiner, invisible operators and bidi isolates; the zero-width
 * no-break space; interlinear annotation marks.
 */
bool safestr_unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	       (c >= 0xfff9 && c <= 0xfffb);
}

struct out {
	char *p;
	size_t size;
	size_t len;
	bool full;
};

/* Appends all of s or nothing, keeping room for the NUL. */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n >= o->size) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void putf(struct out *o, const char *fmt, unsigned long v)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), fmt, v);

	put(o, buf, (size_t)n);
}

static size_t done(struct out *o)
{
	if (o->size)
		o->p[o->len] = '\0';
	return o->len;
}

size_t safestr_text(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	struct out o = { dst, size, 0, !size };
	size_t len, i;
	uint32_t c;

	n = strnlen(src, n);
	while (n && !o.full) {
		if (!safestr_utf8(s, n, &c, &len)) {
			for (i = 0; i < len; i++)
				putf(&o, "\\x%02lx", s[i]);
		} else if (c == '\\') {
			put(&o, "\\\\", 2);
		} else if (c >= 0x20 && c < 0x7f) {
			put(&o, (const char *)s, 1);
		} else if (c < 0x80) {
			putf(&o, "\\x%02lx", c);
		} else {
			putf(&o, c > 0xffff ? "\\U%08lx" : "\\u%04lx", c);
		}
		s += len;
		n -= len;
	}
	return done(&o);
}

size_t safestr_json(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	struct out o = { dst, size, 0, !size };
	size_t len;
	uint32_t c;

	n = strnlen(src, n);
	while (n && !o.full) {
		if (!safestr_utf8(s, n, &c, &len))
			put(&o, "\\ufffd", 6);
		else if (c == '"' || c == '\\')
			put(&o, c == '"' ? "\\\"" : "\\\\", 2);
		else if (safestr_unsafe(c))
			putf(&o, "\\u%04lx", c);
		else
			put(&o, (const char *)s, len);
		s += len;
		n -= len;
	}
	return done(&o);
}
