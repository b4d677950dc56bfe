package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Durable file operations shared by the stores: atomic small-file writes and directory fsync. */
final class AtomicFiles {

  private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);

  private AtomicFiles() {}

  /**
   * Writes {@code content} as UTF-8 to {@code target} so that readers see either the old file or
   * the whole new one, even across a crash: the content goes to a temp file in {@code tmpDir} (on
   * the same file system), is forced to disk, then atomically renamed over {@code target}.
   */
  static void writeString(Path tmpDir, Path target, String content) throws IOException {
    Objects.requireNonNull(tmpDir, "tmpDir");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(content, "content");
    createDirectories(target.getParent());
    Path temp = forcedTempFile(tmpDir, content);
    try {
      // On POSIX and Windows an atomic move replaces an existing target.
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
    fsyncDirectory(target.getParent());
  }

  /** A new temp file in {@code tmpDir} holding {@code content}, forced to disk. */
  private static Path forcedTempFile(Path tmpDir, String content) throws IOException {
    Path temp = Files.createTempFile(tmpDir, "record-", ".tmp");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = StandardCharsets.UTF_8.encode(content);
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(temp);
      throw e;
    }
    return temp;
  }

  /**
   * Writes {@code content} to {@code target} only if no file is there yet, atomically: readers and
   * concurrent writers see either no file or one whole file, and the first writer wins. The content
   * goes to a forced temp file that is then hard-linked to {@code target} (link(2) fails if the
   * target exists); on a file system without hard links, a checked rename is used instead, which
   * two racing writers could both pass (the later one then replaces the earlier).
   *
   * @return whether this call created {@code target}
   */
  static boolean writeStringIfAbsent(Path tmpDir, Path target, String content) throws IOException {
    Objects.requireNonNull(tmpDir, "tmpDir");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(content, "content");
    if (Files.exists(target)) {
      return false;
    }
    createDirectories(target.getParent());
    Path temp = forcedTempFile(tmpDir, content);
    try {
      boolean created = linkOrMove(temp, target);
      if (created) {
        fsyncDirectory(target.getParent());
      }
      return created;
    } finally {
      deleteQuietly(temp);
    }
  }

  private static boolean linkOrMove(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      if (Files.exists(target)) {
        return false;
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    }
  }

  /**
   * Creates {@code dir} and any missing parents, then fsyncs the parent of each directory it
   * created so the new entries survive a crash.
   */
  static void createDirectories(Path dir) throws IOException {
    Objects.requireNonNull(dir, "dir");
    if (Files.isDirectory(dir)) {
      return;
    }
    Path firstExisting = dir.getParent();
    while (firstExisting != null && !Files.isDirectory(firstExisting)) {
      firstExisting = firstExisting.getParent();
    }
    Files.createDirectories(dir);
    for (Path parent = dir.getParent(); parent != null; parent = parent.getParent()) {
      fsyncDirectory(parent);
      if (parent.equals(firstExisting)) {
        break;
      }
    }
  }

  /**
   * Forces a directory's entries (renames, new files) to disk. Best effort: some platforms cannot
   * open a directory for fsync, and the failure is only logged at debug.
   */
  static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("Cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  /** Deletes {@code file} if it exists; a failure is logged, never thrown. */
  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", file, e.toString());
    }
  }
}
