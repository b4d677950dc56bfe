package dev.stevedore.core.upstream;

/** Upstream answered, but with something we cannot use (a bad redirect, a token-less token). */
final class UpstreamProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UpstreamProtocolException(String message) {
    super(message);
  }
}
