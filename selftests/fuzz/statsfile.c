// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target: a published stats file's content as the tools read it
 * (libhwqnic: user/statsfile.c), and the escaping of the strings in it
 * (tools/lib/safestr.c). The input is the file's bytes, named for process
 * PID. Invariants: a file accepted has exactly the size its max_qp takes,
 * max_qp within HWQNIC_STATS_MAX_QP, only slots in use, each with its own
 * QPN, in order, and terminated names, only defined flags, and on a
 * device bound to no netdev no netdev name and every wire counter (the
 * device's, each QP's) zero; a file refused says why and keeps
 * nothing. Every string made for text is printable ASCII and unescapes to
 * the source exactly; every string made for JSON is valid UTF-8 with no
 * control or bidirectional formatting character, only well-formed
 * escapes, and unescapes to the source when that was valid UTF-8; output
 * cut short is a prefix of the whole. The input as a file name gives a
 * pid only when it reads hwqnic.<pid>.<more>, pid in 1..INT_MAX. Checked
 * here with code of its own, not the library's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/lib/safestr.h"
#include <hwqnic/stats.h>

#define PID	4242
#define MAX_SRC	4096	/* the source bytes escaped */

/* A well-formed UTF-8 sequence at s: its length and code point, or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t k;
	uint32_t c;

	while (n) {
		k = utf8_seq(s, n, &c);
		if (!k)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

static size_t utf8_put(unsigned char *d, uint32_t c)
{
	if (c < 0x80) {
		d[0] = c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = 0xc0 | c >> 6;
		d[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		d[0] = 0xe0 | c >> 12;
		d[1] = 0x80 | (c >> 6 & 0x3f);
		d[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	d[0] = 0xf0 | c >> 18;
	d[1] = 0x80 | (c >> 12 & 0x3f);
	d[2] = 0x80 | (c >> 6 & 0x3f);
	d[3] = 0x80 | (c & 0x3f);
	return 4;
}

/* n hex digits at s; aborts on anything else. */
static uint32_t hex(const char *s, int n)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v = v << 4 | (s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			v = v << 4 | (s[i] - 'a' + 10);
		else
			abort();
	}
	return v;
}

/* Never raw on a terminal: C0, DEL, C1, bidi embeddings, overrides and
 * isolates. */
static bool forbidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Text: printable ASCII whose escapes give back the source's bytes. */
static void check_text(const unsigned char *src, size_t n, const char *t,
		       size_t len)
{
	static unsigned char back[4 * MAX_SRC];
	size_t i = 0, m = 0, w;
	uint32_t c;

	while (i < len) {
		if (t[i] < 0x20 || t[i] > 0x7e || m + 4 > sizeof(back))
			abort();
		if (t[i] != '\\') {
			back[m++] = t[i++];
			continue;
		}
		if (i + 1 >= len)
			abort();
		if (t[i + 1] == '\\') {
			back[m++] = '\\';
			i += 2;
			continue;
		}
		w = t[i + 1] == 'x' ? 2 : t[i + 1] == 'u' ? 4 :
		    t[i + 1] == 'U' ? 8 : 0;
		if (!w || i + 2 + w > len)
			abort();
		c = hex(t + i + 2, w);
		if (w == 2)
			back[m++] = c;
		else if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			abort();
		else
			m += utf8_put(back + m, c);
		i += 2 + w;
	}
	if (m != n || memcmp(back, src, n))
		abort();
}

/* JSON: valid UTF-8, nothing forbidden raw, well-formed escapes; back to
 * the source when the source was valid UTF-8. */
static void check_json(const unsigned char *src, size_t n, const char *j,
		       size_t len)
{
	static unsigned char back[4 * MAX_SRC];
	const unsigned char *s = (const unsigned char *)j;
	size_t i = 0, m = 0, k;
	uint32_t c;

	if (!utf8_valid(s, len))
		abort();
	while (i < len) {
		k = utf8_seq(s + i, len - i, &c);
		if (forbidden(c) || c == '"' || m + 4 > sizeof(back))
			abort();
		if (c != '\\') {
			memcpy(back + m, s + i, k);
			m += k;
			i += k;
			continue;
		}
		if (i + 1 >= len)
			abort();
		if (s[i + 1] == '"' || s[i + 1] == '\\') {
			back[m++] = s[i + 1];
			i += 2;
			continue;
		}
		if (s[i + 1] != 'u' || i + 6 > len)
			abort();
		c = hex(j + i + 2, 4);
		if (c >= 0xd800 && c <= 0xdfff)
			abort();
		m += utf8_put(back + m, c);
		i += 6;
	}
	if (utf8_valid(src, n) && (m != n || memcmp(back, src, n)))
		abort();
}

/* Both escapings of src, whole and cut to cut bytes. */
static void check_str(const char *src, size_t n, size_t cut)
{
	static char whole[SAFESTR_JSON_SIZE(MAX_SRC)], part[sizeof(whole)];
	size_t len, plen, end = n < MAX_SRC ? n : MAX_SRC;

	end = strnlen(src, end);
	len = safestr_text(whole, SAFESTR_TEXT_SIZE(end), src, end);
	if (len >= SAFESTR_TEXT_SIZE(end) || whole[len] || strlen(whole) != len)
		abort();
	check_text((const unsigned char *)src, end, whole, len);
	plen = safestr_text(part, cut, src, end);
	if (cut && (plen >= cut || part[plen] || memcmp(part, whole, plen)))
		abort();
	if (!cut && plen)
		abort();

	len = safestr_json(whole, SAFESTR_JSON_SIZE(end), src, end);
	if (len >= SAFESTR_JSON_SIZE(end) || whole[len] || strlen(whole) != len)
		abort();
	check_json((const unsigned char *)src, end, whole, len);
	plen = safestr_json(part, cut, src, end);
	if (cut && (plen >= cut || part[plen] || memcmp(part, whole, plen)))
		abort();
}

static bool zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void check_accepted(const struct hwqnic_stats *sf, size_t size)
{
	const size_t q = sizeof(struct hwqnic_stats_qp);
	unsigned int i;

	if (sf->max_qp > HWQNIC_STATS_MAX_QP || sf->pid != PID ||
	    size != sizeof(struct hwqnic_stats_file) + sf->max_qp * q ||
	    sf->nqp > sf->max_qp || (sf->nqp && !sf->qp))
		abort();
	for (i = 0; i < sf->nqp; i++) {
		if (sf->qp[i].qpn < HWQNIC_QPN_BASE ||
		    sf->qp[i].qpn - HWQNIC_QPN_BASE >= sf->max_qp ||
		    (i && sf->qp[i].qpn <= sf->qp[i - 1].qpn))
			abort();
	}
	if (strnlen(sf->comm, sizeof(sf->comm)) == sizeof(sf->comm) ||
	    strnlen(sf->dev, sizeof(sf->dev)) == sizeof(sf->dev) ||
	    strnlen(sf->netdev, sizeof(sf->netdev)) == sizeof(sf->netdev))
		abort();
	if (sf->flags & ~HWQNIC_STATS_FLAGS)
		abort();
	if (sf->flags & HWQNIC_STATS_F_NETDEV) {
		if (!sf->netdev[0])
			abort();
		return;
	}
	if (sf->netdev[0] || !zero(&sf->wire, sizeof(sf->wire)))
		abort();
	for (i = 0; i < sf->nqp; i++)
		if (!zero(&sf->qp[i].w, sizeof(sf->qp[i].w)))
			abort();
}

/* hwqnic.<pid>.<at least one byte>, the pid's digits without a 0 first */
static void check_name(const uint8_t *data, size_t size)
{
	static char name[256], want[32];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	int pid, len;

	memcpy(name, data, n);
	name[n] = '\0';
	pid = hwqnic_stats_name_pid(name);
	if (pid == -1) {
		/* refused: then it cannot start with a name it takes */
		for (pid = 1; pid < 10; pid++) {
			len = snprintf(want, sizeof(want), "hwqnic.%d.", pid);
			if (!strncmp(name, want, len) && name[len])
				abort();
		}
		return;
	}
	if (pid < 1)
		abort();
	len = snprintf(want, sizeof(want), "hwqnic.%d.", pid);
	if (strncmp(name, want, len) || !name[len])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[HWQNIC_STATS_WHY_LEN];
	struct hwqnic_stats sf;
	size_t cut = size ? data[size - 1] % 64 : 0;
	int rc;

	memset(why, 0, sizeof(why));
	rc = hwqnic_stats_parse(data, size, PID, &sf, why);
	if (rc == HWQNIC_STATS_OK) {
		check_accepted(&sf, size);
		check_str(sf.comm, sizeof(sf.comm), cut);
		check_str(sf.dev, sizeof(sf.dev), cut);
		check_str(sf.netdev, sizeof(sf.netdev), cut);
		hwqnic_stats_free(&sf);
	} else if (rc < HWQNIC_STATS_ENAME || rc > HWQNIC_STATS_ENOMEM || sf.qp ||
		   sf.nqp || !why[0] ||
		   strnlen(why, sizeof(why)) == sizeof(why)) {
		abort();
	}
	/* the whole input as a name, as a file name would be */
	check_str((const char *)data, size, cut);
	check_name(data, size);
	return 0;
}
