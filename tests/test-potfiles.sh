#!/bin/bash
# test-potfiles.sh SRCDIR: the translation set-up, as TAP.
#
#  1. every file under src/, ui/ and data/ with translatable strings (_(",
#     N_(", C_(", NC_(", ngettext, translatable="yes", gschema summaries) and
#     every desktop/metainfo .in file is listed in po/POTFILES.in;
#  2. every file POTFILES.in lists exists;
#  3. every language in po/LINGUAS has a .po that msgfmt --check accepts,
#     with no untranslated or fuzzy message (skipped without msgfmt);
#  4. as a TODO (never a failure): the .po files cover the strings the
#     sources have now, i.e. `meson compile -C build corewave-update-po` was
#     run and the new strings translated (skipped without xgettext/msgcmp).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1
n=0 failed=0
ok ()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
skip ()   { n=$((n + 1)); echo "ok $n - $* # SKIP"; }
diag ()   { sed 's/^/# /'; }

listed=$(sed -e 's/#.*//' -e 's/^\[[^]]*\][[:space:]]*//' -e 's/[[:space:]]*$//' po/POTFILES.in | grep -v '^$' | sort -u)

# 1. files with translatable strings are listed
marked=$( {
  grep -rlIE --include='*.c' --include='*.h' \
    '(^|[^A-Za-z0-9_])(N?C?_|Q_) ?\("|ngettext ?\(' src ui data 2>/dev/null
  grep -rlI --include='*.ui' --include='*.xml' --include='*.xml.in' 'translatable="yes"' src ui data 2>/dev/null
  grep -rlIE --include='*.gschema.xml' '<(summary|description)>' data 2>/dev/null
  find data src -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.appdata.xml.in' 2>/dev/null
} | sed 's|^\./||' | sort -u)
for f in $marked; do
  if grep -qxF "$f" <<<"$listed"; then
    ok "$f is in po/POTFILES.in"
  else
    not_ok "$f has translatable strings but is not in po/POTFILES.in"
  fi
done

# 2. listed files exist
for f in $listed; do
  if [ -f "$f" ]; then ok "po/POTFILES.in: $f exists"; else not_ok "po/POTFILES.in lists $f, which does not exist"; fi
done

# 3. every language compiles, complete
langs=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n' | grep -v '^$')
for lang in $langs; do
  po=po/$lang.po
  if ! command -v msgfmt >/dev/null; then skip "$po: no msgfmt"; continue; fi
  if [ ! -f "$po" ]; then not_ok "$po (listed in po/LINGUAS) exists"; continue; fi
  if ! out=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    not_ok "$po: msgfmt --check"; diag <<<"$out"; continue
  fi
  ok "$po: msgfmt --check"
  if grep -qE 'untranslated|fuzzy' <<<"$out"; then
    not_ok "$po is complete: $out"
  else
    ok "$po is complete: $out"
  fi
  if grep -q '^"Plural-Forms: nplurals=[0-9]*; plural=' "$po"; then
    ok "$po has Plural-Forms"
  else
    not_ok "$po has Plural-Forms"
  fi
done

# 4. the catalogues cover today's sources (TODO: a new string must not break the build)
if command -v xgettext >/dev/null && command -v msgcmp >/dev/null && [ -n "$langs" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  # the keywords and flags of meson's i18n.gettext(preset: 'glib')
  if xgettext --from-code=UTF-8 --add-comments --package-name=corewave -o "$tmp/corewave.pot" \
       --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
       --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
       --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
       --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
       --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
       --flag=g_set_error:4:c-format --flag=g_snprintf:3:c-format \
       $listed >"$tmp/log" 2>&1; then
    for lang in $langs; do
      [ -f "po/$lang.po" ] || continue
      if out=$(msgcmp "po/$lang.po" "$tmp/corewave.pot" 2>&1); then
        ok "po/$lang.po covers the current sources"
      else
        n=$((n + 1))
        echo "not ok $n - po/$lang.po covers the current sources (run corewave-update-po and translate) # TODO"
        head -n 20 <<<"$out" | diag
      fi
    done
  else
    skip "xgettext failed"; diag <"$tmp/log"
  fi
else
  skip "the catalogues cover the current sources: no xgettext/msgcmp"
fi

echo "1..$n"
exit $failed
