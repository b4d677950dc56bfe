package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.cli.CommandRun;
import dev.stevedore.server.cli.StevedoreCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --htpasswd / --allow} mistakes end the command with exit 2 and one line. */
class AccessOptionsCommandLineTest {
  @TempDir Path dir;

  private CommandRun serve(String... extra) {
    String[] args = new String[extra.length + 5];
    args[0] = "serve";
    args[1] = "--data";
    args[2] = dir.resolve("data").toString();
    args[3] = "--listen";
    args[4] = "127.0.0.1:0";
    System.arraycopy(extra, 0, args, 5, extra.length);
    return CommandRun.run(args);
  }

  private static String oneLine(CommandRun run) {
    String text = run.err();
    assertThat(text.lines()).as(text).hasSize(1);
    assertThat(text).startsWith("stevedore: ").doesNotContain("\tat ");
    return text.strip();
  }

  @Test
  void md5Htpasswd_isExit2NamingTheLine() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("htpasswd"), "# users\ncarol:$apr1$Wr6TdnOr$.5TwAuIQmZNtcK/WtPgVn.\n");

    CommandRun run = serve("--htpasswd", file.toString());
    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine(run))
        .isEqualTo(
            "stevedore: htpasswd file "
                + file
                + " line 2: user 'carol' has an MD5 ($apr1$) hash; only bcrypt is supported"
                + " (recreate it with 'htpasswd -B')");
  }

  @Test
  void missingHtpasswd_isExit2() {
    CommandRun run = serve("--htpasswd", dir.resolve("nope").toString());
    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine(run)).startsWith("stevedore: cannot read htpasswd file ");
  }

  @Test
  void badAllowPattern_isExit2() {
    CommandRun run = serve("--allow", "docker.io/library/*", "--allow", "docker.io");
    assertThat(run.exitCode()).isEqualTo(StevedoreCommand.EXIT_CONFIG);
    assertThat(oneLine(run))
        .isEqualTo(
            "stevedore: invalid --allow pattern 'docker.io': it names no repository; write"
                + " docker.io/** to allow everything from docker.io");
  }
}
