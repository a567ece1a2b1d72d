/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every entry of a BPF hash or LRU map at once, for the tools that read
 * qplat's maps: qplat, and nictop, which opens them pinned.
 *
 * The map's key and value sizes are checked first: a map that is not of
 * the layout asked for (one pinned by someone else) is refused, never
 * walked with buffers of the wrong size. The walk visits at most
 * 2 * max_entries + 2 keys: a key deleted under it (an LRU eviction, a
 * reader deleting) makes the kernel start again from the first, so that
 * a map changing all the time is read in bounded time, and entries seen
 * twice are kept once. An entry deleted between its key and its value
 * is left out.
 */
#ifndef _HWQNIC_TOOLS_BPFMAP_H
#define _HWQNIC_TOOLS_BPFMAP_H

#include <stddef.h>

struct bpfmap_layout {
	size_t key_size;	/* the map's */
	size_t value_size;	/* the map's */
	size_t entry_size;	/* one entry: the key at 0, ... */
	size_t value_off;	/* ... the value here */
	int (*cmp)(const void *a, const void *b);	/* entries' order */
};

/*
 * The entries of map fd, sorted by l->cmp, into *out (to free(); set
 * only on success). Returns their count, or -EINVAL (not of that
 * layout), -ENOMEM, or another -errno of the bpf(2) calls.
 */
long bpfmap_read(int fd, const struct bpfmap_layout *l, void **out);

#endif /* _HWQNIC_TOOLS_BPFMAP_H */
