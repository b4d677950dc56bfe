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

# S3Proxy's jar with dependencies, as Maven Central publishes it, at the version the tests use.
s3proxy_version="$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' "$repo/pom.xml")"
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
s3proxy_jar="$m2/org/gaul/s3proxy/$s3proxy_version/s3proxy-$s3proxy_version-jar-with-dependencies.jar"
if [ ! -f "$s3proxy_jar" ]; then
  say "fetching org.gaul:s3proxy:$s3proxy_version:jar-with-dependencies from Maven Central"
  # shellcheck disable=SC2086
  (cd "$repo" && ./mvnw -B -q ${MVN_FLAGS:-} dependency:get -Dtransitive=false \
    "-Dartifact=org.gaul:s3proxy:$s3proxy_version:jar:jar-with-dependencies") >&2
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/stevedore-cluster.XXXXXX")"
bench_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  if [ -f "$workdir/pids" ]; then
    while read -r pid; do
      if kill -0 "$pid" 2>/dev/null; then
        say "stopping leftover process $pid"
        kill -TERM "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done <"$workdir/pids"
  fi
  rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$repo"
PYTHONDONTWRITEBYTECODE=1 python3 "$here/cluster.py" --workdir "$workdir" --jar "$jar" \
  --test-classes "$repo/proxy-server/target/test-classes" --s3proxy-jar "$s3proxy_jar" "$@" &
bench_pid=$!
wait "$bench_pid"
