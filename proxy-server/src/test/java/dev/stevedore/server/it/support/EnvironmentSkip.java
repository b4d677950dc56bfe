package dev.stevedore.server.it.support;

import org.junit.jupiter.api.Assumptions;

/**
 * For a test that cannot run on this machine for a reason outside the project (a sandbox where a
 * daemon may not mount, say): a developer's run skips it with the reason, CI ({@code CI=true})
 * fails it with the reason, since CI must run every test. A missing tool is not such a reason:
 * run-tests installs the tools, and a test fails naming one that is missing.
 */
public final class EnvironmentSkip {
  private EnvironmentSkip() {}

  /** Skips the calling test, or under CI fails it; either way with {@code reason}. */
  public static void unlessCi(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(reason + " (CI=true, where every test must run)");
    }
    // Surefire's report of a class skipped in @BeforeAll keeps no reason: say it here.
    System.err.println("skipped: " + reason);
    Assumptions.abort(reason);
  }
}
