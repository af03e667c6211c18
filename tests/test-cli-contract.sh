#!/bin/bash
# tests/test-cli-contract.sh: what scripts and cluster jobs rely on in
# corewave-cli (docs/cli.md, docs/json.md, docs/cluster.md), as TAP:
# --version, the JSON schema (also in a comma-decimal locale), file lists,
# --shard slurm/auto, a folder of job logs, --check, -q, progress into a
# file, the usage line, the lab's options, the manual and completion.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=${CW_CLI_PATH:?}
src=${G_TEST_SRCDIR:-$(dirname "$0")}
schema=$src/../docs/json-schema-1.json
check_json () { python3 "$src/check-json.py" "$schema" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check () { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
same_tree () { diff -r "$1" "$2" >/dev/null; }
echo "1..27"

in=$work/in
"$cli" --demo "$in" --demo-count 7 --demo-seconds 0.3 >/dev/null
printf 'not audio' >"$in/bad.wav"

# 1. --version
v=$("$cli" --version); rc=$?
check "--version prints the version and exits 0" eval '[ $rc = 0 ] && [[ "$v" =~ ^corewave-cli\ [0-9]+\.[0-9]+\.[0-9]+$ ]]'

# 2-5. every JSON line fits docs/json-schema-1.json
"$cli" "$in" -o "$work/j" --json >"$work/j.json" 2>/dev/null
check "--json: results and summary fit the schema" check_json "$work/j.json"
grep -q '"seed":"0"' "$work/j.json" && grep -q '"chunk_auto":true' "$work/j.json"
check "--json: the seed is a string, the chunk size a number beside chunk_auto" [ $? = 0 ]
"$cli" "$in" -o "$work/jl" --joblog "$work/jl.log" -q >/dev/null 2>&1
"$cli" "$in" -o "$work/jl" --joblog "$work/jl.log" --check --json >"$work/check.json"
check "--check --json fits the schema" check_json "$work/check.json"
"$cli" lab overhead --quick -j 2 --json >"$work/lab.json" 2>/dev/null
check "lab --json fits the schema, numbers as numbers" \
  eval 'check_json "$work/lab.json" && grep -q "\"rows\":\[\[\"sequential\",null,[0-9]" "$work/lab.json"'

# 6-8. the same in a comma-decimal locale made here
loc=$work/locale
mkdir -p "$loc"
if localedef -i de_DE -f UTF-8 "$loc/de_DE.UTF-8" >/dev/null 2>&1 || [ -d "$loc/de_DE.UTF-8" ]; then
  export LOCPATH=$loc
  comma=$(LC_ALL=de_DE.UTF-8 printf '%.1f' 1.5 2>/dev/null)
  LC_ALL=de_DE.UTF-8 "$cli" "$in" -o "$work/de" --json --joblog "$work/de.log" >"$work/de.json" 2>/dev/null
  check "de_DE.UTF-8 (printf says $comma): --json still fits the schema" check_json "$work/de.json"
  check "de_DE.UTF-8: the job log's seconds have a point" \
    eval '[ "$(grep -v "^#" "$work/de.log" | cut -f4 | grep -vc "^[0-9]*\.[0-9]*$")" = 0 ]'
  LC_ALL=de_DE.UTF-8 "$cli" lab overhead --quick -j 2 --json --csv "$work/de.csv" >"$work/de-lab.json" 2>/dev/null
  check "de_DE.UTF-8: lab JSON fits, its CSV numbers have points" \
    eval 'check_json "$work/de-lab.json" && python3 -c "import csv,re,sys; sys.exit(any(re.fullmatch(r\"-?[0-9]+,[0-9]+\", f) for r in csv.reader(open(sys.argv[1])) for f in r))" "$work/de.csv"'
  unset LOCPATH
else
  for t in "de_DE.UTF-8: --json" "de_DE.UTF-8: the job log" "de_DE.UTF-8: lab"; do skip "$t" "localedef cannot build de_DE.UTF-8 (apt install locales)"; done
fi

# 9. -q: only errors, but every failure
err=$("$cli" "$in" -o "$work/q" -q 2>&1 >/dev/null); out=$("$cli" "$in" -o "$work/q2" -q 2>/dev/null)
check "-q prints each failure's failed: line and nothing else" \
  eval '[ -z "$out" ] && [ "$(grep -c "^failed: .*bad.wav" <<<"$err")" = 1 ]'

rm "$in/bad.wav"

# 10-12. --files-from: one batch, named as if given on the command line
ls "$in"/*.wav >"$work/list"
"$cli" $(cat "$work/list") -o "$work/args" -q 2>/dev/null
"$cli" --files-from "$work/list" -o "$work/lines" -q 2>/dev/null
check "--files-from FILE gives the command line's batch" same_tree "$work/args" "$work/lines"
find "$in" -name '*.wav' -print0 | sort -z | "$cli" --files-from - -0 -o "$work/nul" -q 2>/dev/null
check "--files-from - -0 reads find -print0 from stdin" same_tree "$work/args" "$work/nul"
printf '%s\0' "$in/example00.wav" >"$work/nul.list"
"$cli" --files-from "$work/nul.list" -o "$work/x" -q 2>/dev/null; rc=$?
"$cli" --files-from "$work/nul.list" -o "$work/y" -q 2>/dev/null; rc2=$?
"$cli" -0 "$in" -o "$work/z" 2>/dev/null; rc3=$?
check "a NUL-separated list needs -0; -0 needs --files-from" eval '[ $rc2 = 2 ] && [ $rc3 = 2 ]'

# 13-15. --shard slurm and auto, a folder of logs, --check
"$cli" "$in" -o "$work/one" -q 2>/dev/null
for id in 1 2 3; do
  SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 \
    "$cli" "$in" -o "$work/sl" --shard slurm --joblog "$work/logs/" -q 2>/dev/null
done
check "--shard slurm: an array from 1 runs every shard once; one log per shard" \
  eval 'same_tree "$work/one" "$work/sl" && [ "$(ls "$work/logs")" = "$(printf "shard-0.log\nshard-1.log\nshard-2.log")" ]'
"$cli" "$in" -o "$work/sl" --shard slurm -q 2>/dev/null; rc=$?
PARALLEL_SEQ=2 "$cli" "$in" -o "$work/pa" --shard auto/3 -q 2>/dev/null; rc2=$?
PARALLEL_SEQ=2 "$cli" "$in" -o "$work/pb" --shard 1/3 -q 2>/dev/null
check "--shard slurm outside an array is an error; auto/N under GNU parallel is job N's" \
  eval '[ $rc = 2 ] && [ $rc2 = 0 ] && same_tree "$work/pa" "$work/pb"'
"$cli" "$in" -o "$work/sl" --joblog "$work/logs/" --check >/dev/null; rc=$?
rm "$work/sl/example03.wav"
miss=$("$cli" "$in" -o "$work/sl" --joblog "$work/logs/" --check); rc2=$?
check "--check: 0 when the logs show every file done, 1 naming what is not" \
  eval '[ $rc = 0 ] && [ $rc2 = 1 ] && grep -q "example03.wav: no output" <<<"$miss"'

# 16. --progress into a file: plain lines, no escapes
"$cli" "$in" -o "$work/p" --progress 2>"$work/progress" >/dev/null
check "--progress into a file writes plain lines" \
  eval 'grep -q "^progress: 7/7 100% .* done" "$work/progress" && ! grep -q $'"'"'\033'"'"' "$work/progress"'

# 17-18. the usage line and --help
help=$(LC_ALL=C.UTF-8 "$cli" --help)
check "the usage line names INPUT… once" eval '[[ "$(sed -n 2p <<<"$help")" == *"[OPTION…] INPUT… -o OUTDIR" ]] && [ "$(grep -o "INPUT…" <<<"$(sed -n 2p <<<"$help")" | wc -l)" = 1 ]'
check "--help points at the lab" eval 'grep -q "corewave-cli lab --help" <<<"$help"'

# 19-20. the lab agrees with the main command: -j workers, -q quiet
q=$("$cli" lab overhead --quick -j 2 -q 2>&1); rc=$?
check "lab -j N and -q (quiet): nothing printed" eval '[ $rc = 0 ] && [ -z "$q" ]'
"$cli" lab overhead --quick -w 2 -q >/dev/null 2>&1; rc=$?
check "lab -w still works (the letter it had)" [ $rc = 0 ]

# 21-22. the manual and bash completion
man=${CW_MAN_PAGE:-$(dirname "$cli")/../data/cli/corewave-cli.1}
if [ -f "$man" ]; then
  check "the manual page is made from --help" eval 'grep -q -- "--files-from" "$man" && grep -q "corewave-cli lab" "$man"'
else
  skip "the manual page is made from --help" "help2man is not installed"
fi
completion=$src/../data/cli/corewave-cli.bash
if [ -f /usr/share/bash-completion/bash_completion ]; then
  words=$(bash -c '. /usr/share/bash-completion/bash_completion; . "$1"
    COMP_WORDS=(corewave-cli --order ""); COMP_CWORD=2; COMP_LINE="corewave-cli --order "; COMP_POINT=${#COMP_LINE}
    _corewave_cli; echo "${COMPREPLY[*]}"' _ "$completion")
  check "bash completion offers --order's values" eval '[ "$words" = "unordered ordered all" ]'
else
  skip "bash completion offers --order's values" "bash-completion is not installed"
fi

# 22b. every option --help lists is one the completion offers
missing=""
for opt in $("$cli" --help | grep -o -- ' --[a-z0-9-]*' | sort -u); do
  grep -q -- "$opt\b" "$completion" || missing="$missing $opt"
done
check "bash completion knows every option of --help${missing:+ (missing:$missing)}" [ -z "$missing" ]

# 23. --existing: skip keeps a file at an output's name and leaves its input out
mkdir -p "$work/ex"; printf 'MINE' >"$work/ex/example00.wav"
err=$("$cli" "$in" -o "$work/ex" --existing skip -q 2>&1); rc=$?
check "--existing skip keeps the file, says so, and does the rest" \
  eval '[ $rc = 0 ] && [ "$(cat "$work/ex/example00.wav")" = MINE ] && grep -q "skipped: .*example00.wav: its output .* exists (kept)" <<<"$err" && [ -f "$work/ex/example01.wav" ]'

# 24. --bits and --quality only where the format has them, values checked
bad=0
while IFS='|' read -r args want; do
  # shellcheck disable=SC2086
  msg=$("$cli" "$in" -o "$work/bad" $args 2>&1); rc=$?
  { [ $rc = 2 ] && grep -q -- "$want" <<<"$msg" && [ ! -e "$work/bad" ]; } || { bad=1; echo "# $args: exit $rc: $msg"; }
done <<'CASES'
-f mp3 --bits 16|--bits sets the sample format of WAV and FLAC outputs; mp3 has none
-f wav --quality 0.5|--quality sets the size of Ogg Vorbis, Opus and MP3 outputs; wav is lossless
-f flac --bits 32f|FLAC holds 16 or 24 bits, not 32-bit float
--quality 5|--quality must be a number from 0
--bits 8|--bits must be 16, 24 or 32f
CASES
check "--bits/--quality misuse is a usage error naming the option, before any work" [ $bad = 0 ]

# 25. the encoding is in the summary and the job log; "0,5" is read as 0.5
"$cli" "$in" -o "$work/enc" -f ogg --quality 0,5 --no-metadata --json -q --joblog "$work/enc.log" >"$work/enc.json" 2>/dev/null
check "--quality 0,5 --no-metadata: the summary and the job log say ogg;quality=0.50;no-metadata" \
  eval 'check_json "$work/enc.json" && grep -q "\"encoding\":\"ogg;quality=0.50;no-metadata\"" "$work/enc.json" && [ "$(grep -v "^#" "$work/enc.log" | cut -f8 | sort -u)" = "ogg;quality=0.50;no-metadata" ]'

# 26. before any work: what the format will do to the files
err=$("$cli" "$in" -o "$work/opus" -f opus -t copy 2>&1 >/dev/null); rc=$?
check "Opus from 44.1 kHz: a note before the run says the files are resampled to 48 kHz" \
  eval '[ $rc = 0 ] && [ "$(grep -c "^note: 7 files (example00.wav, example01.wav, example02.wav, …): resampled from 44100 to 48000 Hz" <<<"$err")" = 1 ]'
