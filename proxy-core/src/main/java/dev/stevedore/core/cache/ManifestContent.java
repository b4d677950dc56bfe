package dev.stevedore.core.cache;

import java.util.Objects;

/** A manifest's exact bytes with its descriptor. */
public record ManifestContent(ManifestDescriptor descriptor, byte[] body) {
  public ManifestContent {
    Objects.requireNonNull(descriptor, "descriptor");
    Objects.requireNonNull(body, "body");
  }
}
