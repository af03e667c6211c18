#!/bin/bash
# build-aux/flatpak-offline.sh [BUILT_CLI]: build the Flatpak manifest, install
# it and run it in a sandbox, without the GNOME runtime and without a remote.
# Prints TAP (meson test --suite flatpak-build runs it).
#
# No Flatpak remote is reachable from the project's machines, so this does
# what Flatpak's own test suite does: it assembles test runtimes from host
# files. Here the host is Debian 12, so the stand-in org.gnome.Platform//50
# and org.gnome.Sdk//50 are GTK 4.8, libadwaita 1.2, GLib 2.74, gcc, meson
# and cmake from Debian's packages (build-aux/flatpak-standin.py).
#
#  1. the stand-in runtime and SDK, committed to a local ostree repo and
#     installed --user (reused while the packages they are made of are
#     unchanged);
#  2. the manifest's module sources from Debian's source packages of the
#     same upstream version: put in flatpak-builder's download cache when
#     the tarball is the very one the manifest pins, else named by a local
#     variant of the manifest generated from the real one on each run (the
#     app's own source is this checkout);
#  3. flatpak-builder --sandbox --disable-download (no network, no
#     build-args, as Flathub builds), tests included, exported to a local
#     repo, bundled as a .flatpak, installed --user from the bundle;
#  4. flatpak run --command=corewave-cli on the demo set (outputs compared
#     byte for byte with the build tree's BUILT_CLI), in FLAC, Ogg and MP3,
#     and outside the folders the sandbox grants;
#  5. the window under Xvfb in the sandbox: a screenshot, and a batch on
#     the demo set written to xdg-music/Corewave.
#
# It proves that the manifest builds, installs and runs in a sandbox. It
# does not prove the GNOME runtime: its libraries are newer than Debian's.
#
# Everything Flatpak writes goes under a private HOME in $FLATPAK_OFFLINE_DIR
# (default build/tests/flatpak-offline), never into your own installation: the
# stand-in runtime must not be mistaken for the real one. The stand-in repo
# and flatpak-builder's state (its module cache) are kept in
# ${XDG_CACHE_HOME:-~/.cache}/corewave/flatpak-offline for the next run.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
built_cli=${1:-$top/build/src/corewave-cli}
. "$top/build-aux/deps.sh"

app_id=io.github.corewave.Corewave
manifest=$top/flatpak/$app_id.json
cache=${FLATPAK_OFFLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corewave/flatpak-offline}
work=${FLATPAK_OFFLINE_DIR:-$top/build/tests/flatpak-offline}
standin=$top/build-aux/flatpak-standin.py
# at the top of the checkout, its source (flatpak-builder --sandbox takes
# no source outside the manifest's folder); generated on every run, ignored
# by git
local_manifest=$top/.flatpak-offline.$app_id.json

n=0 failed=0
ok ()     { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag ()   { sed 's/^/# /'; }
# the last lines of a step's log, as TAP diagnostics
tail_log () { tail -n "${2:-40}" "$1" 2>/dev/null | diag; }
bail ()   { echo "Bail out! $1"; exit 1; }

echo "1..12"

corewave_install_missing "${COREWAVE_BUILD_PACKAGES[@]}" "${COREWAVE_FLATPAK_PACKAGES[@]}" 2>&1 | diag
[ "${PIPESTATUS[0]}" -eq 0 ] || bail "could not install the packages of build-aux/deps.sh"

# what the manifest says about the runtime
read -r runtime runtime_version sdk < <(python3 - "$manifest" <<'PY'
import json, re, sys
m = json.loads(re.sub(r'/\*.*?\*/', '', open(sys.argv[1]).read(), flags=re.S))
print(m['runtime'], m['runtime-version'], m['sdk'])
PY
)
[ -n "${sdk:-}" ] || bail "cannot read the runtime from $manifest"
arch=$(flatpak --default-arch)

mkdir -p "$cache" "$work"
# a private HOME: a private --user installation, Music folder and app
# data. The installation stays for the next run; the rest starts afresh.
rm -rf "$work/home/Music" "$work/home/.var" "$work/home/outside" "$work/home/.config" "$work/run"
export HOME=$work/home
export XDG_RUNTIME_DIR=$work/run
mkdir -p "$HOME/Music" "$HOME/.config" && mkdir -m 700 "$XDG_RUNTIME_DIR"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME XDG_STATE_HOME DBUS_SESSION_BUS_ADDRESS
unset WAYLAND_DISPLAY FLATPAK_USER_DIR
# xdg-music is where --filesystem=xdg-music/Corewave points
echo 'XDG_MUSIC_DIR="$HOME/Music"' >"$HOME/.config/user-dirs.dirs"

# --- 1. the stand-in runtime and SDK --------------------------------------
# Debian's packages, under the manifest's runtime names. The SDK is the
# runtime plus compilers, build tools and the -dev packages; flatpak-builder
# 1.2 runs appstream-compose (appstream-util) and eu-strip (elfutils) in it.
# Mesa's drivers and LLVM (GL at run time only) and the system services stay
# out: they would triple the SDK and nothing here needs them.
platform_packages=(
  bash coreutils dash sed grep findutils mawk diffutils libc-bin base-files debianutils
  libglib2.0-0 libglib2.0-bin libgtk-4-1 libadwaita-1-0 libsndfile1 libsamplerate0
  gsettings-desktop-schemas adwaita-icon-theme hicolor-icon-theme shared-mime-info
  librsvg2-common fontconfig fonts-dejavu-core xdg-user-dirs
  '!systemd' '!libgl1-mesa-dri' '!libllvm15' '!dbus' '!dbus-daemon' '!dbus-bin'
  '!dbus-system-bus-common'
)
sdk_packages=(
  "${platform_packages[@]}"
  gcc g++ libc6-dev make cmake ninja-build meson pkg-config gettext python3
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev
  libsndfile1-dev libmp3lame-dev libmpg123-dev libflac-dev libvorbis-dev libopus-dev
  libsamplerate0-dev
  desktop-file-utils appstream appstream-util elfutils binutils
  tar gzip xz-utils bzip2 patch file
)

# [Environment] applies in every sandbox the runtime makes, builds included:
# the GNOME SDK's pkg-config looks in /app first, Debian's does not
write_metadata () {  # DIR NAME
  cat >"$1/metadata" <<EOF
[Runtime]
name=$2
runtime=$runtime/$arch/$runtime_version
sdk=$sdk/$arch/$runtime_version

[Environment]
PKG_CONFIG_PATH=/app/lib/pkgconfig:/app/share/pkgconfig
EOF
}

# Files in a tree are hard links to this system's own: never write into
# one, replace it (rm first).
replace_file () {  # PATH, contents on stdin
  rm -f "$1" && cat >"$1"
}

make_tree () {  # KIND NAME PACKAGES...
  local kind=$1 name=$2 dir=$cache/tree-$1
  shift 2
  rm -rf "$dir"
  python3 "$standin" tree "$kind" "$dir" "$@" >"$dir.packages" || return 1
  write_metadata "$dir" "$name"
  # the flatpak layout for the app's libraries, then Debian's own
  replace_file "$dir/files/etc/ld.so.conf" <<'EOF'
include /run/flatpak/ld.so.conf.d/app-*.conf
include /app/etc/ld.so.conf
/app/lib
include /etc/ld.so.conf.d/*.conf
include /run/flatpak/ld.so.conf.d/runtime-*.conf
EOF
  # the caches dpkg triggers would build for this set of files
  rm -f "$dir/files/share/glib-2.0/schemas/gschemas.compiled"
  glib-compile-schemas "$dir/files/share/glib-2.0/schemas"
  # (dpkg lists none of these caches: they are new files, not links)
  update-mime-database "$dir/files/share/mime" >/dev/null
  local loaders
  loaders=$(ls -d "$dir"/files/lib/*/gdk-pixbuf-2.0/2.10.0 2>/dev/null | head -n 1)
  if [ -n "$loaders" ]; then
    rm -f "$loaders/loaders.cache"
    GDK_PIXBUF_MODULEDIR=$loaders/loaders /usr/lib/x86_64-linux-gnu/gdk-pixbuf-2.0/gdk-pixbuf-query-loaders \
      | sed "s|$dir/files|/usr|g" >"$loaders/loaders.cache"
  fi
  for theme in hicolor Adwaita; do
    [ -d "$dir/files/share/icons/$theme" ] || continue
    rm -f "$dir/files/share/icons/$theme/icon-theme.cache"
    gtk-update-icon-cache -q -f "$dir/files/share/icons/$theme" 2>/dev/null || true
  done
  rm -f "$dir/files/etc/ld.so.cache"
  # flatpak-builder builds with LC_ALL=en_US.utf8, which the GNOME SDK has;
  # without it GLib prints "?" for every non-ASCII character
  localedef -i en_US -f UTF-8 "$dir/files/lib/locale/en_US.utf8" || return 1
}

stand_in () {
  local key
  key=$( { python3 "$standin" closure "${platform_packages[@]}"
           echo ---; python3 "$standin" closure "${sdk_packages[@]}"
           cat "$standin"; declare -f write_metadata make_tree
           echo "$runtime $sdk $runtime_version $arch"; } | sha256sum | cut -c1-16)
  if [ "$(cat "$cache/standin.key" 2>/dev/null)" != "$key" ] || [ ! -d "$cache/standin-repo/objects" ]; then
    echo "assembling the stand-in runtime and SDK ($key)"
    rm -rf "$cache/standin-repo" "$cache/standin.key" "$cache/builder-state" "$HOME/.local/share/flatpak"
    make_tree platform "$runtime" "${platform_packages[@]}" || return 1
    make_tree sdk "$sdk" "${sdk_packages[@]}" || return 1
    flatpak build-export --runtime --files=files --disable-sandbox --no-update-summary \
      "$cache/standin-repo" "$cache/tree-platform" "$runtime_version" || return 1
    flatpak build-export --runtime --files=files --disable-sandbox --no-update-summary \
      "$cache/standin-repo" "$cache/tree-sdk" "$runtime_version" || return 1
    flatpak build-update-repo "$cache/standin-repo" || return 1
    # the trees are only hard links: removing them frees little, but keeps
    # anything from ever writing through them
    rm -rf "$cache/tree-platform" "$cache/tree-sdk"
    echo "$key" >"$cache/standin.key"
  else
    echo "reusing the stand-in runtime and SDK ($key)"
  fi
  flatpak --user remote-add --if-not-exists --no-gpg-verify standin "file://$cache/standin-repo" || return 1
  flatpak --user install -y --noninteractive --or-update standin \
    "runtime/$runtime/$arch/$runtime_version" "runtime/$sdk/$arch/$runtime_version" || return 1
}

start=$SECONDS
if stand_in >"$work/standin.log" 2>&1; then
  ok "stand-in $runtime and $sdk//$runtime_version from Debian's packages, installed --user from a local ostree repo ($((SECONDS - start)) s)"
else
  not_ok "stand-in $runtime and $sdk//$runtime_version from Debian's packages, installed --user from a local ostree repo"
  tail_log "$work/standin.log"
  bail "no stand-in runtime"
fi

# --- 2. the sources -------------------------------------------------------
# For each archive the manifest downloads: Debian's source package of the
# same module and upstream version (apt-get source, from a private apt
# configuration with deb-src lines, so the system's sources are untouched).
apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache" -q)
state=$cache/builder-state
substitutes=()
sources () {
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/sources" "$state/downloads"
  local suite listed=0
  : >"$cache/apt/sources.list"
  for suite in bookworm trixie; do
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
      >>"$cache/apt/sources.list"
  done
  local name url sha version file got debver
  while read -r name url sha version; do
    file=$cache/sources/$(basename "$url")
    # 1. an upstream tarball already here (put there by hand, or a previous run)
    if [ -f "$file" ] && [ "$(sha256sum <"$file" | cut -c1-64)" = "$sha" ]; then
      mkdir -p "$state/downloads/$sha" && cp -f "$file" "$state/downloads/$sha/"
      echo "$name: $url from $file"
      continue
    fi
    # 2. Debian's orig tarball of the same upstream version
    got=$(ls "$cache/sources/${name}_${version}.orig.tar."* 2>/dev/null | head -n 1)
    if [ -z "$got" ]; then
      if [ "$listed" -eq 0 ]; then
        apt-get "${apt_opts[@]}" update >/dev/null || return 1
        listed=1
      fi
      debver=$(apt-cache "${apt_opts[@]}" showsrc "$name" | sed -n 's/^Version: //p' \
               | grep -E "^([0-9]+:)?${version//./\\.}-" | head -n 1)
      if [ -z "$debver" ]; then
        echo "$name $version: Debian has no source package of this version (it has:" \
             "$(apt-cache "${apt_opts[@]}" showsrc "$name" | sed -n 's/^Version: //p' | tr '\n' ' '))"
        return 1
      fi
      # (its exit status is not enough: the mirror may lack a file we do
      # not use, the .dsc; the orig tarball is checked below instead)
      (cd "$cache/sources" && apt-get "${apt_opts[@]}" source --download-only "$name=$debver" >/dev/null)
      got=$(ls "$cache/sources/${name}_${version}.orig.tar."* 2>/dev/null | head -n 1)
      [ -n "$got" ] || { echo "$name: no orig tarball in Debian's $debver"; return 1; }
      # against the checksum in Debian's signed Sources index
      if ! apt-cache "${apt_opts[@]}" showsrc "$name" \
           | grep -qE "^ $(sha256sum <"$got" | cut -c1-64) [0-9]+ $(basename "$got")\$"; then
        echo "$name: $(basename "$got") does not match Debian's checksum"; rm -f "$got"; return 1
      fi
    fi
    if [ "$(sha256sum <"$got" | cut -c1-64)" = "$sha" ]; then
      mkdir -p "$state/downloads/$sha" && cp -f "$got" "$state/downloads/$sha/$(basename "$url")"
      echo "$name: Debian's $(basename "$got") is the manifest's tarball: in the download cache"
    else
      substitutes+=(--substitute "$url=$got")
      # --disable-download fetches no file:// URL either
      local debsha
      debsha=$(sha256sum <"$got" | cut -c1-64)
      mkdir -p "$state/downloads/$debsha" && cp -f "$got" "$state/downloads/$debsha/"
      echo "$name: Debian's $(basename "$got") (the same version, packed by Debian) stands in for $url"
    fi
  done < <(python3 - "$manifest" <<'PY'
import json, re, sys
m = json.loads(re.sub(r'/\*.*?\*/', '', open(sys.argv[1]).read(), flags=re.S))
def walk(modules):
    for module in modules:
        if isinstance(module, str):
            continue
        walk(module.get('modules', []))
        for src in module.get('sources', []):
            if src.get('type') == 'archive':
                version = re.search(r'(\d+(?:\.\d+)+)', src['url'].rsplit('/', 1)[-1]).group(1)
                print(module['name'], src['url'], src['sha256'], version)
walk(m['modules'])
PY
)
  python3 "$standin" local-manifest "$manifest" "$top" "$local_manifest" "${substitutes[@]}"
}

if sources >"$work/sources.log" 2>&1; then
  ok "the modules' sources from Debian's source packages; a local variant generated from the real manifest"
  diag <"$work/sources.log"
else
  not_ok "the modules' sources from Debian's source packages; a local variant generated from the real manifest"
  tail_log "$work/sources.log"
  bail "no sources"
fi

# --- 3. build, export, bundle, install ------------------------------------
start=$SECONDS
if flatpak-builder --sandbox --disable-download --disable-rofiles-fuse --force-clean \
     --state-dir="$state" --repo="$work/repo" \
     "$work/app" "$local_manifest" >"$work/builder.log" 2>&1; then
  ok "flatpak-builder --sandbox --disable-download builds it, its tests included, and exports it ($((SECONDS - start)) s)"
  grep -E '^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass): ' "$work/builder.log" | diag
else
  not_ok "flatpak-builder --sandbox --disable-download builds it, its tests included, and exports it"
  tail_log "$work/builder.log" 60
  bail "the manifest did not build"
fi

if flatpak build-bundle "$work/repo" "$work/$app_id.flatpak" "$app_id" >"$work/bundle.log" 2>&1 \
   && flatpak --user install -y --noninteractive --reinstall --bundle "$work/$app_id.flatpak" >>"$work/bundle.log" 2>&1; then
  ok "a .flatpak bundle ($(du -h "$work/$app_id.flatpak" | cut -f1)) installs --user"
else
  not_ok "a .flatpak bundle installs --user"
  tail_log "$work/bundle.log"
  bail "no bundle"
fi

info=$(flatpak --user info "$app_id" 2>&1)
if grep -qE "Runtime: $runtime/$arch/$runtime_version" <<<"$info" \
   && flatpak --user info --show-metadata "$app_id" | grep -q 'filesystems=.*xdg-music/Corewave:create'; then
  ok "installed on $runtime/$arch/$runtime_version with the manifest's permissions"
else
  not_ok "installed on $runtime/$arch/$runtime_version with the manifest's permissions"
  diag <<<"$info"
fi

# --- 4. corewave-cli in the sandbox ---------------------------------------
# The sandbox sees its own data folder (~/.var/app/ID, as $XDG_*_HOME) and
# xdg-music/Corewave; nothing else of HOME.
data=$HOME/.var/app/$app_id
demo=$data/cache/corewave/demo-24x240s   # the window's demo folder, as cw_demo_set_dir () names it
out=$HOME/Music/Corewave
run_cli () { timeout 600 flatpak run --command=corewave-cli "$app_id" "$@"; }

if run_cli --demo "$demo" >"$work/cli.log" 2>&1 && [ "$(ls "$demo" | grep -c '\.wav$')" -eq 24 ]; then
  ok "flatpak run --command=corewave-cli writes the demo set (24 files) in the app's own folder"
else
  not_ok "flatpak run --command=corewave-cli writes the demo set (24 files) in the app's own folder"
  tail_log "$work/cli.log"
fi

lesson () {
  run_cli "$demo" -o "$out/cli-lesson" -j 2 --json >"$work/lesson.json" || return 1
  grep -q '"type":"summary".*"ok":24,"failed":0' "$work/lesson.json" || { tail -n 1 "$work/lesson.json"; return 1; }
  # the same batch by the build tree's CLI on the host: the same bytes
  [ -x "$built_cli" ] || { echo "no $built_cli to compare with"; return 1; }
  CW_WORKER_PATH=$(dirname "$built_cli")/corewave-worker "$built_cli" "$demo" -o "$work/host-lesson" -j 2 -q --overwrite || return 1
  local f differ=0
  for f in "$demo"/*.wav; do
    cmp "$out/cli-lesson/$(basename "$f")" "$work/host-lesson/$(basename "$f")" || differ=1
  done
  return $differ
}
rm -rf "$work/host-lesson"
if lesson >"$work/lesson.log" 2>&1; then
  ok "the lesson's batch in the sandbox (24 files into xdg-music/Corewave) is byte-identical to the build tree's"
else
  not_ok "the lesson's batch in the sandbox (24 files into xdg-music/Corewave) is byte-identical to the build tree's"
  tail_log "$work/lesson.log"
fi

# every format Corewave writes but Opus (the demo set is 44.1 kHz, which
# Opus does not take): written in the sandbox, read back on the host
formats () {
  local fmt n
  run_cli --demo "$data/data/short" --demo-count 2 --demo-seconds 2 >/dev/null || return 1
  for fmt in flac ogg mp3; do
    run_cli "$data/data/short" -o "$out/cli-$fmt" -f "$fmt" -t gain:db=-3 -j 2 -q || { echo "$fmt: the sandbox failed"; return 1; }
    n=$(ls "$out/cli-$fmt" | grep -c "\.$fmt$")
    [ "$n" -eq 2 ] || { echo "$fmt: $n files"; return 1; }
    CW_WORKER_PATH=$(dirname "$built_cli")/corewave-worker \
      "$built_cli" "$out/cli-$fmt" -o "$work/readback-$fmt" -f wav -t gain:db=0 -q --overwrite \
      || { echo "$fmt: the host cannot read the sandbox's files"; return 1; }
  done
}
if formats >"$work/formats.log" 2>&1; then
  ok "corewave-cli in the sandbox writes FLAC, Ogg Vorbis and MP3 (its own libsndfile) that the host reads"
else
  not_ok "corewave-cli in the sandbox writes FLAC, Ogg Vorbis and MP3 (its own libsndfile) that the host reads"
  tail_log "$work/formats.log"
fi

# outside what the sandbox grants, the CLI fails with the reason
mkdir -p "$HOME/outside"
cp "$demo/example00.wav" "$HOME/outside/"
if ! run_cli "$HOME/outside/example00.wav" -o "$out/cli-outside" -q >"$work/outside.log" 2>&1 \
   && grep -qi 'no such file' "$work/outside.log"; then
  ok "a file elsewhere in HOME is not visible in the sandbox (the documented folder limits)"
else
  not_ok "a file elsewhere in HOME is not visible in the sandbox (the documented folder limits)"
  tail_log "$work/outside.log"
fi

# --- 5. the window in the sandbox, under Xvfb ------------------------------
# dbus-run-session: GApplication and the portals want a session bus.
# GSK_RENDERER=cairo: the stand-in runtime has no Mesa drivers.
gui () {
  cat >"$work/gui.sh" <<EOF
set -u
# the demo set's files (a folder would keep its name below the output
# folder), through the lesson's noise (a person's own files are converted
# unchanged unless a stage is chosen)
flatpak run --env=GSK_RENDERER=cairo --env=GTK_A11Y=none "$app_id" --workers 2 \
  --transform noise:sigma=0.1 --start "$demo"/*.wav \
  >"$work/gui-app.log" 2>&1 &
app=\$!
wid=
for _ in \$(seq 600); do
  wid=\$(xdotool search --onlyvisible --name '^Corewave' 2>/dev/null | head -n 1)
  [ -n "\$wid" ] && break
  kill -0 \$app 2>/dev/null || { echo "the app exited before its window appeared"; exit 1; }
  sleep 0.1
done
[ -n "\$wid" ] || { echo "no window in 60 s"; kill \$app; exit 1; }
echo "window \$wid"
# the batch: 24 outputs, each complete when its name appears
for _ in \$(seq 1200); do
  [ "\$(ls "$out" 2>/dev/null | grep -c '\.wav$')" -ge 24 ] && break
  sleep 0.1
done
sleep 2
import -display "\$DISPLAY" -window root "$work/window.png"
echo "outputs \$(ls "$out" | grep -c '\.wav$')"
xdotool key --window "\$wid" ctrl+q
for _ in \$(seq 100); do kill -0 \$app 2>/dev/null || break; sleep 0.1; done
kill \$app 2>/dev/null && { echo "Ctrl+Q did not close it"; wait \$app; exit 1; }
wait \$app
EOF
  xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- bash "$work/gui.sh"
}
rm -f "$work/window.png"
gui >"$work/gui.log" 2>&1
gui_rc=$?
if [ -s "$work/window.png" ] && grep -q '^window ' "$work/gui.log"; then
  ok "the window opens in the sandbox under Xvfb (screenshot: $work/window.png)"
else
  not_ok "the window opens in the sandbox under Xvfb"
  tail_log "$work/gui.log"; tail_log "$work/gui-app.log"
fi
if [ "$(ls "$out" 2>/dev/null | grep -c '\.wav$')" -eq 24 ] && [ $gui_rc -eq 0 ]; then
  ok "the window's batch wrote the demo set's 24 files to xdg-music/Corewave and Ctrl+Q closed it"
else
  not_ok "the window's batch wrote the demo set's 24 files to xdg-music/Corewave and Ctrl+Q closed it"
  tail_log "$work/gui.log"; tail_log "$work/gui-app.log"
fi

# the window's outputs are the CLI's (same transform, same seed)
same=1
for f in "$demo"/*.wav; do
  cmp -s "$out/$(basename "$f")" "$out/cli-lesson/$(basename "$f")" || same=0
done
if [ $same -eq 1 ]; then
  ok "the window's outputs are byte-identical to corewave-cli's"
else
  not_ok "the window's outputs are byte-identical to corewave-cli's"
fi

[ "$failed" -eq 0 ]
