#!/usr/bin/env bash
# The classroom benchmark (issue 3): N clients (default 20) pull one two-platform image through a
# cold Stevedore at once, against a local token server + CNCF docker-registry + counting "CDN"
# front, all on loopback. Prints upstream bytes / image bytes, counted manifest GETs and the cold
# wave's wall time relative to one client alone, with the targets. See bench/README.md.
#
#   bench/classroom-wave.sh [--clients 20] [--layers 3] [--layer-mib 8] [--skopeo] [--check] ...
#   bench/classroom-wave.sh --help
#
# Environment: SKIP_BUILD=1 reuses the last build (the jar and proxy-server's test classes);
# MVN_FLAGS (e.g. -o) goes to Maven;
# BENCH_JAVA_OPTS replaces the JVM options (default -Xmx2g); STEVEDORE_TEST_LOG_LEVEL=INFO shows
# Stevedore's logs (default WARN).
set -euo pipefail
cd "$(dirname "$0")/.."

registry_binary=/usr/bin/docker-registry
help_wanted=0
skopeo_wanted=0
for arg in "$@"; do
  case "$arg" in
    -h | --help) help_wanted=1 ;;
    --skopeo) skopeo_wanted=1 ;;
  esac
done
if [ "$help_wanted" = 0 ] && [ ! -x "$registry_binary" ]; then
  echo "classroom-wave: needs the CNCF distribution registry at $registry_binary;" \
    "install it with: sudo build/apt-install.sh docker-registry" >&2
  exit 1
fi
if [ "$skopeo_wanted" = 1 ] && ! command -v skopeo >/dev/null 2>&1; then
  echo "classroom-wave: --skopeo needs skopeo;" \
    "install it with: sudo build/apt-install.sh skopeo" >&2
  exit 1
fi

# shellcheck source=lib/java-build.sh
. bench/lib/java-build.sh
if [ "${SKIP_BUILD:-0}" = 1 ]; then force_build=0; else force_build=1; fi
bench_java_build "$PWD" "$force_build"

# Run from a private copy of the jar and the test classes, so a rebuild during the run (an IDE,
# another terminal) cannot pull classes from under the JVM; the copy goes away when the run ends.
snapshot=$(mktemp -d "${TMPDIR:-/tmp}/stevedore-bench-classes.XXXXXX")
trap 'rm -rf "$snapshot"' EXIT
cp proxy-server/target/stevedore.jar "$snapshot/stevedore.jar"
cp -r proxy-server/target/test-classes "$snapshot/test-classes"
if [ ! -f "$snapshot/test-classes/dev/stevedore/server/bench/ClassroomWave.class" ]; then
  echo "classroom-wave: ClassroomWave.class is missing (a build running elsewhere?); run again" \
    "without SKIP_BUILD=1" >&2
  exit 1
fi
classpath="$snapshot/test-classes:$snapshot/stevedore.jar"

# The harness listens on 127.0.0.1 and 127.0.0.2 only; keep every client off any HTTP proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
# shellcheck disable=SC2206
java_opts=(${BENCH_JAVA_OPTS:--Xmx2g})
# Each run writes its raw numbers and figures to bench/results/classroom-wave/<date>-<time>-<commit>/
# results.json (committed when the README cites it; see bench/README.md).
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit+=-dirty; fi
results_dir="bench/results/classroom-wave/$(date +%Y%m%d-%H%M%S)-$commit"
java "${java_opts[@]}" \
  -Dstevedore.it.docker-registry="$registry_binary" \
  -Dstevedore.bench.commit="$commit" \
  -cp "$classpath" \
  dev.stevedore.server.bench.ClassroomWave --results "$results_dir" "$@"
