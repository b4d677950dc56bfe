package dev.stevedore.core.model;

import java.util.Objects;
import java.util.Optional;

/** An image index entry's platform: {@code linux/amd64}, {@code linux/arm64/v8}. */
public record Platform(String os, String architecture, Optional<String> variant) {
  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(variant, "variant");
  }

  /** Parses {@code OS/ARCH[/VARIANT]}; throws {@link IllegalArgumentException} otherwise. */
  public static Platform parse(String text) {
    String[] parts = text.trim().split("/");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "invalid platform '" + text + "' (use OS/ARCH[/VARIANT], e.g. linux/amd64)");
    }
    return new Platform(
        parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
  }

  /**
   * True when {@code other} is this platform; a wanted platform without variant matches any
   * variant.
   */
  public boolean matches(Platform other) {
    return os.equals(other.os)
        && architecture.equals(other.architecture)
        && (variant.isEmpty() || variant.equals(other.variant));
  }

  @Override
  public String toString() {
    return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
  }
}
