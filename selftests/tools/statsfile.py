# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Published counters (include/hwqnic/stats.h) for the tools' tests, read
and written with struct, independently of the C code under test.

  qpns PID                 the QPNs of PID's devices
  dump PID                 PID's devices as JSON
  make PATH PID MAGIC VERSION [options]
                           a stats file of 2 QPs (16 RC RTS, 17 UD ERR):
      --unsignaled         QP 16 with far fewer CQEs than WQEs retired
      --comm HEX --dev HEX the names' bytes (default 'syn"tic', and the
                           name after hwqnic.<pid>.)
      --max-qp N           slots (default 4); the size follows, sparse
                           beyond the first 64
      --size N             the file's size instead
      --full               every slot in use (QPs 18 on as QP 16)
      --netdev NAME        bound to netdev NAME: flags F_NETDEV, the
                           device's and each QP's wire counters (below)
      --flags N            the header's flags instead
      --wire               the wire counters even without --netdev
  truncate SECS PATH...    empties and regrows the files until SECS pass
  flip SECS PATH...        max_qp of the files swings from its value to
                           0xffffffff and back until SECS pass

A process's devices are the files that name it, are owned by its owner
(the uid of /proc/PID), as nictop takes them, and have a header.
"""
import argparse, glob, json, os, struct, sys, time

HDR, QP = 384, 320              # struct hwqnic_stats_file, hwqnic_stats_qp
MAGIC = 0x73717768
F_NETDEV = 1
# struct hwqnic_wire_counters at 128 (then tx_full, 3 UC drops, drops[16]),
# struct hwqnic_qp_wire_counters at 192 in a slot
DEV_WIRE = ("tx_pkts", "rx_pkts", "tx_bytes", "rx_bytes", "retransmits",
            "timeouts", "seq_naks_sent", "seq_naks_rcvd", "rnr_naks_sent",
            "rnr_naks_rcvd", "dup_requests", "out_of_seq", "tx_full",
            "uc_dropped", "uc_no_recv", "uc_rkey")
QP_WIRE = ("tx_pkts", "tx_bytes", "rx_pkts", "rx_bytes", "retransmits",
           "timeouts", "seq_naks_sent", "seq_naks_rcvd", "rnr_naks_sent",
           "rnr_naks_rcvd", "dup_requests", "out_of_seq", "drop_state",
           "drop_qkey", "drop_opcode", "drop_len")
DROPS = ("none", "short", "not_roce", "ip", "udp", "bth", "icrc", "pkey",
         "qp", "qkey", "opcode", "len")
# what --netdev writes: QP 16's, and the device's (QP 16's and more)
QP16_WIRE = dict(zip(QP_WIRE, (10, 1000, 12, 1500, 3, 1, 0, 2, 0, 1, 4, 5,
                               1, 0, 2, 3)))
DEV_WIRE_VALUES = dict(zip(DEV_WIRE, (11, 20, 1100, 2600, 3, 1, 0, 2, 0, 1,
                                      4, 5, 9, 6, 2, 1)))
DEV_DROPS = {"icrc": 7, "qp": 1, "opcode": 2, "len": 3}


def read(path):
    b = open(path, "rb").read()
    if len(b) < HDR:            # being made
        return None
    magic, version, pid, max_qp = struct.unpack_from("<4I", b, 0)
    d = {"path": path, "magic": magic, "version": version, "pid": pid,
         "max_qp": max_qp, "size": len(b), "uid": os.stat(path).st_uid,
         "comm": b[16:32].split(b"\0")[0].decode(errors="replace"),
         "dev": b[32:64].split(b"\0")[0].decode(errors="replace"),
         "busy_ns": struct.unpack_from("<Q", b, 64)[0],
         "run_ns": struct.unpack_from("<Q", b, 72)[0],
         "flags": struct.unpack_from("<I", b, 80)[0],
         "netdev": b[88:104].split(b"\0")[0].decode(errors="replace"),
         "wire": dict(zip(DEV_WIRE, struct.unpack_from("<16Q", b, 128))),
         "drops": dict(zip(DROPS, struct.unpack_from("<12Q", b, 256))),
         "qps": {}}
    for i in range(min(max_qp, (len(b) - HDR) // QP)):
        off = HDR + QP * i
        qpn, qtype, state = struct.unpack_from("<IBB", b, off)
        if not qpn:
            continue
        posts, recv_posts, sq, rq = struct.unpack_from("<QQII", b, off + 64)
        dbs, wqes, comp, errs, nbytes = struct.unpack_from("<5Q", b, off + 128)
        d["qps"][qpn] = {"type": qtype, "state": state, "posts": posts,
                         "recv_posts": recv_posts, "sq": sq, "rq": rq,
                         "wqes": wqes, "completions": comp, "errors": errs,
                         "bytes": nbytes,
                         "wire": dict(zip(QP_WIRE, struct.unpack_from(
                             "<16Q", b, off + 192)))}
    return d


def files(pid):
    try:
        owner = os.stat("/proc/%s" % pid).st_uid
    except OSError:
        return []
    return sorted(p for p in glob.glob("/dev/shm/hwqnic.%s.*" % pid)
                  if os.lstat(p).st_uid == owner and read(p))


def image(pid, magic, version, comm, dev, qps, max_qp, flags=0, netdev=b"",
          wire=False):
    """The file's first slots; the caller sizes it (sparse beyond)."""
    b = bytearray(HDR + QP * min(max_qp, max(64, len(qps))))
    struct.pack_into("<4I", b, 0, magic, version, pid, max_qp)
    b[16:16 + len(comm)] = comm[:16]
    b[32:32 + len(dev)] = dev[:32]
    struct.pack_into("<QQ", b, 64, 500, 1000)
    struct.pack_into("<I", b, 80, flags)
    b[88:88 + len(netdev[:16])] = netdev[:16]
    if wire:
        struct.pack_into("<16Q", b, 128,
                         *(DEV_WIRE_VALUES[k] for k in DEV_WIRE))
        for k, v in DEV_DROPS.items():
            struct.pack_into("<Q", b, 256 + 8 * DROPS.index(k), v)
    for q in qps:
        if q["qpn"] - 16 >= max_qp:
            continue
        off = HDR + QP * (q["qpn"] - 16)
        struct.pack_into("<IBBHII", b, off, q["qpn"], q["type"], q["state"],
                         0, 1, 2)
        struct.pack_into("<QQII", b, off + 64, q["posts"], q["recv_posts"],
                         q["sq"], q["rq"])
        struct.pack_into("<5Q", b, off + 128, q["posts"], q["posts"],
                         q["completions"], q["errors"], q["bytes"])
        if wire and q["qpn"] == 16:
            struct.pack_into("<16Q", b, off + 192,
                             *(QP16_WIRE[k] for k in QP_WIRE))
    return b


def make(a):
    q16 = {"qpn": 16, "type": 2, "state": 3, "posts": 1000, "recv_posts": 5,
           "sq": 10, "rq": 5, "completions": 1000, "errors": 2,
           "bytes": 4096000}
    q17 = {"qpn": 17, "type": 4, "state": 6, "posts": 7, "recv_posts": 0,
           "sq": 0, "rq": 0, "completions": 7, "errors": 7, "bytes": 0}
    if a.unsignaled:
        q16["completions"] = 100
    comm = bytes.fromhex(a.comm) if a.comm is not None else b'syn"tic'
    dev = bytes.fromhex(a.dev) if a.dev is not None else \
        os.path.basename(a.path).split(".", 2)[2].encode()
    qps = [q16, q17]
    if a.full:
        qps += [dict(q16, qpn=qpn) for qpn in range(18, 16 + a.max_qp)]
    netdev = a.netdev.encode() if a.netdev is not None else b""
    flags = a.flags if a.flags is not None else \
        (F_NETDEV if a.netdev is not None else 0)
    b = image(a.pid, int(a.magic, 0), a.version, comm, dev, qps, a.max_qp,
              flags, netdev, a.wire or a.netdev is not None)
    with open(a.path, "wb") as f:
        f.write(b)
        f.truncate(a.size if a.size is not None else HDR + QP * a.max_qp)


def truncate(secs, paths):
    fds = [os.open(p, os.O_RDWR) for p in paths]
    data = [os.pread(fd, os.fstat(fd).st_size, 0) for fd in fds]
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for fd in fds:
            os.ftruncate(fd, 0)
        time.sleep(0.0005)
        for fd, b in zip(fds, data):
            os.pwrite(fd, b, 0)
        time.sleep(0.0005)


def flip(secs, paths):
    """A reader that checks max_qp, then reads it again, is meant to find
    it huge the second time: short good spells (~0.2 ms), long bad ones
    (~2 ms), timed by spinning, every file at once."""
    fds = [os.open(p, os.O_RDWR) for p in paths]
    good = [os.pread(fd, 4, 12) for fd in fds]
    end = time.monotonic() + secs
    spin = time.perf_counter_ns
    while time.monotonic() < end:
        for values, ns in ((good, 200000),
                           ([b"\xff\xff\xff\xff"] * len(fds), 2000000)):
            for fd, v in zip(fds, values):
                os.pwrite(fd, v, 12)
            t = spin()
            while spin() - t < ns:
                pass


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "qpns":
        print(" ".join(str(q) for f in files(args[0])
                       for q in sorted(read(f)["qps"])))
    elif cmd == "dump":
        print(json.dumps([read(f) for f in files(args[0])]))
    elif cmd == "make":
        p = argparse.ArgumentParser(prog="make")
        p.add_argument("path")
        p.add_argument("pid", type=int)
        p.add_argument("magic")
        p.add_argument("version", type=int)
        p.add_argument("--unsignaled", action="store_true")
        p.add_argument("--comm")
        p.add_argument("--dev")
        p.add_argument("--max-qp", type=int, default=4)
        p.add_argument("--size", type=int)
        p.add_argument("--full", action="store_true")
        p.add_argument("--netdev")
        p.add_argument("--flags", type=lambda v: int(v, 0))
        p.add_argument("--wire", action="store_true")
        make(p.parse_args(args))
    elif cmd == "truncate":
        truncate(float(args[0]), args[1:])
    elif cmd == "flip":
        flip(float(args[0]), args[1:])
    else:
        sys.exit("statsfile.py: unknown command " + cmd)


main()
