package dev.stevedore.server.cli;

import dev.stevedore.server.bundle.BundleException;
import dev.stevedore.server.bundle.BundleListing;
import dev.stevedore.server.bundle.BundleVerification;
import dev.stevedore.server.bundle.TrustedSignatureCheck;
import dev.stevedore.server.bundle.signing.SigningKeyFiles;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore bundle ls|verify}: looks at a bundle file before importing it. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = "Look at a bundle file without importing it; no cache is touched.",
    subcommands = {BundleCommand.Ls.class, BundleCommand.Verify.class})
public final class BundleCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing command (ls or verify)");
  }

  /** {@code bundle ls FILE.tar}. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description =
          "List a bundle's images (name, digest, platforms, size), what it builds on and who"
              + " signed it. Reads the file without checking its digests (see 'bundle verify').")
  static final class Ls implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.tar", arity = "1", description = "The bundle.")
    Path bundle;

    @Override
    public Integer call() throws IOException {
      try {
        BundleListing.of(bundle).forEach(System.out::println);
      } catch (BundleException e) {
        throw new ConfigException("cannot read " + bundle + ": " + e.getMessage(), e);
      }
      return 0;
    }
  }

  /** {@code bundle verify FILE.tar}. */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check every digest of a bundle: each blob hashes to its name, index.json and every",
        "manifest parse, every referenced blob is in the bundle (or left out by an incremental",
        "one); with --trust-key, that a trusted key signed it. One line; exit 0 if it is intact",
        "(and trusted), 2 if not."
      })
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.tar", arity = "1", description = "The bundle.")
    Path bundle;

    @Option(
        names = "--trust-key",
        paramLabel = "PUB.pem",
        description = {
          "Also require a signature (export --sign-key) by this public key over index.json and",
          "stevedore-bundle.json; repeatable: any of them. As 'import --trust-key' checks it."
        })
    List<Path> trustKeys = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      List<PublicKey> trusted = trustKeys.stream().map(SigningKeyFiles::readPublicKey).toList();
      Optional<TrustedSignatureCheck> signature =
          trusted.isEmpty() ? Optional.empty() : Optional.of(new TrustedSignatureCheck(trusted));
      BundleVerification.Result result;
      String signer;
      try {
        List<BundleVerification.Check> checks =
            signature.isPresent() ? List.of(signature.get()) : List.of();
        result = new BundleVerification(checks).verify(bundle);
        signer = signature.isEmpty() ? "" : ", signed by " + signature.get().signer(result.scan());
      } catch (BundleException e) {
        throw new ConfigException("bundle " + bundle + " is refused: " + e.getMessage(), e);
      }
      long bytes = result.scan().blobs().values().stream().mapToLong(Long::longValue).sum();
      System.out.printf(
          "bundle %s is intact: %d images, %d manifests and blobs (%s), %s%s%n",
          bundle,
          result.images().size(),
          result.scan().blobs().size(),
          ByteSize.format(bytes),
          result.scan().record().filter(r -> r.incremental()).isPresent()
              ? "incremental (builds on "
                  + result.scan().record().get().buildsOn().size()
                  + " bundles)"
              : "full",
          signer);
      return 0;
    }
  }
}
