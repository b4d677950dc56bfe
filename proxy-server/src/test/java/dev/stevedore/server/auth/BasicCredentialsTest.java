package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

  static String basic(String userColonPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parse_basicHeader() {
    assertThat(BasicCredentials.parse(basic("bob:pa:ss")))
        .contains(new BasicCredentials("bob", "pa:ss"));
    assertThat(BasicCredentials.parse(basic("bob:"))).contains(new BasicCredentials("bob", ""));
    assertThat(BasicCredentials.parse("bAsIc  " + basic("dan:pässwörd").substring(6)))
        .contains(new BasicCredentials("dan", "pässwörd"));
  }

  @Test
  void parse_otherHeaders_areEmpty() {
    assertThat(BasicCredentials.parse("Bearer abc.def")).isEmpty();
    assertThat(BasicCredentials.parse("Basic")).isEmpty();
    assertThat(BasicCredentials.parse("Basic !!!not-base64")).isEmpty();
    assertThat(BasicCredentials.parse(basic("no-colon"))).isEmpty();
    assertThat(BasicCredentials.parse(basic(":password-only"))).isEmpty();
    byte[] notUtf8 = {(byte) 0xff, ':', 'x'};
    assertThat(BasicCredentials.parse("Basic " + Base64.getEncoder().encodeToString(notUtf8)))
        .isEmpty();
  }

  @Test
  void toString_hidesThePassword() {
    assertThat(new BasicCredentials("bob", "hunter2").toString())
        .contains("bob")
        .doesNotContain("hunter2");
  }
}
