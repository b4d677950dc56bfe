package dev.stevedore.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster flags of {@code serve} as written ({@code --cluster-secret-file}, {@code
 * --advertise}); empty means not given, so the config file's {@code cluster:} section applies.
 */
public record ClusterFlags(Optional<Path> secretFile, Optional<String> advertise) {

  /** No cluster flag given. */
  public static final ClusterFlags NONE = new ClusterFlags(Optional.empty(), Optional.empty());

  public ClusterFlags {
    Objects.requireNonNull(secretFile, "secretFile");
    Objects.requireNonNull(advertise, "advertise");
  }
}
