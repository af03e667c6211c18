#!/bin/bash
# tests/bench/compare-builds.sh OLD_BUILD [NEW_BUILD]: the same work through
# two builds' corewave-cli, paired A/B (A = NEW, B = OLD), medians and the
# pair-by-pair ratio: what a change did to the lesson's workload, the
# pass-through, the pool's overhead per task. NEW_BUILD defaults to build/.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"
old=${1:?usage: compare-builds.sh OLD_BUILD [NEW_BUILD]}/src/corewave-cli
new=${2:-$build}/src/corewave-cli
[ -x "$old" ] && [ -x "$new" ] || { echo "no corewave-cli in $old or $new" >&2; exit 1; }
echo "A (new): $("$new" --version 2>/dev/null || echo "(a build without --version)") at $new"
echo "B (old): $("$old" --version 2>/dev/null || echo "(a build without --version)") at $old"

"$new" --demo "$work/in" >/dev/null

echo "== lesson workload, noise, 2 workers (24 x 240 s on tmpfs): A/B"
paired "$new $work/in -q -j 2 -o $work/a" "$old $work/in -q -j 2 -o $work/b" "rm -rf $work/a" "rm -rf $work/b"
cmp -s "$work/a/example07.wav" "$work/b/example07.wav" && echo "    outputs byte-identical (example07.wav)" \
  || echo "    outputs differ (example07.wav)"
echo "== the same, -t copy: A/B"
paired "$new $work/in -q -j 2 -t copy -o $work/a" "$old $work/in -q -j 2 -t copy -o $work/b" "rm -rf $work/a" "rm -rf $work/b"
echo "== 1,000,000 mul10, auto chunks, 2 workers: A/B"
paired "$new --synthetic mul10:count=1000000 -j 2 -q" "$old --synthetic mul10:count=1000000 -j 2 -q"
echo "== 10,000 mul10 at chunk size 1, 2 workers: A/B"
paired "$new --synthetic mul10:count=10000 -j 2 -c 1 -q" "$old --synthetic mul10:count=10000 -j 2 -c 1 -q"
