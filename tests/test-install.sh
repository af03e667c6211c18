#!/bin/bash
# test-install.sh: install the build into a DESTDIR and use what was installed.
#
# Usage: test-install.sh MESON BUILD_DIR PREFIX BINDIR LIBEXECDIR DATADIR BUILT_CLI
# (the directories as configured, absolute). Prints TAP.
#
# `meson install --no-rebuild` only copies what `meson test` has just built
# (it never runs ninja), so it cannot race the build; it writes only under
# the DESTDIR and meson-logs/install-log.txt. Post-install scripts (schema
# compilation, icon cache) are skipped under a DESTDIR; this test compiles
# the schemas itself.
#
# Copyright 2026 The Corewave Authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail

meson=$1 build=$2 prefix=$3 bindir=$4 libexecdir=$5 datadir=$6 built_cli=$7
app_id=io.github.corewave.Corewave

# the installed programs must find their worker on their own
unset CW_WORKER_PATH CW_CLI_PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corewave-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
bin=$dest$bindir libexec=$dest$libexecdir data=$dest$datadir

n=0 failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$tmp/log" 2>/dev/null; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check () { local what=$1; shift; if "$@" >"$tmp/log" 2>&1; then ok "$what"; else not_ok "$what"; fi; }
have () { command -v "$1" >/dev/null 2>&1; }

echo "1..15"

check "meson install --destdir" "$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest"

files_present () {
  local missing=0
  for f in "$bin/corewave" "$bin/corewave-cli" "$libexec/corewave-worker" \
           "$data/applications/$app_id.desktop" \
           "$data/metainfo/$app_id.metainfo.xml" \
           "$data/mime/packages/$app_id.xml" \
           "$data/dbus-1/services/$app_id.service" \
           "$data/glib-2.0/schemas/$app_id.gschema.xml" \
           "$data/icons/hicolor/scalable/apps/$app_id.svg" \
           "$data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"; do
    [ -e "$f" ] || { echo "missing: ${f#"$dest"}"; missing=1; }
  done
  return $missing
}
check "every file is installed" files_present

# the manual (made when help2man was there at build time) and completion
cli_extras () {
  local man
  man=$(find "$dest" -path '*/man1/corewave-cli.1' | head -n 1)
  [ -n "$(find "$dest" -path '*/bash-completion/completions/corewave-cli')" ] || { echo "no bash completion"; return 1; }
  if command -v help2man >/dev/null; then
    [ -n "$man" ] && grep -q -- '--files-from' "$man" || { echo "no manual page"; return 1; }
  fi
}
check "corewave-cli's manual page and bash completion are installed" cli_extras

check "the D-Bus service starts the installed app" \
  grep -qxF "Exec=$bindir/corewave --gapplication-service" "$data/dbus-1/services/$app_id.service"

# GTK loads icons through gdk-pixbuf, which knows an SVG by "<svg" in its
# first 256 bytes (a long leading comment made it "Unrecognized image file format")
icons_sniff_as_svg () {
  for f in "$data"/icons/hicolor/*/apps/$app_id*.svg; do
    head -c 256 "$f" | grep -q '<svg' || { echo "no <svg in the first 256 bytes: $f"; return 1; }
  done
}
check "the icons are recognised as SVG" icons_sniff_as_svg

check "glib-compile-schemas --strict on the installed schemas" \
  glib-compile-schemas --strict "$data/glib-2.0/schemas"

if have desktop-file-validate; then
  check "desktop-file-validate on the installed desktop file" \
    "$(dirname "$0")/desktop-file-validate.sh" "$data/applications/$app_id.desktop"
else
  skip "desktop-file-validate on the installed desktop file" "desktop-file-validate not installed"
fi

if have appstreamcli; then
  check "appstreamcli validate on the installed metainfo" \
    appstreamcli validate --no-net "$data/metainfo/$app_id.metainfo.xml"
else
  skip "appstreamcli validate on the installed metainfo" "appstreamcli not installed"
fi

# The desktop file's MimeType: each one a type (or alias) that
# shared-mime-info or our own package defines, or "Open With" never offers
# Corewave for it. The runtime's shared-mime-info is newer, never smaller.
mime_types_known () {
  local known types t missing=0
  known=$(cat /usr/share/mime/packages/freedesktop.org.xml "$data/mime/packages/$app_id.xml" \
    | grep -oE '<(mime-type|alias) type="[^"]+"' | sed 's/.*type="//; s/"$//')
  types=$(sed -n 's/^MimeType=//p' "$data/applications/$app_id.desktop" | tr ';' '\n' | grep -v '^$')
  [ -n "$types" ] || { echo "no MimeType"; return 1; }
  for t in $types; do
    grep -qxF "$t" <<<"$known" || { echo "unknown to shared-mime-info: $t"; missing=1; }
  done
  return $missing
}
if [ -f /usr/share/mime/packages/freedesktop.org.xml ]; then
  check "every MimeType of the desktop file is a known type" mime_types_known
else
  skip "every MimeType of the desktop file is a known type" "shared-mime-info not installed"
fi

# Our package, compiled as update-mime-database does on install, gives W64
# and CAF files their types, by name and by content.
mime_package_types_files () {
  local db=$tmp/mime-db
  mkdir -p "$db/mime/packages" && cp "$data/mime/packages/$app_id.xml" "$db/mime/packages/" || return 1
  update-mime-database "$db/mime" || return 1
  python3 - "$tmp" <<'PY' || return 1
import struct, sys
t = sys.argv[1]
riff = b'riff' + bytes.fromhex('2e91cf11a5d628db04c10000')
wave = b'wave' + bytes.fromhex('f3acd3118cd100c04f8edb8a')
for name in ('a.w64', 'a-w64.bin'):
    open(f'{t}/{name}', 'wb').write(riff + struct.pack('<Q', 56) + wave + bytes(16))
for name in ('a.caf', 'a-caf.bin'):
    open(f'{t}/{name}', 'wb').write(b'caff' + struct.pack('>HH', 1, 0) + b'desc' + bytes(40))
PY
  local f want got
  for f in a.w64:audio/x-w64 a-w64.bin:audio/x-w64 a.caf:audio/x-caf a-caf.bin:audio/x-caf; do
    want=${f#*:}
    got=$(XDG_DATA_HOME=$db XDG_DATA_DIRS=/usr/share gio info -a standard::content-type "$tmp/${f%%:*}" \
          | sed -n 's/.*standard::content-type: //p')
    [ "$got" = "$want" ] || { echo "${f%%:*}: $got, not $want"; return 1; }
  done
}
if have update-mime-database && have gio && have python3; then
  check "the MIME package types W64 and CAF files" mime_package_types_files
else
  skip "the MIME package types W64 and CAF files" "update-mime-database, gio or python3 missing"
fi

# GApplication parses --help before it needs a display; the settings object
# is made first, so this also shows the installed schema is found
check "the installed app starts with the installed schema" \
  env GSETTINGS_SCHEMA_DIR="$data/glib-2.0/schemas" GSETTINGS_BACKEND=memory "$bin/corewave" --help

check "the installed CLI writes the demo set" \
  "$bin/corewave-cli" --demo "$tmp/in" --demo-count 2 --demo-seconds 1

batch () {
  timeout 120 "$bin/corewave-cli" "$tmp/in" -o "$tmp/out" -j 2 --json -q >"$tmp/summary" || return 1
  grep -q '"type":"summary".*"ok":2,"failed":0' "$tmp/summary" || { cat "$tmp/summary"; return 1; }
}
check "the installed CLI runs a batch on the installed worker" batch

# the same batch from the build tree must give the same bytes
same_as_built () {
  CW_WORKER_PATH=$(dirname "$built_cli")/corewave-worker \
    timeout 120 "$built_cli" "$tmp/in" -o "$tmp/out-built" -j 1 -q || return 1
  for f in example00.wav example01.wav; do
    cmp "$tmp/out/$f" "$tmp/out-built/$f" || return 1
  done
}
check "its outputs match the build tree's, byte for byte" same_as_built

# Without the DESTDIR's worker the batch must fail: the worker above was the
# installed one, found relative to the executable, not the configured path.
if [ -e "$libexecdir/corewave-worker" ]; then
  skip "the worker is found inside the DESTDIR" "$libexecdir/corewave-worker exists on this system"
else
  without_worker () {
    mv "$libexec/corewave-worker" "$tmp/worker.away"
    timeout 60 "$bin/corewave-cli" "$tmp/in" -o "$tmp/out-none" -j 1 -q 2>"$tmp/stderr"
    local rc=$?
    mv "$tmp/worker.away" "$libexec/corewave-worker"
    cat "$tmp/stderr"
    # it fell back to the configured path, which is not there
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] \
      && grep -qF "Could not start the worker $libexecdir/corewave-worker" "$tmp/stderr"
  }
  check "the worker is found inside the DESTDIR" without_worker
fi

[ "$failed" -eq 0 ]
