package dev.stevedore.deploy;

import dev.stevedore.server.cli.StevedoreCommand;
import dev.stevedore.server.config.HostPort;
import dev.stevedore.server.config.ServeSettingsResolver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ParseResult;

/**
 * The {@code stevedore serve} command model, to check command lines written in the deploy files.
 */
final class ServeOptions {

  /**
   * Where the server answers {@code GET} with 200 and needs no upstream: the registry base, the
   * liveness and the readiness endpoint.
   */
  static final Set<String> PROBE_PATHS = Set.of("/v2/", "/healthz", "/readyz");

  static final int DEFAULT_PORT = HostPort.parse(ServeSettingsResolver.DEFAULT_LISTEN).port();

  private ServeOptions() {}

  static Set<String> names() {
    return StevedoreCommand.commandLine()
        .getSubcommands()
        .get("serve")
        .getCommandSpec()
        .optionsMap()
        .keySet();
  }

  /** The {@code --flags} of a command line, without {@code =value}. */
  static List<String> flagsIn(List<String> args) {
    List<String> flags = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("-")) {
        int equals = arg.indexOf('=');
        flags.add(equals < 0 ? arg : arg.substring(0, equals));
      }
    }
    return flags;
  }

  /**
   * Parses {@code args} (starting with {@code serve}) as the real command line would; throws if it
   * would not.
   */
  static ParseResult parse(List<String> args) {
    ParseResult stevedore = StevedoreCommand.commandLine().parseArgs(args.toArray(String[]::new));
    if (!stevedore.hasSubcommand()
        || !"serve".equals(stevedore.subcommand().commandSpec().name())) {
      throw new AssertionError("not a serve command line: " + args);
    }
    return stevedore.subcommand();
  }
}
