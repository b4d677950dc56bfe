package dev.stevedore.server.auth;

import static dev.stevedore.server.auth.BasicCredentialsTest.basic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class BasicAuthenticatorTest {
  private static final String CLIENT = "10.0.0.7";
  private static final Htpasswd USERS =
      Htpasswd.parse(
          "bob:"
              + HtpasswdTest.bcrypt("2y", "hunter2")
              + "\n"
              + "eve:"
              + HtpasswdTest.bcrypt("2b", "letmein")
              + "\n",
          "users");

  /** Runs bcrypt tasks only when the test says so, and counts them. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();
    int submitted;

    @Override
    public void execute(Runnable task) {
      submitted++;
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor bcrypt = new ManualExecutor();
  private final BasicAuthenticator authenticator =
      new BasicAuthenticator(
          USERS,
          bcrypt,
          new FailureBackoff(FailureBackoff.Policy.DEFAULT, ticker),
          Duration.ofMinutes(5),
          ticker);

  private CompletableFuture<Void> attempt(String client, String userColonPassword) {
    CompletableFuture<Void> result =
        authenticator.authenticate(client, Optional.of(basic(userColonPassword)));
    bcrypt.runAll();
    return result;
  }

  private static RegistryException refusal(CompletableFuture<Void> result) {
    assertThat(result).isCompletedExceptionally();
    Throwable cause = result.handle((ok, failure) -> failure).join();
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertThat(cause).isInstanceOf(RegistryException.class);
    return (RegistryException) cause;
  }

  @Test
  void noCredentials_isChallengedWithBasic_andNotCountedAsAFailure() {
    for (int i = 0; i < 20; i++) {
      RegistryException refused = refusal(authenticator.authenticate(CLIENT, Optional.empty()));

      assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
      assertThat(refused.headers())
          .containsExactlyEntriesOf(Map.of("WWW-Authenticate", "Basic realm=\"stevedore\""));
    }
    assertThat(attempt(CLIENT, "bob:hunter2")).isCompleted();
    assertThat(bcrypt.submitted).isEqualTo(1);
  }

  @Test
  void otherSchemes_areChallengedWithoutBcrypt() {
    RegistryException refused =
        refusal(authenticator.authenticate(CLIENT, Optional.of("Bearer some.jwt.token")));

    assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(refused.headers()).containsKey("WWW-Authenticate");
    assertThat(bcrypt.submitted).isZero();
  }

  @Test
  void rightPassword_isVerifiedOffTheCallersThread() {
    CompletableFuture<Void> result =
        authenticator.authenticate(CLIENT, Optional.of(basic("bob:hunter2")));

    assertThat(result).isNotDone();
    bcrypt.runAll();
    assertThat(result).isCompletedWithValue(null);
  }

  @Test
  void wrongPasswordOrUnknownUser_isUnauthorizedWithTheChallenge() {
    for (String attempt : new String[] {"bob:hunter3", "mallory:hunter2", "bob:"}) {
      RegistryException refused = refusal(attempt(CLIENT, attempt));

      assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
      assertThat(refused.detail()).isEqualTo("wrong username or password");
      assertThat(refused.headers()).containsEntry("WWW-Authenticate", "Basic realm=\"stevedore\"");
    }
  }

  @Test
  void verifiedHeader_isRememberedForFiveMinutes_soAPullCostsOneBcrypt() {
    assertThat(attempt(CLIENT, "bob:hunter2")).isCompleted();

    for (int i = 0; i < 50; i++) {
      CompletableFuture<Void> again =
          authenticator.authenticate("10.0.0." + i, Optional.of(basic("bob:hunter2")));
      assertThat(again).isCompletedWithValue(null);
    }
    assertThat(bcrypt.submitted).isEqualTo(1);

    ticker.advance(Duration.ofMinutes(5).plusSeconds(1));
    CompletableFuture<Void> later =
        authenticator.authenticate(CLIENT, Optional.of(basic("bob:hunter2")));
    assertThat(later).isNotDone();
    bcrypt.runAll();
    assertThat(later).isCompleted();
    assertThat(bcrypt.submitted).isEqualTo(2);
  }

  @Test
  void wrongPasswords_areNotRemembered() {
    refusal(attempt(CLIENT, "bob:nope"));
    refusal(attempt(CLIENT, "bob:nope"));

    assertThat(bcrypt.submitted).isEqualTo(2);
  }

  @Test
  void concurrentRequestsWithOneNewHeader_shareOneBcrypt() {
    CompletableFuture<Void> first =
        authenticator.authenticate(CLIENT, Optional.of(basic("eve:letmein")));
    CompletableFuture<Void> second =
        authenticator.authenticate(CLIENT, Optional.of(basic("eve:letmein")));

    bcrypt.runAll();

    assertThat(first).isCompleted();
    assertThat(second).isCompleted();
    assertThat(bcrypt.submitted).isEqualTo(1);
  }

  @Test
  void fiveFailures_thenTooManyRequestsWithRetryAfter_andNoBcrypt() {
    for (int i = 0; i < 5; i++) {
      assertThat(refusal(attempt(CLIENT, "bob:guess" + i)).code())
          .isEqualTo(ErrorCode.UNAUTHORIZED);
    }
    int spent = bcrypt.submitted;

    RegistryException refused = refusal(attempt(CLIENT, "bob:guess5"));

    assertThat(refused.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(refused.headers()).containsExactlyEntriesOf(Map.of("Retry-After", "1"));
    assertThat(bcrypt.submitted).isEqualTo(spent);
    assertThat(refusal(attempt(CLIENT, "bob:hunter2")).code())
        .as("even the right password waits")
        .isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(attempt("10.0.0.8", "bob:guess6"))
        .as("another client is not slowed")
        .isCompletedExceptionally();
    assertThat(bcrypt.submitted).isEqualTo(spent + 1);
  }

  @Test
  void backoff_doublesThenResetsOnSuccess() {
    for (int i = 0; i < 5; i++) {
      refusal(attempt(CLIENT, "bob:guess" + i));
    }
    ticker.advance(Duration.ofSeconds(1));
    refusal(attempt(CLIENT, "bob:guess5"));
    assertThat(refusal(attempt(CLIENT, "bob:guess6")).headers()).containsEntry("Retry-After", "2");
    ticker.advance(Duration.ofMillis(1500));
    assertThat(refusal(attempt(CLIENT, "bob:guess6")).headers())
        .as("rounded up")
        .containsEntry("Retry-After", "1");
    ticker.advance(Duration.ofMillis(500));

    assertThat(attempt(CLIENT, "bob:hunter2")).isCompletedWithValue(null);

    for (int i = 0; i < 4; i++) {
      assertThat(refusal(attempt(CLIENT, "bob:again" + i)).code())
          .isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  void rememberedHeader_passesEvenWhileTheAddressBacksOff() {
    assertThat(attempt(CLIENT, "bob:hunter2")).isCompleted();
    for (int i = 0; i < 6; i++) {
      refusal(attempt(CLIENT, "bob:guess" + i));
    }

    assertThat(authenticator.authenticate(CLIENT, Optional.of(basic("bob:hunter2"))))
        .isCompletedWithValue(null);
  }

  @Test
  void busyVerifier_isTooManyRequests() {
    BasicAuthenticator saturated =
        new BasicAuthenticator(
            USERS,
            task -> {
              throw new RejectedExecutionException("full");
            },
            new FailureBackoff(FailureBackoff.Policy.DEFAULT, ticker),
            Duration.ofMinutes(5),
            ticker);

    RegistryException refused =
        refusal(saturated.authenticate(CLIENT, Optional.of(basic("bob:hunter2"))));

    assertThat(refused.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
    assertThat(refused.headers()).containsEntry("Retry-After", "1");
    assertThat(saturated.authenticate(CLIENT, Optional.of(basic("bob:hunter2"))))
        .as("nothing was remembered")
        .isCompletedExceptionally();
  }

  @Test
  void hundredConcurrentWrongGuesses_costAtMostFreeFailuresBcrypts() {
    int free = FailureBackoff.Policy.DEFAULT.freeFailures();
    List<CompletableFuture<Void>> guesses = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      guesses.add(authenticator.authenticate(CLIENT, Optional.of(basic("bob:guess" + i))));
    }

    assertThat(bcrypt.submitted).as("checks handed to the verifier").isEqualTo(free);
    List<CompletableFuture<Void>> refusedAtOnce =
        guesses.stream().filter(CompletableFuture::isDone).toList();
    assertThat(refusedAtOnce).hasSize(100 - free);
    assertThat(refusedAtOnce)
        .allSatisfy(
            refused -> {
              assertThat(refusal(refused).code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
              assertThat(refusal(refused).headers()).containsKey("Retry-After");
            });

    bcrypt.runAll();

    assertThat(guesses.stream().filter(guess -> refusal(guess).code() == ErrorCode.UNAUTHORIZED))
        .hasSize(free);
    assertThat(refusal(attempt(CLIENT, "bob:hunter2")).code())
        .as("the address now waits")
        .isEqualTo(ErrorCode.TOOMANYREQUESTS);
  }

  @Test
  void afterTheWait_concurrentGuesses_areCheckedOneAtATime() {
    for (int i = 0; i < 5; i++) {
      refusal(attempt(CLIENT, "bob:guess" + i));
    }
    ticker.advance(Duration.ofSeconds(1));
    int spent = bcrypt.submitted;

    List<CompletableFuture<Void>> guesses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      guesses.add(authenticator.authenticate(CLIENT, Optional.of(basic("bob:again" + i))));
    }

    assertThat(bcrypt.submitted).isEqualTo(spent + 1);
    assertThat(guesses.stream().filter(CompletableFuture::isDone)).hasSize(19);
    bcrypt.runAll();
    assertThat(refusal(guesses.get(0)).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
  }

  @Test
  void rightPasswordAmongConcurrentGuesses_forgetsTheFailures() {
    List<CompletableFuture<Void>> guesses = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      guesses.add(authenticator.authenticate(CLIENT, Optional.of(basic("bob:guess" + i))));
    }
    CompletableFuture<Void> right =
        authenticator.authenticate(CLIENT, Optional.of(basic("bob:hunter2")));
    assertThat(right).isNotDone();

    bcrypt.runAll();

    assertThat(right).isCompletedWithValue(null);
    assertThat(guesses).allSatisfy(guess -> assertThat(guess).isCompletedExceptionally());
    for (int i = 0; i < 4; i++) {
      assertThat(refusal(attempt(CLIENT, "bob:later" + i)).code())
          .as("the success came last: only the failures after it count")
          .isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  void busyVerifier_doesNotCountAsAFailedGuess() {
    FailureBackoff shared = new FailureBackoff(FailureBackoff.Policy.DEFAULT, ticker);
    BasicAuthenticator saturated =
        new BasicAuthenticator(
            USERS,
            task -> {
              throw new RejectedExecutionException("full");
            },
            shared,
            Duration.ofMinutes(5),
            ticker);
    for (int i = 0; i < 20; i++) {
      refusal(saturated.authenticate(CLIENT, Optional.of(basic("bob:guess" + i))));
    }

    assertThat(shared.waitFor(CLIENT)).isEmpty();
  }
}
