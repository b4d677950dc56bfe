package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.storage.S3Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --store s3://BUCKET[/PREFIX]}: S3's bucket rules and a safe key prefix. */
class S3LocationTest {

  @Test
  void bucketAlone_hasNoPrefix() {
    S3Location location = S3Location.parse("s3://stevedore-cache");

    assertThat(location.bucket()).isEqualTo("stevedore-cache");
    assertThat(location.prefix()).isEmpty();
    assertThat(location.keyPrefix()).isEmpty();
    assertThat(location).hasToString("s3://stevedore-cache");
  }

  @Test
  void prefix_isKeptWithoutItsTrailingSlash() {
    S3Location location = S3Location.parse("s3://my.bucket-1/prod/eu/");

    assertThat(location.bucket()).isEqualTo("my.bucket-1");
    assertThat(location.prefix()).isEqualTo("prod/eu");
    assertThat(location.keyPrefix()).isEqualTo("prod/eu/");
    assertThat(location).isEqualTo(S3Location.parse("s3://my.bucket-1/prod/eu"));
  }

  @Test
  void bucketWithASlashOnly_hasNoPrefix() {
    assertThat(S3Location.parse("s3://abc/").prefix()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://bucket", "https://bucket/x", "bucket", "s3:/bucket", "", "s3"})
  void otherSchemes_areRefused(String text) {
    assertThatThrownBy(() -> S3Location.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessage("store: invalid URL '" + text + "' (use s3://BUCKET[/PREFIX])");
  }

  @Test
  void noBucket_isRefused() {
    assertThatThrownBy(() -> S3Location.parse("s3:///prefix"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("names no bucket");
  }

  @Test
  void queryOrFragment_isRefused() {
    assertThatThrownBy(() -> S3Location.parse("s3://bucket/p?versionId=1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("query or fragment");
    assertThatThrownBy(() -> S3Location.parse("s3://bucket#x"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("query or fragment");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ab",
        "a123456789a123456789a123456789a123456789a123456789a123456789abcd",
        "My-Bucket",
        "bucket_name",
        "-bucket",
        "bucket-",
        ".bucket",
        "my..bucket",
        "192.168.5.4",
        "xn--bucket",
        "sthree-bucket",
        "amzn-s3-demo-bucket",
        "bucket-s3alias",
        "bucket--ol-s3",
        "bucket.mrap",
        "bucket--x-s3",
        "bucket--table-s3"
      })
  void bucketsBreakingS3Rules_areRefused(String bucket) {
    assertThatThrownBy(() -> S3Location.parse("s3://" + bucket + "/p"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("store: invalid bucket name '" + bucket + "': ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "a.b.c", "0cache-9", "192.168.5.4x"})
  void bucketsFollowingS3Rules_areTaken(String bucket) {
    assertThat(S3Location.parse("s3://" + bucket).bucket()).isEqualTo(bucket);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "s3://bucket//abs",
        "s3://bucket/a//b",
        "s3://bucket/../other",
        "s3://bucket/a/../b",
        "s3://bucket/a/./b",
        "s3://bucket/..",
        "s3://bucket/a\\b",
        "s3://bucket/a\nb",
        "s3://bucket/a\u0000b",
        "s3://bucket/a\u202eb",
        "s3://bucket/a\u007fb"
      })
  void unsafePrefixes_areRefused(String text) {
    assertThatThrownBy(() -> S3Location.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("store: invalid prefix ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u0000", "\u007f"));
  }

  @Test
  void overlongPrefix_isRefused() {
    String prefix = "p".repeat(S3Location.MAX_PREFIX_BYTES + 1);

    assertThatThrownBy(() -> S3Location.parse("s3://bucket/" + prefix))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("at most 512 bytes");
  }

  @Test
  void dotsInsideASegment_areFine() {
    assertThat(S3Location.parse("s3://bucket/v1..2/.hidden/a.b").prefix())
        .isEqualTo("v1..2/.hidden/a.b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3://bucket/a b", "s3://bucket/caf\u00e9", "s3://bucket/a+b"})
  void prefixesTheStoreLayoutRefuses_areRefusedHere(String text) {
    assertThatThrownBy(() -> S3Location.parse(text))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("only letters, digits");
  }

  @ParameterizedTest
  @ValueSource(strings = {"prod", "prod/eu-1", "v1..2/.hidden/a.b", "a_b/c"})
  void everyPrefixAcceptedHere_isAcceptedByTheStoreLayout(String prefix) {
    S3Location location = S3Location.parse("s3://bucket/" + prefix);

    assertThat(new S3Layout(location.bucket(), location.prefix()).prefix()).isEqualTo(prefix);
  }
}
