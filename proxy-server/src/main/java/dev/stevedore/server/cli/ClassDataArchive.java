package dev.stevedore.server.cli;

import dev.stevedore.storage.FileTrees;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Records Stevedore's class-data-sharing archive ({@code warm-up --archive FILE}): a static archive
 * of exactly the classes {@code warm-up} loads, JDK classes included, which a JVM started with
 * {@code -XX:SharedArchiveFile=FILE} maps in place of the JDK's own archive.
 *
 * <p>Two child JVMs, with this JVM's options and class path: the first runs {@code warm-up} and
 * writes the names of the classes it loaded ({@code -XX:DumpLoadedClassList}), the second writes
 * the archive from that list ({@code -Xshare:dump}). Against the dynamic archive recorded at exit
 * on top of the JDK's ({@code -XX:ArchiveClassesAtExit}), an idle {@code serve} is 15 MiB smaller
 * and ready sooner (issue 20, bench/perf): the JDK's archive holds 1,300 classes {@code serve}
 * never loads, and JDK 17 leaves picocli's classes (Java 5 class files) out of a dynamic archive.
 * The archive is written beside {@code FILE} and moved into place, so a JVM never maps half of one;
 * when a child fails, its output goes to stderr before the one-line error.
 */
final class ClassDataArchive {

  /** Options of this JVM that are about its own archive, not the children's. */
  private static final List<String> OWN_ARCHIVE_OPTIONS =
      List.of(
          "-Xshare:",
          "-XX:SharedArchiveFile=",
          "-XX:ArchiveClassesAtExit=",
          "-XX:DumpLoadedClassList=",
          "-XX:SharedClassListFile=",
          "-Xlog:cds");

  private ClassDataArchive() {}

  /** Records the archive of {@code warm-up} with {@code warmUpOptions} in {@code archive}. */
  static void record(Path archive, List<String> warmUpOptions)
      throws IOException, InterruptedException {
    Path target = archive.toAbsolutePath();
    Path work = Files.createTempDirectory(target.getParent(), ".stevedore-archive-");
    try {
      Path classList = work.resolve("classes.txt");
      Path recorded = work.resolve("stevedore.jsa");
      Path log = work.resolve("record.log");
      String classPath = System.getProperty("java.class.path");
      List<String> warmUp = new ArrayList<>();
      warmUp.addAll(
          List.of(
              "-XX:DumpLoadedClassList=" + classList,
              "-cp",
              classPath,
              StevedoreCommand.class.getName(),
              "warm-up"));
      warmUp.addAll(warmUpOptions);
      run(log, target, warmUp.toArray(String[]::new));
      run(
          log,
          target,
          "-Xshare:dump",
          "-XX:SharedClassListFile=" + classList,
          "-XX:SharedArchiveFile=" + recorded,
          "-cp",
          classPath);
      Files.move(recorded, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      FileTrees.delete(work);
    }
  }

  /** Runs {@code java}, this JVM's options, then {@code arguments}, its output appended to log. */
  private static void run(Path log, Path archive, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    int exit = process.waitFor();
    if (exit != 0) {
      System.err.write(Files.readAllBytes(log));
      throw new IOException(
          "recording the class-data archive "
              + archive
              + ": '"
              + String.join(" ", command)
              + "' exited "
              + exit
              + " (its output above)");
    }
  }

  /** This JVM's options without those about its own class-data archive. */
  static List<String> childOptions(List<String> options) {
    return options.stream()
        .filter(option -> OWN_ARCHIVE_OPTIONS.stream().noneMatch(option::startsWith))
        .toList();
  }
}
