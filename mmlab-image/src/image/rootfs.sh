#!/usr/bin/env bash
# The image's root file system, which Jib lays over `scratch` as its one extra directory:
#   /opt/java          a Java runtime cut by jlink from the building JDK (the modules the lab uses)
#   /opt/mmlab         the lab jar and its JVM options (jvm.options, a java @argfile)
#   /lib*, /usr/lib*   the host's shared libraries that this runtime loads (glibc, zlib, ...), found by ldd
#   /etc/passwd, /etc/group   root and nobody (65534), whom the image runs as
#   /tmp               the JVM's and Felix's scratch space
# usage: rootfs.sh JAVA_HOME LAB_JAR JVM_OPTIONS OUT_DIR
set -euo pipefail
java_home=$1 jar=$2 options=$3 out=$4

[[ -x $java_home/bin/jlink ]] || { echo "rootfs.sh: $java_home/bin/jlink: no jlink in the building JDK" >&2; exit 1; }
[[ -d $java_home/jmods ]] || { echo "rootfs.sh: $java_home/jmods: no jmods (a JDK with jmods: Debian 12 ships them in openjdk-17-jdk-headless)" >&2; exit 1; }
[[ -f $jar ]] || { echo "rootfs.sh: $jar: no lab jar (build mmlab-app first)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/opt/mmlab" "$out/etc" "$out/tmp"
# java.se for the lab and its bundles (Felix, Jetty, the Web Console), jdk.jfr for its profiling
# commands, jdk.management for the heap dump, jdk.unsupported for sun.misc; --generate-cds-archive
# gives the runtime the default class-data-sharing archive a JDK ships
"$java_home/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.management,jdk.jfr,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive \
  --output "$out/opt/java"
cp "$jar" "$out/opt/mmlab/mmlab.jar"
cp "$options" "$out/opt/mmlab/jvm.options"

# every library the runtime's executables and shared objects need, and the dynamic loader itself;
# not those of the desktop's natives (X11, sound, fonts, images), which a headless lab never loads
mapfile -t libs < <(find "$out/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
    ! -name 'libawt_xawt.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' ! -name 'libfontmanager.so' \
    ! -name 'liblcms.so' ! -name 'libjavajpeg.so' ! -name 'libjawt.so' -exec ldd {} + 2>/dev/null |
  grep -oE '(/[^ ]+)+\.so[^ ]*' | grep -v "^$out" | sort -u)
[[ ${#libs[@]} -gt 0 ]] || { echo "rootfs.sh: ldd found no libraries for $out/opt/java" >&2; exit 1; }
for lib in "${libs[@]}"; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done

printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$out/etc/group"
