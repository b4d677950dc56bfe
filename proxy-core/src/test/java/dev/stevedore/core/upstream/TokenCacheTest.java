package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TokenCacheTest {

  private static final TokenKey KEY =
      TokenKey.pull("https://auth.example/token", "registry.example", "library/alpine");

  private final FakeTicker ticker = new FakeTicker();
  private final TokenCache cache = new TokenCache(ticker);
  private final AtomicInteger fetches = new AtomicInteger();
  private final ExecutorService pool = Executors.newFixedThreadPool(16);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private CompletableFuture<Token> fetchLiving(Duration lifetime) {
    int n = fetches.incrementAndGet();
    return CompletableFuture.completedFuture(Token.expiringIn("t" + n, lifetime, ticker));
  }

  private Token get(Duration lifetime) {
    return cache.get(KEY, key -> fetchLiving(lifetime)).join();
  }

  @Test
  void get_withinLifetime_servesCachedToken() {
    Token first = get(Duration.ofSeconds(300));
    ticker.advance(Duration.ofSeconds(269));

    assertThat(get(Duration.ofSeconds(300))).isEqualTo(first);
    assertThat(fetches).hasValue(1);
  }

  @Test
  void get_nearExpiry_fetchesAgainEarly() {
    get(Duration.ofSeconds(300)); // cached for 300 s - 30 s
    ticker.advance(Duration.ofSeconds(271));

    assertThat(get(Duration.ofSeconds(300)).value()).isEqualTo("t2");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void get_shortLifetime_expiresTenPercentEarly() {
    get(Duration.ofSeconds(60)); // cached for 54 s
    ticker.advance(Duration.ofSeconds(53));
    assertThat(get(Duration.ofSeconds(60)).value()).isEqualTo("t1");

    ticker.advance(Duration.ofSeconds(2));
    assertThat(get(Duration.ofSeconds(60)).value()).isEqualTo("t2");
  }

  @Test
  void cacheNanos_bounds() {
    assertThat(TokenCache.cacheNanos(Duration.ofSeconds(300).toNanos()))
        .isEqualTo(Duration.ofSeconds(270).toNanos());
    assertThat(TokenCache.cacheNanos(Duration.ofHours(1).toNanos()))
        .isEqualTo(Duration.ofSeconds(3570).toNanos());
    assertThat(TokenCache.cacheNanos(Duration.ofMillis(500).toNanos()))
        .isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(TokenCache.cacheNanos(-5)).isEqualTo(Duration.ofSeconds(1).toNanos());
  }

  @Test
  void get_concurrentCallers_shareOneFetch() throws Exception {
    CompletableFuture<Token> pending = new CompletableFuture<>();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch allAsked = new CountDownLatch(50);
    List<CompletableFuture<Token>> results = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      results.add(
          CompletableFuture.supplyAsync(
                  () -> {
                    await(start);
                    CompletableFuture<Token> token =
                        cache.get(
                            KEY,
                            key -> {
                              fetches.incrementAndGet();
                              return pending;
                            });
                    allAsked.countDown();
                    return token;
                  },
                  pool)
              .thenCompose(future -> future));
    }
    start.countDown();
    // every caller has asked the cache while the one fetch is still pending
    assertThat(allAsked.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(results).allSatisfy(result -> assertThat(result).isNotDone());
    pending.complete(Token.expiringIn("shared", Duration.ofMinutes(5), ticker));

    for (CompletableFuture<Token> result : results) {
      assertThat(result.get(5, TimeUnit.SECONDS).value()).isEqualTo("shared");
    }
    assertThat(fetches).hasValue(1);
  }

  @Test
  void get_failedFetch_isNotCached() {
    CompletableFuture<Token> failed =
        cache.get(
            KEY,
            key -> {
              fetches.incrementAndGet();
              return CompletableFuture.failedFuture(new IllegalStateException("realm down"));
            });
    assertThat(failed).isCompletedExceptionally();

    assertThat(get(Duration.ofMinutes(5)).value()).isEqualTo("t2");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void get_fetchThrows_failsFutureAndIsNotCached() {
    CompletableFuture<Token> failed =
        cache.get(
            KEY,
            key -> {
              throw new IllegalStateException("boom");
            });

    assertThat(failed).isCompletedExceptionally();
    assertThat(get(Duration.ofMinutes(5)).value()).isEqualTo("t1");
  }

  @Test
  void invalidate_forgetsToken() {
    get(Duration.ofMinutes(5));
    cache.invalidate(KEY);

    assertThat(get(Duration.ofMinutes(5)).value()).isEqualTo("t2");
  }

  @Test
  void invalidateStale_onlyWhenStillCached() {
    Token old = get(Duration.ofMinutes(5));
    cache.invalidate(KEY, old);
    Token fresh = get(Duration.ofMinutes(5));

    cache.invalidate(KEY, old); // a late caller rejected with the old token
    assertThat(get(Duration.ofMinutes(5))).isEqualTo(fresh);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void token_toStringHidesValue() {
    assertThat(new Token("secret-token", 1).toString()).doesNotContain("secret-token");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
