package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.config.S3Location;
import dev.stevedore.server.config.StoreSettings;
import dev.stevedore.storage.AwsChainProperties;
import dev.stevedore.storage.S3TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve}'s store flags: parsed by picocli, checked and resolved by the settings. */
class StoreCommandLineTest {
  @TempDir Path dir;

  private CommandRun serve(String... flags) {
    List<String> args = new ArrayList<>(List.of("serve", "--data", dir.resolve("data").toString()));
    args.addAll(List.of("--listen", "127.0.0.1:0"));
    args.addAll(List.of(flags));
    return CommandRun.run(args.toArray(String[]::new));
  }

  /** The store {@code serve} would use with {@code flags}, parsed as {@code main} parses them. */
  private static Optional<StoreSettings> store(String... flags) {
    CommandLine commandLine = StevedoreCommand.commandLine();
    List<String> args = new ArrayList<>(List.of("serve"));
    args.addAll(List.of(flags));
    commandLine.parseArgs(args.toArray(String[]::new));
    ServeCommand serve = commandLine.getSubcommands().get("serve").getCommand();
    return serve.settings(Map.of()).store();
  }

  @Test
  void storeFlags_resolveIntoTheSettings() {
    StoreSettings store =
        store(
                "--store=s3://stevedore/cache",
                "--s3-endpoint",
                "http://127.0.0.1:9000",
                "--s3-region",
                "eu-central-1",
                "--s3-public-endpoint",
                "https://s3.example.com",
                "--blob-redirect",
                "--max-store-size",
                "1TiB")
            .orElseThrow();

    assertThat(store)
        .isEqualTo(
            new StoreSettings(
                new S3Location("stevedore", "cache"),
                Optional.of(URI.create("http://127.0.0.1:9000")),
                "eu-central-1",
                Optional.of(URI.create("https://s3.example.com")),
                true,
                OptionalLong.of(1L << 40)));
  }

  @Test
  void withoutStoreFlags_thereIsNoStore() {
    assertThat(store()).isEmpty();
  }

  @Test
  void noBlobRedirect_overridesTheFile() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("stevedore.yml"), "store:\n  url: s3://cache\n  blob-redirect: true\n");

    assertThat(store("--config", file.toString()).orElseThrow().blobRedirect()).isTrue();
    assertThat(
            store("--config", file.toString(), "--no-blob-redirect").orElseThrow().blobRedirect())
        .isFalse();
  }

  /**
   * {@code serve} against a real S3 server on loopback (S3Proxy), with the AWS chain's credentials
   * set as system properties for the run and its other sources (profile files, instance metadata)
   * turned off, so nothing leaves loopback.
   */
  private CommandRun serveWithStore(String bucket) throws IOException {
    return serveWithStore(bucket, S3TestServer.shared().credential());
  }

  private CommandRun serveWithStore(String bucket, String secret) throws IOException {
    S3TestServer s3 = S3TestServer.shared();
    try (AwsChainProperties aws = AwsChainProperties.with(s3.identity(), secret)) {
      return serve("--store", "s3://" + bucket, "--s3-endpoint", s3.endpoint().toString());
    }
  }

  @Test
  void wrongCredentials_stopServeWithOneLine_neverShowingTheSecret() throws IOException {
    CommandRun run = serveWithStore(S3TestServer.shared().newBucket(), "not-the-secret-key");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .startsWith("stevedore: store: ")
        .doesNotContain("\n")
        .doesNotContain("not-the-secret-key");
  }

  @Test
  void missingBucket_stopsServeWithOneLineNamingIt() throws IOException {
    CommandRun run = serveWithStore("no-such-bucket");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .startsWith("stevedore: store: bucket no-such-bucket does not exist at ")
        .doesNotContain("\n");
  }

  @Test
  void httpStore_isExit2WithOneLine() {
    CommandRun run = serve("--store", "http://x");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo("stevedore: store: invalid URL 'http://x' (use s3://BUCKET[/PREFIX])");
  }

  @Test
  void ftpEndpoint_isExit2WithOneLine() {
    CommandRun run = serve("--store", "s3://cache", "--s3-endpoint", "ftp://x");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo("stevedore: s3-endpoint: 'ftp://x' must be an http:// or https:// URL");
  }

  @Test
  void relativePublicEndpoint_isExit2WithOneLine() {
    CommandRun run =
        serve("--store", "s3://cache", "--blob-redirect", "--s3-public-endpoint", "s3.lan:9000");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo(
            "stevedore: s3-public-endpoint: 's3.lan:9000' must be an http:// or https:// URL");
  }

  @Test
  void publicEndpointWithAPath_isExit2WithOneLine() {
    CommandRun run =
        serve(
            "--store",
            "s3://cache",
            "--blob-redirect",
            "--s3-public-endpoint",
            "https://files.example.com/cache");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo(
            "stevedore: s3-public-endpoint: 'https://files.example.com/cache' must be scheme, host"
                + " and port only (no path, query or fragment)");
  }

  @Test
  void blobRedirectWithoutStoreInTheFile_isExit2WithOneLine() throws IOException {
    Path file = Files.writeString(dir.resolve("stevedore.yml"), "store:\n  blob-redirect: true\n");

    CommandRun run = serve("--config", file.toString());

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip()).startsWith("stevedore: blob-redirect needs a store: ");
    assertThat(run.err().strip().lines()).hasSize(1);
  }

  @Test
  void blobRedirectWithoutStore_isExit2WithOneLine() {
    CommandRun run = serve("--blob-redirect");

    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(run.err().strip())
        .isEqualTo(
            "stevedore: blob-redirect needs a store: give --store s3://BUCKET[/PREFIX] (or url in"
                + " the config file's store: section)");
  }

  @Test
  void s3FlagsWithoutStore_areExit2WithOneLine() {
    for (List<String> flags :
        List.of(
            List.of("--s3-endpoint", "http://minio:9000"),
            List.of("--s3-region", "eu-west-1"),
            List.of("--s3-public-endpoint", "https://s3.lan"),
            List.of("--max-store-size", "1TB"))) {
      CommandRun run = serve(flags.toArray(String[]::new));

      assertThat(run.exitCode()).as("%s", flags).isEqualTo(StevedoreCommand.EXIT_CONFIG);
      assertThat(run.err().strip().lines()).as("%s", flags).hasSize(1);
      assertThat(run.err()).contains(flags.get(0).substring(2) + " needs a store");
    }
  }

  @Test
  void help_documentsTheStoreFlags() {
    CommandRun run = CommandRun.run("serve", "--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains(
            "--store=s3://BUCKET[/PREFIX]",
            "--s3-endpoint=URL",
            "--s3-region=REGION",
            "--s3-public-endpoint=URL",
            "--[no-]blob-redirect",
            "--max-store-size=SIZE",
            "AWS_ACCESS_KEY_ID");
  }
}
