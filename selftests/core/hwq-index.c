// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Producer/consumer indices: epoch flips at every wrap over thousands of
 * wraps, used/avail/full/empty at every boundary, and the doorbell values
 * the host rings.
 */
#include "hwq.h"
#include "../lib/tap.h"

/* An index driven by uneven steps matches a 64-bit running count. */
static void check_wraps(u32 depth, uint64_t *seed)
{
	struct hwqnic_hwq_idx i = { 0 };
	uint64_t total = 0;
	u32 bad = 0, flips = 0;
	u8 last = 0;

	while (total / depth < 1500) {
		u32 n = 1 + tap_rand(seed) % depth;

		hwqnic_hwq_idx_add(&i, n, depth);
		total += n;
		if (i.val != total % depth || i.epoch != ((total / depth) & 1))
			bad++;
		if (i.epoch != last)
			flips++;
		last = i.epoch;
	}
	ok(!bad && flips > 0, "depth %u: %llu wraps, index and epoch right (%u bad)",
	   depth, (unsigned long long)(total / depth), bad);
}

/* Every fill level from every starting position, both epochs. */
static void check_levels(u32 depth)
{
	struct hwqnic_hwq q = { .depth = depth };
	u32 start, k, bad = 0;

	for (start = 0; start < 2 * depth; start++) {
		for (k = 0; k <= depth; k++) {
			q.prod = q.cons = (struct hwqnic_hwq_idx){ 0 };
			hwqnic_hwq_incr_cons(&q, start % depth);
			if (start >= depth)
				hwqnic_hwq_incr_cons(&q, depth);
			q.prod = q.cons;
			hwqnic_hwq_incr_prod(&q, k);
			if (hwqnic_hwq_used(&q) != k ||
			    hwqnic_hwq_avail(&q) != depth - k ||
			    hwqnic_hwq_full(&q) != (k == depth) ||
			    hwqnic_hwq_empty(&q) != (k == 0))
				bad++;
			/* and draining it again empties it */
			hwqnic_hwq_incr_cons(&q, k);
			if (!hwqnic_hwq_empty(&q) ||
			    q.prod.epoch != q.cons.epoch)
				bad++;
		}
	}
	ok(!bad, "depth %u: used/avail/full/empty at every level and start (%u bad)",
	   depth, bad);
}

static void check_db(void)
{
	struct hwqnic_hwq q = { .depth = 100 };
	struct hwqnic_db db;
	int rc;

	hwqnic_hwq_incr_prod(&q, 70);
	hwqnic_hwq_incr_prod(&q, 50);	/* wraps: 20, epoch 1 */
	hwqnic_hwq_incr_cons(&q, 90);
	rc = hwqnic_db_decode(hwqnic_hwq_db(&q, 77, HWQNIC_DB_SQ, 0), &db);
	ok(!rc && db.type == HWQNIC_DB_SQ && db.xid == 77 && db.index == 20 &&
	   db.epoch == 1, "SQ doorbell carries the producer and its epoch");
	rc = hwqnic_db_decode(hwqnic_hwq_db(&q, 5, HWQNIC_DB_CQ_ARMALL, 2), &db);
	ok(!rc && db.type == HWQNIC_DB_CQ_ARMALL && db.xid == 5 &&
	   db.index == 90 && db.epoch == 0 && db.toggle == 2,
	   "CQ arm doorbell carries the consumer, its epoch and the toggle");
	ok(hwqnic_cqe_phase(0) == 1 && hwqnic_cqe_phase(1) == 0,
	   "a valid CQE's toggle is the inverse of the consumer epoch");
}

int main(void)
{
	static const u32 depths[] = { 1, 2, 3, 7, 255, 256, 257, 1000 };
	uint64_t seed = tap_seed();
	unsigned int d;

	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++)
		check_wraps(depths[d], &seed);
	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++)
		check_levels(depths[d]);
	check_db();
	return tap_done();
}
