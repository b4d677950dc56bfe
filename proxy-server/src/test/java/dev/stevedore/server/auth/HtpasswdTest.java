package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HtpasswdTest {
  /** Written by {@code htpasswd -nbB alice 's3cret pass'} (Apache 2.4.71). */
  private static final String WRITTEN_BY_HTPASSWD =
      "alice:$2y$05$kZKp0.m6iP3Qx8YD9PPXReeaHZ/gPUhv0A/rdUiteQjfoqEfUBCKy";

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  static String bcrypt(String version, String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate(version, password.toCharArray(), salt, 4);
  }

  @Test
  void verify_entryWrittenByApacheHtpasswd() {
    Htpasswd users = Htpasswd.parse(WRITTEN_BY_HTPASSWD + "\n", "users");

    assertThat(users.size()).isEqualTo(1);
    assertThat(users.verify("alice", "s3cret pass")).isTrue();
    assertThat(users.verify("alice", "s3cret")).isFalse();
    assertThat(users.verify("Alice", "s3cret pass")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2a", "2b", "2y"})
  void verify_everyBcryptVersion(String version) {
    Htpasswd users = Htpasswd.parse("bob:" + bcrypt(version, "hunter2"), "users");

    assertThat(users.verify("bob", "hunter2")).isTrue();
    assertThat(users.verify("bob", "hunter3")).isFalse();
  }

  @Test
  void verify_unknownUser_isRefused() {
    Htpasswd users = Htpasswd.parse("bob:" + bcrypt("2y", "hunter2"), "users");

    assertThat(users.verify("mallory", "hunter2")).isFalse();
  }

  @Test
  void verify_passwordsWithColonsAndNonAscii() {
    Htpasswd users =
        Htpasswd.parse(
            "carol:" + bcrypt("2y", "a:b:c") + "\ndan:" + bcrypt("2b", "pässwörd"), "users");

    assertThat(users.verify("carol", "a:b:c")).isTrue();
    assertThat(users.verify("dan", "pässwörd")).isTrue();
    assertThat(users.verify("dan", "passwort")).isFalse();
  }

  @Test
  void verify_overlongPassword_isRefusedNotThrown() {
    Htpasswd users = Htpasswd.parse("bob:" + bcrypt("2y", "hunter2"), "users");

    assertThat(users.verify("bob", "x".repeat(500))).isFalse();
  }

  @Test
  void parse_skipsCommentsBlankLinesAndCarriageReturns() {
    String content =
        "# team\r\n\r\nbob:" + bcrypt("2y", "one") + "\r\n  \n" + "eve:" + bcrypt("2a", "two");

    Htpasswd users = Htpasswd.parse(content, "users");

    assertThat(users.size()).isEqualTo(2);
    assertThat(users.verify("bob", "one")).isTrue();
    assertThat(users.verify("eve", "two")).isTrue();
  }

  @Test
  void parse_md5_isAConfigErrorNamingTheLine() {
    String content =
        "bob:" + bcrypt("2y", "x") + "\n# next\ncarol:$apr1$Wr6TdnOr$.5TwAuIQmZNtcK/WtPgVn.\n";

    assertThatThrownBy(() -> Htpasswd.parse(content, "/etc/stevedore/users"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "htpasswd file /etc/stevedore/users line 3: user 'carol' has an MD5 ($apr1$) hash;"
                + " only bcrypt is supported (recreate it with 'htpasswd -B')");
  }

  @Test
  void parse_sha1_plainAndCrypt_areRefused() {
    assertThatThrownBy(() -> Htpasswd.parse("dave:{SHA}EfatjsUqKYSrqv18O1FlA3hcIHI=", "f"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("line 1: user 'dave' has a SHA-1 ({SHA}) hash");
    assertThatThrownBy(() -> Htpasswd.parse("erin:secret", "f"))
        .hasMessageContaining("line 1: user 'erin' has a plain-text or crypt(3) password");
    assertThatThrownBy(() -> Htpasswd.parse("fred:$6$salt$hash", "f"))
        .hasMessageContaining("a crypt(3) $6$ hash");
    assertThatThrownBy(() -> Htpasswd.parse("gina:$2y$10$tooShort", "f"))
        .hasMessageContaining("a malformed bcrypt hash");
  }

  @Test
  void parse_errorsNeverEchoTheHash() {
    assertThatThrownBy(() -> Htpasswd.parse("erin:my-plain-password", "f"))
        .hasMessageNotContaining("my-plain-password");
  }

  @Test
  void parse_lineWithoutUser_isRefused() {
    assertThatThrownBy(() -> Htpasswd.parse("just-a-name\n", "f"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("htpasswd file f line 1: expected user:bcrypt-hash as 'htpasswd -B' writes it");
    assertThatThrownBy(() -> Htpasswd.parse(":" + bcrypt("2y", "x"), "f"))
        .hasMessageContaining("line 1: expected user:bcrypt-hash");
  }

  @Test
  void parse_duplicateUser_isRefused() {
    String content = "bob:" + bcrypt("2y", "a") + "\nbob:" + bcrypt("2y", "b");

    assertThatThrownBy(() -> Htpasswd.parse(content, "f"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("htpasswd file f line 2: user 'bob' is already defined on line 1");
  }

  @Test
  void parse_noUsers_isRefused() {
    assertThatThrownBy(() -> Htpasswd.parse("# nobody yet\n", "f"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("htpasswd file f defines no users: every client would be refused");
  }

  @Test
  void read_file() throws Exception {
    Path file = Files.writeString(dir.resolve("htpasswd"), WRITTEN_BY_HTPASSWD + "\n");

    assertThat(Htpasswd.read(file).verify("alice", "s3cret pass")).isTrue();
  }

  @Test
  void read_missingFile_isAConfigError() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> Htpasswd.read(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot read htpasswd file " + missing);
  }
}
