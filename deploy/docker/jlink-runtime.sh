#!/bin/sh
# Builds the Java runtime of the image: jlink of the modules in jlink-modules (next to this
# script) out of a JDK. The Dockerfile, bench/image/size.sh, JlinkRuntimeIT and ScratchImageIT
# run it, so the image, the figures and the tests share one module list and one set of flags.
#   deploy/docker/jlink-runtime.sh JDK_HOME OUTPUT_DIR
set -eu
jdk=$1
output=$2
modules=$(grep -v -e '^#' -e '^[[:space:]]*$' "$(dirname "$0")/jlink-modules" | paste -sd, -)
# --strip-debug: also the native libraries' symbols, with objcopy (binutils) of the build stage.
# --compress=2: zip the class files in lib/modules (15 MiB instead of 32 MiB for this list); the
#   classes start-up needs come from the CDS archives, which are not compressed.
# --generate-cds-archive: the default CDS archive (lib/server/classes.jsa) of the JDK's own
#   classes, which the dynamic archive of Stevedore's classes (stevedore.jsa) is layered on.
"$jdk/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --generate-cds-archive --output "$output"
# The archive for heaps above 32 GB (no compressed oops): Stevedore's heap is far smaller, and a
# JVM without it only loses class-data sharing.
rm -f "$output/lib/server/classes_nocoops.jsa"
