#!/bin/bash
# build-aux/screenshots.sh: remake the screenshots in data/screenshots/ from
# the built app, under a private Xvfb (the README, docs/ and the AppStream data
# use them). Needs xvfb, xdotool and imagemagick (build-aux/deps.sh has them).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
out=$top/data/screenshots
work=$(mktemp -d /dev/shm/corewave-shots.XXXXXX)
mkdir -p "$out"
export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=memory GTK_A11Y=none NO_AT_BRIDGE=1
export GSK_RENDERER=cairo
export XDG_STATE_HOME=$work/state   # batch records stay out of ~/.local/state
unset WAYLAND_DISPLAY

wait_for () { local n=$(($1 * 10)); shift; for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done; return 1; }
window () { xdotool search --onlyvisible --name '^Corewave$' 2>/dev/null | head -n 1; }
has_window () { [ -n "$(window)" ]; }
outputs_are () { [ "$(find "$work/out" -name '*.wav' 2>/dev/null | wc -l)" -eq "$1" ]; }
# an experiment's scratch folder is in TMPDIR from its start to its end
lab_running () { compgen -G "$work/tmp/corewave-lab-*" >/dev/null; }
lab_done () { ! lab_running; }

# shot NAME W H: screenshot of the window at W x H
shot () {
  local w; w=$(window)
  xdotool windowsize "$w" "$2" "$3"; xdotool windowmove "$w" 0 0
  sleep 1   # not a synchronisation: lets the resized window draw
  import -window "$w" "$out/$1.png"
  echo "wrote $out/$1.png"
}

n=150; while [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$! apid=""
wait_for 10 xdotool getmouselocation >/dev/null 2>&1 || { echo "Xvfb did not start" >&2; exit 1; }
trap 'kill $apid $xpid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$build/src/corewave-cli" --demo "$work/in" --demo-count 48 --demo-seconds 240 >/dev/null

# The Run page as a class sees it (issue 12), mid-batch: the 48 files to MP3
# keep the cores busy for tens of seconds. ONLY=display makes these alone.
mid_batch () {  # N: until N outputs are there
  wait_for 120 outputs_at_least "$1"
}
outputs_at_least () { [ "$(find "$work/out" -name '*.mp3' 2>/dev/null | wc -l)" -ge "$1" ]; }
display_shots () {
  rm -rf "$work/out" "$work/state"
  "$build/src/corewave" --output-dir "$work/out" --workers 2 --format mp3 --start "$work/in" &
  apid=$!
  wait_for 20 has_window
  xdotool windowsize "$(window)" 1920 1080
  mid_batch 6
  shot window-run-mid-batch 1920 1080
  # presentation mode: without a window manager it does not go full
  # screen, so the window keeps the screen's size
  xdotool windowfocus --sync "$(window)" key F11
  shot window-presentation 1920 1080
  xdotool windowfocus --sync "$(window)" key F11
  wait_for 300 outputs_at_least 48
  sleep 1   # the workers are reaped and the summary written
  shot window-run-1920 1920 1080
  kill "$apid"; wait "$apid" 2>/dev/null || true

  # more cores than this machine has: a made-up /proc (build-aux/fake-proc.py,
  # a simulation, as the names say), one worker on a core of its own each
  for cores in 16 256; do
    local workers=$cores fpid
    [ "$workers" -gt 48 ] && workers=48
    # (a batch killed mid-way is offered for resuming: not in the pictures)
    rm -rf "$work/out" "$work/proc" "$work/state"
    mkdir -p "$work/proc"
    CW_PROC_ROOT=$work/proc "$build/src/corewave" --output-dir "$work/out" --workers "$workers" \
      --format mp3 --start "$work/in" &
    apid=$!
    python3 "$top/build-aux/fake-proc.py" "$work/proc" "$cores" "$apid" 300 &
    fpid=$!
    wait_for 20 has_window
    xdotool windowsize "$(window)" 1920 1080
    # many workers on two real cores finish together at the end: a moment
    # well inside the batch, not a count of outputs
    sleep 10
    shot "window-$cores-cores-simulated" 1920 1080
    kill "$apid"; wait "$apid" 2>/dev/null || true
    wait "$fpid" 2>/dev/null || true
  done
  apid=""
}
if [ "${ONLY:-}" = display ]; then
  display_shots
  exit 0
fi

# the run page at the end of a batch: normalize + noise + fade on 48 files
"$build/src/corewave" --output-dir "$work/out" --workers 2 --chunk-size 1 \
  --transform normalize:peak=-1,noise:sigma=0.05,fade:in=500:out=500 --start "$work/in" &
apid=$!
wait_for 20 has_window
wait_for 120 outputs_are 48
shot window-run 1100 760
xdotool windowfocus --sync "$(window)" key alt+2; shot window-settings 1100 760
xdotool windowfocus --sync "$(window)" key alt+3; shot window-narrow 360 720
kill "$apid"; wait "$apid" 2>/dev/null || true

# a collection: two albums and a podcast whose files share names, a text
# file and an empty "WAV" among them; the Files page tells them apart
for d in "Album A" "Album B" "Album B/CD 2" "Podcast"; do
  mkdir -p "$work/Music/$d"
  for i in 0 1 2 3; do cp "$work/in/example0$i.wav" "$work/Music/$d/0$((i + 1)) Track.wav"; done
done
echo "show notes" >"$work/Music/Podcast/notes.txt"
: >"$work/Music/Album A/04 Bonus.wav"
# dialog NAME: the app's other visible window (a dialog), moved over the window
dialog () { xdotool search --onlyvisible --name "$1" 2>/dev/null | grep -v "^$(window)$" | head -n 1; }
has_dialog () { [ -n "$(dialog "$1")" ]; }
# shot_with NAME W H DIALOG: the window at W x H with the dialog centred on it
shot_with () {
  local w d; w=$(window)
  xdotool windowsize "$w" "$2" "$3"; xdotool windowmove "$w" 0 0
  wait_for 10 has_dialog "$4"; d=$(dialog "$4")
  eval "$(xdotool getwindowgeometry --shell "$d")"
  xdotool windowmove "$d" $((($2 - WIDTH) / 2)) $((($3 - HEIGHT) / 3))
  sleep 1   # not a synchronisation: lets both draw
  import -window root -crop "$2x$3+0+0" +repage "$out/$1.png"
  echo "wrote $out/$1.png"
}
rm -rf "$work/out"
"$build/src/corewave" --output-dir "$work/out" --workers 2 \
  "$work/Music/Album A" "$work/Music/Album B" "$work/Music/Podcast" &
apid=$!
wait_for 20 has_window
sleep 1   # the folders are read in the background
shot window-files 1100 760
# a plain conversion, then the same again: the outputs are there
xdotool windowfocus --sync "$(window)" key ctrl+Return
wait_for 60 outputs_are 16
sleep 1
sleep 5   # not a synchronisation: the first run's toasts go
xdotool windowfocus --sync "$(window)" key alt+1 ctrl+Return
shot_with window-existing 1100 760 'Already Exist'
xdotool key Escape
sleep 0.5
xdotool windowfocus --sync "$(window)" key alt+1 F10 k Return
shot_with window-skipped 1100 760 '^Skipped Files$'
kill "$apid"; wait "$apid" 2>/dev/null || true

# the empty window
"$build/src/corewave" &
apid=$!
wait_for 20 has_window
shot window-empty 1100 760
kill "$apid"; wait "$apid" 2>/dev/null || true

# the timeline after chunks of 4 on 5 workers: 12 chunks in three rounds,
# so three workers sit idle while the last two finish
rm -rf "$work/out"
"$build/src/corewave" --output-dir "$work/out" --workers 5 --chunk-size 4 \
  --transform normalize:peak=-1,noise:sigma=0.05,fade:in=500:out=500 --start "$work/in" &
apid=$!
wait_for 20 has_window
wait_for 120 outputs_are 48
sleep 1   # the workers are reaped and the summary written
shot window-timeline 1100 760
kill "$apid"; wait "$apid" 2>/dev/null || true

# the Lab page after a quick "chunks" run: Alt+4 focuses the experiments
# (the first is selected), Down picks the second, Ctrl+Enter runs it
mkdir -p "$work/tmp"
TMPDIR=$work/tmp "$build/src/corewave" --workers 2 &
apid=$!
wait_for 20 has_window
xdotool windowsize "$(window)" 1100 760
xdotool windowfocus --sync "$(window)" key alt+4 Down ctrl+Return
wait_for 10 lab_running
wait_for 300 lab_done
sleep 1   # not a synchronisation: lets the chart draw
shot window-lab 1100 760
shot window-lab-narrow 360 720
kill "$apid"; wait "$apid" 2>/dev/null || true
apid=""
display_shots
