package dev.stevedore.server.config;

import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the shared store keeps its objects: {@code s3://BUCKET[/PREFIX]}. The bucket follows S3's
 * naming rules (so a typo fails here, not as an obscure answer from the store); the prefix is a
 * safe key prefix: segments separated by single {@code /}, no {@code .} or {@code ..} segment, no
 * leading {@code /}, no control or invisible characters. A trailing {@code /} is dropped, so {@code
 * s3://b/cache/} and {@code s3://b/cache} are one location.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix without leading or trailing {@code /}; empty for the whole bucket
 */
public record S3Location(String bucket, String prefix) {
  private static final String SCHEME = "s3://";
  private static final String FORM = "use s3://BUCKET[/PREFIX]";

  /** Room left for the keys under the prefix: S3 keys are at most 1024 bytes of UTF-8. */
  static final int MAX_PREFIX_BYTES = 512;

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IP_ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final List<String> RESERVED_STARTS = List.of("xn--", "sthree-", "amzn-s3-demo-");
  private static final List<String> RESERVED_ENDS =
      List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3");

  public S3Location {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    checkBucket(bucket);
    checkPrefix(prefix);
  }

  /** The location {@code text} names; a {@link ConfigException} naming the problem otherwise. */
  public static S3Location parse(String text) {
    if (text == null || !text.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new ConfigException("store: invalid URL " + shown(text) + " (" + FORM + ")");
    }
    String rest = text.substring(SCHEME.length());
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw new ConfigException(
          "store: URL " + shown(text) + " has a query or fragment (" + FORM + ")");
    }
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new ConfigException("store: URL " + shown(text) + " names no bucket (" + FORM + ")");
    }
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return new S3Location(bucket, prefix);
  }

  /** The prefix as keys start with it: {@code PREFIX/}, or empty for the whole bucket. */
  public String keyPrefix() {
    return prefix.isEmpty() ? "" : prefix + "/";
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  private static void checkBucket(String bucket) {
    String problem = bucketProblem(bucket);
    if (problem != null) {
      throw new ConfigException("store: invalid bucket name " + shown(bucket) + ": " + problem);
    }
  }

  /** Why {@code bucket} breaks S3's general purpose bucket naming rules, or null if it does not. */
  private static String bucketProblem(String bucket) {
    if (bucket.length() < 3 || bucket.length() > 63) {
      return "it must be 3 to 63 characters long";
    }
    if (!BUCKET.matcher(bucket).matches()) {
      return "use lowercase letters, digits, '.' and '-', starting and ending with a letter or"
          + " digit";
    }
    if (bucket.contains("..")) {
      return "it must not contain two adjacent periods";
    }
    if (IP_ADDRESS.matcher(bucket).matches()) {
      return "it must not be an IP address";
    }
    for (String start : RESERVED_STARTS) {
      if (bucket.startsWith(start)) {
        return "the prefix '" + start + "' is reserved";
      }
    }
    for (String end : RESERVED_ENDS) {
      if (bucket.endsWith(end)) {
        return "the suffix '" + end + "' is reserved";
      }
    }
    return null;
  }

  private static void checkPrefix(String prefix) {
    if (prefix.isEmpty()) {
      return;
    }
    String problem = prefixProblem(prefix);
    if (problem != null) {
      throw new ConfigException("store: invalid prefix " + shown(prefix) + ": " + problem);
    }
  }

  private static String prefixProblem(String prefix) {
    if (prefix.startsWith("/")) {
      return "it must not start with '/'";
    }
    if (prefix.codePoints().anyMatch(Printable::unprintable)) {
      return "it must not contain control or invisible characters";
    }
    if (prefix.indexOf('\\') >= 0) {
      return "it must not contain '\\'";
    }
    if (prefix.getBytes(StandardCharsets.UTF_8).length > MAX_PREFIX_BYTES) {
      return "it must be at most " + MAX_PREFIX_BYTES + " bytes";
    }
    return S3Layout.prefixProblem(prefix).orElse(null);
  }

  static String shown(String text) {
    return text == null ? "''" : "'" + Printable.masked(text, 200) + "'";
  }
}
