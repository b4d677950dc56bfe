package dev.stevedore.server.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a child process of the tests has written to its log file so far, for failure messages. */
final class ProcessLog {
  private ProcessLog() {}

  /** The file's text; empty while it does not exist; a note instead of an exception. */
  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
