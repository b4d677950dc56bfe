package dev.stevedore.core.upstream;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Bearer tokens by {@link TokenKey}, each kept until a little before it expires. Concurrent callers
 * for one key share a single fetch; a failed fetch is not cached. Time comes from an injected
 * {@link Ticker}.
 */
public final class TokenCache {

  static final long MAX_EARLY_NANOS = Duration.ofSeconds(30).toNanos();
  static final long MIN_LIFETIME_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long MAXIMUM_SIZE = 10_000;

  private final AsyncCache<TokenKey, Token> tokens;

  public TokenCache() {
    this(Ticker.systemTicker());
  }

  public TokenCache(Ticker ticker) {
    Objects.requireNonNull(ticker, "ticker");
    this.tokens =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(MAXIMUM_SIZE)
            .expireAfter(new TokenExpiry())
            .buildAsync();
  }

  /**
   * The cached token for {@code key}, or the result of {@code fetch} (called at most once for
   * concurrent callers of one key).
   */
  public CompletableFuture<Token> get(
      TokenKey key, Function<TokenKey, CompletableFuture<Token>> fetch) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fetch, "fetch");
    return tokens.get(key, (k, executor) -> safely(fetch, k));
  }

  /** Forgets the token for {@code key}. */
  public void invalidate(TokenKey key) {
    Objects.requireNonNull(key, "key");
    tokens.synchronous().invalidate(key);
  }

  /**
   * Forgets the token for {@code key} only if it is still {@code stale}, so that many callers
   * rejected with one old token cause one refresh, not one each.
   */
  public void invalidate(TokenKey key, Token stale) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(stale, "stale");
    CompletableFuture<Token> current = tokens.getIfPresent(key);
    if (current == null || !current.isDone() || current.isCompletedExceptionally()) {
      return;
    }
    if (stale.equals(current.join())) {
      tokens.asMap().remove(key, current);
    }
  }

  /** How long a token lifetime is cached: 10% early (at most 30 s), never under 1 s. */
  static long cacheNanos(long lifetimeNanos) {
    long early = Math.min(lifetimeNanos / 10, MAX_EARLY_NANOS);
    return Math.max(lifetimeNanos - Math.max(early, 0), MIN_LIFETIME_NANOS);
  }

  private static CompletableFuture<Token> safely(
      Function<TokenKey, CompletableFuture<Token>> fetch, TokenKey key) {
    try {
      CompletableFuture<Token> future = fetch.apply(key);
      return future != null
          ? future
          : CompletableFuture.failedFuture(new NullPointerException("token fetch returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static final class TokenExpiry implements Expiry<TokenKey, Token> {
    @Override
    public long expireAfterCreate(TokenKey key, Token token, long currentTime) {
      return cacheNanos(token.expiresAt() - currentTime);
    }

    @Override
    public long expireAfterUpdate(
        TokenKey key, Token token, long currentTime, long currentDuration) {
      return cacheNanos(token.expiresAt() - currentTime);
    }

    @Override
    public long expireAfterRead(TokenKey key, Token token, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
