#!/bin/bash
# build-aux/deps.sh: install the Debian 12 packages Corewave needs, only if
# some are missing (a second run takes a second). Sourced by run.sh/test.sh.
#
# SPDX-License-Identifier: GPL-3.0-or-later

COREWAVE_BUILD_PACKAGES=(
  gcc libc6-dev meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-dev-bin libsndfile1-dev libsamplerate0-dev libebur128-dev
  libgtk-4-dev libadwaita-1-dev
  desktop-file-utils appstream
  xvfb xauth dbus-daemon librsvg2-common imagemagick xdotool
  flatpak-builder
  help2man
)
# The cluster test (tests/test-shard.sh) runs docs/cluster.md's recipes on real
# engines: GNU parallel, and a one-node Slurm with munge on loopback (started
# by the test when it runs as root, as in CI; skipped with the reason if not).
# locales: the de_DE.UTF-8 sources the tests build a comma-decimal locale
# from; python3: the JSON schema check; bash-completion: the completion test.
COREWAVE_TEST_PACKAGES=(parallel slurm-wlm munge locales python3 bash-completion)
# CI's checks beyond the test suite (.ci/run, build-aux/fuzz.sh): libFuzzer,
# the clang static analyser and valgrind.
COREWAVE_CHECK_PACKAGES=(clang libclang-rt-14-dev clang-tools valgrind)
# The offline Flatpak build (build-aux/flatpak-offline.sh, meson test --suite
# flatpak-build): flatpak, ostree and the packages its stand-in runtime and
# SDK are assembled from that the build does not already bring: cmake for
# the bundled libsndfile, LAME's headers for its MP3 support, and what
# flatpak-builder 1.2 runs in the SDK (appstream-compose, eu-strip), and
# the sources of the en_US.UTF-8 locale it builds in (locales).
COREWAVE_FLATPAK_PACKAGES=(
  flatpak flatpak-builder ostree locales
  cmake g++ make libmp3lame-dev appstream-util elfutils
  adwaita-icon-theme hicolor-icon-theme fonts-dejavu-core xdg-user-dirs gsettings-desktop-schemas
)
# Settings are saved through dconf when the app runs on a desktop.
COREWAVE_RUN_PACKAGES=(dconf-gsettings-backend)
# The benchmarks compare against the lesson's Python reference.
COREWAVE_BENCH_PACKAGES=(python3 python3-numpy python3-scipy time)

corewave_install_missing () {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=900 "${missing[@]}"
}
