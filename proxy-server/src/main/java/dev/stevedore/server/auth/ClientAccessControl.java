package dev.stevedore.server.auth;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.model.RepositoryName;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link AccessControl} of {@code --htpasswd} and {@code --allow}: HTTP Basic users from an
 * htpasswd file (when given), then an allow-list of {@code registry/repository} globs.
 */
public final class ClientAccessControl implements AccessControl, AutoCloseable {

  /** How long a verified {@code Authorization} header is trusted without another bcrypt. */
  public static final Duration REMEMBER_VERIFIED = Duration.ofMinutes(5);

  private static final int VERIFIER_QUEUE = 256;

  private final Optional<BasicAuthenticator> authenticator;
  private final AllowList allowList;
  private final Optional<ExecutorService> ownedVerifier;

  private ClientAccessControl(
      Optional<BasicAuthenticator> authenticator,
      AllowList allowList,
      Optional<ExecutorService> ownedVerifier) {
    this.authenticator = authenticator;
    this.allowList = Objects.requireNonNull(allowList, "allowList");
    this.ownedVerifier = ownedVerifier;
  }

  /**
   * Clients must sign in as one of {@code users} (when present) and may pull what {@code allowList}
   * allows. bcrypt runs on a small pool of its own daemon threads; {@code ticker} times the sign-in
   * backoff and the memory of verified credentials.
   */
  public static ClientAccessControl of(
      Optional<Htpasswd> users, AllowList allowList, Ticker ticker) {
    Objects.requireNonNull(users, "users");
    Objects.requireNonNull(ticker, "ticker");
    if (users.isEmpty()) {
      return new ClientAccessControl(Optional.empty(), allowList, Optional.empty());
    }
    ExecutorService verifier = verifierPool();
    BasicAuthenticator authenticator =
        new BasicAuthenticator(
            users.get(),
            verifier,
            new FailureBackoff(FailureBackoff.Policy.DEFAULT, ticker),
            REMEMBER_VERIFIED,
            ticker);
    return new ClientAccessControl(Optional.of(authenticator), allowList, Optional.of(verifier));
  }

  /** Whether clients must authenticate. */
  public boolean requiresAuthentication() {
    return authenticator.isPresent();
  }

  public AllowList allowList() {
    return allowList;
  }

  @Override
  public CompletableFuture<Void> authenticate(
      String clientAddress, Optional<String> authorization) {
    return authenticator
        .map(basic -> basic.authenticate(clientAddress, authorization))
        .orElseGet(() -> CompletableFuture.completedFuture(null));
  }

  @Override
  public boolean allows(String registry, RepositoryName repository) {
    return allowList.allows(registry, repository);
  }

  /** Stops the bcrypt threads; pending verifications are abandoned. */
  @Override
  public void close() {
    ownedVerifier.ifPresent(ExecutorService::shutdownNow);
  }

  /**
   * A few threads (bcrypt is CPU-bound) and a bounded queue: a flood of sign-ins is refused with
   * 429 rather than queued without limit.
   */
  private static ExecutorService verifierPool() {
    int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(VERIFIER_QUEUE),
        task -> {
          Thread thread = new Thread(task, "stevedore-bcrypt-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }
}
