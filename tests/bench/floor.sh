#!/bin/bash
# tests/bench/floor.sh: issue 17's table, "the pool at the floor", and issue
# 13's sequential mode, each row before and after in one run, paired
# (A B A B ...), medians of RUNS (default 7), on tmpfs with 2 workers.
#
#   BASE_CLI=/path/to/old/build/src/corewave-cli tests/bench/floor.sh
#
# A is BASE_CLI (e.g. a release build of main), B this build's CLI; without
# BASE_CLI both are this build (the ratios then say how noisy the machine
# is). Times of the mul10 rows are pool start to exit (the CLI's wall_s),
# the lesson's are whole processes. Targets: 1,000,000 mul10 (auto chunks)
# < 50 ms; 10,000 at chunk size 1 < 5 us a task; the lesson's noise <= 1.3x
# its own -t copy and >= 15x the lesson's Python Pool in every pair;
# 1,000,000 mul10 in sequential mode < 0.1 s.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"
runs=${RUNS:-7}
base=${BASE_CLI:-$cli}
paired_n () {
  local n=$1; shift
  $py "$top/tests/bench/paired.py" "$n" "$@" | sed 's/^/    /'
}

echo "A: $base"
echo "B: $cli"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== 1. 1,000,000 mul10, auto chunks, -j 2, pool start to exit (target B < 50 ms)"
for order in unordered ordered all; do
  echo "  order $order:"
  paired_n "$runs" --json-wall "$base --json -q --synthetic mul10:count=1000000 -j 2 --order $order" \
                               "$cli --json -q --synthetic mul10:count=1000000 -j 2 --order $order"
done

echo "== 2. 10,000 mul10 at chunk size 1, -j 2, pool start to exit (target B < 50 ms = 5 us a task)"
paired_n "$runs" --json-wall "$base --json -q --synthetic mul10:count=10000 -j 2 -c 1" \
                             "$cli --json -q --synthetic mul10:count=10000 -j 2 -c 1"

echo "== 3. issue 13: 1,000,000 mul10 in sequential mode, pool start to exit (target B < 0.1 s)"
# ten seconds a run before issue 13: fewer runs, unless asked
paired_n "${SEQ_RUNS:-5}" --json-wall "$base --json -q --synthetic mul10:count=1000000 --mode sequential" \
                                      "$cli --json -q --synthetic mul10:count=1000000 --mode sequential"

echo "== 4. the lesson's workload (24 x 240 s, int16), 2 workers, whole process"
"$cli" --demo "$work/in" >/dev/null
for who in A B; do
  [ "$who" = A ] && c=$base || c=$cli
  echo "  $who: noise vs its own -t copy (target B <= 1.3)"
  paired_n "$runs" "$c $work/in -q -j 2 -o $work/n$who" "$c $work/in -q -j 2 -t copy -o $work/c$who" \
                   --prep-a "rm -rf $work/n$who" --prep-b "rm -rf $work/c$who"
done
echo "  A noise vs B noise"
paired_n "$runs" "$base $work/in -q -j 2 -o $work/nA" "$cli $work/in -q -j 2 -o $work/nB" \
                 --prep-a "rm -rf $work/nA" --prep-b "rm -rf $work/nB"
if [ -f "$ref/etl_reference.py" ]; then
  echo "  B noise vs the lesson's Pool.imap_unordered (target: A/B max <= 1/15 = 0.067, every pair)"
  paired_n "${PY_RUNS:-5}" "$cli $work/in -q -j 2 -o $work/nB" \
                           "$py $ref/etl_reference.py imap_unordered $work/in $work/py --workers 2" \
                           --prep-a "rm -rf $work/nB" --prep-b "rm -rf $work/py; mkdir $work/py"
  $py "$ref/check_output.py" "$work/in" "$work/nB" | sed 's/^/    check_output: /'
fi
