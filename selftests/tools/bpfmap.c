// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/bpfmap.c over maps made here: an empty map, every entry
 * sorted with its value, a layout that is not the map's refused, a full
 * LRU map, a bad descriptor. Needs root (BPF maps); under ASan only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <valgrind/valgrind.h>

#include "../lib/tap.h"
#include "lib/bpfmap.h"

struct key {
	uint32_t a, b;
};

struct ent {
	struct key k;
	uint32_t pad;
	uint64_t v;
};

static int key_cmp(const void *x, const void *y)
{
	const struct key *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static const struct bpfmap_layout layout = {
	.key_size = sizeof(struct key),
	.value_size = sizeof(uint64_t),
	.entry_size = sizeof(struct ent),
	.value_off = offsetof(struct ent, v),
	.cmp = key_cmp,
};

static int map_new(enum bpf_map_type type, unsigned int max)
{
	return bpf_map_create(type, "bpfmap_test", sizeof(struct key),
			      sizeof(uint64_t), max, NULL);
}

/* n distinct keys, value a * 1000 + b */
static int fill(int fd, unsigned int n, uint64_t *seed)
{
	unsigned int i = 0;
	struct key k;
	uint64_t v;

	while (i < n) {
		k.a = tap_rand(seed) % 8;
		k.b = tap_rand(seed) % 100000;
		v = k.a * 1000ULL + k.b;
		if (bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST)) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		i++;
	}
	return 0;
}

/* sorted strictly, each value its key's */
static int good(const struct ent *e, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (e[i].v != e[i].k.a * 1000ULL + e[i].k.b)
			return 0;
		if (i && key_cmp(&e[i - 1], &e[i]) >= 0)
			return 0;
	}
	return 1;
}

int main(void)
{
	struct bpfmap_layout bad = layout;
	uint64_t seed;
	struct ent *e = NULL;
	long n;
	int fd;

	/* libbpf 1.1 fills only part of bpf(2)'s attribute union */
	if (RUNNING_ON_VALGRIND)
		tap_skip_all("valgrind takes libbpf's bpf(2) attributes for "
			     "uninitialised bytes (ASan runs this)");
	fd = map_new(BPF_MAP_TYPE_HASH, 256);
	if (fd < 0)
		tap_skip_all("cannot make a BPF map (%s): needs root",
			     strerror(errno));
	seed = tap_seed();
	n = bpfmap_read(fd, &layout, (void **)&e);
	ok(n == 0 && e, "an empty map: no entries (%ld)", n);
	free(e);
	e = NULL;

	ok(!fill(fd, 200, &seed), "200 entries made");
	n = bpfmap_read(fd, &layout, (void **)&e);
	ok(n == 200 && good(e, n), "read: 200 entries, sorted, each with "
	   "its value (%ld)", n);
	free(e);
	e = NULL;

	bad.key_size = sizeof(uint64_t) + 4;
	ok(bpfmap_read(fd, &bad, (void **)&e) == -EINVAL && !e,
	   "a key size that is not the map's: EINVAL, nothing out");
	bad = layout;
	bad.value_size = 4;
	ok(bpfmap_read(fd, &bad, (void **)&e) == -EINVAL,
	   "a value size that is not the map's: EINVAL");
	bad = layout;
	bad.entry_size = offsetof(struct ent, v) + 4;
	ok(bpfmap_read(fd, &bad, (void **)&e) == -EINVAL,
	   "a value beyond the entry: EINVAL");

	close(fd);

	fd = map_new(BPF_MAP_TYPE_LRU_HASH, 512);
	ok(fd >= 0 && !fill(fd, 512, &seed), "an LRU map of 512, full");
	n = bpfmap_read(fd, &layout, (void **)&e);
	ok(n > 0 && n <= 512 && good(e, n),
	   "read: its entries, sorted, at most 512 (%ld)", n);
	free(e);
	e = NULL;
	close(fd);

	/* libbpf 1.1 says EBADFD */
	n = bpfmap_read(fd, &layout, (void **)&e);
	ok((n == -EBADF || n == -EBADFD) && !e,
	   "a closed descriptor: EBADF, nothing out (%ld)", n);
	return tap_done();
}
