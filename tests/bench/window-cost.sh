#!/bin/bash
# tests/bench/window-cost.sh: what the window costs the machine it shows
# (issue 12), under a private Xvfb at 1920x1080 with GTK's default renderer
# (set GSK_RENDERER to compare another):
#
#  1. the idle Run page: the window's own CPU (utime + stime of its process,
#     from /proc/PID/stat, not its workers') over 5-s windows, % of a core;
#  2. the demo batch (24 x 4 min, noise) from the window against
#     corewave-cli on the same files, and against corewave-cli --joblog (the
#     window keeps the same record, for Resume), in turn RUNS times: wall
#     times and their ratios (the window's wall is from the moment a
#     running xdotool is told to send Ctrl+Enter to the last output, the
#     CLI's the whole process), and the window's own CPU
#     per thread while it ran;
#  3. with HEAVY=1, the heavier demo (Try the Heavier Demo: the same files
#     to MP3 at the best quality): the window's own CPU while it runs.
#
# usage: [RUNS=3] [HEAVY=1] tests/bench/window-cost.sh [BUILD_DIR]
# Needs xvfb, xdotool. Prints medians; run it on a quiet machine.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-${BUILD_DIR:-$top/build}}" && pwd)
runs=${RUNS:-3}
app=$build/src/corewave cli=$build/src/corewave-cli
[ -x "$app" ] && [ -x "$cli" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }
work=$(mktemp -d /dev/shm/corewave-window-cost.XXXXXX)
hz=$(getconf CLK_TCK)
pid="" xpid="" kpid=""
# (every kill may find its process gone already: under set -e a failed
# kill would end the trap before the scratch folder is removed)
cleanup () {
  [ -n "$kpid" ] && { exec 8>&-; kill "$kpid" 2>/dev/null || true; wait "$kpid" 2>/dev/null || true; }
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [ -n "$xpid" ] && { kill "$xpid" 2>/dev/null || true; wait "$xpid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

median () { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cpu_ticks () { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# per thread: "main" (the GTK main loop: drawing, results), "sampler" (the
# CPU sampler's thread), and the rest of the process's time "other" (GLib's
# worker threads, some gone by the end: planning, and the batch record's
# checksum of each output, for Resume)
thread_ticks () {
  local t name ticks main=0 sampler=0
  for t in /proc/"$1"/task/*; do
    { read -r name < "$t/comm"; } 2>/dev/null || continue
    ticks=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
    if [ "${t##*/}" = "$1" ]; then main=$((main + ticks))
    elif [ "$name" = cw-cpu-sampler ]; then sampler=$((sampler + ticks)); fi
  done
  echo "$main $sampler $(( $(cpu_ticks "$1") - main - sampler ))"
}
now () { date +%s.%N; }
# The polls fork nothing (a glob and a read with a timeout, both bash
# builtins): a find and a sleep every 10 ms would take CPU from the batch
# on a 2-core machine, and only from the window's runs. Partial outputs
# are hidden files, which the glob leaves out; the window keeps a folder's
# tree below the output folder, so outputs are looked for at any depth.
shopt -s nullglob globstar
exec 9<> <(:)
wait_outputs () {  # DIR N: until N outputs are there (10 ms polls)
  local -a files
  while :; do
    files=("$1"/**/*.wav "$1"/**/*.mp3)
    [ "${#files[@]}" -ge "$2" ] && return
    read -r -t 0.01 -u 9 _ || true
  done
}

"$cli" --demo "$work/in" >/dev/null
n_in=$(find "$work/in" -maxdepth 1 -type f | wc -l)

n=120; while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 & xpid=$!
export DISPLAY=:$n GTK_A11Y=none NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR=$build/data XDG_STATE_HOME=$work/state
unset WAYLAND_DISPLAY
for _ in $(seq 100); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
# one xdotool for the timed keys, reading its commands from a pipe
mkfifo "$work/keys"
xdotool - < "$work/keys" >/dev/null 2>&1 & kpid=$!
exec 8> "$work/keys"

start_app () {  # OUTDIR [INPUT]: the window, 1920x1080, on the Run page
  local out=$1; shift
  "$app" --output-dir "$out" "$@" >"$work/app.log" 2>&1 & pid=$!
  for _ in $(seq 200); do
    wid=$(xdotool search --onlyvisible --name '^Corewave$' 2>/dev/null | head -n 1 || true)
    [ -n "$wid" ] && break; sleep 0.1
  done
  [ -n "$wid" ] || { echo "no window" >&2; exit 1; }
  xdotool windowsize "$wid" 1920 1080; xdotool windowmove "$wid" 0 0
  sleep 2   # the files queued (not a synchronisation: a bench)
  xdotool windowfocus --sync "$wid"; xdotool key alt+3
}
stop_app () { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "window-cost: $(nproc) CPUs, renderer ${GSK_RENDERER:-default}, $n_in demo files, $runs runs"

# 1. idle
start_app "$work/win" "$work/in"
sleep 3
idle=()
for _ in $(seq "$runs"); do
  t0=$(cpu_ticks "$pid"); sleep 5; t1=$(cpu_ticks "$pid")
  idle+=("$(echo "($t1 - $t0) * 100 / $hz / 5" | bc -l)")
done
printf 'idle Run page: %.2f %% of a core (median of %s 5-s windows: %s)\n' \
  "$(printf '%s\n' "${idle[@]}" | median)" "$runs" "$(printf '%.2f ' "${idle[@]}")"

# 2. the demo batch, window and CLI in turn
win=() clis=() ratios=() logs=() log_ratios=() busy=() mains=() samplers=() others=()
for r in $(seq "$runs"); do
  rm -rf "$work/win"; mkdir -p "$work/win"
  c0=$(cpu_ticks "$pid"); read -r m0 s0 o0 < <(thread_ticks "$pid")
  xdotool windowfocus --sync "$wid"
  # the clock starts as the key is sent, by an xdotool that is already
  # running (a new one takes 5-15 ms to start before it sends the key, and
  # returns 15-30 ms after: neither is the window's time)
  w0=$(now); echo "key ctrl+Return" >&8
  wait_outputs "$work/win" "$n_in"; w1=$(now)
  c1=$(cpu_ticks "$pid"); read -r m1 s1 o1 < <(thread_ticks "$pid")
  sleep 2   # the workers reaped, the summary drawn
  rm -rf "$work/cli" "$work/cli-log" "$work/cli.log"
  k0=$(now); "$cli" -q "$work/in" -o "$work/cli" >/dev/null; k1=$(now)
  # the window keeps a record of the batch for Resume, a checksum of each
  # output in it: the CLI with --joblog does the same work
  j0=$(now); "$cli" -q "$work/in" -o "$work/cli-log" --joblog "$work/cli.log" >/dev/null; j1=$(now)
  w=$(echo "$w1 - $w0" | bc -l) k=$(echo "$k1 - $k0" | bc -l) j=$(echo "$j1 - $j0" | bc -l)
  win+=("$w") clis+=("$k") ratios+=("$(echo "$w / $k" | bc -l)")
  logs+=("$j") log_ratios+=("$(echo "$w / $j" | bc -l)")
  busy+=("$(echo "($c1 - $c0) * 100 / $hz / $w" | bc -l)")
  mains+=("$(echo "($m1 - $m0) * 100 / $hz / $w" | bc -l)")
  samplers+=("$(echo "($s1 - $s0) * 100 / $hz / $w" | bc -l)")
  others+=("$(echo "($o1 - $o0) * 100 / $hz / $w" | bc -l)")
  printf '  run %s: window %.3f s, CLI %.3f s (ratio %.2f), CLI --joblog %.3f s (ratio %.2f); window CPU %.1f %% of a core' \
    "$r" "$w" "$k" "${ratios[-1]}" "$j" "${log_ratios[-1]}" "${busy[-1]}"
  printf ' (main thread %.1f, sampler %.1f, other threads %.1f)\n' "${mains[-1]}" "${samplers[-1]}" "${others[-1]}"
done
printf 'demo batch: window %.3f s, CLI %.3f s, CLI --joblog %.3f s (medians); window/CLI %.2f, window/CLI --joblog %.2f (medians of the runs'"'"' ratios)\n' \
  "$(printf '%s\n' "${win[@]}" | median)" "$(printf '%s\n' "${clis[@]}" | median)" \
  "$(printf '%s\n' "${logs[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)" \
  "$(printf '%s\n' "${log_ratios[@]}" | median)"
printf 'window CPU during the demo batch: %.1f %% of a core: main thread %.1f, sampler %.1f, other threads %.1f (medians)\n' \
  "$(printf '%s\n' "${busy[@]}" | median)" "$(printf '%s\n' "${mains[@]}" | median)" \
  "$(printf '%s\n' "${samplers[@]}" | median)" "$(printf '%s\n' "${others[@]}" | median)"
stop_app

# 3. the heavier demo: the window's own CPU while it runs
if [ "${HEAVY:-0}" = 1 ]; then
  # the window's own button (Alt+H on the empty Files page) writes the
  # demo set to the cache and queues it as the heavier demo
  export XDG_CACHE_HOME=$work/cache
  start_app "$work/heavy"
  xdotool windowfocus --sync "$wid"; xdotool key alt+1 alt+h
  for _ in $(seq 300); do
    [ "$(find "$work/cache" -name '*.wav' 2>/dev/null | wc -l)" -ge "$n_in" ] && break; sleep 0.1
  done
  sleep 2   # queued (not a synchronisation: a bench)
  xdotool windowfocus --sync "$wid"; xdotool key alt+3
  c0=$(cpu_ticks "$pid"); read -r m0 s0 o0 < <(thread_ticks "$pid")
  xdotool windowfocus --sync "$wid"; w0=$(now); echo "key ctrl+Return" >&8
  wait_outputs "$work/heavy" "$n_in"; w1=$(now)
  c1=$(cpu_ticks "$pid"); read -r m1 s1 o1 < <(thread_ticks "$pid")
  w=$(echo "$w1 - $w0" | bc -l)
  printf 'heavier demo (MP3, best quality): %.1f s; the window used %.2f %% of a core while it ran' \
    "$w" "$(echo "($c1 - $c0) * 100 / $hz / $w" | bc -l)"
  printf ' (main thread %.2f, sampler %.2f, other threads %.2f)\n' \
    "$(echo "($m1 - $m0) * 100 / $hz / $w" | bc -l)" "$(echo "($s1 - $s0) * 100 / $hz / $w" | bc -l)" \
    "$(echo "($o1 - $o0) * 100 / $hz / $w" | bc -l)"
  stop_app
fi
