package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-process temp folders ({@code <pid>-<start millis>}) under a data directory's {@code tmp/},
 * and the crash clean-up that removes the folders of processes no longer running.
 */
final class ProcessTempDirs {
  private static final Logger log = LoggerFactory.getLogger(ProcessTempDirs.class);
  private static final Pattern NAME = Pattern.compile("(\\d+)-(\\d+)");

  /** This process's folder name. */
  static final String CURRENT = nameOf(ProcessHandle.current());

  private ProcessTempDirs() {}

  private static String nameOf(ProcessHandle process) {
    long started = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    return process.pid() + "-" + started;
  }

  /**
   * Deletes loose files and the folders of dead processes under {@code tmpRoot}; returns how many
   * entries.
   */
  static int removeDeadProcessFolders(Path tmpRoot) throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmpRoot)) {
      for (Path entry : entries) {
        if (isLive(entry.getFileName().toString())) {
          continue;
        }
        try {
          FileTrees.delete(entry);
          removed++;
        } catch (IOException e) {
          log.warn("Cannot delete leftover temp files {}: {}", entry, e.toString());
        }
      }
    }
    return removed;
  }

  private static boolean isLive(String name) {
    if (name.equals(CURRENT)) {
      return true;
    }
    Matcher matcher = NAME.matcher(name);
    if (!matcher.matches()) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(matcher.group(1)));
    return process.isPresent() && process.get().isAlive() && nameOf(process.get()).equals(name);
  }
}
