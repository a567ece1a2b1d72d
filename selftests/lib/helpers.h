/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Everything a verbs test uses, compiled once into libselftests.a
 * (selftests/lib/): TAP, time bounds, test data, the backends, the rig of
 * devices, buffers and QP pairs, posting, completions, the stats file.
 */
#ifndef _HWQNIC_SELFTESTS_LIB_HELPERS_H
#define _HWQNIC_SELFTESTS_LIB_HELPERS_H

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>

#include "backend.h"
#include "bound.h"
#include "child.h"
#include "cq.h"
#include "pair.h"
#include "pattern.h"
#include "post.h"
#include "stats.h"
#include "tap.h"

#endif /* _HWQNIC_SELFTESTS_LIB_HELPERS_H */
