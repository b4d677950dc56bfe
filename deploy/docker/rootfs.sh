#!/bin/sh
# Completes ROOTFS, which already holds the Java runtime (opt/java) and Stevedore (opt/stevedore),
# into the whole file system of a FROM scratch image: the shared libraries the ELF files in it
# need (as ldd resolves them here, in the JDK stage that built the runtime), the user 10001, /tmp.
#   JAVA_HOME=JDK deploy/docker/rootfs.sh ROOTFS
set -eu
root=$1

# The libraries of every ELF file of the runtime, the dynamic loader among them, at the paths ldd
# names them (bin/java's interpreter is /lib64/ld-linux-x86-64.so.2); the runtime's own ($ORIGIN)
# are there already. cp -L copies the file a symlink points to under the link's name.
# The jars' native libraries count too: Netty's epoll transport (META-INF/native/, unpacked into
# /tmp at run time) needs libdl.so.2, which nothing of the JDK links; without it Netty falls back
# to NIO. They are unpacked with the build JDK's jar tool ($JAVA_HOME), next to ROOTFS.
# libgcc_s is dlopen()ed by glibc to unwind a thread that is cancelled or exits, so it is added
# even though ldd does not list it.
native=$root.native
mkdir -p "$native"
find "$root" -name '*.jar' -exec sh -c \
  'cd "$1" && "$JAVA_HOME/bin/jar" xf "$2" META-INF/native/' sh "$native" {} \;
find "$root" "$native" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c \
  'head -c 4 "$1" | grep -q ELF && ldd "$1" 2>/dev/null | sed "s|^|$1: |" || true' sh {} \; \
  > "$root.ldd"
# A library this stage lacks would be missing in the image too (ldd of another architecture's
# library says "not a dynamic executable" instead, and is skipped). libjvm.so is the exception:
# the launcher loads it from lib/server before the JDK libraries that name it.
if grep 'not found' "$root.ldd" | grep -v 'libjvm.so => not found' >&2; then exit 1; fi
sed 's/^[^:]*: //' "$root.ldd" \
  | sed -n -e 's/.*=> \(\/[^ ]*\) (0x.*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
  | grep -v "^$root/" | sort -u > "$root.libs"
libgcc=$(ldconfig -p | sed -n 's/.*libgcc_s.so.1 (libc6,x86-64) => //p' | head -n 1)
if [ -n "$libgcc" ]; then echo "$libgcc" >> "$root.libs"; fi
while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done < "$root.libs"
rm -r "$root.ldd" "$root.libs" "$native"

# Netty unpacks its epoll library into java.io.tmpdir; the JVM keeps its perf data there.
mkdir -p "$root/etc" "$root/tmp" "$root/etc/stevedore" "$root/var/lib/stevedore"
chmod 1777 "$root/tmp"
# A fixed uid/gid so Kubernetes' runAsNonRoot can check it and fsGroup/hostPath ownership agree
# (deploy/kubernetes/*.yaml use 10001); named, so the JVM's user.home is the data directory.
{
  echo 'root:x:0:0:root:/root:/sbin/nologin'
  echo 'stevedore:x:10001:10001:stevedore:/var/lib/stevedore:/sbin/nologin'
} > "$root/etc/passwd"
printf 'root:x:0:\nstevedore:x:10001:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
if [ "$(id -u)" = 0 ]; then chown 10001:10001 "$root/var/lib/stevedore"; fi
