# Sourced by the benchmarks that run Java: builds and snapshots Stevedore's jar and proxy-server's
# test classes (the benchmarks' Java helpers live in dev.stevedore.server.bench), with the reactor
# `package` build only: nothing is installed into ~/.m2.
#
#   bench_java_build REPO FORCE   builds when FORCE=1 or when the jar or the test classes are missing
#
# The classpath of the helpers is then proxy-server/target/test-classes plus the shaded
# stevedore.jar: their runtime dependencies (Jackson, Bouncy Castle, SLF4J) are all in the jar.
# Run copies of both, so that a rebuild during the run cannot pull classes from under a running JVM.
# MVN_FLAGS (e.g. -o) goes to Maven.

bench_java_build() {
  local repo=$1 force=$2
  local jar="$repo/proxy-server/target/stevedore.jar"
  local helpers="$repo/proxy-server/target/test-classes/dev/stevedore/server/bench"
  if [ "$force" = 1 ] || [ ! -f "$jar" ] || [ ! -d "$helpers" ]; then
    echo "bench: building $jar and the test classes (./mvnw -B -q -DskipTests package)" >&2
    # shellcheck disable=SC2086
    (cd "$repo" && ./mvnw -B -q ${MVN_FLAGS:-} -DskipTests package) >&2
  fi
}
