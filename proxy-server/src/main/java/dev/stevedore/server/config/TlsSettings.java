package dev.stevedore.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tls:} section of the config file: a certificate and key of the user's, or a local CA
 * ({@code self-signed}) with extra names; neither means plain HTTP. Any {@code --tls-*} flag
 * replaces the whole section.
 */
public record TlsSettings(
    Optional<Path> certificate, Optional<Path> key, boolean selfSigned, List<String> extraNames) {

  /** No TLS. */
  public static final TlsSettings NONE =
      new TlsSettings(Optional.empty(), Optional.empty(), false, List.of());

  public TlsSettings {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
    extraNames = List.copyOf(extraNames);
  }
}
