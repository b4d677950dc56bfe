package dev.stevedore.server.setup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Pieces of the setup scripts: shell quoting, here-documents and the scripts' resources. */
final class ShellText {
  /** Ends the here-documents of files; no file of a script has a line that is only this. */
  static final String END = "STEVEDORE_EOF";

  private ShellText() {}

  /** {@code text} as one single-quoted shell word. */
  static String quoted(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  /**
   * {@code command} fed {@code content} as a quoted here-document (nothing in it is expanded).
   *
   * @throws IllegalArgumentException when a line of {@code content} would end it early
   */
  static String heredoc(String command, String content) {
    String body = content.endsWith("\n") ? content : content + "\n";
    if (("\n" + body).contains("\n" + END + "\n")) {
      throw new IllegalArgumentException("content holds the here-document's end line");
    }
    return command + " <<'" + END + "'\n" + body + END + "\n";
  }

  /** A resource next to this class, read once. */
  static String resource(String name) {
    try (InputStream in = ShellText.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
