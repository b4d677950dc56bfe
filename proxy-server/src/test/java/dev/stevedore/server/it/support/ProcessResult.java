package dev.stevedore.server.it.support;

import java.util.List;

/** Exit code and combined stdout/stderr of a finished (or timed-out: exit code -1) process. */
public record ProcessResult(int exitCode, String output, List<String> command) {
  public static final int TIMED_OUT = -1;

  public ProcessResult {
    command = List.copyOf(command);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns this if the exit code is 0, else throws an AssertionError with the output. */
  public ProcessResult requireSuccess() {
    if (!succeeded()) {
      throw new AssertionError(
          "`"
              + String.join(" ", command)
              + "` "
              + (exitCode == TIMED_OUT ? "timed out" : "exited with code " + exitCode)
              + ", output:\n"
              + output);
    }
    return this;
  }
}
