#!/usr/bin/env bash
# Samples the memory of the Stevedore JVM started from this worktree's jar (for example by
# bench/perf/run.sh) while it runs: RSS and thread count every second, and Native Memory Tracking
# (needs -XX:NativeMemoryTracking=summary in its flags), Netty's allocator and a class histogram
# once idle (the first sample) and at the highest RSS seen. Usage:
#   JAR=/tmp/w/stevedore.jar bench/memory/sample.sh OUT_DIR &
#   bench/perf/run.sh --workdir /tmp/w --java-opts "-XX:NativeMemoryTracking=summary ..." ...
# It ends when the JVM exits.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?usage: sample.sh OUT_DIR}"
mkdir -p "$out"
# bench/perf/run.sh copies the jar into its --workdir: JAR names the copy to watch.
jar="${JAR:-$repo/proxy-server/target/stevedore.jar}"
pid=""
until pid="$(pgrep -n -f -- "-jar $jar serve" || true)"; [ -n "$pid" ]; do sleep 0.2; done
sleep "${IDLE_WAIT:-4}"
snapshot() { # NAME
  jcmd "$pid" VM.native_memory summary >"$out/$1.nmt" 2>&1 || true
  jcmd "$pid" GC.heap_info >"$out/$1.heap" 2>&1 || true
  grep -E 'VmRSS|VmHWM|Threads' "/proc/$pid/status" >"$out/$1.status" || true
}
snapshot idle
jcmd "$pid" GC.class_histogram >"$out/idle.histo" 2>&1 || true
peak=0
: >"$out/rss.tsv"
while [ -e "/proc/$pid/status" ]; do
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  threads="$(awk '/Threads/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
  echo -e "$(date +%s)\t$rss\t$threads" >>"$out/rss.tsv"
  if [ "${rss:-0}" -gt $((peak + 4096)) ]; then
    peak="$rss"
    snapshot peak
    jcmd "$pid" GC.class_histogram -all >"$out/peak.histo" 2>&1 || true
  fi
  sleep 1
done
hwm="$(sort -t$'\t' -k2 -n "$out/rss.tsv" | tail -1 | cut -f2)"
echo "sample: idle $(awk '/VmRSS/ {print $2}' "$out/idle.status") KiB, highest sampled RSS ${hwm} KiB" >&2
