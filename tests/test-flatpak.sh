#!/bin/bash
# tests/test-flatpak.sh: what can be checked of the Flatpak manifest offline
# (the GNOME runtime cannot be downloaded here). TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=$1
manifest=$top/flatpak/io.github.corewave.Corewave.json
echo "1..5"

if command -v flatpak-builder >/dev/null; then
  err=$(flatpak-builder --show-manifest "$manifest" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ] && ! grep -q WARNING <<<"$err"; then
    echo "ok 1 - flatpak-builder --show-manifest parses it without a warning"
  else
    echo "not ok 1 - flatpak-builder --show-manifest parses it without a warning"
    sed 's/^/# /' <<<"$err"
  fi
else
  echo "ok 1 # SKIP flatpak-builder is not installed"
fi

# The rest reads the manifest itself: JSON with /* */ comments, as
# flatpak-builder (json-glib) accepts.
python3 - "$manifest" "$top" <<'PY'
import json, os, re, sys

manifest, top = sys.argv[1], sys.argv[2]
text = re.sub(r'/\*.*?\*/', '', open(manifest).read(), flags=re.S)
m = json.loads(text)
here = os.path.dirname(manifest)
n = 1

def check(ok, what, detail=''):
    global n
    n += 1
    print(('ok' if ok else 'not ok') + f' {n} - {what}')
    if not ok and detail:
        print('# ' + detail)

meson = open(os.path.join(top, 'src', 'meson.build')).read()
check(m['id'] == 'io.github.corewave.Corewave'
      and re.fullmatch(r'\d+', m['runtime-version']) is not None
      and m['runtime'] == 'org.gnome.Platform' and m['sdk'] == 'org.gnome.Sdk'
      and f"executable('{m['command']}'" in meson,
      'app id, a numbered GNOME runtime, and a command the build installs')

missing, unpinned = [], []
for module in m['modules']:
    for src in module.get('sources', []):
        if 'path' in src and not os.path.exists(os.path.join(here, src['path'])):
            missing.append(src['path'])
        if 'url' in src and not re.fullmatch(r'[0-9a-f]{64}', src.get('sha256', '')):
            unpinned.append(src['url'])
check(not missing and not unpinned, 'every local file it names exists; every download is pinned by sha256',
      f'missing {missing}, unpinned {unpinned}')

args = m['finish-args']
broad = [a for a in args if a.startswith('--filesystem=') and a.split('=', 1)[1].split(':')[0] in ('host', 'home', '~')]
check(not broad and '--socket=wayland' in args and '--socket=fallback-x11' in args,
      'sandbox: wayland with fallback-x11, no host or home filesystem access', f'broad: {broad}')

readme = open(os.path.join(top, 'README.md')).read()
check('flatpak-builder --user --install' in readme, 'the README says how to build and install it')
PY
