package dev.stevedore.server.cli;

import dev.stevedore.server.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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
   * The subcommands in the order {@code --help} lists them. picocli reads a command's annotations
   * by reflection when it is added, about 100 ms of start-up for all of them: a command line that
   * names one gets only that one (see {@link #commandLine(String...)}).
   */
  private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> subcommands = new LinkedHashMap<>();
    subcommands.put("serve", ServeCommand::new);
    subcommands.put("containerd-config", ContainerdConfigCommand::new);
    subcommands.put("preload", PreloadCommand::new);
    subcommands.put("export", ExportCommand::new);
    subcommands.put("import", ImportCommand::new);
    subcommands.put("bundle", BundleCommand::new);
    subcommands.put("gc", GcCommand::new);
    subcommands.put("warm-up", WarmUpCommand::new);
    subcommands.put("help", CommandLine.HelpCommand::new);
    return subcommands;
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
    CommandLine commandLine = new CommandLine(new StevedoreCommand());
    String named = args.length > 0 && !"help".equals(args[0]) ? args[0] : null;
    SUBCOMMANDS.forEach(
        (name, command) -> {
          if (named == null || !SUBCOMMANDS.containsKey(named) || name.equals(named)) {
            commandLine.addSubcommand(name, command.get());
          }
        });
    commandLine.setParameterExceptionHandler(
        (error, arguments) -> {
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
        });
    commandLine.setExecutionExceptionHandler(
        (error, cmd, parsed) -> {
          if (error instanceof ConfigException) {
            cmd.getErr().println("stevedore: " + error.getMessage());
            return EXIT_CONFIG;
          }
          cmd.getErr().println("stevedore: " + error);
          return 1;
        });
    return commandLine;
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
