package dev.stevedore.server.it.support;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process a test started (Stevedore, the registry, containerd): killed by a shutdown hook if the
 * test JVM exits first, and stopped the one way every harness stops its children.
 */
final class ChildProcess {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final Thread shutdownHook;

  private ChildProcess(Process process, String name) {
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly, "stop-" + name + "-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Watches {@code process}, just started; {@code name} names its shutdown hook's thread. */
  static ChildProcess watch(Process process, String name) {
    return new ChildProcess(process, name);
  }

  Process process() {
    return process;
  }

  /**
   * {@link #stop()}, then SIGKILL for every process it had started that is still alive: a daemon
   * such as dockerd runs children (its containerd) that outlive it when it is killed, and once it
   * has exited they can no longer be found as its descendants. Whether all have exited.
   */
  boolean stopWithDescendants() {
    List<ProcessHandle> descendants = process.descendants().toList();
    boolean stopped = stop();
    for (ProcessHandle descendant : descendants) {
      if (descendant.isAlive()) {
        descendant.destroyForcibly();
        descendant.onExit().completeOnTimeout(descendant, 10, TimeUnit.SECONDS).join();
      }
    }
    return stopped && descendants.stream().noneMatch(ProcessHandle::isAlive);
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited within 10 s, and a last 10 s wait; the shutdown hook
   * is no longer needed after that. Whether it has exited.
   */
  boolean stop() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway
    }
    return !process.isAlive();
  }
}
