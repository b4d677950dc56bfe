#!/bin/sh
# Completes ROOTFS, which already holds the Java runtime (opt/java) and Stevedore (opt/stevedore),
# into the whole file system of a FROM scratch image: the shared libraries the ELF files in it
# need (as ldd resolves them here, in the JDK stage that built the runtime), the user 10001, /tmp.
#   deploy/docker/rootfs.sh ROOTFS
set -eu
root=$1

# The libraries of every ELF file of the runtime, the dynamic loader among them, at the paths ldd
# names them (bin/java's interpreter is /lib64/ld-linux-x86-64.so.2). cp -L copies the file a
# symlink points to under the link's name; the runtime's own libraries ($ORIGIN) are there already. libgcc_s is dlopen()ed by glibc to unwind a thread
# that is cancelled or exits, so it is added even though ldd does not list it.
find "$root" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c \
  'head -c 4 "$1" | grep -q ELF && ldd "$1" || true' sh {} \; \
  | sed -n -e 's/.*=> \(\/[^ ]*\) (0x.*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' \
  | grep -v "^$root/" | sort -u > "$root.libs"
libgcc=$(ldconfig -p | sed -n 's/.*libgcc_s.so.1 (libc6,x86-64) => //p' | head -n 1)
if [ -n "$libgcc" ]; then echo "$libgcc" >> "$root.libs"; fi
while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done < "$root.libs"
rm "$root.libs"

# Netty unpacks its epoll library into java.io.tmpdir; the JVM keeps its perf data there.
mkdir -p "$root/etc" "$root/tmp" "$root/etc/stevedore" "$root/var/lib/stevedore"
chmod 1777 "$root/tmp"
# A fixed uid/gid so Kubernetes' runAsNonRoot can check it and fsGroup/hostPath ownership agree
# (deploy/kubernetes/*.yaml use 10001); named, so the JVM's user.home is the data directory.
printf 'root:x:0:0:root:/root:/sbin/nologin\nstevedore:x:10001:10001:stevedore:/var/lib/stevedore:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nstevedore:x:10001:\n' > "$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
if [ "$(id -u)" = 0 ]; then chown 10001:10001 "$root/var/lib/stevedore"; fi
