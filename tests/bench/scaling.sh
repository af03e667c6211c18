#!/bin/bash
# tests/bench/scaling.sh: pure CPU (spin tasks) on 1 vs 2 workers, in every
# execution mode. Efficiency = t1 / (2 x t2); target >= 0.9 for processes.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"

for mode in processes threads; do
  t1=$(median_wall "$runs" --synthetic spin:count=40,ms=25 --mode "$mode" -j 1)
  t2=$(median_wall "$runs" --synthetic spin:count=40,ms=25 --mode "$mode" -j 2)
  $py -c "t1,t2=$t1,$t2; print(f'$mode: 1 worker {t1:.3f} s, 2 workers {t2:.3f} s, speed-up {t1/t2:.2f}x, efficiency {t1/(2*t2):.2f}')"
done
t=$(median_wall "$runs" --synthetic spin:count=40,ms=25 --mode sequential)
echo "sequential: $t s (40 x 25 ms of CPU = 1.000 s of work)"
