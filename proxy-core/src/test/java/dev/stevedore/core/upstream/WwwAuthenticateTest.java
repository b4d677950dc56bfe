package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class WwwAuthenticateTest {

  @Test
  void parse_dockerHubBearer_givesRealmServiceScope() {
    List<Challenge> challenges =
        WwwAuthenticate.parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"");

    assertThat(challenges)
        .containsExactly(
            new Challenge(
                "bearer",
                Map.of(
                    "realm", "https://auth.docker.io/token",
                    "service", "registry.docker.io",
                    "scope", "repository:library/alpine:pull")));
  }

  @Test
  void parse_twoChallengesAndCommaInsideQuotes_keepsBoth() {
    List<Challenge> challenges =
        WwwAuthenticate.parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull,push\", Basic realm=\"x\"");

    assertThat(challenges).hasSize(2);
    assertThat(challenges.get(0).scheme()).isEqualTo("bearer");
    assertThat(challenges.get(0).params())
        .containsEntry("scope", "repository:library/alpine:pull,push")
        .hasSize(3);
    assertThat(challenges.get(1)).isEqualTo(new Challenge("basic", Map.of("realm", "x")));
  }

  @Test
  void parse_escapesTokensWhitespaceAndCase_areNormalized() {
    List<Challenge> challenges =
        WwwAuthenticate.parse(
            "BEARER Realm = \"a \\\"quoted\\\" \\\\ realm\" ,  Service=registry.example.com\t,"
                + "error=invalid_token");

    assertThat(challenges).hasSize(1);
    Challenge bearer = challenges.get(0);
    assertThat(bearer.isBearer()).isTrue();
    assertThat(bearer.params())
        .containsEntry("realm", "a \"quoted\" \\ realm")
        .containsEntry("service", "registry.example.com")
        .containsEntry("error", "invalid_token");
    assertThat(bearer.param("SERVICE")).contains("registry.example.com");
  }

  @Test
  void parse_schemeWithoutParamsAndToken68_areChallenges() {
    List<Challenge> challenges =
        WwwAuthenticate.parse("Negotiate, Custom abc+/9==, Basic realm=\"r\", charset=\"UTF-8\"");

    assertThat(challenges)
        .extracting(Challenge::scheme)
        .containsExactly("negotiate", "custom", "basic");
    assertThat(challenges.get(1).params()).isEmpty();
    assertThat(challenges.get(2).params())
        .containsEntry("realm", "r")
        .containsEntry("charset", "UTF-8");
  }

  @Test
  void parse_duplicateParam_keepsFirst() {
    assertThat(WwwAuthenticate.parse("Basic realm=a, realm=b").get(0).params())
        .isEqualTo(Map.of("realm", "a"));
  }

  @Test
  void parse_garbage_returnsWhatItCouldAndNeverThrows() {
    assertThat(WwwAuthenticate.parse(null)).isEmpty();
    assertThat(WwwAuthenticate.parse("")).isEmpty();
    assertThat(WwwAuthenticate.parse("   ,,, ")).isEmpty();
    assertThat(WwwAuthenticate.parse("=\"oops\", Basic realm=\"x\""))
        .containsExactly(new Challenge("basic", Map.of("realm", "x")));
    assertThat(WwwAuthenticate.parse("Bearer realm=\"unterminated"))
        .containsExactly(new Challenge("bearer", Map.of("realm", "unterminated")));
    assertThat(WwwAuthenticate.parse("Bearer realm=\"x\" junk \"q,\" , service=s"))
        .containsExactly(new Challenge("bearer", Map.of("realm", "x", "service", "s")));
    assertThat(WwwAuthenticate.parse("Bearer ==, realm"))
        .extracting(Challenge::scheme)
        .contains("bearer");
  }

  @Test
  @Timeout(10)
  void parse_randomInput_neverThrows() {
    Random random = new Random(42);
    String alphabet = "ab=\", \\\t;BearerBasic realm";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int j = 0; j < length; j++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertThat(WwwAuthenticate.parseUnguarded(text.toString())).isNotNull();
    }
  }

  @Test
  void parseAll_severalHeaderValues_concatenates() {
    assertThat(WwwAuthenticate.parseAll(List.of("Basic realm=a", "Bearer realm=b")))
        .extracting(Challenge::scheme)
        .containsExactly("basic", "bearer");
  }
}
