// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tools/lib/rig.c: the rig opens a device and a PD, makes CQs within the
 * device's limit and RC QPs only when granted all they ask, connects two
 * of them in loopback (an RDMA WRITE then moves the bytes), walks a UD
 * QP to RTS, maps MTUs, and rig_check_wc() ends the tool on a completion
 * of the wrong status with one line; rig_close() releases it all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tap.h"
#include "child.h"
#include "../lib/cq.h"
#include "lib/msg.h"
#include "lib/rig.h"


static void bad_wc(void *arg)
{
	struct hwqnic_wc wc = { .wr_id = 0x2a, .status = *(int *)arg,
				.qp_num = 17, .vendor_err = 3 };

	msg_init("rigtest");
	rig_check_wc(&wc, HWQNIC_WC_SUCCESS);
	wc.status = HWQNIC_WC_WR_FLUSH_ERR;
	rig_check_wc(&wc, HWQNIC_WC_WR_FLUSH_ERR);
	printf("flush as expected\n");
	rig_check_wc(&wc, HWQNIC_WC_REM_ACCESS_ERR);
}

static void op_child(void *arg)
{
	msg_init("rigtest");
	printf("%d\n", rig_op_parse("op", arg));
}

static void test_loopback(void)
{
	char src[64], dst[64];
	struct hwqnic_qp_attr a;
	struct hwqnic_qp_init_attr ia;
	struct hwqnic_send_wr wr, *bad = NULL;
	struct hwqnic_mr *ms, *md;
	struct hwqnic_qp *qa, *qb, *ud, *none;
	struct hwqnic_cq *cq, *big;
	struct hwqnic_sge sge;
	struct hwqnic_wc wc;
	struct rig rig;
	const char *env;
	int err, n;

	err = rig_open(&rig);
	if (!ok(!err && rig.ctx && rig.pd, "rig_open (%s)", rig.err))
		return;
	ok(rig.port.state == HWQNIC_PORT_ACTIVE && rig.dev.max_cqe > 0,
	   "the device and port 1 are queried");
	env = getenv("HWQNIC_BACKEND");
	ok(rig.backend && !strcmp(rig.backend, env && !strcmp(env, "kernel") ?
				  "kernel" : "embedded"),
	   "rig.backend names the backend opened (%s)",
	   rig.backend ? rig.backend : "NULL");
	big = rig_cq(&rig, (uint64_t)rig.dev.max_cqe + 1000000);
	ok(big != NULL, "rig_cq: more than max_cqe is cut to it (%s)",
	   rig.err);
	cq = rig_cq(&rig, 64);
	none = rig_rc_qp(&rig, cq, cq, rig.dev.max_qp_wr + 1, 1, 0);
	ok(!none && strstr(rig.err, "hwqnic_create_qp"),
	   "rig_rc_qp: more WRs than the device has is refused: %s",
	   rig.err);
	qa = rig_rc_qp(&rig, cq, cq, 16, 16, 0);
	qb = rig_rc_qp(&rig, cq, cq, 16, 16, 0);
	ok(cq && qa && qb, "a CQ and two RC QPs (%s)", rig.err);
	if (!cq || !qa || !qb)
		goto out;
	err = rig_rc_connect(&rig, qa, qb->qp_num);
	err = err ? err : rig_rc_connect(&rig, qb, qa->qp_num);
	memset(&a, 0, sizeof(a));
	memset(&ia, 0, sizeof(ia));
	ok(!err && !hwqnic_query_qp(qa, &a) &&
	   a.qp_state == HWQNIC_QPS_RTS, "rig_rc_connect: both in RTS (%s)",
	   err ? rig.err : "");
	ok(rig_rc_to_init(qa, RIG_ACCESS) != 0,
	   "rig_rc_to_init from RTS is refused with an errno value");

	memset(src, 0x5a, sizeof(src));
	memset(dst, 0, sizeof(dst));
	ms = hwqnic_reg_mr(rig.pd, src, sizeof(src), RIG_ACCESS);
	md = hwqnic_reg_mr(rig.pd, dst, sizeof(dst), RIG_ACCESS);
	if (ms && md) {
		sge = (struct hwqnic_sge){ (uintptr_t)src, sizeof(src),
					   ms->lkey };
		memset(&wr, 0, sizeof(wr));
		wr.wr_id = 7;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.opcode = HWQNIC_WR_RDMA_WRITE;
		wr.send_flags = HWQNIC_SEND_SIGNALED;
		wr.wr.rdma.remote_addr = (uintptr_t)dst;
		wr.wr.rdma.rkey = md->rkey;
		err = hwqnic_post_send(qa, &wr, &bad);
		n = err ? 0 : u_wait_cq(cq, 1, &wc);
		ok(n == 1 && wc.wr_id == 7 &&
		   wc.status == HWQNIC_WC_SUCCESS && !memcmp(src, dst,
							   sizeof(dst)),
		   "an RDMA WRITE over the connected pair moves the bytes "
		   "(post %d, polled %d, wr_id %llu, %s)", err, n,
		   n == 1 ? (unsigned long long)wc.wr_id : 0ULL,
		   n == 1 ? hwqnic_wc_status_str(wc.status) : "-");
	} else {
		ok(0, "hwqnic_reg_mr: %s", strerror(errno));
	}
	if (md)
		hwqnic_dereg_mr(md);
	if (ms)
		hwqnic_dereg_mr(ms);

	memset(&ia, 0, sizeof(ia));
	ia.send_cq = ia.recv_cq = cq;
	ia.cap.max_send_wr = ia.cap.max_recv_wr = 4;
	ia.cap.max_send_sge = ia.cap.max_recv_sge = 1;
	ia.qp_type = HWQNIC_QPT_UD;
	ud = hwqnic_create_qp(rig.pd, &ia);
	memset(&a, 0, sizeof(a));
	ok(ud && !rig_ud_to_rts(ud, 0x11111111) &&
	   !hwqnic_query_qp(ud, &a) &&
	   a.qp_state == HWQNIC_QPS_RTS && a.qkey == 0x11111111,
	   "rig_ud_to_rts: a UD QP in RTS with its qkey");
	if (ud)
		hwqnic_destroy_qp(ud);
out:
	if (qb)
		hwqnic_destroy_qp(qb);
	if (qa)
		hwqnic_destroy_qp(qa);
	if (cq)
		hwqnic_destroy_cq(cq);
	if (big)
		hwqnic_destroy_cq(big);
	ok(rig_close(&rig) == 0 && !rig.ctx && !rig.pd && rig_close(&rig) == 0,
	   "rig_close releases it all, and twice is harmless");
}

int main(void)
{
	int status = HWQNIC_WC_REM_ACCESS_ERR;
	struct rig_idle idle = { 0 };
	uint64_t t0 = rig_now_ns();
	struct child c;

	ok(rig_idle_pass(&idle, true) == 0 && rig_idle_pass(&idle, false) == 1
	   && idle.since >= t0 && rig_idle_pass(&idle, false) == 2 &&
	   rig_idle_pass(&idle, false) == 3 && rig_idle_pass(&idle, true) == 0
	   && rig_idle_pass(&idle, false) == 1,
	   "rig_idle_pass counts idle passes in a row from the first's time");

	ok(rig_mtu(4096) == HWQNIC_MTU_4096 && rig_mtu(9000) ==
	   HWQNIC_MTU_4096 && rig_mtu(1500) == HWQNIC_MTU_1024 &&
	   rig_mtu(1024) == HWQNIC_MTU_1024 && rig_mtu(100) == HWQNIC_MTU_256,
	   "rig_mtu: the largest path MTU that fits, 256 at least");
	if (!child_run(bad_wc, &status, &c))
		ok(c.status == 1 && c.err_lines == 1 && !strcmp(c.err,
		   "rigtest: completion error: status 10 (REM_ACCESS_ERR), "
		   "wr_id 0x2a, qp 17, vendor_err 3\n"),
		   "rig_check_wc: a bad status is one line and exit 1");
	status = HWQNIC_WC_SUCCESS;
	if (!child_run(bad_wc, &status, &c))
		ok(c.status == 1 && !strcmp(c.out, "flush as expected\n") &&
		   !strcmp(c.err, "rigtest: completion error: status 5 "
			   "(WR_FLUSH_ERR), wr_id 0x2a, qp 17, vendor_err 3; "
			   "expected REM_ACCESS_ERR\n"),
		   "rig_check_wc: the expected status passes; another names "
		   "what was expected");
	ok(!strcmp(rig_op_name(RIG_SEND), "send") &&
	   !strcmp(rig_op_name(RIG_WRITE), "write") &&
	   !strcmp(rig_op_name(RIG_READ), "read") &&
	   !strcmp(rig_op_name(RIG_NOPS), "?") &&
	   rig_op_wr[RIG_READ] == HWQNIC_WR_RDMA_READ &&
	   rig_op_wc[RIG_WRITE] == HWQNIC_WC_RDMA_WRITE,
	   "rig_op_name: libhwqnic's words; the opcode tables");
	if (!child_run(op_child, "read", &c))
		ok(c.status == 0 && !strcmp(c.out, "2\n"),
		   "rig_op_parse: read is RIG_READ");
	if (!child_run(op_child, "cas", &c))
		ok(c.status == 2 && !strcmp(c.err, "rigtest: unknown op 'cas' "
					    "(send, write or read)\n"),
		   "rig_op_parse: another word is a usage error naming the "
		   "three");
	test_loopback();
	return tap_done();
}
