#!/bin/bash
# tests/bench/lesson.sh: the lesson's workload (24 files x 240 s, 44.1 kHz,
# 16-bit mono, 485 MiB) on tmpfs with 2 workers, side by side with the
# Python reference in one run. Whole processes (start-up included), paired
# A/B, medians; removing the previous outputs is not timed.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"

"$cli" --demo "$work/in" >/dev/null
cw="$cli $work/in -q -j 2"

echo "== 1. Corewave noise (A) vs the lesson's Pool.imap_unordered (B), 2 workers"
paired "$cw -o $work/o1" "$py $ref/etl_reference.py imap_unordered $work/in $work/o2 --workers 2" \
       "rm -rf $work/o1" "rm -rf $work/o2; mkdir $work/o2"
echo "   target: A/B <= 1/15 = 0.067 in every pair (max)"
$py "$ref/check_output.py" "$work/in" "$work/o1" | sed 's/^/    check_output: /'

echo "== 2. Corewave noise (A) vs Corewave pass-through, -t copy (B)"
paired "$cw -o $work/o1" "$cw -t copy -o $work/o3" "rm -rf $work/o1" "rm -rf $work/o3"
echo "   target: A/B <= 1.3"

echo "== 3. Corewave noise, 2 workers (A) vs 1 worker (B)"
paired "$cw -o $work/o1" "$cli $work/in -q -j 1 -o $work/o4" "rm -rf $work/o1" "rm -rf $work/o4"
echo "   parallel efficiency = 1 / (2 x A/B)"

echo "== 4. Python with per-file PCG64 seeds, its best (A), vs Corewave (B)"
paired "$py $ref/etl_reference.py imap_unordered $work/in $work/o2 --workers 2 --seed 1" "$cw -o $work/o1" \
       "rm -rf $work/o2; mkdir $work/o2" "rm -rf $work/o1"
