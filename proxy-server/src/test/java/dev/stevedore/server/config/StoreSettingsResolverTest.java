package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store flags and the config file's {@code store:} section, resolved into settings. */
class StoreSettingsResolverTest {
  @TempDir Path dir;

  private static Optional<StoreSettings> resolve(Optional<Path> file, StoreFlags store) {
    return ServeSettingsResolver.resolve(
            new ServeSettingsResolver.Flags(
                file,
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                store),
            Map.of())
        .store();
  }

  private static Optional<StoreSettings> flags(StoreFlags store) {
    return resolve(Optional.empty(), store);
  }

  private Optional<StoreSettings> file(String yaml) throws IOException {
    return resolve(Optional.of(write(yaml)), StoreFlags.NONE);
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yml"), yaml);
  }

  private static StoreFlags store(String url) {
    return new StoreFlags(
        Optional.of(url),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static StoreFlags with(
      StoreFlags base,
      String endpoint,
      String region,
      String publicEndpoint,
      Boolean redirect,
      String maxSize) {
    return new StoreFlags(
        base.store(),
        Optional.ofNullable(endpoint).or(base::s3Endpoint),
        Optional.ofNullable(region).or(base::s3Region),
        Optional.ofNullable(publicEndpoint).or(base::s3PublicEndpoint),
        Optional.ofNullable(redirect).or(base::blobRedirect),
        Optional.ofNullable(maxSize).or(base::maxStoreSize));
  }

  private static final StoreFlags NO_URL = StoreFlags.NONE;

  @Test
  void noStore_isTheDataDirectoryAlone() {
    assertThat(flags(StoreFlags.NONE)).isEmpty();
  }

  @Test
  void storeFlagAlone_takesTheDefaults() {
    StoreSettings store = flags(store("s3://cache/prod")).orElseThrow();

    assertThat(store.location()).isEqualTo(new S3Location("cache", "prod"));
    assertThat(store.endpoint()).isEmpty();
    assertThat(store.pathStyle()).isFalse();
    assertThat(store.region()).isEqualTo("us-east-1").isEqualTo(StoreSettings.DEFAULT_REGION);
    assertThat(store.publicEndpoint()).isEmpty();
    assertThat(store.blobRedirect()).isFalse();
    assertThat(store.maxStoreSize()).isEmpty();
  }

  @Test
  void everyFlag_isResolved() {
    StoreSettings store =
        flags(
                with(
                    store("s3://cache"),
                    "http://127.0.0.1:9000/",
                    "eu-west-3",
                    "https://s3.example.com",
                    true,
                    "2TiB"))
            .orElseThrow();

    assertThat(store.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
    assertThat(store.pathStyle()).isTrue();
    assertThat(store.region()).isEqualTo("eu-west-3");
    assertThat(store.publicEndpoint()).contains(URI.create("https://s3.example.com"));
    assertThat(store.blobRedirect()).isTrue();
    assertThat(store.maxStoreSize()).isEqualTo(OptionalLong.of(2L << 40));
  }

  @Test
  void fileSection_isResolvedLikeTheFlags() throws IOException {
    StoreSettings store =
        file("""
                store:
                  url: s3://cache/team-a
                  s3-endpoint: https://minio.lan:9000
                  s3-region: home
                  s3-public-endpoint: https://files.lan
                  blob-redirect: true
                  max-store-size: 500GB
                """)
            .orElseThrow();

    assertThat(store.location()).isEqualTo(new S3Location("cache", "team-a"));
    assertThat(store.endpoint()).contains(URI.create("https://minio.lan:9000"));
    assertThat(store.region()).isEqualTo("home");
    assertThat(store.publicEndpoint()).contains(URI.create("https://files.lan"));
    assertThat(store.blobRedirect()).isTrue();
    assertThat(store.maxStoreSize()).isEqualTo(OptionalLong.of(500_000_000_000L));
  }

  @Test
  void flags_overrideTheFileKeyByKey() throws IOException {
    Path file =
        write(
            """
            store:
              url: s3://from-file
              s3-endpoint: http://minio:9000
              s3-region: file-region
              blob-redirect: true
              max-store-size: 1TB
            """);
    StoreFlags flags = with(store("s3://from-flag/x"), null, "flag-region", null, false, "2TB");

    StoreSettings store = resolve(Optional.of(file), flags).orElseThrow();

    assertThat(store.location()).isEqualTo(new S3Location("from-flag", "x"));
    assertThat(store.endpoint()).contains(URI.create("http://minio:9000"));
    assertThat(store.region()).isEqualTo("flag-region");
    assertThat(store.blobRedirect()).isFalse();
    assertThat(store.maxStoreSize()).isEqualTo(OptionalLong.of(2_000_000_000_000L));
  }

  @Test
  void s3FlagsWithTheFilesStore_areTaken() throws IOException {
    Path file = write("store:\n  url: s3://from-file\n");

    StoreSettings store =
        resolve(Optional.of(file), with(NO_URL, "http://minio:9000", null, null, true, null))
            .orElseThrow();

    assertThat(store.location().bucket()).isEqualTo("from-file");
    assertThat(store.blobRedirect()).isTrue();
    assertThat(store.pathStyle()).isTrue();
  }

  @Test
  void noBlobRedirect_isFineWithoutAStore() {
    assertThat(flags(with(NO_URL, null, null, null, false, null))).isEmpty();
  }

  @Test
  void emptyStoreSection_isNoStore() throws IOException {
    assertThat(file("store:\n")).isEmpty();
    assertThat(file("store: {}\n")).isEmpty();
  }

  @Test
  void badStoreUrl_isOneLine() {
    assertThatThrownBy(() -> flags(store("http://x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("store: invalid URL 'http://x' (use s3://BUCKET[/PREFIX])");
  }

  @Test
  void badStoreUrlInTheFile_isTheSameError() {
    assertThatThrownBy(() -> file("store:\n  url: s3://Bad_Bucket\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("store: invalid bucket name 'Bad_Bucket': ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://x",
        "file:///tmp/x",
        "s3.lan",
        "//s3.lan:9000",
        "/bucket",
        "minio:9000",
        "http:///nohost",
        "http://user:secret@minio:9000",
        "http://minio:9000/bucket",
        "http://minio:9000?x=1",
        "http://minio:9000#f",
        "http://bad host"
      })
  void badEndpoints_areRefused_andNeverEchoCredentials(String endpoint) {
    assertThatThrownBy(() -> flags(with(store("s3://cache"), endpoint, null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("s3-endpoint: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("\n"));
    assertThatThrownBy(() -> flags(with(store("s3://cache"), null, null, endpoint, true, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("s3-public-endpoint: ");
  }

  @Test
  void publicEndpoint_keepsSchemeHostAndPortOnly() {
    StoreSettings store =
        flags(with(store("s3://cache"), null, null, "HTTPS://Files.Example.com:8443/", true, null))
            .orElseThrow();

    assertThat(store.publicEndpoint()).contains(URI.create("https://Files.Example.com:8443"));
  }

  @Test
  void relativePublicEndpoint_saysHttpOrHttps() {
    assertThatThrownBy(
            () -> flags(with(store("s3://cache"), null, null, "s3.lan:9000", true, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("s3-public-endpoint: 's3.lan:9000' must be an http:// or https:// URL");
  }

  @Test
  void ftpEndpoint_saysHttpOrHttps() {
    assertThatThrownBy(() -> flags(with(store("s3://cache"), "ftp://x", null, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("s3-endpoint: 'ftp://x' must be an http:// or https:// URL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "us east", "-x", "eu/west", "a\nb"})
  void badRegions_areRefused(String region) {
    assertThatThrownBy(() -> flags(with(store("s3://cache"), null, region, null, null, null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("s3-region: invalid region ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void badMaxStoreSize_namesTheSetting() {
    assertThatThrownBy(() -> flags(with(store("s3://cache"), null, null, null, null, "lots")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("max-store-size: invalid size 'lots'");
    assertThatThrownBy(() -> flags(with(store("s3://cache"), null, null, null, null, "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("max-store-size: invalid size '0'");
  }

  @Test
  void storeSettingsWithoutAStore_areRefused() {
    String needs =
        " needs a store: give --store s3://BUCKET[/PREFIX] (or url in the config file's store:"
            + " section)";
    assertThatThrownBy(() -> flags(with(NO_URL, "http://minio:9000", null, null, null, null)))
        .hasMessage("s3-endpoint" + needs);
    assertThatThrownBy(() -> flags(with(NO_URL, null, "eu-west-1", null, null, null)))
        .hasMessage("s3-region" + needs);
    assertThatThrownBy(() -> flags(with(NO_URL, null, null, "https://s3.lan", null, null)))
        .hasMessage("s3-public-endpoint" + needs);
    assertThatThrownBy(() -> flags(with(NO_URL, null, null, null, true, null)))
        .hasMessage("blob-redirect" + needs);
    assertThatThrownBy(() -> flags(with(NO_URL, null, null, null, null, "1TB")))
        .hasMessage("max-store-size" + needs);
  }

  @Test
  void fileStoreSettingsWithoutAUrl_areRefused() {
    assertThatThrownBy(() -> file("store:\n  blob-redirect: true\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("blob-redirect needs a store");
    assertThatThrownBy(() -> file("store:\n  s3-endpoint: http://minio:9000\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("s3-endpoint needs a store");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "access-key",
        "secret-key",
        "access-key-id",
        "secret-access-key",
        "aws_secret_access_key",
        "session-token",
        "password",
        "credentials"
      })
  void credentialsInTheStoreSection_areRefusedWithoutEchoingThem(String key) throws IOException {
    Path file = write("store:\n  url: s3://cache\n  " + key + ": wJalrXUtnFEMI-example-secret\n");

    assertThatThrownBy(() -> resolve(Optional.of(file), StoreFlags.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "store credentials do not belong in config file "
                + file
                + " (line 3): remove '"
                + key
                + "'; Stevedore takes them from the AWS chain (AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY, a profile, web identity)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wJalr"));
  }

  @Test
  void awsCredentialsAtTheTop_areRefusedAsCredentials() throws IOException {
    Path file = write("aws-secret-access-key: wJalr\n");

    assertThatThrownBy(() -> resolve(Optional.of(file), StoreFlags.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("store credentials do not belong in config file ");
  }

  @Test
  void otherUnknownStoreKeys_areUnknownKeys() throws IOException {
    Path file = write("store:\n  url: s3://cache\n  bucket: other\n");

    assertThatThrownBy(() -> resolve(Optional.of(file), StoreFlags.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown key 'bucket' in config file " + file + " (line 3)");
  }
}
