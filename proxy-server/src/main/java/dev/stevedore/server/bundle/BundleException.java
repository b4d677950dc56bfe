package dev.stevedore.server.bundle;

/**
 * A bundle that cannot be written or read: truncated, corrupt, unsafe or incomplete. The message is
 * one line naming the problem, shown to the user as is.
 */
public final class BundleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
