#!/usr/bin/env bash
# Idle memory of a fresh Stevedore: starts `serve` with the given JVM options on a free port,
# waits until /v2/ answers and then IDLE_WAIT seconds more, and prints RSS, threads and the
# Native Memory Tracking summary. Usage: bench/memory/idle.sh "JAVA OPTIONS" [OUT_FILE]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
opts="${1:-}"
out="${2:-/dev/stdout}"
jar="${JAR:-$repo/proxy-server/target/stevedore.jar}"
java="${JAVA:-java}"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# shellcheck disable=SC2086 # opts is a list of flags
STEVEDORE_LOG_LEVEL=WARN "$java" -XX:NativeMemoryTracking=summary $opts -jar "$jar" serve \
  --listen "127.0.0.1:$port" --data "$data" >"$data.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$data.log"' EXIT
until curl -fs -o /dev/null "http://127.0.0.1:$port/v2/"; do
  kill -0 "$pid" 2>/dev/null || { cat "$data.log" >&2; exit 1; }
  sleep 0.2
done
sleep "${IDLE_WAIT:-5}"
{
  grep -E 'VmRSS|VmHWM|Threads' "/proc/$pid/status"
  grep -E '^(Rss|Anonymous|Shared_Clean|Private_Clean|Private_Dirty)' "/proc/$pid/smaps_rollup"
  jcmd "$pid" VM.native_memory summary | grep -E '^Total|^-' | sed -E 's/\(reserved=[0-9]+KB, //; s/\)$//'
} >"$out"
