package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Looks at a Stevedore data directory from outside, by its documented layout ({@code
 * blobs/sha256/<first 2 hex>/<hex>}, {@code tmp/<pid>-<start millis>/}), to check the invariants a
 * crash or a fault must not break.
 */
public final class DataDirInspector {
  private final Path root;

  public DataDirInspector(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** Where the blob {@code sha256:HEX} lives once committed. */
  public Path blob(String digest) {
    String hex = hexOf(digest);
    return root.resolve("blobs").resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
  }

  public boolean hasBlob(String digest) {
    return Files.isRegularFile(blob(digest));
  }

  /** How many files there are under {@code blobs/}. */
  public int blobFileCount() {
    return filesUnder(root.resolve("blobs")).size();
  }

  /**
   * Every file under {@code blobs/} that is not exactly the bytes its name says (or is not where
   * its name says it belongs), as {@code "PATH: why"}; empty when the store is sound.
   */
  public List<String> blobProblems() {
    List<String> problems = new ArrayList<>();
    Path blobs = root.resolve("blobs");
    for (Path file : filesUnder(blobs)) {
      Path relative = blobs.relativize(file);
      String name = file.getFileName().toString();
      if (relative.getNameCount() != 3
          || !relative.getName(0).toString().equals("sha256")
          || !name.matches("[0-9a-f]{64}")
          || !relative.getName(1).toString().equals(name.substring(0, 2))) {
        problems.add(file + ": not a blob path");
        continue;
      }
      String actual = sha256Hex(file);
      if (!actual.equals(name)) {
        problems.add(file + ": holds bytes that hash to sha256:" + actual);
      }
    }
    return problems;
  }

  /** The names of the per-process folders under {@code tmp/} ({@code <pid>-<start millis>}). */
  public List<String> tmpFolders() {
    Path tmp = root.resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries.map(path -> path.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The temp folder of the process {@code pid}, if there is one. */
  public List<String> tmpFoldersOf(long pid) {
    return tmpFolders().stream().filter(name -> name.startsWith(pid + "-")).toList();
  }

  /** Every file under {@code tmp/}, e.g. the partial downloads a killed process left. */
  public List<Path> tmpFiles() {
    return filesUnder(root.resolve("tmp"));
  }

  /** The temp files of downloads of {@code digest} (named {@code sha256-<12 hex>-….part}). */
  public List<Path> partialDownloadsOf(String digest) {
    String prefix = "sha256-" + hexOf(digest).substring(0, 12) + "-";
    return tmpFiles().stream()
        .filter(file -> file.getFileName().toString().startsWith(prefix))
        .toList();
  }

  /** The lowercase hex SHA-256 of a file, streamed. */
  public static String sha256Hex(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) >= 0; ) {
        sha256.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(sha256.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hexOf(String digest) {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256 digest: " + digest);
    }
    return digest.substring("sha256:".length());
  }

  /** The files under {@code dir}; retried when a file vanishes mid-walk (a running proxy). */
  private static List<Path> filesUnder(Path dir) {
    for (int attempt = 1; ; attempt++) {
      if (!Files.isDirectory(dir)) {
        return List.of();
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        return walk.filter(Files::isRegularFile).sorted().toList();
      } catch (IOException | UncheckedIOException e) {
        if (attempt >= 3) {
          throw new IllegalStateException("cannot list the files under " + dir, e);
        }
      }
    }
  }
}
