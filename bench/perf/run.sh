#!/usr/bin/env bash
# Stevedore's performance benchmark (issue 8): Stevedore, nginx and CNCF distribution (proxy mode)
# side by side on loopback, in front of one docker-registry upstream. Reports warm blob throughput
# (1 and 16 clients), warm manifest requests/s (32 clients), a cold pull by 20 clients (wall time,
# upstream bytes) and peak RSS, as a table plus results.{md,json} and chart.svg under
# bench/perf/results/<date>-<time>-<commit>/. See bench/perf/README.md.
#
#   bench/perf/run.sh [--duration 10s] [--warmup 3s] [--clients 20] [--uplink-mibps 50] ...
#   bench/perf/run.sh --help
#
# Environment: REBUILD=1 rebuilds the jar even when it exists; MVN_FLAGS (e.g. -o) goes to Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar="$repo/proxy-server/target/stevedore.jar"
registry=/usr/bin/docker-registry

for arg in "$@"; do
  case "$arg" in
    -h | --help) exec python3 "$here/bench.py" --help ;;
  esac
done

say() { echo "perf: $*" >&2; }

command -v python3 >/dev/null || { say "needs python3 (3.9+; stdlib only)"; exit 2; }
command -v java >/dev/null || { say "needs Java 17: sudo apt-get install openjdk-17-jdk-headless"; exit 2; }

# nginx and wrk from Debian; docker-registry (CNCF distribution) too.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x "$registry" ] || missing+=(docker-registry)
# Installed without leaving their services (nginx on 80, docker-registry on 5000) running.
if [ ${#missing[@]} -gt 0 ]; then
  "$repo/build/apt-install.sh" "${missing[@]}" || exit 2
fi
PATH="$PATH:/usr/sbin"

# The jar, and the test classes the upstream's token service runs from.
# shellcheck source=../lib/java-build.sh
. "$here/../lib/java-build.sh"
bench_java_build "$repo" "${REBUILD:-0}"

# shellcheck source=../lib/run-bench.sh
. "$here/../lib/run-bench.sh"
cd "$repo"
bench_run_python perf "$here/bench.py" --jar "$jar" --test-classes "$repo/proxy-server/target/test-classes" "$@"
