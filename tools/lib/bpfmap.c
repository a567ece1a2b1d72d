// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Every entry of a BPF map at once (bpfmap.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "bpfmap.h"

/* The keys, each at the start of an entry of buf; their count. */
static long walk(int fd, const struct bpfmap_layout *l, __u32 max_entries,
		 char **buf)
{
	size_t n = 0, cap = 64;
	uint64_t visits;
	char *b, *e;

	b = calloc(cap, l->entry_size);
	if (!b)
		return -ENOMEM;
	for (visits = 0; visits < 2ULL * max_entries + 2; visits++) {
		if (n == cap) {
			e = cap < SIZE_MAX / 2 / l->entry_size ?
			    realloc(b, 2 * cap * l->entry_size) : NULL;
			if (!e) {
				free(b);
				return -ENOMEM;
			}
			b = e;
			cap *= 2;
		}
		e = b + n * l->entry_size;
		if (bpf_map_get_next_key(fd, n ? e - l->entry_size : NULL,
					 e)) {
			if (errno == ENOENT)
				break;
			free(b);
			return -errno;
		}
		n++;
	}
	*buf = b;
	return (long)n;
}

long bpfmap_read(int fd, const struct bpfmap_layout *l, void **out)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	size_t i, m = 0, es = l->entry_size;
	char *buf = NULL;
	long n;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		return -errno;
	if (info.key_size != l->key_size || info.value_size != l->value_size ||
	    l->value_off < l->key_size ||
	    l->value_off + l->value_size > es)
		return -EINVAL;
	n = walk(fd, l, info.max_entries, &buf);
	if (n < 0)
		return n;
	qsort(buf, (size_t)n, es, l->cmp);
	for (i = 0; i < (size_t)n; i++) {
		char *e = buf + i * es;

		if (m && !l->cmp(e, buf + (m - 1) * es))
			continue;	/* seen twice */
		if (bpf_map_lookup_elem(fd, e, e + l->value_off)) {
			if (errno == ENOENT)
				continue;	/* deleted since the walk */
			err = -errno;
			free(buf);
			return err;
		}
		if (e != buf + m * es)
			memcpy(buf + m * es, e, es);
		m++;
	}
	*out = buf;
	return (long)m;
}
