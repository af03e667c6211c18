#!/bin/bash
# tests/bench/memory.sh: peak RSS of a worker for a 4-minute and a 1-hour
# file (streamed in blocks: it must not grow with the length; target <= 32 MB).
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/common.sh"

"$cli" --demo "$work/short" --demo-count 1 --demo-seconds 240 >/dev/null
"$cli" --demo "$work/long" --demo-count 1 --demo-seconds 3600 >/dev/null
for t in "noise:sigma=0.1" "normalize:peak=-1,fade:in=1000:out=1000" "copy"; do
  for f in short long; do
    rss=$("$cli" --json -j 1 -t "$t" "$work/$f" -o "$work/out-$f" --overwrite | tail -n 1 |
          $py -c 'import json,sys; print(json.loads(sys.stdin.read())["worker_peak_rss_mb"])')
    echo "$t, $f file ($(du -m "$work/$f/example00.wav" | cut -f1) MiB): worker peak RSS $rss MB"
  done
done
