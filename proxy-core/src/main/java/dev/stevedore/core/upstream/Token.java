package dev.stevedore.core.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * A bearer token and the {@link Ticker} time (nanoseconds) at which its issuer says it expires.
 * {@link #toString()} never shows the token.
 */
public record Token(String value, long expiresAt) {

  public Token {
    Objects.requireNonNull(value, "value");
  }

  /** A token that lives {@code lifetime} from the ticker's current time. */
  public static Token expiringIn(String value, Duration lifetime, Ticker ticker) {
    Objects.requireNonNull(lifetime, "lifetime");
    Objects.requireNonNull(ticker, "ticker");
    return new Token(value, ticker.read() + lifetime.toNanos());
  }

  /** The value of an {@code Authorization} header carrying this token. */
  public String bearerAuthorization() {
    return "Bearer " + value;
  }

  @Override
  public String toString() {
    return "Token[value=***, expiresAt=" + expiresAt + "]";
  }
}
