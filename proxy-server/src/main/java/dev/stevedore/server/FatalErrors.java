package dev.stevedore.server;

/**
 * Ends the process when a thread dies of a {@link VirtualMachineError} (out of memory, a stack
 * overflow, an internal error). After one, a server is half alive — health checks may still answer
 * while fetches hang — so it is better gone and restarted by its supervisor (systemd, Kubernetes).
 * The JVM flag {@code -XX:+ExitOnOutOfMemoryError} in the launcher, the unit and the image covers
 * out-of-memory errors wherever they are caught; this covers the rest that reach no handler.
 */
public final class FatalErrors {

  /** The exit status after a fatal error: like a crash, so {@code Restart=on-failure} restarts. */
  public static final int EXIT_FATAL = 3;

  private FatalErrors() {}

  /** Makes every uncaught {@link VirtualMachineError} halt the JVM; other errors are reported. */
  public static void haltOnVirtualMachineError() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) -> {
          if (isFatal(error)) {
            try {
              System.err.println(
                  "stevedore: fatal "
                      + error.getClass().getName()
                      + " on "
                      + thread.getName()
                      + "; exiting");
            } finally {
              Runtime.getRuntime().halt(EXIT_FATAL);
            }
          }
          if (previous != null) {
            previous.uncaughtException(thread, error);
          } else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            error.printStackTrace();
          }
        });
  }

  static boolean isFatal(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof VirtualMachineError) {
        return true;
      }
    }
    return false;
  }
}
