package dev.stevedore.server.cli;

import dev.stevedore.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stevedore} command line: one subcommand per job. */
@Command(
    name = "stevedore",
    mixinStandardHelpOptions = true,
    versionProvider = StevedoreCommand.Version.class,
    description = "A pull-through caching proxy for container registries.",
    subcommands = {
      ServeCommand.class,
      ContainerdConfigCommand.class,
      PreloadCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      BundleCommand.class,
      GcCommand.class,
      WarmUpCommand.class,
      CommandLine.HelpCommand.class
    })
public final class StevedoreCommand implements Runnable {

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
    return commandLine().execute(args);
  }

  /**
   * The command line {@link #run} executes, with its error handling: a bad flag or configuration is
   * exit 2 and one line. In-process tests parse their arguments with it, so they start {@code
   * serve} exactly as {@code main} does.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new StevedoreCommand());
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
