package dev.stevedore.server.bundle;

/**
 * Told how far an export or import has got, in bytes of the bundle: a progress bar on a terminal,
 * nothing otherwise. Called from the one thread doing the work.
 */
public interface BundleProgress extends AutoCloseable {
  /** No progress shown. */
  BundleProgress NONE = new BundleProgress() {};

  /** The work begins; {@code totalBytes} is what it will go through, or -1 if unknown. */
  default void start(String task, long totalBytes) {}

  /** {@code bytes} more are done. */
  default void advance(long bytes) {}

  /** The work ended (done or failed): the bar, if any, leaves the screen as it is. */
  @Override
  default void close() {}
}
