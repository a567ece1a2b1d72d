#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# ptyrun.py OUT CMD...: runs CMD with its stdout in the file OUT and its
# stderr on a pseudo-terminal, as a user at a terminal would see it;
# prints what CMD wrote to stderr and exits with CMD's status. For the
# tools' notes that only a terminal gets (msg_note()).
import os
import pty
import subprocess
import sys

master, slave = pty.openpty()
with open(sys.argv[1], "w") as out:
    p = subprocess.Popen(sys.argv[2:], stdout=out, stderr=slave)
os.close(slave)
err = b""
while True:
    try:
        b = os.read(master, 4096)
    except OSError:	# EIO: the terminal's last writer is gone
        break
    if not b:
        break
    err += b
sys.stdout.write(err.decode(errors="replace").replace("\r\n", "\n"))
sys.exit(p.wait(timeout=120))
