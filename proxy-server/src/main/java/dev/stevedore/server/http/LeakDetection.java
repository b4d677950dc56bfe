package dev.stevedore.server.http;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's buffer leak detector in production. At its default level it wraps one buffer in 128 and
 * records where it was allocated, a stack trace, which costs several percent of the manifest
 * request rate. {@code stevedore serve} turns it off unless {@code -Dio.netty.leakDetection.level}
 * asks for a level; the test suite runs with Netty's default, so leaks are still caught there.
 */
public final class LeakDetection {
  static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";

  private LeakDetection() {}

  /** Off, unless the JVM was started with a level of its own. */
  public static void productionDefault() {
    if (System.getProperty(LEVEL_PROPERTY) == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }
}
