# shellcheck shell=bash
# Runs a benchmark's Python driver in a fresh work directory and cleans up after it, whatever
# happens: the driver is stopped on INT/TERM, every process it recorded in WORKDIR/pids that is
# still alive is stopped, and the work directory is removed.
#
#   bench_run_python NAME SCRIPT ARGS...   (from the repository root; the driver gets --workdir DIR)

bench_run_python() {
  local name=$1 script=$2
  shift 2
  bench_workdir="$(mktemp -d "${TMPDIR:-/tmp}/stevedore-$name.XXXXXX")"
  bench_pid=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  PYTHONDONTWRITEBYTECODE=1 python3 "$script" --workdir "$bench_workdir" "$@" &
  bench_pid=$!
  wait "$bench_pid"
}

bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  # Anything the driver started and could not stop (it records every PID it starts).
  if [ -f "$bench_workdir/pids" ]; then
    while read -r pid; do
      if kill -0 "$pid" 2>/dev/null; then
        echo "stopping leftover process $pid" >&2
        kill -TERM "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done <"$bench_workdir/pids"
  fi
  rm -rf "$bench_workdir"
  exit "$status"
}
