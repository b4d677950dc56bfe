package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.StevedoreCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --htpasswd / --allow} mistakes end the command with exit 2 and one line. */
class AccessOptionsCommandLineTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureErr() {
    originalErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreErr() {
    System.setErr(originalErr);
  }

  private int serve(String... extra) {
    String[] args = new String[extra.length + 5];
    args[0] = "serve";
    args[1] = "--data";
    args[2] = dir.resolve("data").toString();
    args[3] = "--listen";
    args[4] = "127.0.0.1:0";
    System.arraycopy(extra, 0, args, 5, extra.length);
    return StevedoreCommand.run(args);
  }

  private String oneLine() {
    String text = err.toString(StandardCharsets.UTF_8);
    assertThat(text.lines()).as(text).hasSize(1);
    assertThat(text).startsWith("stevedore: ").doesNotContain("\tat ");
    return text.strip();
  }

  @Test
  void md5Htpasswd_isExit2NamingTheLine() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("htpasswd"), "# users\ncarol:$apr1$Wr6TdnOr$.5TwAuIQmZNtcK/WtPgVn.\n");

    assertThat(serve("--htpasswd", file.toString())).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine())
        .isEqualTo(
            "stevedore: htpasswd file "
                + file
                + " line 2: user 'carol' has an MD5 ($apr1$) hash; only bcrypt is supported"
                + " (recreate it with 'htpasswd -B')");
  }

  @Test
  void missingHtpasswd_isExit2() {
    assertThat(serve("--htpasswd", dir.resolve("nope").toString()))
        .isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine()).startsWith("stevedore: cannot read htpasswd file ");
  }

  @Test
  void badAllowPattern_isExit2() {
    assertThat(serve("--allow", "docker.io/library/*", "--allow", "docker.io"))
        .isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine())
        .isEqualTo(
            "stevedore: invalid --allow pattern 'docker.io': it names no repository; write"
                + " docker.io/** to allow everything from docker.io");
  }
}
