package dev.stevedore.server.cli;

import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.logging.QuietLogs;
import dev.stevedore.storage.CacheGc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stevedore gc}: enforces the disk budget offline and removes leftover temp files. */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Clean the cache offline: remove the temp files of stopped processes and the media type"
          + " records of manifests no longer stored; with --max-cache-size, evict the least"
          + " recently used blobs until the rest fit.",
      "Best run while 'stevedore serve' is stopped; if it runs, what gc removes is fetched again"
          + " on demand."
    })
public final class GcCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file (its data and max-cache-size); flags override it.")
  Path config;

  @Mixin DataOptions data;

  @Option(
      names = "--max-cache-size",
      paramLabel = "SIZE",
      description = "Disk budget to enforce, e.g. 50GiB, 10GB, 512MiB (default: none, only clean).")
  String maxCacheSize;

  @Override
  public Integer call() throws IOException {
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            new ServeSettingsResolver.Flags(
                Optional.ofNullable(config),
                Optional.empty(),
                data.dir(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                true,
                Optional.ofNullable(maxCacheSize)),
            System.getenv());
    Path dataDir = settings.dataDir();
    if (!Files.isDirectory(dataDir)) {
      throw new ConfigException("data directory " + dataDir + " does not exist");
    }
    CacheGc.Report report;
    try (QuietLogs quiet = QuietLogs.unlessConfigured(System.getenv(), QuietLogs.BLOB_WRITER)) {
      report = CacheGc.run(dataDir, settings.maxCacheSize());
    }
    System.out.printf(
        "removed %d leftover temp entries of stopped processes (%s)%n",
        report.tempEntriesRemoved(), ByteSize.format(report.tempBytesRemoved()));
    System.out.printf(
        "removed %d media type records of manifests no longer stored%n",
        report.mediaTypesRemoved());
    if (settings.maxCacheSize().isPresent()) {
      System.out.printf(
          "evicted %d blobs (%s) to fit the budget of %s%n",
          report.blobsEvicted(),
          ByteSize.format(report.bytesEvicted()),
          ByteSize.format(settings.maxCacheSize().getAsLong()));
    }
    System.out.printf(
        "kept %d blobs (%s) in %s%n",
        report.blobsKept(), ByteSize.format(report.bytesKept()), dataDir);
    return 0;
  }
}
