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
# No --generate-cds-archive: Stevedore's own archive (stevedore.jsa, `warm-up --archive`) is a
#   static one of the JDK's and Stevedore's classes that start-up loads, and it replaces the
#   JDK's default archive (lib/server/classes.jsa, 13 MiB on disk) rather than sitting on it.
"$jdk/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$output"
