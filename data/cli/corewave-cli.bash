# bash completion for corewave-cli
# SPDX-License-Identifier: GPL-3.0-or-later

_corewave_cli ()
{
  local cur prev words cword
  _init_completion -s || return

  if [[ ${words[1]} == lab ]]; then
    case $prev in
      -j|--workers) return ;;
      --csv) _filedir csv; return ;;
    esac
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--quick --workers --quiet --csv --json --help' -- "$cur"))
    elif ((cword == 2)); then
      COMPREPLY=($(compgen -W 'modes chunks overhead big-data shared-work order random-state all' -- "$cur"))
    else
      _filedir
    fi
    return
  fi

  case $prev in
    -o|--output-dir|--demo) _filedir -d; return ;;
    --files-from) _filedir; return ;;
    --joblog|--sshloginfile) _filedir; return ;;
    --worker-command) COMPREPLY=($(compgen -c -- "$cur")); return ;;
    --order) COMPREPLY=($(compgen -W 'unordered ordered all' -- "$cur")); return ;;
    --mode) COMPREPLY=($(compgen -W 'processes threads sequential' -- "$cur")); return ;;
    -f|--format) COMPREPLY=($(compgen -W 'same wav flac ogg opus mp3' -- "$cur")); return ;;
    -c|--chunk-size) COMPREPLY=($(compgen -W 'auto' -- "$cur")); return ;;
    --bits) COMPREPLY=($(compgen -W '16 24 32f' -- "$cur")); return ;;
    --quality) COMPREPLY=($(compgen -W '0.3 0.5 0.7 0.9' -- "$cur")); return ;;
    --existing) COMPREPLY=($(compgen -W 'rename replace skip fail' -- "$cur")); return ;;
    --layout) COMPREPLY=($(compgen -W 'tree flat' -- "$cur")); return ;;
    --shard) COMPREPLY=($(compgen -W 'slurm auto' -- "$cur")); return ;;
    -t|--transform)
      COMPREPLY=($(compgen -W 'noise:sigma=0.1 gain:db=-3 normalize:peak=-1 fade:in=500:out=2000 mono resample:rate=48000 loudness:lufs=-16:tp=-1 copy' -- "$cur"))
      return ;;
    --synthetic) COMPREPLY=($(compgen -W 'mul10:count= spin:count= fib:count=' -- "$cur")); compopt -o nospace; return ;;
    -j|--workers|--seed|--task-timeout|--demo-count|--demo-seconds) return ;;
  esac

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--output-dir --workers --chunk-size --order --transform --format
      --bits --quality --no-metadata --existing --layout --mode --seed --overwrite --json --progress --task-timeout --quiet --shard --joblog --resume
      --check --worker-command --sshloginfile --files-from --null --synthetic --demo --demo-count --demo-seconds --version --help' -- "$cur"))
  elif ((cword == 1)); then
    COMPREPLY=($(compgen -W 'lab' -- "$cur"))
    _filedir
  else
    _filedir
  fi
} &&
  complete -F _corewave_cli corewave-cli
