// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nictop: a live, top-like monitor of the hwqnic devices on this machine.
 *
 * Every process using libhwqnic publishes the counters of each device it
 * has open in /dev/shm/hwqnic.<pid>.<device> (hwqnic/stats.h). nictop reads
 * them every interval and shows the rates between two readings, per device
 * and per QP. When qplat has pinned its maps (qplat --pin DIR), it adds each
 * QP's device and end-to-end latency percentiles over the last interval,
 * from the growth of qplat's log2 histograms. See nictop(1).
 */
#include "nictop.h"

int main(int argc, char **argv)
{
	struct opts o;

	msg_init("nictop");
	nictop_parse(argc, argv, &o);
	/* a signal ends it as 'Q' does: a clean exit, status 0 */
	if (msg_catch_stop())
		fail("cannot catch signals");
	return o.batch ? run_batch(&o) : run_tui(&o);
}
