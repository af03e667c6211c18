#!/usr/bin/env python3
# build-aux/fake-proc.py: a made-up machine with many cores, for the
# screenshots of the CPU meter at 16 and 256 cores (build-aux/screenshots.sh)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: fake-proc.py DIR CORES APP_PID [SECONDS]
#
# Writes DIR/stat (CORES cores) and DIR/PID/stat, DIR/PID/schedstat for the
# app's worker processes, every 20 ms, for the window to read with
# CW_PROC_ROOT=DIR. It is a simulation, and says so in the pictures' names:
# each real worker gets a core of its own (spread over the grid, kept while
# it lives), busy as if it had that core to itself while its real CPU time
# moves (16 workers share this machine's few cores, so each runs in bursts:
# scaled, its use would flicker between 0 and 100 %), and the other cores
# carry a drifting background load.
import math
import os
import random
import sys
import time

root, cores, app = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 600
tick = 0.02
# counters in 1/10000 s: only their ratios matter, and fine steps keep
# the samples smooth
hz = 10000
random.seed(12)

busy = [0.0] * cores
idle = [0.0] * cores
background = [random.uniform(0.02, 0.3) for _ in range(cores)]
fake_ns = {}
last_ns = {}


def workers():
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[1]) == app and "corewave-worke" in text[: text.rindex(")")]:
            found.append((int(name), text))
    return sorted(found)


def write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def spread(n):
    """Cores in an order that spreads the first ones over the grid:
    bit-reversed for a power of two, in order otherwise."""
    bits = n.bit_length() - 1
    if n & (n - 1) or bits == 0:
        return list(range(n))
    return [int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)]


os.makedirs(root, exist_ok=True)
order = spread(cores)
assigned = {}   # pid -> its core, while it lives
moved = {}      # pid -> when its real CPU time last moved
end = time.monotonic() + seconds
t = 0
last = time.monotonic()
scanned = 0.0
live = []
while time.monotonic() < end:
    now = time.monotonic()
    elapsed, last = now - last, now
    try:
        os.kill(app, 0)
    except OSError:
        break
    if now - scanned > 0.5:
        live, scanned = workers(), now
        alive = {pid for pid, _ in live}
        for pid in list(assigned):
            if pid not in alive:
                del assigned[pid]
        for pid, _ in live:
            if pid not in assigned:
                taken = set(assigned.values())
                assigned[pid] = next((c for c in order if c not in taken), order[0])
    used = {}
    for pid, text in live:
        core = assigned.get(pid, 0)
        try:
            with open(f"/proc/{pid}/schedstat") as f:
                ns = int(f.read().split()[0])
        except (OSError, ValueError):
            continue
        if ns != last_ns.get(pid, ns):
            moved[pid] = now
        last_ns[pid] = ns
        busy_now = now - moved.get(pid, -1.0) < 0.3
        use = min(1.0, random.uniform(0.93, 1.0)) if busy_now else 0.0
        fake_ns[pid] = fake_ns.get(pid, 0) + int(use * elapsed * 1e9)
        if busy_now:
            used[core] = use
        head, rest = text[: text.rindex(")") + 2], text[text.rindex(")") + 2:].split()
        rest[36] = str(core)  # field 39: the core it ran on
        os.makedirs(f"{root}/{pid}", exist_ok=True)
        write(f"{root}/{pid}/stat", head + " ".join(rest) + "\n")
        write(f"{root}/{pid}/schedstat", f"{fake_ns[pid]} 0 0\n")
    lines = []
    total_busy = total_idle = 0.0
    for c in range(cores):
        background[c] = min(0.6, max(0.01, background[c] + random.uniform(-0.03, 0.03)))
        load = used.get(c, background[c] * (0.7 + 0.3 * math.sin(t * 0.2 + c)))
        busy[c] += load * elapsed * hz
        idle[c] += (1 - load) * elapsed * hz
        total_busy += busy[c]
        total_idle += idle[c]
        lines.append(f"cpu{c} {int(busy[c])} 0 0 {int(idle[c])} 0 0 0 0 0 0")
    write(f"{root}/stat", f"cpu  {int(total_busy)} 0 0 {int(total_idle)} 0 0 0 0 0 0\n" + "\n".join(lines) + "\n")
    t += 1
    time.sleep(tick)
