#!/bin/bash
# build-aux/fuzz.sh: build the libFuzzer targets with clang against the
# engine's sources and run each for a while on its committed seed corpus.
# Ends with "N passed, N failed, N skipped" (one test per target), like
# test.sh, so .ci/run can count it.
#
#   build-aux/fuzz.sh               # FUZZ_SECONDS (default 60) per target
#   build-aux/fuzz.sh --corpus      # rewrite fuzz/corpus/protocol from the encoders
#
# A crash leaves its input in build-fuzz/crashes/ (and is printed): add it to
# the target's corpus and a regression case to tests/test-protocol.c or
# tests/test-spec.c.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/build-aux/deps.sh"
corewave_install_missing "${COREWAVE_BUILD_PACKAGES[@]}" "${COREWAVE_CHECK_PACKAGES[@]}"

out=${FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
mkdir -p "$out/crashes" "$out/include"
cat >"$out/include/config.h" <<'H'
#pragma once
#define APP_ID "io.github.corewave.Corewave"
#define GETTEXT_PACKAGE "corewave"
#define LIBEXECDIR "/usr/local/libexec"
#define BINDIR_TO_LIBEXECDIR "../libexec"
#define LOCALEDIR "/usr/local/share/locale"
#define PACKAGE_VERSION "fuzz"
H

# The engine as the build has it (every cw-*.c), minus nothing: the
# decoders pull in the task and audio code.
mapfile -t engine < <(ls "$top"/src/engine/cw-*.c)
cflags=(-g -O1 -std=gnu17 -D_GNU_SOURCE -fno-omit-frame-pointer -I"$out/include" -I"$top/src/engine"
        -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74)
read -r -a pkg <<<"$(pkg-config --cflags --libs glib-2.0 gio-2.0 gio-unix-2.0 sndfile samplerate libebur128)"

if [ "${1:-}" = "--corpus" ]; then
  clang "${cflags[@]}" "$top/fuzz/make-corpus.c" "${engine[@]}" "${pkg[@]}" -lm -o "$out/make-corpus"
  "$out/make-corpus" "$top/fuzz/corpus/protocol"
  exit 0
fi

pass=0 fail=0
for target in protocol spec; do
  exe=$out/fuzz-$target
  echo "== fuzz-$target: building"
  clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "$top/fuzz/fuzz-$target.c" "${engine[@]}" "${pkg[@]}" -lm -o "$exe"
  # a scratch corpus: what the run finds is not committed
  work=$out/corpus-$target
  rm -rf "$work" && mkdir -p "$work"
  log=$out/fuzz-$target.log
  echo "== fuzz-$target: ${seconds} s"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$exe" -max_total_time="$seconds" -max_len=65536 \
       -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/crashes/$target-" \
       -print_final_stats=1 "$work" "$top/fuzz/corpus/$target" >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz-$target: OK, ${execs:-?} executions in ${seconds} s"
    echo "${execs:-0}" >"$out/fuzz-$target.execs"
    pass=$((pass + 1))
  else
    tail -n 60 "$log"
    echo "fuzz-$target: FAILED (inputs in $out/crashes/)"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
