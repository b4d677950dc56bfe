package dev.stevedore.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Resolves the {@link StoreSettings} of {@code serve}: each store flag overrides the key of the
 * same name in the config file's {@code store:} section ({@code --store} overrides {@code url}).
 * Without a store URL there is no store, and any other store setting is a mistake worth stopping
 * for: it would otherwise be silently ignored.
 */
final class StoreSettingsResolver {
  private static final Pattern REGION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private StoreSettingsResolver() {}

  static Optional<StoreSettings> resolve(StoreFlags flags, ConfigFile.StoreEntry entry) {
    ConfigFile.StoreEntry file =
        entry == null ? new ConfigFile.StoreEntry(null, null, null, null, null, null) : entry;
    Optional<String> url = flags.store().or(() -> Optional.ofNullable(file.url()));
    Optional<String> endpoint = flags.s3Endpoint().or(() -> Optional.ofNullable(file.s3Endpoint()));
    Optional<String> region = flags.s3Region().or(() -> Optional.ofNullable(file.s3Region()));
    Optional<String> publicEndpoint =
        flags.s3PublicEndpoint().or(() -> Optional.ofNullable(file.s3PublicEndpoint()));
    boolean blobRedirect = flags.blobRedirect().orElse(Boolean.TRUE.equals(file.blobRedirect()));
    Optional<String> maxStoreSize =
        flags.maxStoreSize().or(() -> Optional.ofNullable(file.maxStoreSize()));

    if (url.isEmpty()) {
      requireNoStore("s3-endpoint", endpoint.isPresent());
      requireNoStore("s3-region", region.isPresent());
      requireNoStore("s3-public-endpoint", publicEndpoint.isPresent());
      requireNoStore("blob-redirect", blobRedirect);
      requireNoStore("max-store-size", maxStoreSize.isPresent());
      return Optional.empty();
    }
    return Optional.of(
        new StoreSettings(
            S3Location.parse(url.get()),
            endpoint.map(text -> endpoint("s3-endpoint", text)),
            region.map(StoreSettingsResolver::region).orElse(StoreSettings.DEFAULT_REGION),
            publicEndpoint.map(text -> endpoint("s3-public-endpoint", text)),
            blobRedirect,
            maxStoreSize
                .map(StoreSettingsResolver::size)
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty())));
  }

  private static void requireNoStore(String setting, boolean given) {
    if (given) {
      throw new ConfigException(
          setting
              + " needs a store: give --store s3://BUCKET[/PREFIX] (or url in the config"
              + " file's store: section)");
    }
  }

  /**
   * An endpoint URL: {@code http} or {@code https}, a host, no user info (credentials come from the
   * AWS chain), no path, query or fragment (the client adds bucket and key).
   */
  static URI endpoint(String setting, String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException(setting + ": invalid URL " + S3Location.shown(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException(
          setting + ": " + S3Location.shown(text) + " must be an http:// or https:// URL");
    }
    if (uri.getHost() == null) {
      throw new ConfigException(setting + ": " + S3Location.shown(text) + " names no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ConfigException(
          setting
              + ": the URL must not hold credentials; they come from the AWS chain"
              + " (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, web identity)");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!path.isEmpty() && !path.equals("/")
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigException(
          setting
              + ": "
              + S3Location.shown(text)
              + " must be scheme, host and port only (no path, query or fragment)");
    }
    try {
      return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new ConfigException(setting + ": invalid URL " + S3Location.shown(text));
    }
  }

  private static String region(String text) {
    String region = text.strip();
    if (!REGION.matcher(region).matches()) {
      throw new ConfigException(
          "s3-region: invalid region "
              + S3Location.shown(text)
              + " (letters, digits, '.', '_' and '-', e.g. us-east-1)");
    }
    return region;
  }

  private static long size(String text) {
    try {
      return ByteSize.parse(text);
    } catch (ConfigException e) {
      throw new ConfigException("max-store-size: " + e.getMessage());
    }
  }
}
