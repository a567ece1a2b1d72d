// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Doorbell encoding: encode and decode are inverse; malformed values are
 * refused, HWQNIC_DB_STAMP among them on a doorbell that is not an SQ's
 * or RQ's.
 */
#include <hwqnic/abi.h>
#include "../lib/tap.h"

/* The (r mod n)th of the n reserved bits. */
static uint64_t rsvd_bit(uint64_t r)
{
	unsigned int n = __builtin_popcountll(HWQNIC_DB_RSVD_MASK);
	unsigned int k = r % n, b;

	for (b = 0; b < 64; b++)
		if ((HWQNIC_DB_RSVD_MASK >> b) & 1 && !k--)
			return 1ULL << b;
	return 0;
}

int main(void)
{
	uint64_t seed = tap_seed();
	unsigned int i, bad_fields = 0, bad_vals = 0, bad_reject = 0;
	unsigned int bad_stamp = 0, stamped = 0;

	for (i = 0; i < 1000000; i++) {
		uint64_t r = tap_rand(&seed), v;
		struct hwqnic_db in = {
			.index = r & HWQNIC_DB_INDEX_MASK,
			.epoch = (r >> 24) & 1,
			.toggle = (r >> 25) & 3,
			.xid = (r >> 27) & HWQNIC_DB_XID_MASK,
			.type = (r >> 47) & HWQNIC_DB_TYPE_MASK,
			.stamp = (r >> 51) & 1,
		}, out;
		int can = hwqnic_db_stampable(in.type);

		/* a stamp survives on an SQ or RQ doorbell, is dropped elsewhere */
		if (hwqnic_db_decode(hwqnic_db_encode(&in), &out) ||
		    out.index != in.index || out.epoch != in.epoch ||
		    out.toggle != in.toggle || out.xid != in.xid ||
		    out.type != in.type || out.stamp != (in.stamp && can))
			bad_fields++;

		/* any well-formed value survives decode then encode */
		v = (tap_rand(&seed) & ~HWQNIC_DB_RSVD_MASK) | HWQNIC_DB_VALID;
		if (!hwqnic_db_stampable((v >> HWQNIC_DB_TYPE_SHIFT) &
					 HWQNIC_DB_TYPE_MASK))
			v &= ~HWQNIC_DB_STAMP;
		if (hwqnic_db_decode(v, &out) || hwqnic_db_encode(&out) != v)
			bad_vals++;
		stamped += !!(v & HWQNIC_DB_STAMP);

		/* the stamp on any other type of doorbell: refused */
		if (!hwqnic_db_stampable((v >> HWQNIC_DB_TYPE_SHIFT) &
					 HWQNIC_DB_TYPE_MASK) &&
		    !hwqnic_db_decode(v | HWQNIC_DB_STAMP, &out))
			bad_stamp++;

		/* valid clear, or any one reserved bit set: refused */
		if (!hwqnic_db_decode(v & ~HWQNIC_DB_VALID, &out) ||
		    !hwqnic_db_decode(v | rsvd_bit(r), &out))
			bad_reject++;
	}
	ok(!bad_fields, "decode(encode(fields)) == fields for 1e6 random doorbells (%u bad)",
	   bad_fields);
	ok(!bad_vals, "encode(decode(v)) == v for 1e6 random well-formed values (%u bad)",
	   bad_vals);
	ok(!bad_reject, "values without VALID or with a reserved bit are refused (%u bad)",
	   bad_reject);
	ok(stamped > 0 && !bad_stamp, "STAMP is kept on %u SQ and RQ doorbells, "
	   "refused on every other type (%u bad)", stamped, bad_stamp);
	return tap_done();
}
