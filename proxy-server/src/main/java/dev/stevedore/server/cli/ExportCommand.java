package dev.stevedore.server.cli;

import dev.stevedore.core.cache.Futures;
import dev.stevedore.core.cache.ImageFetcher;
import dev.stevedore.core.cache.ImageFetcher.FetchedImage;
import dev.stevedore.core.cache.ReferrerFetcher;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.CacheServices;
import dev.stevedore.server.bundle.BarProgress;
import dev.stevedore.server.bundle.BundleException;
import dev.stevedore.server.bundle.BundleExporter;
import dev.stevedore.server.bundle.BundleProgress;
import dev.stevedore.server.bundle.BundleScan;
import dev.stevedore.server.bundle.signing.BundleSignature;
import dev.stevedore.server.bundle.signing.SigningKeyFiles;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.logging.QuietLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore export}: writes images as an OCI image-layout tar to carry offline. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Write images (every platform) as an OCI image-layout tar, fetching what the cache lacks.",
      "The bundle loads with 'stevedore import', 'ctr images import --all-platforms FILE' and",
      "'skopeo copy --all oci-archive:FILE:NAME …', NAME being the full name, e.g.",
      "docker.io/library/alpine:3.19. With --since, the bundle is incremental: only",
      "'stevedore import' reads it, into a cache that already holds what it leaves out."
    })
public final class ExportCommand implements Callable<Integer> {

  @Mixin CacheOptions cache;

  @Option(
      names = "--offline",
      description = "Export only from the cache; never contact an upstream.")
  boolean offline;

  @Option(
      names = "--with-referrers",
      description =
          "Also carry each image's cosign signature and attestation tags (sha256-<hex>.sig, .att)"
              + " and its OCI referrers (as the sha256-<hex> tag), so an offline serve answers"
              + " them.")
  boolean withReferrers;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE.tar",
      description = "The bundle to write (written as FILE.tar.part, renamed when complete).")
  Path output;

  @Option(
      names = "--since",
      paramLabel = "OLD.tar",
      description = {
        "Write only the manifests and blobs that this older bundle does not hold (repeatable):",
        "an incremental bundle, which only 'stevedore import' reads, into a cache that holds them."
      })
  List<Path> since = new ArrayList<>();

  @Option(
      names = "--sign-key",
      paramLabel = "KEY.pem",
      description = {
        "Sign the bundle with this private key (Ed25519 or ECDSA P-256, PKCS#8 PEM, e.g. from",
        "'openssl genpkey -algorithm ed25519 -out KEY.pem'); import it with --trust-key."
      })
  Optional<Path> signKey = Optional.empty();

  @Parameters(
      paramLabel = "IMAGE",
      arity = "1..*",
      description = "alpine, alpine:3.19, docker.io/library/alpine:3.19, ghcr.io/o/r@sha256:…")
  List<String> images = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    List<ImageReference> wanted = new ArrayList<>();
    for (String image : images) {
      wanted.add(parse(image));
    }
    Optional<PrivateKey> key = signKey.map(SigningKeyFiles::readPrivateKey);
    Path target = output.toAbsolutePath();
    if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
      throw new ConfigException("cannot write " + output + ": its directory does not exist");
    }
    if (Files.isDirectory(target)) {
      throw new ConfigException("cannot write " + output + ": it is a directory");
    }
    BundleExporter.Bases bases = bases();
    ServeSettings settings = cache.resolve(Optional.empty(), Optional.empty(), offline);
    long startNanos = System.nanoTime();
    try (QuietLogs quiet = QuietLogs.unlessConfigured(System.getenv(), QuietLogs.BLOB_WRITER);
        CacheServices services = CacheServices.open(settings)) {
      ImageFetcher fetcher = new ImageFetcher(services.manifests(), services.blobs());
      List<FetchedImage> fetched = new ArrayList<>();
      for (ImageReference image : wanted) {
        FetchedImage done = fetch(fetcher, services, image);
        fetched.add(done);
        System.out.printf(
            "%s %s (%s, %d manifests, %d blobs, %s)%n",
            offline ? "found" : "fetched",
            image,
            done.top().descriptor().digest(),
            done.manifests().size(),
            done.blobs().size(),
            ByteSize.format(done.blobBytes()));
        if (withReferrers) {
          fetched.addAll(attached(fetcher, services, done));
        }
      }
      BundleExporter.Report report;
      try (BundleProgress progress = BarProgress.forConsole(System.out)) {
        report =
            new BundleExporter(services.blobStore()).write(target, fetched, bases, progress, key);
      }
      System.out.printf(
          "wrote %s: %d images, %d manifests and blobs written (%s)%s%s, in %s%n",
          report.file(),
          report.images(),
          report.blobs(),
          ByteSize.format(report.bytes()),
          bases.files().isEmpty()
              ? ""
              : String.format(
                  ", %d skipped (%s): the %d bundles it builds on hold them",
                  report.skipped(), ByteSize.format(report.skippedBytes()), bases.files().size()),
          key.map(k -> ", signed by " + BundleSignature.keyIdOf(k)).orElse(""),
          Elapsed.since(startNanos));
    } catch (BundleException e) {
      throw new ConfigException("cannot export: " + e.getMessage(), e);
    }
    return 0;
  }

  private BundleExporter.Bases bases() throws IOException {
    List<BundleScan> scans = new ArrayList<>();
    for (Path old : since) {
      try {
        scans.add(BundleScan.of(old, false));
      } catch (BundleException e) {
        throw new ConfigException("cannot read --since " + old + ": " + e.getMessage(), e);
      }
    }
    return BundleExporter.Bases.of(scans);
  }

  private static ImageReference parse(String image) {
    try {
      return ImageReference.parse(image);
    } catch (RegistryException e) {
      throw new ConfigException("invalid image '" + image + "': " + e.getMessage());
    }
  }

  /** The signature, attestation and referrer tags of {@code image}, each printed as found. */
  private List<FetchedImage> attached(
      ImageFetcher fetcher, CacheServices services, FetchedImage image) {
    ReferrerFetcher referrers =
        new ReferrerFetcher(fetcher, services.manifests().referrers(), services.disk());
    List<FetchedImage> attached;
    try {
      Upstream upstream = services.upstreams().select(Optional.of(image.image().registry()));
      attached = referrers.fetch(upstream, image);
    } catch (CompletionException | RegistryException e) {
      Throwable cause = Futures.unwrap(e);
      String why =
          cause instanceof RegistryException registry ? registry.detail() : cause.toString();
      throw new ConfigException(
          "cannot export the signatures and referrers of " + image.image() + ": " + why, cause);
    }
    for (FetchedImage each : attached) {
      System.out.printf(
          "%s %s (%s, %d manifests, %d blobs)%n",
          offline ? "found" : "fetched",
          each.image(),
          each.top().descriptor().digest(),
          each.manifests().size(),
          each.blobs().size());
    }
    return attached;
  }

  private FetchedImage fetch(ImageFetcher fetcher, CacheServices services, ImageReference image) {
    Upstream upstream;
    try {
      upstream = services.upstreams().select(Optional.of(image.registry()));
    } catch (RegistryException e) {
      throw new ConfigException(
          "cannot export "
              + image
              + ": "
              + e.detail()
              + " (add --upstream "
              + image.registry()
              + "=URL)");
    }
    try {
      return fetcher.fetch(upstream, image, List.of(), new ImageFetcher.Listener() {}).join();
    } catch (CompletionException | RegistryException e) {
      Throwable cause = e;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      String why =
          cause instanceof RegistryException registry ? registry.detail() : cause.toString();
      throw new ConfigException("cannot export " + image + ": " + why, cause);
    }
  }
}
