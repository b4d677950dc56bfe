package dev.stevedore.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The exit code and output of one in-process {@code stevedore} run, for tests in any package. */
public record CommandRun(int exitCode, String out, String err) {

  /**
   * Runs {@link StevedoreCommand#run} with System.out and System.err captured, and restored after.
   * One run at a time: the streams are global.
   */
  public static synchronized CommandRun run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = StevedoreCommand.run(args);
      return new CommandRun(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  public List<String> outLines() {
    return out.lines().toList();
  }
}
