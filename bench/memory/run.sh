#!/usr/bin/env bash
# One warm load (bench/perf/run.sh: 16 blob clients, 32 manifest clients) with the given JVM
# options, sampled by sample.sh. Usage: bench/memory/run.sh NAME "JAVA OPTIONS" [more run.sh args]
# Writes /tmp/stevedore-memory/NAME/{idle,peak}.{nmt,heap,status,histo}, rss.tsv and bench.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="${1:?usage: run.sh NAME \"JAVA OPTIONS\"}"
opts="${2:-}"
shift 2 || true
out="${STEVEDORE_MEMORY_OUT:-/tmp/stevedore-memory}/$name"
rm -rf "$out" && mkdir -p "$out/work"
JAR="$out/work/stevedore.jar" "$here/sample.sh" "$out" 2>"$out/sample.log" &
sampler=$!
"$here/../perf/run.sh" --skip cold --skip manifest-tag --duration "${DURATION:-10s}" --rounds 1 \
  --workdir "$out/work" --results "$out/results" --java-opts "-XX:NativeMemoryTracking=summary $opts" "$@" \
  >"$out/bench.log" 2>&1 || echo "memory: bench/perf/run.sh failed, see $out/bench.log" >&2
wait "$sampler" || true
grep -E 'MiB/s|req/s|RSS|×' "$out/bench.log" | head -20 || true
cat "$out/sample.log"
