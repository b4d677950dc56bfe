package dev.stevedore.server.cli;

import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.logging.QuietLogs;
import dev.stevedore.storage.FileTrees;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code stevedore warm-up} (hidden): runs the start-up paths of {@code serve} and the CLI once and
 * exits 0, so that {@code -XX:ArchiveClassesAtExit=stevedore.jsa} records the classes they load in
 * a class-data-sharing archive that later starts map instead of loading and verifying from the jar.
 *
 * <p>It parses a config file, starts a proxy on 127.0.0.1:0 with a temporary data directory,
 * answers the requests a node and an operator send first ({@code /v2/}, the status page, metrics,
 * health), writes containerd hosts.toml files, renders every command's help, then deletes its
 * temporary directory. It never contacts an upstream and, unless {@code STEVEDORE_LOG_LEVEL} is
 * set, prints nothing on success.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Run the start-up paths once (for a class-data-sharing archive) and exit.")
public final class WarmUpCommand implements Callable<Integer> {

  /** The paths asked of the proxy: the client's first request and the operator's pages. */
  static final List<String> PATHS = List.of("/v2/", "/", "/metrics", "/healthz", "/readyz");

  /** The access log's logger: its lines are no news from a warm-up. */
  private static final String ACCESS_LOG = "stevedore.access";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path temp = Files.createTempDirectory("stevedore-warm-up-");
    try (QuietLogs quiet = QuietLogs.unlessConfigured(System.getenv(), ACCESS_LOG)) {
      serve(temp);
      containerdConfig(temp);
      renderHelp(spec.root().commandLine());
    } finally {
      FileTrees.delete(temp);
    }
    return 0;
  }

  /** Parses a config file the way {@code serve --config} does, starts the proxy and asks it. */
  private static void serve(Path temp) throws Exception {
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
    CommandLine commandLine = StevedoreCommand.commandLine();
    CommandLine.ParseResult parsed = commandLine.parseArgs("serve", "--config", config.toString());
    ServeCommand serve = parsed.subcommand().commandSpec().commandLine().getCommand();
    try (StevedoreProxy proxy =
        serve.start(new ServeCommand.Surroundings(Map.of(), TimeSource.SYSTEM))) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      InetSocketAddress address = proxy.address();
      URI base = URI.create("http://127.0.0.1:" + address.getPort());
      for (String path : PATHS) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          throw new ConfigException(
              "warm-up: GET " + path + " answered " + response.statusCode() + ", not 200");
        }
      }
    }
  }

  /** {@code containerd-config} into the temporary directory, its output discarded. */
  private static void containerdConfig(Path temp) {
    PrintStream out = System.out;
    System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
    try {
      int exit =
          StevedoreCommand.commandLine()
              .execute(
                  "containerd-config",
                  "--mirror",
                  "http://127.0.0.1:5000",
                  "--out",
                  temp.resolve("certs.d").toString());
      if (exit != 0) {
        throw new ConfigException("warm-up: containerd-config exited " + exit);
      }
    } finally {
      System.setOut(out);
    }
  }

  /** Every command's usage help, as {@code --help} renders it, into nowhere. */
  private static void renderHelp(CommandLine commandLine) {
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    commandLine.usage(nowhere);
    commandLine.getSubcommands().values().forEach(WarmUpCommand::renderHelp);
  }
}
