package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Exit code and combined stdout/stderr of a finished (or timed-out: exit code -1) process. */
public record ProcessResult(int exitCode, String output, List<String> command) {
  public static final int TIMED_OUT = -1;

  public ProcessResult {
    command = List.copyOf(command);
  }

  private static final AtomicInteger TRANSIENT_LOGS = new AtomicInteger();

  /**
   * Like {@link #run}, with the output captured in a file of {@code workDir} that is deleted once
   * read: for tools whose output matters only in the result (containerd's ctr, podman, docker).
   */
  public static ProcessResult runWithTransientLog(
      List<String> command,
      Path workDir,
      Duration timeout,
      Consumer<Map<String, String>> environment) {
    Path outputFile = workDir.resolve("run-" + TRANSIENT_LOGS.incrementAndGet() + ".log");
    try {
      return run(command, workDir, outputFile, timeout, environment);
    } finally {
      try {
        Files.deleteIfExists(outputFile);
      } catch (IOException e) {
        // a leftover log in the test's own directory is harmless
      }
    }
  }

  /**
   * Runs {@code command} in {@code workDir} with no input, its combined output going to {@code
   * outputFile}; kills it after {@code timeout} (exit code {@link #TIMED_OUT}).
   */
  public static ProcessResult run(
      List<String> command,
      Path workDir,
      Path outputFile,
      Duration timeout,
      Consumer<Map<String, String>> environment) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(outputFile.toFile());
    environment.accept(builder.environment());
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      String output = Files.readString(outputFile, StandardCharsets.UTF_8);
      return finished
          ? new ProcessResult(process.exitValue(), output, command)
          : new ProcessResult(TIMED_OUT, output + "\n[killed after " + timeout + "]", command);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns this if the exit code is 0, else throws an AssertionError with the output. */
  public ProcessResult requireSuccess() {
    return requireSuccess(() -> "");
  }

  /**
   * Like {@link #requireSuccess()}, the error also saying what {@code diagnostics} gives (the
   * upstreams' request logs, a daemon's log), asked only on failure.
   */
  public ProcessResult requireSuccess(Supplier<String> diagnostics) {
    if (!succeeded()) {
      String more = diagnostics.get();
      throw new AssertionError(
          "`"
              + String.join(" ", command)
              + "` "
              + (exitCode == TIMED_OUT ? "timed out" : "exited with code " + exitCode)
              + ", output:\n"
              + output
              + (more.isEmpty() ? "" : "\n" + more));
    }
    return this;
  }
}
