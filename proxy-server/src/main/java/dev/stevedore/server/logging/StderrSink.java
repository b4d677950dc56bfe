package dev.stevedore.server.logging;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes each event in {@code format} to the process's stderr as it is at that moment (a command's
 * test may have replaced {@link System#err}), in one write, so lines of threads never interleave.
 */
public record StderrSink(LogFormat format) implements LogSink {
  @Override
  public void write(LogEvent event) {
    byte[] text = format.format(event).getBytes(StandardCharsets.UTF_8);
    PrintStream err = System.err;
    err.write(text, 0, text.length);
    err.flush();
  }
}
