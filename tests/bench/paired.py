#!/usr/bin/python3
"""Time two shell commands in alternation (A B A B ...), medians and the
pair-by-pair ratio A/B of wall time; one warm-up each, not counted.

Each command may have a preparation (e.g. removing the previous outputs)
that runs before it, outside the timing, so only the tool is measured.
With --json-wall the time is the "wall_s" of the last line the command
prints (corewave-cli --json: pool start to exit) instead of the process's.

  paired.py RUNS 'A' 'B' [--prep-a 'CMD'] [--prep-b 'CMD'] [--json-wall]

SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import json
import os
import statistics as st
import subprocess
import time


def timed(cmd, prep, json_wall=False):
    if prep:
        subprocess.run(prep, shell=True, check=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE if json_wall else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    out = proc.stdout.read() if json_wall else b''
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f'failed: {cmd}\n{proc.stderr.read().decode()}')
    proc.stderr.close()
    if json_wall:
        proc.stdout.close()
        wall = json.loads(out.decode().strip().splitlines()[-1])['wall_s']
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument('runs', type=int)
    p.add_argument('a')
    p.add_argument('b')
    p.add_argument('--prep-a', default='')
    p.add_argument('--prep-b', default='')
    p.add_argument('--json-wall', action='store_true')
    a = p.parse_args()

    timed(a.a, a.prep_a, a.json_wall)
    timed(a.b, a.prep_b, a.json_wall)
    rows = {'A': [], 'B': []}
    for _ in range(a.runs):
        rows['A'].append(timed(a.a, a.prep_a, a.json_wall))
        rows['B'].append(timed(a.b, a.prep_b, a.json_wall))
    for k, r in rows.items():
        wall = [x[0] for x in r]
        print(f'{k}: wall median {st.median(wall):.4f} s (min {min(wall):.4f}, max {max(wall):.4f}), '
              f'cpu median {st.median(x[1] for x in r):.3f} s, peak RSS {max(x[2] for x in r):.0f} MiB')
    ratios = [x[0] / y[0] for x, y in zip(rows['A'], rows['B'])]
    print(f'A/B wall: median {st.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})')


if __name__ == '__main__':
    main()
