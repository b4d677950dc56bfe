package dev.stevedore.server.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.stevedore.storage.FileTrees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records Stevedore's class-data-sharing archive ({@code warm-up --archive FILE}): a static archive
 * of exactly the classes an idle {@code serve} has loaded, JDK classes included, which a JVM
 * started with {@code -XX:SharedArchiveFile=FILE} maps in place of the JDK's own archive.
 *
 * <p>Two child JVMs, with this JVM's options and class path. The first is {@code serve} on a free
 * loopback port with a temporary data directory ({@code --config} with a config file, else flags),
 * writing the names of the classes it loads ({@code -XX:DumpLoadedClassList}); once it has answered
 * {@code GET /v2/} and idled, the list is taken as it stands and the child stopped. The second
 * writes the archive from that list ({@code -Xshare:dump}). An archive's pages are resident in
 * every process that maps it, used or not, so it holds what an idle {@code serve} loads and nothing
 * else: not this recorder's classes, not the shutdown's. Against the dynamic archive recorded at
 * exit on top of the JDK's ({@code -XX:ArchiveClassesAtExit}), an idle {@code serve} is 15 MiB
 * smaller and ready sooner (issue 20, bench/perf): the JDK's archive holds 1,300 classes {@code
 * serve} never loads, and JDK 17 leaves picocli's classes (Java 5 class files) out of a dynamic
 * archive. The archive is written beside {@code FILE} and moved into place, so a JVM never maps
 * half of one; when a child fails, its output goes to stderr before the one-line error.
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

  /** How long the recorded {@code serve} idles after its first answer: housekeeping starts. */
  private static final long IDLE_MILLIS = 2_000;

  private static final long READY_TIMEOUT_MILLIS = 60_000;

  private ClassDataArchive() {}

  /** Records the archive of an idle {@code serve}, started with a config file or with flags. */
  static void record(Path archive, boolean withConfig) throws IOException, InterruptedException {
    Path target = archive.toAbsolutePath();
    Path work = Files.createTempDirectory(target.getParent(), ".stevedore-archive-");
    try {
      Path loading = work.resolve("loading.txt");
      Path classList = work.resolve("classes.txt");
      Path recorded = work.resolve("stevedore.jsa");
      Path log = work.resolve("record.log");
      String classPath = System.getProperty("java.class.path");
      int port = freePort();
      List<String> serve = new ArrayList<>();
      serve.addAll(
          List.of(
              "-XX:DumpLoadedClassList=" + loading,
              "-cp",
              classPath,
              StevedoreCommand.class.getName()));
      serve.addAll(withConfig ? withConfig(work, port) : withFlags(work, port));
      recordIdleServe(log, target, serve, port, loading, classList);
      run(
          log,
          target,
          List.of(
              "-Xshare:dump",
              "-XX:SharedClassListFile=" + classList,
              "-XX:SharedArchiveFile=" + recorded,
              "-cp",
              classPath));
      Files.move(recorded, target, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      FileTrees.delete(work);
    }
  }

  /** {@code serve}'s arguments as {@code ./stevedore serve} starts it: flags only. */
  private static List<String> withFlags(Path work, int port) {
    return List.of(
        "serve", "--listen", "127.0.0.1:" + port, "--data", work.resolve("data").toString());
  }

  /** {@code serve}'s arguments with a config file, as the image and the systemd unit start it. */
  private static List<String> withConfig(Path work, int port) throws IOException {
    Path config = work.resolve("stevedore.yml");
    Files.writeString(
        config,
        "listen: 127.0.0.1:"
            + port
            + "\ndata: "
            + work.resolve("data")
            + "\ntag-ttl: 5m\n"
            + "upstreams:\n"
            + "  docker.io:\n"
            + "    url: https://registry-1.docker.io\n");
    return List.of("serve", "--config", config.toString());
  }

  /**
   * Starts {@code serve}, asks {@code /v2/} until it answers 200, lets it idle, copies the class
   * list it has written so far to {@code classList} and stops it.
   */
  private static void recordIdleServe(
      Path log, Path archive, List<String> arguments, int port, Path loading, Path classList)
      throws IOException, InterruptedException {
    List<String> command = command(arguments);
    Process serve = start(command, log);
    try {
      long deadline = System.currentTimeMillis() + READY_TIMEOUT_MILLIS;
      while (!answers200(port)) {
        if (!serve.isAlive()) {
          throw failed(log, archive, command, "exited " + serve.exitValue());
        }
        if (System.currentTimeMillis() > deadline) {
          throw failed(log, archive, command, "did not answer GET /v2/ in 60 s");
        }
        Thread.sleep(20);
      }
      Thread.sleep(IDLE_MILLIS);
      Files.copy(loading, classList);
    } finally {
      serve.destroy();
      if (!serve.waitFor(30, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
  }

  /** Whether {@code GET /v2/} on the loopback port answers 200; false while nothing listens. */
  private static boolean answers200(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /v2/ HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
      String status =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
      return status != null && status.startsWith("HTTP/1.1 200 ");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Runs {@code java}, this JVM's options, then {@code arguments}; it must exit 0. */
  private static void run(Path log, Path archive, List<String> arguments)
      throws IOException, InterruptedException {
    List<String> command = command(arguments);
    int exit = start(command, log).waitFor();
    if (exit != 0) {
      throw failed(log, archive, command, "exited " + exit);
    }
  }

  private static List<String> command(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    command.addAll(arguments);
    return command;
  }

  private static Process start(List<String> command, Path log) throws IOException {
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** The children's output on stderr, and the one-line error that follows it. */
  private static IOException failed(Path log, Path archive, List<String> command, String what)
      throws IOException {
    System.err.write(Files.readAllBytes(log));
    System.err.flush();
    return new IOException(
        "recording the class-data archive "
            + archive
            + ": '"
            + String.join(" ", command)
            + "' "
            + what
            + " (its output above)");
  }

  /** This JVM's options without those about its own class-data archive. */
  static List<String> childOptions(List<String> options) {
    return options.stream()
        .filter(option -> OWN_ARCHIVE_OPTIONS.stream().noneMatch(option::startsWith))
        .toList();
  }
}
