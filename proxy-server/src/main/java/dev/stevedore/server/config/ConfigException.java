package dev.stevedore.server.config;

/** Bad configuration: the message is one line naming the problem, shown to the user as is. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
