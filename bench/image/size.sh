#!/bin/sh
# The image's payload, measured on this machine without pulling anything: the jlink runtime
# (deploy/docker/jlink-runtime.sh, the Dockerfile's script and module list) built from a local JDK
# 17, the jar, the CDS archive, the C libraries (deploy/docker/rootfs.sh), all assembled as the
# image's file system; with a reachable Docker daemon, that file system imported as an image.
#   bench/image/size.sh [JDK_HOME]     (default: the JDK of `java` on PATH; needs its jmods)
# Run from the repository root after ./mvnw -B -DskipTests package.
set -eu
jdk=${1:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jar=proxy-server/target/stevedore.jar
[ -f "$jar" ] || { echo "no $jar: run ./mvnw -B -DskipTests package first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size() { du -sb "$@" | awk '{ s += $1 } END { print s }'; }

mkdir -p "$root/opt/stevedore"
deploy/docker/jlink-runtime.sh "$jdk" "$root/opt/java" > /dev/null
cp "$jar" deploy/jvm/jvm.options "$root/opt/stevedore/"
# The archive as the Dockerfile records it.
"$root/opt/java/bin/java" @deploy/jvm/jvm.options -jar "$root/opt/stevedore/stevedore.jar" \
  warm-up --archive "$root/opt/stevedore/stevedore.jsa" --with-config > "$work/cds.log" 2>&1
JAVA_HOME=$jdk deploy/docker/rootfs.sh "$root"

runtime=$(size "$root/opt/java")
libs=$(size "$root/lib" "$root/lib64")
total=$(size "$root")
echo "JDK:              $jdk ($("$jdk/bin/java" -version 2>&1 | head -n 1))"
echo "full JDK:         $(mib "$(size "$jdk/")") (du -sb)"
echo "jlink runtime:    $(mib "$runtime") (du -sb; modules: $(grep -v -e '^#' -e '^$' deploy/docker/jlink-modules | paste -sd, -))"
echo "  lib/modules:    $(mib "$(size "$root/opt/java/lib/modules")")"
echo "  libjvm.so:      $(mib "$(size "$root/opt/java/lib/server/libjvm.so")")"
echo "jar:              $(mib "$(size "$jar")")"
echo "CDS archive:      $(mib "$(size "$root/opt/stevedore/stevedore.jsa")") (classes of an idle serve --config: warm-up --with-config)"
echo "C libraries:      $(mib "$libs") ($(cd "$root" && find lib lib64 -type f | sort | paste -sd' ' -))"
echo "image file system: $(mib "$total") (du -sb of the assembled rootfs: the uncompressed image)"
echo "  as tar.gz:      $(mib "$(tar -C "$root" -c . | gzip -6 | wc -c)") (about what a registry stores and a node pulls)"
if docker info > /dev/null 2>&1; then
  id=$(tar -C "$root" -c . | docker import - stevedore-size:probe)
  echo "docker image:     $(mib "$(docker image inspect --format '{{.Size}}' "$id")") (docker import of the rootfs)"
  docker image rm stevedore-size:probe > /dev/null
else
  echo "docker image:     not built (no reachable Docker daemon; the rootfs above is its content)"
fi
