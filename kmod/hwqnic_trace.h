/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwqnic tracepoints (system "hwqnic"): the same events, names and
 * arguments as libhwqnic's USDT probes. docs/tracepoints.md defines them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hwqnic

#if !defined(_HWQNIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _HWQNIC_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(hwqnic_wr,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, qpn)
		__field(u32, idx)
		__field(u64, wr_id)
		__field(u32, opcode)
		__field(u32, length)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->qpn = qpn;
		__entry->idx = idx;
		__entry->wr_id = wr_id;
		__entry->opcode = opcode;
		__entry->length = length;
	),
	TP_printk("dev=%u qpn=%u idx=%u wr_id=0x%llx opcode=%u length=%u",
		  __entry->dev, __entry->qpn, __entry->idx, __entry->wr_id,
		  __entry->opcode, __entry->length)
);

DEFINE_EVENT(hwqnic_wr, hwqnic_post,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length));

DEFINE_EVENT(hwqnic_wr, hwqnic_wqe,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length));

DECLARE_EVENT_CLASS(hwqnic_wc,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length,
		 u32 status, u32 cq),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length, status, cq),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, qpn)
		__field(u32, idx)
		__field(u64, wr_id)
		__field(u32, opcode)
		__field(u32, length)
		__field(u32, status)
		__field(u32, cq)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->qpn = qpn;
		__entry->idx = idx;
		__entry->wr_id = wr_id;
		__entry->opcode = opcode;
		__entry->length = length;
		__entry->status = status;
		__entry->cq = cq;
	),
	TP_printk("dev=%u qpn=%u idx=%u wr_id=0x%llx opcode=%u length=%u status=%u cq=%u",
		  __entry->dev, __entry->qpn, __entry->idx, __entry->wr_id,
		  __entry->opcode, __entry->length, __entry->status,
		  __entry->cq)
);

DEFINE_EVENT(hwqnic_wc, hwqnic_cqe,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length,
		 u32 status, u32 cq),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length, status, cq));

DEFINE_EVENT(hwqnic_wc, hwqnic_poll,
	TP_PROTO(u32 dev, u32 qpn, u32 idx, u64 wr_id, u32 opcode, u32 length,
		 u32 status, u32 cq),
	TP_ARGS(dev, qpn, idx, wr_id, opcode, length, status, cq));

TRACE_EVENT(hwqnic_db,
	TP_PROTO(u32 dev, u32 xid, u32 type, u32 index, u32 epoch),
	TP_ARGS(dev, xid, type, index, epoch),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, xid)
		__field(u32, type)
		__field(u32, index)
		__field(u32, epoch)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->xid = xid;
		__entry->type = type;
		__entry->index = index;
		__entry->epoch = epoch;
	),
	TP_printk("dev=%u xid=%u type=%u index=%u epoch=%u",
		  __entry->dev, __entry->xid, __entry->type, __entry->index,
		  __entry->epoch)
);

/* One per completion polled while traced: everything its latencies need. */
TRACE_EVENT(hwqnic_complete,
	TP_PROTO(u32 dev, u32 qpn, u32 opcode, u32 status, u32 length,
		 u64 post_ns, u64 db_ns, u64 cqe_ns, u64 poll_ns),
	TP_ARGS(dev, qpn, opcode, status, length, post_ns, db_ns, cqe_ns,
		poll_ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, qpn)
		__field(u32, opcode)
		__field(u32, status)
		__field(u32, length)
		__field(u64, post_ns)
		__field(u64, db_ns)
		__field(u64, cqe_ns)
		__field(u64, poll_ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->qpn = qpn;
		__entry->opcode = opcode;
		__entry->status = status;
		__entry->length = length;
		__entry->post_ns = post_ns;
		__entry->db_ns = db_ns;
		__entry->cqe_ns = cqe_ns;
		__entry->poll_ns = poll_ns;
	),
	TP_printk("dev=%u qpn=%u opcode=%u status=%u length=%u post_ns=%llu db_ns=%llu cqe_ns=%llu poll_ns=%llu",
		  __entry->dev, __entry->qpn, __entry->opcode, __entry->status,
		  __entry->length, __entry->post_ns, __entry->db_ns,
		  __entry->cqe_ns, __entry->poll_ns)
);

#endif /* _HWQNIC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hwqnic_trace
#include <trace/define_trace.h>
