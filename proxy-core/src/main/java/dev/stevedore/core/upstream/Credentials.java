package dev.stevedore.core.upstream;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A username and password for an upstream registry (or its token realm). {@link #toString()} never
 * shows the password.
 */
public record Credentials(String username, String password) {

  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty()) {
      throw new IllegalArgumentException("username is empty");
    }
    if (username.indexOf(':') >= 0) {
      throw new IllegalArgumentException("username contains ':'");
    }
  }

  public static Credentials of(String username, String password) {
    return new Credentials(username, password);
  }

  /** The value of an {@code Authorization} header for HTTP Basic authentication. */
  public String basicAuthorization() {
    byte[] pair = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair);
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
