/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The engine: the NIC, in software. It takes doorbells, fetches WQEs by
 * walking the queues' PBLs, moves payloads through MR PBLs and writes CQEs.
 * The backend runs hwqnic_engine_run() on a thread of its own (a pthread in
 * libhwqnic, a kthread in hwqnic.ko).
 */
#ifndef _HWQNIC_ENGINE_H
#define _HWQNIC_ENGINE_H

#include "qp.h"

/* After this long without work the engine sleeps until a doorbell. */
#define HWQNIC_ENGINE_SPIN_NS	(50 * 1000)

bool hwqnic_engine_poll(struct hwqnic_dev *dev);
bool hwqnic_engine_unpoll(struct hwqnic_dev *dev);
void hwqnic_engine_run(struct hwqnic_dev *dev, const bool *stop);
void hwqnic_engine_kick(struct hwqnic_dev *dev);

#endif /* _HWQNIC_ENGINE_H */
