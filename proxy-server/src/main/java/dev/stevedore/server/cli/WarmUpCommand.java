package dev.stevedore.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stevedore warm-up --archive FILE} (hidden): records the class-data-sharing archive of an
 * idle {@code serve} ({@link ClassDataArchive}), which later starts map instead of loading and
 * verifying classes from the jar. The launcher records it for {@code serve} with flags, the image
 * and the systemd unit with {@code --with-config}, as they start {@code serve --config}. It never
 * contacts an upstream and prints nothing on success.
 */
@Command(
    name = "warm-up",
    hidden = true,
    description = "Record the class-data-sharing archive of an idle serve.")
public final class WarmUpCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--archive",
      required = true,
      paramLabel = "FILE",
      description = "Where the archive goes.")
  Path archive;

  @Option(
      names = "--with-config",
      description =
          "Start serve with a config file, as the image and the systemd unit do (the config"
              + " parser's classes are then archived too).")
  boolean withConfig;

  @Override
  public Integer call() throws Exception {
    try {
      ClassDataArchive.record(archive, withConfig);
      return 0;
    } catch (IOException e) {
      spec.commandLine().getErr().println("stevedore: " + e.getMessage());
      return 1;
    }
  }
}
