package dev.stevedore.server.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --data}, the cache directory: an option of every command that opens the cache. */
public final class DataOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Cache directory (default: ./stevedore-data).")
  Path dir;

  /** The directory given on the command line, if any (else the config file or the default). */
  Optional<Path> dir() {
    return Optional.ofNullable(dir);
  }
}
