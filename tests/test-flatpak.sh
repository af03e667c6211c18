#!/bin/bash
# tests/test-flatpak.sh: what can be checked of the Flatpak manifest offline
# (the GNOME runtime cannot be downloaded here). TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=$1
manifest=$top/flatpak/io.github.corewave.Corewave.json
echo "1..12"

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
import json, os, re, subprocess, sys

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
        if src.get('type') == 'git':
            if not re.fullmatch(r'[0-9a-f]{40}', src.get('commit', '')) or not src.get('tag'):
                unpinned.append(src['url'])
        elif 'url' in src and not re.fullmatch(r'[0-9a-f]{64}', src.get('sha256', '')):
            unpinned.append(src['url'])
check(not missing and not unpinned,
      'every local file it names exists; every download is pinned by sha256, every git source by tag and commit',
      f'missing {missing}, unpinned {unpinned}')

args = m['finish-args']
broad = [a for a in args if a.startswith('--filesystem=') and a.split('=', 1)[1].split(':')[0] in ('host', 'home', '~')]
check(not broad and '--socket=wayland' in args and '--socket=fallback-x11' in args,
      'sandbox: wayland with fallback-x11, no host or home filesystem access', f'broad: {broad}')

readme = open(os.path.join(top, 'README.md')).read()
check('flatpak-builder --user --install' in readme, 'the README says how to build and install it')

# --- what Flathub's linter and reviewers check in the manifest ---
app_module = [mod for mod in m['modules'] if mod['name'] == m['command']]
external = [mod for mod in m['modules'] if mod['name'] != m['command']]
version = re.search(r"project\('corewave',.*?version: '([^']+)'", open(os.path.join(top, 'meson.build')).read(), re.S).group(1)

# The app's own source is the release: a git tag and its commit (a "dir"
# source is refused). Until the tag exists the commit is a placeholder,
# reported as a TODO; once the tag is in this clone, it must be its commit.
app_src = app_module[0]['sources'] if app_module else []
git = [s for s in app_src if s.get('type') == 'git']
n += 1
what = f'the app is built from its git tag v{version} and that tag\'s commit'
if len(app_src) != 1 or not git or git[0].get('tag') != f'v{version}' \
   or not git[0].get('url', '').startswith('https://'):
    print(f'not ok {n} - {what}')
    print(f'# sources: {app_src}')
else:
    try:
        tagged = subprocess.run(['git', '-C', top, 'rev-parse', '--verify', '-q', f'v{version}^{{commit}}'],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        tagged = ''
    if git[0]['commit'] == '0' * 40:
        print(f'not ok {n} - {what} # TODO tag v{version}, then write its commit in the manifest')
    elif tagged and tagged != git[0]['commit']:
        print(f'not ok {n} - {what}')
        print(f'# v{version} is {tagged} here, the manifest says {git[0]["commit"]}')
    else:
        print(f'ok {n} - {what}')

# every external module: a checker that proposes updates, and debug info
# (CMAKE_BUILD_TYPE=Release trips module-NAME-cmake-no-debuginfo)
unchecked = [mod['name'] for mod in external
             if any(s.get('type') in ('archive', 'git', 'file') and 'x-checker-data' not in s
                    for s in mod.get('sources', []))]
release = [mod['name'] for mod in external
           if mod.get('buildsystem', '').startswith('cmake')
           and '-DCMAKE_BUILD_TYPE=RelWithDebInfo' not in mod.get('config-opts', [])]
check(external and not unchecked and not release,
      'every external module has x-checker-data; cmake modules build RelWithDebInfo',
      f'no x-checker-data: {unchecked}; not RelWithDebInfo: {release}')

# run-tests on builders without a display or root: only the suites that
# need neither, and never test-args (refused under flatpak-builder --sandbox)
app = app_module[0] if app_module else {}
commands = ' '.join(app.get('test-commands', []))
suites = re.findall(r'--suite (\S+)', commands)
check(app.get('run-tests') is True and app.get('test-rule') == '' and set(suites) == {'engine', 'data'}
      and '--no-suite timing' in commands and 'test-args' not in json.dumps(m),
      'run-tests runs the engine and data suites only, less the timing tests',
      f'test-rule {app.get("test-rule")!r}, test-commands {app.get("test-commands")}')

# --- what Flathub's linter and reviewers check in the metainfo and the
# desktop file, on paper (appstream 0.16 here knows fewer rules) ---
data = os.path.join(top, 'data')
app_id = m['id']
metainfo = open(os.path.join(data, app_id + '.metainfo.xml.in')).read()

summary = re.search(r'<summary>([^<]*)</summary>', metainfo).group(1)
long_ones = [summary] if len(summary) > 35 else []
for po in sorted(os.listdir(os.path.join(top, 'po'))):
    if po.endswith('.po'):
        text = open(os.path.join(top, 'po', po)).read()
        t = re.search(r'msgid "' + re.escape(summary) + r'"\nmsgstr "([^"]*)"', text)
        if t and len(t.group(1)) > 35:
            long_ones.append(f'{po}: {t.group(1)}')
check(not long_ones, 'the summary and its translations have at most 35 characters (appstream-summary-too-long)',
      f'too long: {long_ones}')

def luminance(colour):
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]

def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)

# the icon sits on the branding colour: each scheme's colour must stand
# out from the icon's face (the first stop of its "face" gradient)
svg = open(os.path.join(data, 'icons', 'hicolor', 'scalable', 'apps', app_id + '.svg')).read()
face = re.search(r'id="face".*?stop-color="(#[0-9a-fA-F]{6})"', svg, re.S).group(1)
colours = dict(re.findall(r'<color type="primary" scheme_preference="(light|dark)">(#[0-9a-fA-F]{6})</color>', metainfo))
weak = {k: round(contrast(v, face), 2) for k, v in colours.items() if contrast(v, face) < 3}
check(set(colours) == {'light', 'dark'} and not weak,
      f'light and dark branding colours, each at least 3:1 against the icon ({face})',
      f'colours {colours}, too weak {weak}')

shots = re.findall(r'<image>([^<]+)</image>', metainfo)
unpinned = [u for u in shots if f'/v{version}/' not in u]
check(shots and not unpinned, f'screenshot URLs are pinned to the release tag v{version}', f'not pinned: {unpinned}')

desktop = open(os.path.join(data, app_id + '.desktop.in')).read()
check(re.search(r'^SingleMainWindow=true$', desktop, re.M) is not None, 'the desktop file says SingleMainWindow=true')
PY
