package dev.stevedore.server.cli;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.logging.QuietLogs;
import dev.stevedore.storage.FileTrees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stevedore warm-up} (hidden): runs {@code serve}'s start-up path once and exits 0; with
 * {@code --archive FILE} it records the class-data-sharing archive of that run ({@link
 * ClassDataArchive}), which later starts map instead of loading and verifying classes from the jar.
 *
 * <p>It parses {@code serve}'s flags (with {@code --with-config}: a config file, as {@code serve
 * --config} does), starts a proxy on 127.0.0.1:0 with a temporary data directory, answers {@code
 * GET /v2/} (a client's first request, and what a readiness probe asks), stops and deletes its
 * temporary directory. What an idle {@code serve} has not loaded (the first manifest's and blob's
 * paths, the operator pages, the other commands) is not archived: an archive's pages are resident
 * in every process that maps it, used or not. It never contacts an upstream and, unless {@code
 * STEVEDORE_LOG_LEVEL} is set, prints nothing on success.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Run serve's start-up path once (for a class-data-sharing archive) and exit.")
public final class WarmUpCommand implements Callable<Integer> {

  /** The access log's logger: its lines are no news from a warm-up. */
  private static final String ACCESS_LOG = "stevedore.access";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--archive",
      paramLabel = "FILE",
      description = "Record the class-data-sharing archive of a warm-up in FILE.")
  Path archive;

  @Option(
      names = "--with-config",
      description =
          "Start serve with a config file, as the image and the systemd unit do (its parser's"
              + " classes are then archived too).")
  boolean withConfig;

  @Override
  public Integer call() throws Exception {
    if (archive != null) {
      try {
        ClassDataArchive.record(archive, withConfig ? List.of("--with-config") : List.of());
        return 0;
      } catch (IOException e) {
        spec.commandLine().getErr().println("stevedore: " + e.getMessage());
        return 1;
      }
    }
    Path temp = Files.createTempDirectory("stevedore-warm-up-");
    try (QuietLogs quiet = QuietLogs.unlessConfigured(System.getenv(), ACCESS_LOG)) {
      serve(withConfig ? withConfig(temp) : withFlags(temp));
    } finally {
      FileTrees.delete(temp);
    }
    return 0;
  }

  /** {@code serve}'s arguments as {@code ./stevedore serve} starts it: flags only. */
  private static String[] withFlags(Path temp) {
    return new String[] {
      "serve", "--listen", "127.0.0.1:0", "--data", temp.resolve("data").toString()
    };
  }

  /** {@code serve}'s arguments with a config file, as the image and the systemd unit start it. */
  private static String[] withConfig(Path temp) throws IOException {
    Path config = temp.resolve("stevedore.yml");
    Files.writeString(
        config,
        "listen: 127.0.0.1:0\n"
            + "data: "
            + temp.resolve("data")
            + "\n"
            + "tag-ttl: 5m\n"
            + "upstreams:\n"
            + "  docker.io:\n"
            + "    url: https://registry-1.docker.io\n");
    return new String[] {"serve", "--config", config.toString()};
  }

  /** Parses {@code args} as {@code main} does, starts the proxy and asks it. */
  private static void serve(String[] args) throws Exception {
    CommandLine.ParseResult parsed = StevedoreCommand.commandLine(args).parseArgs(args);
    ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    try (StevedoreProxy proxy =
        serve.start(new ServeCommand.Surroundings(Map.of(), TimeSource.SYSTEM))) {
      askV2(proxy.address());
    }
  }

  /**
   * {@code GET /v2/} over a plain socket: an HTTP client's classes would be recorded in the archive
   * too, and {@code serve} never loads them.
   */
  private static void askV2(InetSocketAddress address) throws IOException {
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /v2/ HTTP/1.1\r\nHost: warm-up\r\nConnection: close\r\n\r\n".getBytes(US_ASCII));
      String status =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
      if (status == null || !status.startsWith("HTTP/1.1 200 ")) {
        throw new ConfigException("warm-up: GET /v2/ answered " + status + ", not 200");
      }
    }
  }
}
