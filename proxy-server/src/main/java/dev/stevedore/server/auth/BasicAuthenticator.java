package dev.stevedore.server.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * HTTP Basic authentication against an {@link Htpasswd} file, safe to call on an event loop.
 *
 * <p>bcrypt runs on {@code verifier}, never on the caller's thread. A verified {@code
 * Authorization} header is remembered (by its SHA-256, for {@code rememberFor}), so the many
 * requests of one pull cost one bcrypt, and it is let through even while its address backs off;
 * concurrent requests with the same new header share one verification. Wrong passwords are not
 * remembered. A client whose guesses keep failing is answered {@code 429} with {@code Retry-After}
 * by the {@link FailureBackoff} before any bcrypt is spent on it; a guess counts from the moment
 * its bcrypt is handed to the verifier, so guesses sent all at once are held to the same limit as
 * guesses sent one after another. A request without credentials is answered {@code 401} with the
 * Basic challenge and is not counted as a failure: that is how every client starts.
 */
final class BasicAuthenticator {

  static final String REALM = "stevedore";
  static final Map<String, String> CHALLENGE =
      Map.of("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");

  private static final Duration BUSY_RETRY = Duration.ofSeconds(1);
  private static final int MAX_REMEMBERED = 10_000;

  private final Htpasswd users;
  private final Executor verifier;
  private final FailureBackoff backoff;
  private final AsyncCache<String, Boolean> verified;

  BasicAuthenticator(
      Htpasswd users,
      Executor verifier,
      FailureBackoff backoff,
      Duration rememberFor,
      Ticker ticker) {
    this.users = Objects.requireNonNull(users, "users");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.verified =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfterWrite(rememberFor)
            .maximumSize(MAX_REMEMBERED)
            .buildAsync();
  }

  /** Completes when the credentials are valid; fails with the 401 or 429 to send otherwise. */
  CompletableFuture<Void> authenticate(String client, Optional<String> authorization) {
    if (authorization.isEmpty()) {
      return CompletableFuture.failedFuture(unauthorized("authentication required"));
    }
    Optional<BasicCredentials> credentials = BasicCredentials.parse(authorization.get());
    if (credentials.isEmpty()) {
      return CompletableFuture.failedFuture(
          unauthorized("send a username and password with HTTP Basic authentication"));
    }
    String key = fingerprint(authorization.get());
    CompletableFuture<Boolean> known = verified.getIfPresent(key);
    if (known != null && known.isDone() && !known.isCompletedExceptionally() && known.join()) {
      return CompletableFuture.completedFuture(null);
    }
    if (known != null) {
      return settle(known, key, client, false); // joins a check in flight: no bcrypt of its own
    }
    Optional<Duration> wait = backoff.begin(client);
    if (wait.isPresent()) {
      return CompletableFuture.failedFuture(tooManyFailures(wait.get()));
    }
    try {
      known = verified.get(key, (unused, executor) -> verify(credentials.get()));
    } catch (RejectedExecutionException busy) {
      backoff.abandoned(client);
      return CompletableFuture.failedFuture(busy());
    }
    return settle(known, key, client, true);
  }

  /**
   * The outcome of {@code verification} for {@code client}; when {@code begun}, it also ends the
   * attempt {@code client} began with the backoff (each attempt begun is ended exactly once).
   */
  private CompletableFuture<Void> settle(
      CompletableFuture<Boolean> verification, String key, String client, boolean begun) {
    return verification.handle(
        (valid, failure) -> {
          if (failure != null) {
            if (begun) {
              backoff.abandoned(client);
            }
            throw new CompletionException(failure); // a bug, not a wrong password: a 500
          }
          if (valid) {
            if (begun) {
              backoff.succeeded(client);
            }
            return null;
          }
          verified.asMap().remove(key, verification); // only successes are remembered
          if (begun) {
            backoff.failed(client);
          }
          throw new CompletionException(unauthorized("wrong username or password"));
        });
  }

  /** One bcrypt on the verifier: whether the password is right. */
  private CompletableFuture<Boolean> verify(BasicCredentials credentials) {
    return CompletableFuture.supplyAsync(
        () -> users.verify(credentials.user(), credentials.password()), verifier);
  }

  static RegistryException unauthorized(String detail) {
    return new RegistryException(ErrorCode.UNAUTHORIZED, detail, CHALLENGE, null);
  }

  private static RegistryException tooManyFailures(Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return new RegistryException(
        ErrorCode.TOOMANYREQUESTS,
        "too many failed sign-ins from this address; retry in " + seconds + " s",
        Map.of("Retry-After", Long.toString(seconds)),
        null);
  }

  private static RegistryException busy() {
    return new RegistryException(
        ErrorCode.TOOMANYREQUESTS,
        "too many sign-ins are being checked; retry shortly",
        Map.of("Retry-After", Long.toString(BUSY_RETRY.toSeconds())),
        null);
  }

  private static String fingerprint(String authorization) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha256.digest(authorization.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
