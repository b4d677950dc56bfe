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

workdir="$(mktemp -d "${TMPDIR:-/tmp}/stevedore-store.XXXXXX")"
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
PYTHONDONTWRITEBYTECODE=1 python3 "$here/store.py" --workdir "$workdir" --jar "$jar" \
  --s3proxy-jar "$s3proxy_jar" "$@" &
bench_pid=$!
wait "$bench_pid"
