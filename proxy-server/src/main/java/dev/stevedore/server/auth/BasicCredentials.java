package dev.stevedore.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/** The user and password of an {@code Authorization: Basic base64(user:password)} header. */
record BasicCredentials(String user, String password) {

  private static final String SCHEME = "basic ";

  /** The credentials of a well-formed Basic header; empty for any other header. */
  static Optional<BasicCredentials> parse(String authorization) {
    String header = authorization.strip();
    if (!header.toLowerCase(Locale.ROOT).startsWith(SCHEME)) {
      return Optional.empty();
    }
    String text;
    try {
      byte[] decoded = Base64.getDecoder().decode(header.substring(SCHEME.length()).strip());
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(decoded))
              .toString();
    } catch (IllegalArgumentException | CharacterCodingException malformed) {
      return Optional.empty();
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    return Optional.of(new BasicCredentials(text.substring(0, colon), text.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + "]"; // never the password
  }
}
