package dev.stevedore.server.cli;

import dev.stevedore.server.config.ConfigException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stevedore} command line: one subcommand per job. */
@Command(
    name = "stevedore",
    mixinStandardHelpOptions = true,
    versionProvider = StevedoreCommand.Version.class,
    description = "A pull-through caching proxy for container registries.")
public final class StevedoreCommand implements Runnable {

  /**
   * The subcommands' names in the order {@code --help} lists them. picocli reads a command's
   * annotations by reflection when it is added, about 100 ms of start-up for all of them: a command
   * line that names one gets only that one (see {@link #commandLine(String...)}), and the other
   * classes are not even loaded.
   */
  private static final List<String> SUBCOMMANDS =
      List.of(
          "serve",
          "containerd-config",
          "preload",
          "export",
          "import",
          "bundle",
          "gc",
          "warm-up",
          "help");

  private static Object subcommand(String name) {
    return switch (name) {
      case "serve" -> new ServeCommand();
      case "containerd-config" -> new ContainerdConfigCommand();
      case "preload" -> new PreloadCommand();
      case "export" -> new ExportCommand();
      case "import" -> new ImportCommand();
      case "bundle" -> new BundleCommand();
      case "gc" -> new GcCommand();
      case "warm-up" -> new WarmUpCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  /** Exit code for bad usage or configuration. */
  public static final int EXIT_CONFIG = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command (try: stevedore serve)");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code. */
  public static int run(String... args) {
    return commandLine(args).execute(args);
  }

  /**
   * The command line {@link #run} executes, with every subcommand and its error handling: a bad
   * flag or configuration is exit 2 and one line. In-process tests parse their arguments with it,
   * so they start {@code serve} exactly as {@code main} does.
   */
  public static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for these arguments: when the first names a subcommand other than {@code
   * help}, only that subcommand is added (it parses and fails the same; the others are never read),
   * else all of them, for the usage help and picocli's "did you mean" suggestions.
   */
  static CommandLine commandLine(String... args) {
    StartProperties.setDefaults();
    if (args.length > 0 && "serve".equals(args[0])) {
      ServePreinitializer.start();
    }
    CommandLine commandLine = new CommandLine(new StevedoreCommand());
    String first = args.length > 0 ? args[0] : "help";
    boolean namesOne = SUBCOMMANDS.contains(first) && !"help".equals(first);
    for (String name : namesOne ? List.of(first) : SUBCOMMANDS) {
      commandLine.addSubcommand(name, subcommand(name));
    }
    commandLine.setParameterExceptionHandler(new UsageErrors());
    commandLine.setExecutionExceptionHandler(new CommandErrors());
    return commandLine;
  }

  /*
   * The two error handlers are classes, not lambdas: picocli's interfaces are Java 5 class files,
   * which JDK 17 leaves out of the class-data archive once a lambda has linked them, and with them
   * picocli's own classes implementing them; loading those from the jar was the first jar read of
   * every start (issue 20).
   */

  /** A bad flag or argument: exit 2 and one line naming the help to read. */
  private static final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException error, String[] arguments) {
      CommandLine failed = error.getCommandLine();
      failed
          .getErr()
          .println(
              "stevedore: "
                  + error.getMessage()
                  + " (see '"
                  + failed.getCommandSpec().qualifiedName()
                  + " --help')");
      return EXIT_CONFIG;
    }
  }

  /** A command that failed: a bad configuration is exit 2, anything else 1; one line each. */
  private static final class CommandErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception error, CommandLine cmd, CommandLine.ParseResult parsed) {
      if (error instanceof ConfigException) {
        cmd.getErr().println("stevedore: " + error.getMessage());
        return EXIT_CONFIG;
      }
      cmd.getErr().println("stevedore: " + error);
      return 1;
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = StevedoreCommand.class.getPackage().getImplementationVersion();
      return new String[] {"stevedore " + (version == null ? "dev" : version)};
    }
  }
}
