package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The mounts a daemon a test started (dockerd, Podman, containerd) may leave under its private
 * directory, and the one safe way to remove that directory: unmount first, innermost first, and
 * never delete through a mount that is still there (that would delete the mounted files).
 */
final class Mounts {
  private Mounts() {}

  /** Mount points at or under {@code dir}, per {@code /proc/self/mountinfo}. */
  static List<String> under(Path dir) {
    try {
      String prefix = dir.toRealPath().toString();
      try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
        return lines
            .map(line -> unescape(line.split(" ")[4]))
            .filter(point -> point.equals(prefix) || point.startsWith(prefix + "/"))
            .toList();
      }
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Lazily unmounts everything under {@code dir}, then deletes it if nothing is left mounted. */
  static void unmountAndDelete(Path dir) {
    List<String> mounts = new ArrayList<>(under(dir));
    mounts.sort(Comparator.comparingInt(String::length).reversed()); // innermost first
    for (String mountPoint : mounts) {
      umount(mountPoint);
    }
    if (under(dir).isEmpty()) {
      deleteRecursively(dir);
    }
  }

  private static void umount(String mountPoint) {
    try {
      Path output = Files.createTempFile("umount", ".log");
      try {
        ProcessResult.run(
            List.of("umount", "-l", mountPoint),
            Path.of("/"),
            output,
            Duration.ofSeconds(10),
            environment -> {});
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unmount " + mountPoint, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a leftover directory under /tmp does no harm
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as octal {@code \ooo}. */
  private static String unescape(String field) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        path.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        path.append(c);
      }
    }
    return path.toString();
  }
}
