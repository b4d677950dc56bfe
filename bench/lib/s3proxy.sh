# shellcheck shell=bash
# S3Proxy's jar with dependencies, as Maven Central publishes it, at the version the tests use
# (the root pom's s3proxy.version); fetched once into the local Maven repository.
#
#   bench_s3proxy_jar REPO   sets s3proxy_jar

bench_s3proxy_jar() {
  local repo=$1 version m2
  version="$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' "$repo/pom.xml")"
  m2="${MAVEN_REPO:-$HOME/.m2/repository}"
  s3proxy_jar="$m2/org/gaul/s3proxy/$version/s3proxy-$version-jar-with-dependencies.jar"
  if [ ! -f "$s3proxy_jar" ]; then
    echo "fetching org.gaul:s3proxy:$version:jar-with-dependencies from Maven Central" >&2
    # shellcheck disable=SC2086
    (cd "$repo" && ./mvnw -B -q ${MVN_FLAGS:-} dependency:get -Dtransitive=false \
      "-Dartifact=org.gaul:s3proxy:$version:jar:jar-with-dependencies") >&2
  fi
}
