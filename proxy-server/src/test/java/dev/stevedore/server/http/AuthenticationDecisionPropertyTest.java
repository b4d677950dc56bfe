package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes the spelling of registry API paths against the authentication decision: with client
 * authentication on (an access control that refuses everyone and counts what it was asked), no
 * encoding, case of escapes, double encoding, dot segment, doubled slash, {@code ;} parameter,
 * encoded slash, control character or query of a {@code /v2/} path is ever served without being
 * asked for credentials. Each request is sent as bytes through the HTTP codec to the real handler:
 * it is either refused as malformed (400, before authentication is asked) or answered 401.
 */
class AuthenticationDecisionPropertyTest {
  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  private static final List<String> V2_PATHS =
      List.of(
          "/v2/",
          "/v2",
          "/v2/library/alpine/manifests/3.19",
          "/v2/alpine/manifests/latest",
          "/v2/library/alpine/manifests/" + DIGEST,
          "/v2/library/alpine/blobs/" + DIGEST,
          "/v2/team/app/tags/list",
          "/v2/_catalog",
          "/v2/a/blobs/uploads/",
          "/v2/a/referrers/" + DIGEST,
          "/v2/a/unknown/x");

  private static OfflineRegistry registry;

  /** One change to the spelling of a path, at a position taken modulo the path's length. */
  enum Change {
    ESCAPE_UPPER,
    ESCAPE_LOWER,
    DOUBLE_ESCAPE,
    DOT_SEGMENT,
    DOT_DOT_SEGMENT,
    ESCAPED_DOT_SEGMENT,
    DOUBLED_SLASH,
    SEMICOLON_PARAMETER,
    ESCAPED_SLASH,
    ESCAPED_BACKSLASH,
    ESCAPED_NUL,
    RAW_CONTROL,
    UPPER_CASE,
    TRAILING_SLASH,
    NAMESPACE_QUERY,
    ESCAPED_NAMESPACE_QUERY
  }

  record Edit(Change change, int at) {}

  @BeforeContainer
  static void openCache() throws Exception {
    registry = OfflineRegistry.open();
  }

  @AfterContainer
  static void removeCache() throws Exception {
    registry.close();
  }

  @Provide
  Arbitrary<String> v2Paths() {
    return Arbitraries.of(V2_PATHS);
  }

  @Provide
  Arbitrary<Edit> edits() {
    return Combinators.combine(Arbitraries.of(Change.class), Arbitraries.integers().between(0, 999))
        .as(Edit::new);
  }

  @Property(tries = 2000)
  void noSpellingOfAV2Path_isServedWithoutAskingForCredentials(
      @ForAll("v2Paths") String path,
      @ForAll @Size(max = 6) List<@From("edits") Edit> edits,
      @ForAll("methods") String method) {
    String target = path;
    for (Edit edit : edits) {
      target = apply(edit, target);
    }
    RecordingAccessControl access = RecordingAccessControl.refusing();

    String status = statusOf(method + " " + target + " HTTP/1.1\r\nHost: s\r\n\r\n", access);
    Statistics.collect(status);

    if (status.equals("400")) {
      assertThat(access.authenticationsAsked()).as("refused before any decision").isZero();
    } else {
      assertThat(status).as(target).isEqualTo("401");
      assertThat(access.authenticationsAsked()).as(target).isEqualTo(1);
    }
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "HEAD", "PUT", "DELETE");
  }

  /** The status code of the answer of the real handler behind the HTTP codec. */
  private static String statusOf(String request, RecordingAccessControl access) {
    String answer =
        OfflineRegistry.exchange(
            new EmbeddedChannel(
                new HttpServerCodec(), new RegistryRequestHandler(registry.services(), access)),
            request.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(answer).as(request).startsWith("HTTP/1.1 ");
    return answer.substring(9, 12);
  }

  static String apply(Edit edit, String target) {
    int at = edit.at() % target.length();
    int slash = slashAtOrBefore(target, at);
    return switch (edit.change()) {
      case ESCAPE_UPPER -> escape(target, at, true);
      case ESCAPE_LOWER -> escape(target, at, false);
      case DOUBLE_ESCAPE -> {
        int percent = target.indexOf('%', at);
        percent = percent < 0 ? target.indexOf('%') : percent;
        yield percent < 0
            ? escape(target, at, true).replaceFirst("%", "%25")
            : target.substring(0, percent) + "%25" + target.substring(percent + 1);
      }
      case DOT_SEGMENT -> insert(target, slash, "/.");
      case DOT_DOT_SEGMENT -> insert(target, slash, "/x/..");
      case ESCAPED_DOT_SEGMENT -> insert(target, slash, at % 2 == 0 ? "/%2e" : "/%2E%2e");
      case DOUBLED_SLASH -> insert(target, slash, "/");
      case SEMICOLON_PARAMETER -> insert(target, nextSlashOrEnd(target, at), ";a=b");
      case ESCAPED_SLASH ->
          slash <= 0
              ? insert(target, at, "%2F")
              : replaceAt(target, slash, at % 2 == 0 ? "%2F" : "%2f");
      case ESCAPED_BACKSLASH -> insert(target, at, "%5C");
      case ESCAPED_NUL -> insert(target, Math.max(1, at), "%00");
      case RAW_CONTROL -> insert(target, Math.max(1, at), at % 2 == 0 ? "\u0000" : "\u001b");
      case UPPER_CASE ->
          replaceAt(target, at, target.substring(at, at + 1).toUpperCase(Locale.ROOT));
      case TRAILING_SLASH -> target + "/";
      case NAMESPACE_QUERY -> target + (target.contains("?") ? "&" : "?") + "ns=docker.io";
      case ESCAPED_NAMESPACE_QUERY ->
          target + (target.contains("?") ? "&" : "?") + "%6Es=docker%2Eio";
    };
  }

  /** {@code target} with the character at {@code at} percent-escaped. */
  private static String escape(String target, int at, boolean upper) {
    String hex = String.format(upper ? "%%%02X" : "%%%02x", (int) target.charAt(at));
    return replaceAt(target, at, hex);
  }

  private static String replaceAt(String target, int at, String replacement) {
    return target.substring(0, at) + replacement + target.substring(at + 1);
  }

  private static String insert(String target, int at, String text) {
    return target.substring(0, at) + text + target.substring(at);
  }

  private static int slashAtOrBefore(String target, int at) {
    int slash = target.lastIndexOf('/', at);
    return Math.max(slash, 0);
  }

  private static int nextSlashOrEnd(String target, int at) {
    int slash = target.indexOf('/', Math.max(at, 1));
    return slash < 0 ? target.length() : slash;
  }
}
