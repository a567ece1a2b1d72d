// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Names of the verbs' enums, for messages and tools: the enum's own
 * spelling without its prefix (LOC_LEN_ERR, RTS, RC), and for completion
 * opcodes the short words qplat and the man pages use. A value outside
 * the enum reads "?": callers print values they got from elsewhere.
 */
#include <errno.h>
#include <stddef.h>

#include "libhwqnic.h"

#define NAME_OF(tab, v)	((v) < sizeof(tab) / sizeof((tab)[0]) && (tab)[v] ? \
			 (tab)[v] : "?")

const char *hwqnic_wc_status_str(enum hwqnic_wc_status status)
{
	static const char *const names[HWQNIC_WC_STATUS_MAX] = {
		"SUCCESS", "LOC_LEN_ERR", "LOC_QP_OP_ERR", "LOC_EEC_OP_ERR",
		"LOC_PROT_ERR", "WR_FLUSH_ERR", "MW_BIND_ERR", "BAD_RESP_ERR",
		"LOC_ACCESS_ERR", "REM_INV_REQ_ERR", "REM_ACCESS_ERR",
		"REM_OP_ERR", "RETRY_EXC_ERR", "RNR_RETRY_EXC_ERR",
		"LOC_RDD_VIOL_ERR", "REM_INV_RD_REQ_ERR", "REM_ABORT_ERR",
		"INV_EECN_ERR", "INV_EEC_STATE_ERR", "FATAL_ERR",
		"RESP_TIMEOUT_ERR", "GENERAL_ERR",
	};

	return NAME_OF(names, (unsigned int)status);
}

const char *hwqnic_qp_state_str(enum hwqnic_qp_state state)
{
	static const char *const names[] = {
		[HWQNIC_QPS_RESET] = "RESET", [HWQNIC_QPS_INIT] = "INIT",
		[HWQNIC_QPS_RTR] = "RTR", [HWQNIC_QPS_RTS] = "RTS",
		[HWQNIC_QPS_SQD] = "SQD", [HWQNIC_QPS_SQE] = "SQE",
		[HWQNIC_QPS_ERR] = "ERR",
	};

	return NAME_OF(names, (unsigned int)state);
}

const char *hwqnic_qp_type_str(enum hwqnic_qp_type type)
{
	static const char *const names[] = {
		[HWQNIC_QPT_RC] = "RC", [HWQNIC_QPT_UC] = "UC",
		[HWQNIC_QPT_UD] = "UD",
	};

	return NAME_OF(names, (unsigned int)type);
}

const char *hwqnic_drop_str(enum hwqnic_drop why)
{
	/* lower case, no spaces: they are JSON keys (nictop) as well */
	static const char *const names[] = {
		[HWQNIC_DROP_NONE] = "none", [HWQNIC_DROP_SHORT] = "short",
		[HWQNIC_DROP_NOT_ROCE] = "not_roce", [HWQNIC_DROP_IP] = "ip",
		[HWQNIC_DROP_UDP] = "udp", [HWQNIC_DROP_BTH] = "bth",
		[HWQNIC_DROP_ICRC] = "icrc", [HWQNIC_DROP_PKEY] = "pkey",
		[HWQNIC_DROP_QP] = "qp", [HWQNIC_DROP_QKEY] = "qkey",
		[HWQNIC_DROP_OPCODE] = "opcode", [HWQNIC_DROP_LEN] = "len",
	};

	return NAME_OF(names, (unsigned int)why);
}

const char *hwqnic_wc_opcode_str(enum hwqnic_wc_opcode opcode)
{
	static const char *const names[] = {
		[HWQNIC_WC_SEND] = "send", [HWQNIC_WC_RDMA_WRITE] = "write",
		[HWQNIC_WC_RDMA_READ] = "read", [HWQNIC_WC_COMP_SWAP] = "cas",
		[HWQNIC_WC_FETCH_ADD] = "fadd",
	};

	if (opcode == HWQNIC_WC_RECV)
		return "recv";
	if (opcode == HWQNIC_WC_RECV_RDMA_WITH_IMM)
		return "recv_imm";
	return NAME_OF(names, (unsigned int)opcode);
}

/* The enum's spelling, for HWQNIC_DEBUG's messages: bit n of the mask. */
const char *hwqnic_qp_attr_name(unsigned int bit)
{
	static const char *const names[] = {
		"HWQNIC_QP_STATE", "HWQNIC_QP_CUR_STATE", NULL,
		"HWQNIC_QP_ACCESS_FLAGS", "HWQNIC_QP_PKEY_INDEX",
		"HWQNIC_QP_PORT", "HWQNIC_QP_QKEY", "HWQNIC_QP_AV",
		"HWQNIC_QP_PATH_MTU", "HWQNIC_QP_TIMEOUT",
		"HWQNIC_QP_RETRY_CNT", "HWQNIC_QP_RNR_RETRY",
		"HWQNIC_QP_RQ_PSN", "HWQNIC_QP_MAX_QP_RD_ATOMIC", NULL,
		"HWQNIC_QP_MIN_RNR_TIMER", "HWQNIC_QP_SQ_PSN",
		"HWQNIC_QP_MAX_DEST_RD_ATOMIC", NULL, "HWQNIC_QP_CAP",
		"HWQNIC_QP_DEST_QPN",
	};

	return NAME_OF(names, bit);
}

/* Why a backend refused to make or free an object, by its error. */
const char *hwqnic_be_why(int err)
{
	switch (err) {
	case ENOMEM:
		return "out of memory";
	case ENOSPC:
		return "the device's table of these objects is full";
	case EBUSY:
		return "still in use by other objects";
	case EFAULT:
		return "memory not mapped with the rights asked";
	case EMFILE:
	case ENFILE:
		return "out of file descriptors";
	default:
		return "refused by the backend";
	}
}
