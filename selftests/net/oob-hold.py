# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""A relay for hwqperf's out-of-band exchange that holds its end.

  oob-hold.py LISTEN_ADDR LISTEN_PORT SERVER_ADDR SERVER_PORT HELD RELEASE

Takes one client on LISTEN_ADDR:LISTEN_PORT and relays it to the server
(tools/hwqperf/remote.c): each side's 84-byte address and its 'R' pass, its
'E' (the run is over) is held. Once both are held HELD is created, and
they go on when RELEASE exists: until then both processes keep their
devices open with the run's final counters. Every wait is bounded (60 s).
"""
import os, select, socket, sys, time

PREFIX = 84 + 1         # OOB_PERF_LEN (one QP pair), then SYNC_READY: then SYNC_END
LIMIT = 60


def main():
    laddr, lport, saddr, sport, held, release = sys.argv[1:7]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((laddr, int(lport)))
    ls.listen(1)
    ls.settimeout(LIMIT)
    c, _ = ls.accept()
    end = time.monotonic() + LIMIT
    while True:         # the server may not listen yet
        try:
            s = socket.create_connection((saddr, int(sport)), timeout=LIMIT)
            break
        except OSError:
            if time.monotonic() > end:
                sys.exit("oob-hold: cannot reach the server")
            time.sleep(0.05)
    peer = {c: s, s: c}
    seen = {c: 0, s: 0}         # bytes relayed each way
    hold = {c: b"", s: b""}
    released = False
    end = time.monotonic() + 3 * LIMIT
    open_ = {c, s}
    while open_ and time.monotonic() < end:
        r, _, _ = select.select(list(open_), [], [], 0.05)
        for x in r:
            b = x.recv(4096)
            if not b:
                open_.discard(x)
                try:
                    peer[x].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            if released:
                peer[x].sendall(b)
                continue
            keep = max(0, PREFIX - seen[x])
            peer[x].sendall(b[:keep])
            seen[x] += min(len(b), keep)
            hold[x] += b[keep:]
        if not released and hold[c] and hold[s]:
            open(held, "w").close()
            if os.path.exists(release):
                released = True
                for x in (c, s):
                    peer[x].sendall(hold[x])
    sys.exit(0 if released else "oob-hold: never released")


main()
