#!/bin/bash
# tests/test-shard.sh: one batch over several runs (TAP, suite 'cluster').
#
# --shard I/N runs give one run's outputs byte for byte; --joblog lines stay
# whole when runs append at once; --resume finishes a batch killed with
# SIGKILL without redoing finished files or leaving part files; GNU parallel
# (and, when it can start here, a one-node Slurm on loopback) runs the
# recipes of docs/cluster.md.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
cli=${CW_CLI_PATH:?CW_CLI_PATH is not set}

work=$(mktemp -d)
daemons=()
cleanup () {
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${daemons[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

n=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip () { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check () { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }

# same_tree A B: the same files in the same subfolders, byte-identical
same_tree () {
  diff -r -q "$1" "$2" >&2
}
no_part () { [ -z "$(find "$1" -name '.*.part')" ]; }
log_lines () { grep -vc '^#' "$1"; }

# recipe NAME: the shell block under "<!-- recipe: NAME" in docs/cluster.md,
# with this test's paths and corewave-cli in place of the page's
page=${G_TEST_SRCDIR:-$(dirname "$0")}/../docs/cluster.md
recipe () {
  awk -v name="$1" '
    index($0, "<!-- recipe: " name) == 1 { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$page" |
    sed -e "s|/shared/archive|$in|g" -e "s|/shared/noisy|$2|g" -e "s|corewave-cli |$cli |g"
}

echo "1..16"

# Two folders with the same basenames: the keys "exampleNN.wav" and
# "exampleNN (1).wav" must be planned over the whole list in every shard.
in=$work/in
"$cli" --demo "$in/a" --demo-count 7 --demo-seconds 2 >/dev/null
"$cli" --demo "$in/b" --demo-count 5 --demo-seconds 3 >/dev/null
"$cli" "$in" -o "$work/one" -j 2 -q
total=$(find "$work/one" -type f | wc -l)

# 1. three shards, run one after another, equal one run
for i in 0 1 2; do "$cli" "$in" -o "$work/s3" --shard "$i/3" -j 1 -q; done
check "3 shards give one run's files, byte for byte ($total files)" same_tree "$work/one" "$work/s3"

# 2. the partition does not depend on the arguments' order (two folders
# given: their files meet at the top of -o, exampleNN.wav and exampleNN (1).wav)
"$cli" "$in/a" "$in/b" -o "$work/two" -q
for i in 0 1 2; do
  if [ "$i" = 1 ]; then args=("$in/b" "$in/a"); else args=("$in/a" "$in/b"); fi
  "$cli" "${args[@]}" -o "$work/order" --shard "$i/3" -q
done
check "shards sort the inputs: argument order does not change the partition" \
  same_tree "$work/two" "$work/order"

# 3. more shards than files: the empty ones succeed and write nothing
rc=0
for i in $(seq 0 $((total + 1))); do "$cli" "$in" -o "$work/many" --shard "$i/$((total + 2))" -q || rc=1; done
check "shards beyond the file count are empty and succeed" \
  eval '[ $rc = 0 ] && same_tree "$work/one" "$work/many"'

# 4-5. three shards at once appending to one log
"$cli" --demo "$work/many-in" --demo-count 90 --demo-seconds 0.2 >/dev/null
for i in 0 1 2; do
  "$cli" "$work/many-in" -o "$work/conc" --shard "$i/3" -j 2 -c 1 --joblog "$work/conc.log" -q &
done
wait
bad=$(grep -v '^#' "$work/conc.log" | awk -F'\t' 'NF != 10 || $3 != "ok" || $5 !~ /^xxh64t:[0-9a-f]+$/ || length($5) != 23' | wc -l)
check "concurrent shards: 90 intact log lines, one header" \
  eval '[ "$(log_lines "$work/conc.log")" = 90 ] && [ "$bad" = 0 ] && [ "$(grep -c "^#" "$work/conc.log")" = 1 ]'
resumed=$("$cli" "$work/many-in" -o "$work/conc" --joblog "$work/conc.log" --resume --json -q | grep -o '"resumed":[0-9]*')
check "the log's checksums match every output (a resume skips all 90)" [ "$resumed" = '"resumed":90' ]

# 6-8. kill -9 mid-way, then --resume
"$cli" --demo "$work/k-in" --demo-count 20 --demo-seconds 45 >/dev/null
"$cli" "$work/k-in" -o "$work/k-one" -j 1 -f flac -t normalize,noise,fade:in=100 -q
"$cli" "$work/k-in" -o "$work/k" -j 1 -f flac -t normalize,noise,fade:in=100 --joblog "$work/k.log" -q &
kpid=$!
for _ in $(seq 300); do
  [ -f "$work/k.log" ] && [ "$(log_lines "$work/k.log")" -ge 4 ] && break
  sleep 0.02
done
kill -9 "$kpid"; wait "$kpid" 2>/dev/null
sleep 0.2   # the worker dies with its parent (PR_SET_PDEATHSIG)
before=$(log_lines "$work/k.log")
grep -v '^#' "$work/k.log" | cut -f2 | sort >"$work/k.done"
stat -c '%n %Y.%y %i' $(cat "$work/k.done") >"$work/k.stat-before"
# a temporary a killed worker could leave on a file system without unnamed
# files (made sure of, not left to timing), and one of a name not planned
: >"$work/k/.example19.flac.4242.part"
: >"$work/k/.not-ours.flac.4242.part"
"$cli" "$work/k-in" -o "$work/k" -j 1 -f flac -t normalize,noise,fade:in=100 --joblog "$work/k.log" --resume -q
rc=$?
stat -c '%n %Y.%y %i' $(cat "$work/k.done") >"$work/k.stat-after"
after=$(log_lines "$work/k.log")
if [ "$before" -ge 4 ] && [ "$before" -lt 20 ] && [ $rc = 0 ]; then
  ok "killed after $before of 20 files; the resume exits 0"
else
  not_ok "kill -9 mid-way, then --resume" "before=$before rc=$rc"
fi
check "the resume did not redo finished files ($before kept untouched, $((after - before)) more logged)" \
  eval 'cmp -s "$work/k.stat-before" "$work/k.stat-after" && [ "$after" = 20 ] && [ "$(grep -v "^#" "$work/k.log" | cut -f2 | sort -u | wc -l)" = 20 ]'
check "the resumed batch equals a clean run byte for byte; only its own part files removed" \
  eval '[ -e "$work/k/.not-ours.flac.4242.part" ] && rm "$work/k/.not-ours.flac.4242.part" && same_tree "$work/k-one" "$work/k" && no_part "$work/k"'

# 9. a file in the output folder that the log does not vouch for is the
# user's: kept, and that input fails; the rest are done
printf 'junk' >"$work/conc/example00.wav"
rm "$work/conc/example01.wav"
"$cli" "$work/many-in" -o "$work/conc" --joblog "$work/conc.log" --resume -q 2>"$work/conc.err"
rc=$?
"$cli" "$work/many-in" -o "$work/conc-ref" -q
check "--resume keeps a file the log does not vouch for, and redoes what is missing" \
  eval '[ $rc = 1 ] && [ "$(cat "$work/conc/example00.wav")" = junk ] && cmp -s "$work/conc-ref/example01.wav" "$work/conc/example01.wav" && grep -q "output exists" "$work/conc.err"'

# 10. GNU parallel running the shards
if command -v parallel >/dev/null; then
  parallel --will-cite -j 2 "$cli" "$in" -o "$work/par" --shard {}/3 -j 1 -q ::: 0 1 2
  check "GNU parallel: 3 shards equal one run" same_tree "$work/one" "$work/par"
else
  skip "GNU parallel: 3 shards equal one run" "parallel is not installed"
fi

# 11. docs/cluster.md's GNU parallel recipe as written, with ':' (this
# machine, twice) as the hosts
if command -v parallel >/dev/null; then
  script=$(recipe parallel "$work/ssh" | sed -e 's|--sshlogin 1/host1,1/host2,1/:|--sshlogin 2/: --workdir "$work"|' -e 's|^N=16$|N=4|')
  if grep -q -- '--sshlogin 2/:' <<<"$script" && grep -q -- '--check' <<<"$script"; then
    verdict=$(cd "$work" && bash -c "$script" 2>&1)
    check "GNU parallel recipe (host ':'): 4 shards equal one run, and the check says so" \
      eval 'same_tree "$work/one" "$work/ssh" && [ "$(cat "$work"/ssh.logs/*.log | log_lines /dev/stdin)" = "$total" ] && grep -q "^Complete" <<<"$verdict"'
  else
    not_ok "GNU parallel recipe" "docs/cluster.md's recipe has drifted from what this test can run:" "$script"
  fi
else
  skip "GNU parallel recipe" "parallel is not installed"
fi

# 12. docs/cluster.md's Slurm job array on a one-node cluster on loopback
slurm_why=""
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  slurm_why="slurm-wlm and munge are not installed"
elif [ "$(id -u)" != 0 ]; then
  slurm_why="a one-node Slurm needs root here (slurmd runs jobs as their users)"
fi
if [ -z "$slurm_why" ]; then
  sd=$work/slurm
  mkdir -p "$sd/state" "$sd/spool" "$sd/munge"
  chmod 700 "$sd/munge"
  mungekey --create --keyfile "$sd/munge/key" --force 2>/dev/null
  munged -F --force --socket="$sd/munge/sock" --key-file="$sd/munge/key" \
    --pid-file="$sd/munge/pid" --log-file="$sd/munge/log" --seed-file="$sd/munge/seed" 2>>"$sd/err" &
  daemons+=($!)
  port=$((20000 + RANDOM % 20000))
  cat >"$sd/slurm.conf" <<EOF
ClusterName=corewave-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sd/munge/sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$sd/state
SlurmdSpoolDir=$sd/spool
SlurmctldPidFile=$sd/slurmctld.pid
SlurmdPidFile=$sd/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=$sd/slurmctld.log
SlurmdLogFile=$sd/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=cw Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$sd/slurm.conf
  for _ in $(seq 50); do [ -S "$sd/munge/sock" ] && break; sleep 0.1; done
  slurmctld -D -i 2>>"$sd/err" & daemons+=($!)
  slurmd -D -N localhost 2>>"$sd/err" & daemons+=($!)
  up=""
  for _ in $(seq 60); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && { up=1; break; }
    sleep 0.5
  done
  if [ -z "$up" ]; then
    slurm_why="Slurm did not start in 30 s: $(tail -n 3 "$sd/err" "$sd/slurmctld.log" "$sd/slurmd.log" 2>/dev/null | tr '\n' ' ')"
  fi
fi
if [ -z "$slurm_why" ]; then
  # docs/cluster.md's script and submission as written, with this test's
  # paths and an array that does not start at 0
  recipe slurm-array "$work/slurm-out" | sed -e 's|--array=0-15|--array=1-3|' -e 's|--cpus-per-task=8|--cpus-per-task=1|' \
    >"$sd/corewave-array.sh"
  # --wait: each sbatch returns when its jobs have ended
  recipe slurm-submit "$work/slurm-out" | sed -e 's|^array=$(sbatch |array=$(sbatch --wait -o "$sd/job-%a.out" |' \
    -e 's|^sbatch --dependency|sbatch --wait --dependency|' >"$sd/submit.sh"
  if grep -q -- '--shard slurm' "$sd/corewave-array.sh" && grep -q -- '--array=1-3' "$sd/corewave-array.sh" \
     && (cd "$sd" && timeout 120 bash submit.sh >/dev/null 2>>"$sd/err"); then
    check "Slurm job array (--array=1-3, --shard slurm) equals one run" \
      eval 'same_tree "$work/one" "$work/slurm-out" && [ "$(cat "$work"/slurm-out.logs/*.log | log_lines /dev/stdin)" = "$total" ]'
    check "Slurm: the dependent --check job says the batch is complete" \
      grep -q '^Complete' "$sd/corewave-check.out"
  else
    not_ok "Slurm job array" "$(cat "$sd/corewave-array.sh" "$sd/submit.sh"; tail -n 5 "$sd/err" "$sd"/job-*.out 2>/dev/null)"
    not_ok "Slurm: the dependent --check job"
  fi
else
  skip "Slurm job array equals one run" "$slurm_why"
  skip "Slurm: the dependent --check job" "$slurm_why"
fi

# 14. docs/cluster.md's --sshloginfile recipe as written, with an ssh that
# runs the remote command here through a shell, as sshd would (there is no
# password-less sshd on the test machines)
mkdir -p "$work/bin" "$work/hosts-run"
cat >"$work/bin/ssh" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in -T) shift ;; -p|-o|-l) shift 2 ;; *) break ;; esac; done
host=$1; shift
echo "$host $*" >>"$SSH_LOG"
sh -c "$*"
EOF
chmod +x "$work/bin/ssh"
script=$(recipe sshlogin "$work/hosts-out")
if grep -q -- '--sshloginfile hosts' <<<"$script" && grep -q '^2/node1$' <<<"$script"; then
  (cd "$work/hosts-run" && SSH_LOG=$work/ssh.log PATH=$work/bin:$PATH bash -c "$script") 2>"$work/hosts.err"
  rc=$?
  check "--sshloginfile recipe: 2 + 2 workers over ssh and 1 here equal one run, one job log"     eval '[ $rc = 0 ] && same_tree "$work/one" "$work/hosts-out" && [ "$(grep -c "^node1 " "$work/ssh.log")" = 2 ] && [ "$(grep -c "^node2 " "$work/ssh.log")" = 2 ] && [ "$(log_lines "$work/hosts-out.log")" = "$total" ]'
else
  not_ok "--sshloginfile recipe" "docs/cluster.md's recipe has drifted from what this test can run:" "$script"
fi

# 15. a worker behind a command (no exec: it is the wrapper's exit status
# the pool sees, as with ssh) dies in the middle of a task: the task runs
# again on a new worker and the outputs are the same
worker=$(dirname "$cli")/corewave-worker
cat >"$work/wrap.sh" <<EOF
#!/bin/sh
# the first worker started crashes on example03 (one slot: it is given every file)
if mkdir "$work/crashed" 2>/dev/null; then export CW_TEST_CRASH_ON=example03; fi
"$worker" "\$@"
EOF
chmod +x "$work/wrap.sh"
"$cli" "$in" -o "$work/wc-out" --worker-command "$work/wrap.sh" -j 1 --json -q >"$work/wc.json" 2>"$work/wc.err"
rc=$?
check "--worker-command: a worker lost mid-task is replaced, its task retried, outputs equal one run" \
  eval '[ $rc = 0 ] && [ -d "$work/crashed" ] && same_tree "$work/one" "$work/wc-out" && grep -q "\"retried\":[1-9]" "$work/wc.json" && grep -q "\"worker_deaths\":1" "$work/wc.json" && no_part "$work/wc-out"'

# 16. a command that cannot run a worker fails the batch with its name,
# and a bad hosts file is a usage error naming its line
"$cli" "$in" -o "$work/wc-bad" --worker-command "$work/no-such-command --flag" -q 2>"$work/wc-bad.err"
rc=$?
printf 'node1\n0/node2\n' >"$work/bad-hosts"
"$cli" "$in" -o "$work/wc-bad2" --sshloginfile "$work/bad-hosts" -q 2>"$work/wc-bad2.err"
rc2=$?
check "--worker-command that cannot start: exit 1 naming it; --sshloginfile 0/host: exit 2 naming the line" \
  eval '[ $rc = 1 ] && grep -q "no-such-command --flag" "$work/wc-bad.err" && [ $rc2 = 2 ] && grep -q "bad-hosts:2:" "$work/wc-bad2.err" && [ ! -e "$work/wc-bad2" ]'
