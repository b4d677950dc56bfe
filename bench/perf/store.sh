#!/usr/bin/env bash
# Warm blob throughput of Stevedore with the shared store (issue 15), beside nginx, on loopback:
# served from the local tier, streamed from the store, and by redirect (307 to S3Proxy), with
# S3Proxy (org.gaul:s3proxy from Maven Central, filesystem provider) as the S3 server. Writes a
# table plus results.{md,json} under bench/perf/results/<date>-<time>-store-<commit>/.
# See bench/perf/README.md, section "The shared store".
#
#   bench/perf/store.sh [--duration 10s] [--rounds 3] [--connections 1,16] ...
#   bench/perf/store.sh --help
#
# Environment: REBUILD=1 rebuilds the jar even when it exists; MVN_FLAGS (e.g. -o) goes to Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar="$repo/proxy-server/target/stevedore.jar"

say() { echo "store-bench: $*" >&2; }

command -v python3 >/dev/null || { say "needs python3 (3.9+; stdlib only)"; exit 2; }
command -v java >/dev/null || { say "needs Java 17: sudo apt-get install openjdk-17-jdk-headless"; exit 2; }
for arg in "$@"; do
  case "$arg" in
    -h | --help) exec python3 "$here/store.py" --s3proxy-jar - --workdir - --help ;;
  esac
done

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
if [ ${#missing[@]} -gt 0 ]; then
  "$repo/build/apt-install.sh" "${missing[@]}" || exit 2
fi
PATH="$PATH:/usr/sbin"

# shellcheck source=../lib/java-build.sh
. "$here/../lib/java-build.sh"
bench_java_build "$repo" "${REBUILD:-0}"

# shellcheck source=../lib/s3proxy.sh
. "$here/../lib/s3proxy.sh"
bench_s3proxy_jar "$repo"

# shellcheck source=../lib/run-bench.sh
. "$here/../lib/run-bench.sh"
cd "$repo"
bench_run_python store "$here/store.py" --jar "$jar" --s3proxy-jar "$s3proxy_jar" "$@"
