#!/usr/bin/env bash
# A cold wave of pull clients through one cache and through replicas of one (issue 16), on
# loopback, in front of one counted upstream (docker-registry with token auth): Stevedore with
# --store as 1 replica and as a cluster of 3 (S3Proxy from Maven Central as the bucket), and CNCF
# distribution in proxy mode as 2 processes on one filesystem root. Reports the wave's wall time,
# upstream bytes (÷ the image) and counted manifest GETs and token requests, as a table plus
# results.{md,json} under bench/perf/results/<date>-<time>-cluster-<commit>/.
# See bench/perf/README.md, section "Replicas of one cache".
#
#   bench/perf/cluster.sh [--clients 20] [--big-mib 4] [--uplink-mibps 0] ...
#   bench/perf/cluster.sh --help
#
# Environment: REBUILD=1 rebuilds the jar even when it exists; MVN_FLAGS (e.g. -o) goes to Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jar="$repo/proxy-server/target/stevedore.jar"

say() { echo "cluster-bench: $*" >&2; }

command -v python3 >/dev/null || { say "needs python3 (3.9+; stdlib only)"; exit 2; }
command -v java >/dev/null || { say "needs Java 17: sudo apt-get install openjdk-17-jdk-headless"; exit 2; }
for arg in "$@"; do
  case "$arg" in
    -h | --help) exec python3 "$here/cluster.py" --s3proxy-jar - --workdir - --help ;;
  esac
done

# docker-registry (CNCF distribution) from Debian: the upstream and the compared cache.
if [ ! -x /usr/bin/docker-registry ]; then
  "$repo/build/apt-install.sh" docker-registry || exit 2
fi

# shellcheck source=../lib/java-build.sh
. "$here/../lib/java-build.sh"
bench_java_build "$repo" "${REBUILD:-0}"

# shellcheck source=../lib/s3proxy.sh
. "$here/../lib/s3proxy.sh"
bench_s3proxy_jar "$repo"

# shellcheck source=../lib/run-bench.sh
. "$here/../lib/run-bench.sh"
cd "$repo"
bench_run_python cluster "$here/cluster.py" --jar "$jar" --test-classes "$repo/proxy-server/target/test-classes" --s3proxy-jar "$s3proxy_jar" "$@"
