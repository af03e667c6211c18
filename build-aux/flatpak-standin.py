#!/usr/bin/env python3
# build-aux/flatpak-standin.py: the two pieces of build-aux/flatpak-offline.sh
# that are easier in Python.
#
#   flatpak-standin.py tree KIND DIR PACKAGE...
#       Lays out a stand-in runtime (KIND "platform") or SDK ("sdk") in DIR
#       from this Debian system's installed packages: PACKAGE... and
#       everything they depend on, file for file as dpkg lists them,
#       hard-linked (nothing is copied); a PACKAGE written !NAME is left out
#       with what only it would bring. DIR/files becomes the sandbox's /usr,
#       DIR/files/etc its /etc, as in Flatpak's own test runtimes. Prints the
#       packages with their versions, one a line (the cache key).
#
#   flatpak-standin.py closure PACKAGE...
#       Prints "package version" for PACKAGE... and their dependencies.
#
#   flatpak-standin.py local-manifest MANIFEST TOP OUT [--substitute URL=FILE]...
#       Writes OUT (inside TOP: flatpak-builder --sandbox wants its sources
#       below the manifest's folder), the manifest to build here: MANIFEST as
#       it is, except that the app's own source (the git source naming the
#       release tag) is the checkout TOP, and each archive URL given with --substitute is
#       the local FILE (its sha256 computed). Everything else, options,
#       cleanup, finish-args and tests included, is the real manifest's:
#       the variant is generated on each run, never kept, so it cannot drift.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import hashlib
import json
import os
import re
import subprocess
import sys

# never part of a runtime: documentation, and what only a booted system uses
# (paths inside files/, the sandbox's /usr)
SKIP_PREFIXES = (
    'share/doc/', 'share/man/', 'share/info/', 'share/lintian/', 'share/bug/',
    'share/locale/', 'etc/init.d/', 'etc/systemd/', 'etc/cron',
)


def installed_packages():
    """name -> (version, [dependency alternatives], [provides]) for installed packages."""
    out = subprocess.run(
        ['dpkg-query', '-W', '-f', '${Package}\t${Version}\t${db:Status-Abbrev}\t'
         '${Pre-Depends}\t${Depends}\t${Provides}\n'],
        check=True, capture_output=True, text=True).stdout
    packages = {}
    for line in out.splitlines():
        name, version, status, pre, depends, provides = line.split('\t')
        if not status.startswith('ii'):
            continue
        deps = []
        for field in (pre, depends):
            for group in filter(None, (g.strip() for g in field.split(','))):
                deps.append([re.sub(r'[\s(:].*', '', alt.strip()) for alt in group.split('|')])
        provided = [re.sub(r'[\s(].*', '', p.strip()) for p in provides.split(',') if p.strip()]
        packages[name] = (version, deps, provided)
    return packages


def closure(seeds):
    """The seeds and their dependencies; a seed '!NAME' keeps NAME (and what
    only it would bring) out."""
    excluded = {s[1:] for s in seeds if s.startswith('!')}
    seeds = [s for s in seeds if not s.startswith('!')]
    packages = installed_packages()
    providers = {}
    for name, (_, _, provided) in packages.items():
        for virtual in provided:
            providers.setdefault(virtual, []).append(name)
    wanted, todo = set(), list(seeds)
    missing = [s for s in seeds if s not in packages]
    if missing:
        sys.exit(f'flatpak-standin: not installed: {" ".join(missing)}')
    while todo:
        name = todo.pop()
        if name in wanted or name in excluded:
            continue
        wanted.add(name)
        for alternatives in packages[name][1]:
            # the first alternative this system has, as dpkg resolved it
            for alt in alternatives:
                if alt in packages:
                    todo.append(alt)
                    break
                if alt in providers:
                    todo.append(sorted(providers[alt])[0])
                    break
    return {name: packages[name][0] for name in wanted}


def package_files(name):
    for candidate in (name, name + ':amd64', name + ':all'):
        path = f'/var/lib/dpkg/info/{candidate}.list'
        if os.path.exists(path):
            with open(path) as f:
                return [line.rstrip('\n') for line in f]
    return []


def runtime_path(path):
    """Where a system path goes in the runtime's files/ (the sandbox's /usr)."""
    for prefix, to in (('/usr/', ''), ('/etc/', 'etc/'), ('/lib/', 'lib/'), ('/lib64/', 'lib64/'),
                       ('/bin/', 'bin/'), ('/sbin/', 'sbin/')):
        if path.startswith(prefix):
            return to + path[len(prefix):]
    return None


def place(src, dest):
    """Hard-links (or, for links, recreates) one entry; dirs are made as needed."""
    st = os.lstat(src)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if os.path.lexists(dest):
        return
    if os.path.islink(src):
        os.symlink(os.readlink(src), dest)
    elif os.path.isdir(src):
        os.makedirs(dest, exist_ok=True)
    elif st.st_mode & 0o444 == 0o444 or os.access(src, os.R_OK):
        try:
            os.link(src, dest)
        except OSError:
            subprocess.run(['cp', '-a', src, dest], check=True)


def tree(kind, target, seeds):
    versions = closure(seeds)
    files = os.path.join(target, 'files')
    os.makedirs(files, exist_ok=True)
    for name in sorted(versions):
        for path in package_files(name):
            rel = runtime_path(path)
            if rel is None or rel.startswith(SKIP_PREFIXES):
                continue
            if not os.path.lexists(path):
                continue
            place(path, os.path.join(files, rel))
    # what dpkg's maintainer scripts make rather than list: the alternatives
    # (cc, c++, pkg-config...) and the caches a package manager would build
    alternatives = '/etc/alternatives'
    os.makedirs(os.path.join(files, 'etc', 'alternatives'), exist_ok=True)
    for entry in os.listdir(alternatives):
        src = os.path.join(alternatives, entry)
        if os.path.islink(src):
            place(src, os.path.join(files, 'etc', 'alternatives', entry))
    for name, version in sorted(versions.items()):
        print(f'{name} {version}')


def ignored_dirs(top):
    """The folders .gitignore names at the top of the checkout (/build/...)."""
    dirs = []
    with open(os.path.join(top, '.gitignore')) as f:
        for line in f:
            m = re.fullmatch(r'/([^/*?\[\]]+)/?', line.strip())
            if m:
                dirs.append(m.group(1))
    return dirs


def local_manifest(manifest, top, out, substitutes):
    with open(manifest) as f:
        m = json.loads(re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S))
    done = set()

    def rewrite(modules):
        for module in modules:
            if isinstance(module, str):
                continue
            rewrite(module.get('modules', []))
            sources = []
            for src in module.get('sources', []):
                if src.get('type') == 'git' and src.get('tag') and module['name'] == m['command']:
                    # the app itself: this checkout, as it is now, less what
                    # git ignores at its top (build folders: they hold this
                    # very build). Relative: flatpak-builder --sandbox takes
                    # no folder outside the manifest's.
                    src = {'type': 'dir', 'path': os.path.relpath(top, os.path.dirname(os.path.abspath(out))),
                           'skip': ['.git', 'flatpak/build'] + ignored_dirs(top)}
                    done.add('app')
                elif src.get('type') == 'archive' and src.get('url') in substitutes:
                    path = substitutes[src['url']]
                    with open(path, 'rb') as f:
                        digest = hashlib.sha256(f.read()).hexdigest()
                    done.add(src['url'])
                    src = dict(src, url='file://' + os.path.abspath(path), sha256=digest)
                sources.append(src)
            module['sources'] = sources

    rewrite(m['modules'])
    unused = set(substitutes) - done
    if unused:
        sys.exit(f'flatpak-standin: no archive source has the URL {" ".join(sorted(unused))}')
    if 'app' not in done:
        sys.exit('flatpak-standin: the manifest has no git source with a tag for the app')
    with open(out, 'w') as f:
        json.dump(m, f, indent=4)
        f.write('\n')


def main(argv):
    if len(argv) >= 3 and argv[0] == 'tree':
        tree(argv[1], argv[2], argv[3:])
    elif len(argv) >= 2 and argv[0] == 'closure':
        for name, version in sorted(closure(argv[1:]).items()):
            print(f'{name} {version}')
    elif len(argv) >= 4 and argv[0] == 'local-manifest':
        substitutes = {}
        rest = argv[4:]
        while rest:
            if rest[0] != '--substitute' or len(rest) < 2 or '=' not in rest[1]:
                sys.exit('flatpak-standin: local-manifest MANIFEST TOP OUT [--substitute URL=FILE]...')
            url, path = rest[1].rsplit('=', 1)
            substitutes[url] = path
            rest = rest[2:]
        local_manifest(argv[1], argv[2], argv[3], substitutes)
    else:
        sys.exit(__doc__ if __doc__ else 'usage: see the header of flatpak-standin.py')


if __name__ == '__main__':
    main(sys.argv[1:])
