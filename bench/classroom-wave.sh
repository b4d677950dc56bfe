#!/usr/bin/env bash
# The classroom benchmark (issue 3): N clients (default 20) pull one two-platform image through a
# cold Stevedore at once, against a local token server + CNCF docker-registry + counting "CDN"
# front, all on loopback. Prints upstream bytes / image bytes, counted manifest GETs and the cold
# wave's wall time relative to one client alone, with the targets. See bench/README.md.
#
#   bench/classroom-wave.sh [--clients 20] [--layers 3] [--layer-mib 8] [--skopeo] [--check] ...
#   bench/classroom-wave.sh --help
#
# Environment: SKIP_BUILD=1 reuses the last build; MVN_FLAGS (e.g. -o) goes to every Maven call;
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

# shellcheck disable=SC2206
mvn_flags=(-B -q ${MVN_FLAGS:-})
classpath_file=proxy-server/target/bench-classpath.txt
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -s "$classpath_file" ]; then
  echo "classroom-wave: building (storage, proxy-core, proxy-server tests) ..." >&2
  ./mvnw "${mvn_flags[@]}" -DskipTests install -pl storage,proxy-core
  ./mvnw "${mvn_flags[@]}" -pl proxy-server test-compile
  ./mvnw "${mvn_flags[@]}" -pl proxy-server dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
fi

# Run from a private copy of Stevedore's classes, so a rebuild during the run (an IDE, another
# terminal) cannot pull classes from under the JVM; the copy goes away when the run ends.
snapshot=$(mktemp -d "${TMPDIR:-/tmp}/stevedore-bench-classes.XXXXXX")
trap 'rm -rf "$snapshot"' EXIT
for module in storage proxy-core proxy-server; do
  cp -r "$module/target/classes" "$snapshot/$module-classes"
done
cp -r proxy-server/target/test-classes "$snapshot/proxy-server-test-classes"
for class in storage-classes/dev/stevedore/storage/FileSystemBlobStore \
  proxy-core-classes/dev/stevedore/core/cache/BlobService \
  proxy-server-classes/dev/stevedore/server/StevedoreProxy \
  proxy-server-test-classes/dev/stevedore/server/it/support/Upstream \
  proxy-server-test-classes/dev/stevedore/server/bench/ClassroomWave; do
  if [ ! -f "$snapshot/$class.class" ]; then
    echo "classroom-wave: $class.class is missing (a build running elsewhere?); run again" \
      "without SKIP_BUILD=1" >&2
    exit 1
  fi
done
# the third-party jars of the test classpath, without Stevedore's own installed modules
dependencies=$(tr ':' '\n' <"$classpath_file" | grep -v '/dev/stevedore/' | paste -sd: -)
classpath="$snapshot/proxy-server-test-classes:$snapshot/proxy-server-classes"
classpath+=":$snapshot/proxy-core-classes:$snapshot/storage-classes:$dependencies"

# The harness listens on 127.0.0.1 and 127.0.0.2 only; keep every client off any HTTP proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
# shellcheck disable=SC2206
java_opts=(${BENCH_JAVA_OPTS:--Xmx2g})
java "${java_opts[@]}" \
  -Dstevedore.it.docker-registry="$registry_binary" \
  -cp "$classpath" \
  dev.stevedore.server.bench.ClassroomWave "$@"
