#!/bin/bash
# tests/bench/overhead.sh: the lesson's pitfall 1, process overhead on
# trivial tasks (mul10). wall_s is pool start to exit (workers reaped),
# measured inside corewave-cli; "process" adds exec and exit of the CLI.
# Targets (issue 17): 1,000,000 tasks, auto chunks < 50 ms; 10,000 at chunk
# size 1 < 5 us a task. floor.sh pairs these rows with an older build.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"
n=${RUNS:-7}

for order in unordered ordered all; do
  t=$(median_wall "$n" --synthetic mul10:count=1000000 -j 2 --order "$order")
  echo "1,000,000 mul10, auto chunks, order $order: pool start to exit $t s (median of $n)"
done
t=$(median_wall "$n" --synthetic mul10:count=10000 -j 2 -c 1)
$py -c "print(f'10,000 mul10 at chunk size 1: {$t:.4f} s = {$t/10000*1e6:.1f} us a task')"

echo "the same pitfall in the lesson's Python Pool on this machine (microbench.py overhead):"
if [ -f "$ref/microbench.py" ]; then
  $py "$ref/microbench.py" overhead --workers 2 --reps 3 | sed 's/^/    python: /'
fi
