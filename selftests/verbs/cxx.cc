// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// A C++ program on libhwqnic (selftests/verbs/cxx.t builds it): every
// public header, and the verbs of a loopback RDMA WRITE, called from C++.
#include <hwqnic/hw.h>
#include <hwqnic/abi.h>
#include <hwqnic/verbs.h>
#include <hwqnic/stats.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

static int fail(const char *what)
{
	std::printf("cxx: %s: %s\n", what, std::strerror(errno));
	return 1;
}

static bool to_rts(hwqnic_qp *qp, __u32 dest)
{
	hwqnic_qp_attr a;

	std::memset(&a, 0, sizeof(a));
	a.qp_state = HWQNIC_QPS_INIT;
	a.port_num = 1;
	a.qp_access_flags = HWQNIC_ACCESS_LOCAL_WRITE | HWQNIC_ACCESS_REMOTE_WRITE;
	if (hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PKEY_INDEX |
			     HWQNIC_QP_PORT | HWQNIC_QP_ACCESS_FLAGS))
		return false;
	a.qp_state = HWQNIC_QPS_RTR;
	a.path_mtu = HWQNIC_MTU_4096;
	a.dest_qp_num = dest;
	a.min_rnr_timer = 1;
	if (hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_PATH_MTU |
			     HWQNIC_QP_DEST_QPN | HWQNIC_QP_RQ_PSN |
			     HWQNIC_QP_MAX_DEST_RD_ATOMIC |
			     HWQNIC_QP_MIN_RNR_TIMER))
		return false;
	a.qp_state = HWQNIC_QPS_RTS;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	return !hwqnic_modify_qp(qp, &a, HWQNIC_QP_STATE | HWQNIC_QP_SQ_PSN |
				 HWQNIC_QP_TIMEOUT | HWQNIC_QP_RETRY_CNT |
				 HWQNIC_QP_RNR_RETRY |
				 HWQNIC_QP_MAX_QP_RD_ATOMIC);
}

int main()
{
	static_assert(sizeof(hwqnic_cqe) == 32, "hw.h's layouts in C++");
	std::vector<char> src(4096, 'x'), dst(4096, 0);
	hwqnic_context *ctx = hwqnic_open("cxx", HWQNIC_OPEN_EMBEDDED);
	hwqnic_device_attr da;
	hwqnic_wc wc;
	int n = 0;

	if (!ctx)
		return fail("hwqnic_open");
	if (hwqnic_query_device(ctx, &da) || da.abi_version != HWQNIC_ABI_VERSION)
		return fail("hwqnic_query_device");
	hwqnic_pd *pd = hwqnic_alloc_pd(ctx);
	hwqnic_mr *smr = pd ? hwqnic_reg_mr(pd, src.data(), src.size(),
					    HWQNIC_ACCESS_LOCAL_WRITE) : nullptr;
	hwqnic_mr *dmr = pd ? hwqnic_reg_mr(pd, dst.data(), dst.size(),
					    HWQNIC_ACCESS_LOCAL_WRITE |
					    HWQNIC_ACCESS_REMOTE_WRITE) : nullptr;
	hwqnic_cq *cq = hwqnic_create_cq(ctx, 16, nullptr, nullptr);
	if (!smr || !dmr || !cq)
		return fail("pd, mr or cq");
	hwqnic_qp_init_attr ia;
	std::memset(&ia, 0, sizeof(ia));
	ia.send_cq = ia.recv_cq = cq;
	ia.cap.max_send_wr = ia.cap.max_recv_wr = 4;
	ia.cap.max_send_sge = ia.cap.max_recv_sge = 1;
	ia.qp_type = HWQNIC_QPT_RC;
	hwqnic_qp *a = hwqnic_create_qp(pd, &ia), *b = hwqnic_create_qp(pd, &ia);
	if (!a || !b || !to_rts(a, b->qp_num) || !to_rts(b, a->qp_num))
		return fail("qp");

	hwqnic_sge sge = { (__u64)(uintptr_t)src.data(), 4096, smr->lkey };
	hwqnic_send_wr wr, *bad;
	std::memset(&wr, 0, sizeof(wr));
	wr.wr_id = 7;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = HWQNIC_WR_RDMA_WRITE;
	wr.send_flags = HWQNIC_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = (__u64)(uintptr_t)dst.data();
	wr.wr.rdma.rkey = dmr->rkey;
	if (hwqnic_post_send(a, &wr, &bad))
		return fail("hwqnic_post_send");
	// bounded: 10 s of polling at most
	for (time_t end = std::time(nullptr) + 10; !n && std::time(nullptr) < end;)
		n = hwqnic_poll_cq(cq, 1, &wc);
	if (n != 1 || wc.status != HWQNIC_WC_SUCCESS || wc.wr_id != 7 ||
	    std::memcmp(src.data(), dst.data(), src.size()))
		return std::printf("cxx: write: %d completion(s), %s\n", n,
				   n == 1 ? hwqnic_wc_status_str(wc.status) :
				   "none"), 1;
	if (hwqnic_stats_name_pid("hwqnic.42.x") != 42)
		return fail("hwqnic_stats_name_pid");
	if (hwqnic_destroy_qp(a) || hwqnic_destroy_qp(b) ||
	    hwqnic_destroy_cq(cq) || hwqnic_dereg_mr(smr) ||
	    hwqnic_dereg_mr(dmr) || hwqnic_dealloc_pd(pd) || hwqnic_close(ctx))
		return fail("teardown");
	std::printf("cxx: RDMA WRITE of 4096 bytes: %s\n",
		    hwqnic_wc_status_str(wc.status));
	return 0;
}
