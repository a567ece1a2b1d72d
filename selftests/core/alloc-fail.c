// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Fail each allocation point in turn: the call returns -ENOMEM and leaves
 * nothing allocated. The number of points is counted exactly, so a new
 * allocation that escapes the osdep layer (and its injection) shows up.
 */
#include <stdlib.h>

#include "hwq.h"
#include "../lib/tap.h"

enum op { PBL_ALLOC, PBL_PAGES, HWQ };

struct cfg {
	enum op op;
	u32 n;		/* pages (PBL_*) or slots (HWQ) */
	u8 shift;
	u32 points;	/* allocation points it must have */
	const char *what;
};

static int run(struct hwqnic_osdev *od, const struct cfg *c,
	       const dma_addr_t *pages)
{
	struct hwqnic_pbl pbl;
	struct hwqnic_hwq q;
	int rc;

	switch (c->op) {
	case PBL_ALLOC:
		rc = hwqnic_pbl_alloc(od, &pbl, c->n, c->shift,
				      HWQNIC_PBL_QUEUE);
		break;
	case PBL_PAGES:
		rc = hwqnic_pbl_init_pages(od, &pbl, pages, c->n, c->shift, 0);
		break;
	default:
		rc = hwqnic_hwq_init(od, &q, c->n, 64, c->shift);
		if (!rc)
			hwqnic_hwq_free(od, &q);
		return rc;
	}
	if (!rc)
		hwqnic_pbl_free(od, &pbl);
	return rc;
}

static void check(const struct cfg *c)
{
	struct hwqnic_osdev od = { 0 };
	dma_addr_t *pages = malloc(c->n * sizeof(*pages));
	u32 nth, bad = 0;
	int rc = -1;

	for (nth = 0; nth < c->n; nth++)
		pages[nth] = 0x40000000ULL + ((dma_addr_t)nth << c->shift);
	for (nth = 1; nth <= c->points + 1; nth++) {
		hwqnic_os_fail_nth(&od, nth);
		rc = run(&od, c, pages);
		if (!rc)
			break;
		if (rc != -ENOMEM || hwqnic_os_live_allocs(&od) != 0)
			bad++;
	}
	ok(!rc && nth == c->points + 1 && !bad &&
	   hwqnic_os_live_allocs(&od) == 0,
	   "%s: each of %u allocation points fails cleanly (%u bad, succeeded at %u)",
	   c->what, c->points, bad, nth);
	free(pages);
}

int main(void)
{
	/*
	 * Points: page arrays (2) + data pages, PTE arrays (2) + PTE pages,
	 * PDE table.
	 */
	static const struct cfg cfgs[] = {
		{ PBL_ALLOC, 1, 12, 2 + 1, "level-0 pbl_alloc" },
		{ PBL_ALLOC, 1, 21, 2 + 1, "level-0 pbl_alloc, 2 MiB page" },
		{ PBL_ALLOC, 300, 12, 2 + 300 + 2 + 1, "level-1 pbl_alloc" },
		{ PBL_ALLOC, 1100, 12, 2 + 1100 + 2 + 3 + 1,
		  "level-2 pbl_alloc" },
		{ PBL_ALLOC, 5, 16, 2 + 5 + 2 + 1, "level-1 pbl_alloc, 64 KiB" },
		{ PBL_PAGES, 1, 12, 0, "level-0 init_pages" },
		{ PBL_PAGES, 512, 12, 2 + 1, "level-1 init_pages" },
		{ PBL_PAGES, 262145, 12, 2 + 513 + 1,
		  "level-2 init_pages, 2-page PDE table" },
		{ HWQ, 1000, 12, 2 + 16 + 2 + 1, "hwq_init 1000x64" },
		{ HWQ, 40000, 12, 2 + 625 + 2 + 2 + 1, "hwq_init 40000x64" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++)
		check(&cfgs[i]);
	return tap_done();
}
