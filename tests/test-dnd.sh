#!/bin/bash
# tests/test-dnd.sh: a real drag and drop, end to end (TAP).
#
# Starts corewave --start (which processes whatever is dropped next), drags a
# folder tree of audio files onto it from tests/dnd-source with xdotool, as a
# file manager would (two albums whose files have the same names), and checks
# that the files were processed into the same tree below the output folder,
# under the dropped folder's name, and nothing was left behind. Saves a screenshot of the window at the end of the batch in
# $CW_ARTIFACT_DIR, to look at (the README's and AppStream's screenshots are
# data/screenshots/, made by build-aux/screenshots.sh).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
app=$1 source=$2 cli=$3

if [ -z "${DISPLAY:-}" ] || ! command -v xdotool >/dev/null; then
  echo "1..0 # SKIP no display or no xdotool"
  exit 0
fi
echo "1..4"

work=$(mktemp -d)
apid="" spid=""
cleanup () {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null
  [ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
  [ -s "$work/app.log" ] && sed 's/^/# app: /' "$work/app.log"
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: run CMD until it succeeds, at most SECONDS
wait_for () {
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
window_of () { xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n 1; }
has_window () { [ -n "$(window_of "$1")" ]; }
n_outputs () { find "$work/out" -name '*.wav' 2>/dev/null | wc -l; }
all_outputs () { [ "$(n_outputs)" -eq 6 ]; }

"$cli" --demo "$work/demo" --demo-count 3 --demo-seconds 3 >/dev/null
mkdir -p "$work/in/Album A" "$work/in/Album B"
cp "$work"/demo/*.wav "$work/in/Album A/"
cp "$work"/demo/*.wav "$work/in/Album B/"
XDG_STATE_HOME="$work/state" "$app" --output-dir "$work/out" --workers 2 --start >"$work/app.log" 2>&1 &
apid=$!
wait_for 20 has_window '^Corewave$' || { echo "Bail out! the window did not appear"; cat "$work/app.log" >&2; exit 1; }
tw=$(window_of '^Corewave$')
xdotool windowsize "$tw" 900 640
xdotool windowmove "$tw" 220 0

"$source" "$work/in" >"$work/source.log" 2>&1 &
spid=$!
wait_for 20 has_window '^dnd-source$' || { echo "Bail out! the drag source did not appear"; exit 1; }
sw=$(window_of '^dnd-source$')
xdotool windowmove "$sw" 0 0
wait_for 5 sh -c "xdotool getwindowgeometry $sw | grep -q 'Position: 0,0'"

eval "$(xdotool getwindowgeometry --shell "$sw")"; sx=$((X + WIDTH / 2)); sy=$((Y + HEIGHT / 2))
eval "$(xdotool getwindowgeometry --shell "$tw")"; tx=$((X + WIDTH / 2)); ty=$((Y + HEIGHT / 2))
# GTK starts a drag only past its threshold: move in small steps, as a hand
# would. The pauses pace the hand, they do not wait for anything.
drag () {
  xdotool mousemove "$sx" "$sy" mousedown 1
  for i in $(seq 1 16); do
    xdotool mousemove $((sx + (tx - sx) * i / 16)) $((sy + (ty - sy) * i / 16))
    sleep 0.05
  done
  xdotool mousemove $((tx + 1)) $((ty + 1))
  sleep 0.3
  xdotool mouseup 1
}
drag_ended () { grep -q '^DRAG-' "$work/source.log"; }
# On a loaded machine the source can miss the gesture (it never starts a
# drag, so it says nothing): only then move the hand again, at most twice.
# A drag that starts and is refused or cancelled fails the test.
for attempt in 1 2 3; do
  drag
  wait_for 10 drag_ended && break
  echo "# attempt $attempt: the source did not start a drag"
done

if wait_for 10 grep -q '^DRAG-END action=[1-9]' "$work/source.log"; then
  echo "ok 1 - the window accepted the drop"
else
  echo "not ok 1 - the window accepted the drop"; cat "$work/source.log" | sed 's/^/# /'
fi

tree_kept () {
  for album in "Album A" "Album B"; do
    for i in 00 01 02; do [ -f "$work/out/in/$album/example$i.wav" ] || return 1; done
  done
}
if wait_for 60 all_outputs && tree_kept; then
  echo "ok 2 - the 6 dropped files were processed into the dropped tree"
else
  echo "not ok 2 - the 6 dropped files were processed into the dropped tree ($(n_outputs) outputs)"
  (cd "$work/out" 2>/dev/null && find . -type f | sed 's/^/# /')
fi
if [ -z "$(find "$work/out" -name '*.part')" ] && cmp -s "$work/demo/example00.wav" "$work/in/Album A/example00.wav"; then
  echo "ok 3 - no partial files"
else
  echo "not ok 3 - no partial files"
fi

# the summary appears once the workers are reaped; then keep a picture of it
if [ -n "${CW_ARTIFACT_DIR:-}" ]; then
  mkdir -p "$CW_ARTIFACT_DIR"
  sleep 1   # not a synchronisation: lets the frame with the summary be drawn
  import -window "$tw" "$CW_ARTIFACT_DIR/window-after-batch.png" 2>/dev/null
fi

# (no window manager: give the window the focus by hand, then the shortcut)
xdotool windowfocus --sync "$tw" key ctrl+q
if wait_for 10 sh -c "! kill -0 $apid 2>/dev/null" && ! pgrep -f "corewave-worker" -P "$apid" >/dev/null; then
  echo "ok 4 - the app quit and left no worker"
  apid=""
else
  echo "not ok 4 - the app quit and left no worker"
fi
