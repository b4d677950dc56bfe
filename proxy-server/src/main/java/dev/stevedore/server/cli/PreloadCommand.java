package dev.stevedore.server.cli;

import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.model.Platform;
import dev.stevedore.server.CacheServices;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.logging.QuietLogs;
import dev.stevedore.server.preload.ImageList;
import dev.stevedore.server.preload.PreloadReporter;
import dev.stevedore.server.preload.PreloadSummary;
import dev.stevedore.server.preload.Preloader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore preload}: fetches images into the cache, e.g. before going offline. */
@Command(
    name = "preload",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch images into the cache: every manifest and blob of every platform, unless --platform"
          + " narrows it (an index is kept whole, so digests stay valid).",
      "Safe while 'stevedore serve' uses the same --data. Exits 1 if any image failed; the others"
          + " are still fetched."
    })
public final class PreloadCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin CacheOptions cache;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH",
      split = ",",
      description = "Fetch only this platform of multi-platform images, repeatable (default: all).")
  List<String> platforms = new ArrayList<>();

  @Option(
      names = "--with-referrers",
      description =
          "Also fetch each image's cosign signature and attestation tags (sha256-<hex>.sig, .att)"
              + " and its OCI referrers, so an offline serve answers them.")
  boolean withReferrers;

  @Option(
      names = "--images-file",
      paramLabel = "FILE",
      description = "A file naming one image per line (blank lines and # comments ignored).")
  Path imagesFile;

  @Parameters(
      paramLabel = "IMAGE",
      arity = "0..*",
      description =
          "An image: alpine, alpine:3.19, docker.io/library/alpine:3.19, ghcr.io/o/r@sha256:...")
  List<String> images = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<ImageReference> wanted = ImageList.of(images, Optional.ofNullable(imagesFile));
    if (wanted.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "no images to preload: name IMAGE... or --images-file FILE");
    }
    List<Platform> wantedPlatforms = parsePlatforms();
    ServeSettings settings = cache.resolve(Optional.empty(), Optional.empty(), false);
    QuietLogs quietLogs = QuietLogs.unlessConfigured(System.getenv());
    try (CacheServices services = CacheServices.open(settings);
        PreloadReporter reporter = PreloadReporter.forConsole(System.out, System.err)) {
      PreloadSummary summary =
          new Preloader(services, wantedPlatforms, reporter, withReferrers).preload(wanted);
      return summary.failed() == 0 ? 0 : 1;
    } finally {
      quietLogs.close();
    }
  }

  private List<Platform> parsePlatforms() {
    List<Platform> parsed = new ArrayList<>();
    for (String platform : platforms) {
      try {
        parsed.add(Platform.parse(platform));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    return parsed;
  }
}
