package dev.stevedore.server.cli;

import dev.stevedore.server.CacheServices;
import dev.stevedore.server.bundle.BarProgress;
import dev.stevedore.server.bundle.BundleException;
import dev.stevedore.server.bundle.BundleImporter;
import dev.stevedore.server.bundle.BundleProgress;
import dev.stevedore.server.bundle.signing.SigningKeyFiles;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.logging.QuietLogs;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore import}: loads a bundle written by {@code export} into the cache. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Load an OCI image-layout tar (from 'stevedore export', or any with named images) into the",
      "cache: every blob's digest is verified, each image's tag recorded. A corrupt, truncated or",
      "incomplete bundle is refused and leaves the cache as it was. Safe to run twice."
    })
public final class ImportCommand implements Callable<Integer> {

  @Mixin DataOptions data;

  @Parameters(paramLabel = "FILE.tar", arity = "1", description = "The bundle to import.")
  Path bundle;

  @Option(
      names = "--trust-key",
      paramLabel = "PUB.pem",
      description = {
        "Import only a bundle signed (export --sign-key) by this public key (PEM, from 'openssl",
        "pkey -in KEY.pem -pubout'); repeatable: any of them. An unsigned bundle, one signed by",
        "another key, or one changed after signing is refused before anything is written."
      })
  List<Path> trustKeys = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    List<PublicKey> trusted = trustKeys.stream().map(SigningKeyFiles::readPublicKey).toList();
    if (!trusted.isEmpty()) {
      try { // before the cache is opened; the import checks the bytes it reads again
        BundleImporter.checkSigned(bundle, trusted);
      } catch (BundleException e) {
        throw new ConfigException("cannot import " + bundle + ": " + e.getMessage(), e);
      }
    }
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            new ServeSettingsResolver.Flags(
                Optional.empty(),
                Optional.empty(),
                data.dir(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                true),
            System.getenv());
    BundleImporter.Report report;
    long startNanos = System.nanoTime();
    try (QuietLogs quiet = QuietLogs.unlessConfigured(System.getenv(), QuietLogs.BLOB_WRITER);
        CacheServices services = CacheServices.open(settings)) {
      BundleImporter importer =
          new BundleImporter(
              services.blobStore(),
              services.storedManifests(),
              services.tagStore(),
              services.links(),
              Clock.systemUTC());
      try (BundleProgress progress = BarProgress.forConsole(System.out)) {
        report = importer.importBundle(bundle, trusted, progress);
      }
    } catch (BundleException e) {
      throw new ConfigException("cannot import " + bundle + ": " + e.getMessage(), e);
    }
    for (BundleImporter.ImportedImage image : report.images()) {
      System.out.printf("imported %s (%s, %s)%n", image.name(), image.digest(), image.mediaType());
    }
    for (String skipped : report.skipped()) {
      System.out.println("skipped " + skipped);
    }
    System.out.printf(
        "%d images from %s into %s: %d blobs added (%s), %d already present (%s)%s, in %s%n",
        report.images().size(),
        bundle,
        settings.dataDir(),
        report.blobsAdded(),
        ByteSize.format(report.bytesAdded()),
        report.blobsPresent(),
        ByteSize.format(report.bytesPresent()),
        report.blobsUnreferenced() == 0
            ? ""
            : ", " + report.blobsUnreferenced() + " blobs no image needs not kept",
        Elapsed.since(startNanos));
    return 0;
  }
}
