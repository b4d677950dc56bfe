package dev.stevedore.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code access:} section of the config file: the htpasswd file clients sign in with and the
 * repository patterns they may pull. {@code --htpasswd} replaces the file's htpasswd, and any
 * {@code --allow} replaces its list.
 */
public record AccessSettings(Optional<Path> htpasswd, List<String> allow) {

  /** No sign-in, everything allowed. */
  public static final AccessSettings OPEN = new AccessSettings(Optional.empty(), List.of());

  public AccessSettings {
    Objects.requireNonNull(htpasswd, "htpasswd");
    allow = List.copyOf(allow);
  }
}
