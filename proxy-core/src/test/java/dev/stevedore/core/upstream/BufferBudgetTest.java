package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BufferBudgetTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void reserve_withinCapacity_isGrantedAtOnce() {
    BufferBudget budget = new BufferBudget(100, LONG);
    BufferBudget.Lease lease = budget.lease();

    assertThat(lease.reserve(60)).isCompleted();
    assertThat(lease.reserve(40)).isCompleted();
    assertThat(budget.used()).isEqualTo(100);
  }

  @Test
  void close_givesBackEverythingTheLeaseHolds() {
    BufferBudget budget = new BufferBudget(100, LONG);
    BufferBudget.Lease lease = budget.lease();
    lease.reserve(30).join();
    lease.reserve(20).join();

    lease.close();
    lease.close();

    assertThat(budget.used()).isZero();
  }

  @Test
  void reserve_beyondCapacity_waitsUntilAnotherLeaseGivesBack() {
    BufferBudget budget = new BufferBudget(100, LONG);
    BufferBudget.Lease first = budget.lease();
    first.reserve(80).join();

    CompletableFuture<Void> waiting = budget.lease().reserve(50);
    assertThat(waiting).isNotDone();

    first.close();
    assertThat(waiting).isCompleted();
    assertThat(budget.used()).isEqualTo(50);
  }

  @Test
  void waiters_areServedInArrivalOrder() {
    BufferBudget budget = new BufferBudget(100, LONG);
    BufferBudget.Lease holder = budget.lease();
    holder.reserve(100).join();
    CompletableFuture<Void> big = budget.lease().reserve(90);
    CompletableFuture<Void> small = budget.lease().reserve(10);

    assertThat(small).as("does not overtake the waiter before it").isNotDone();
    holder.close();

    assertThat(big).isCompleted();
    assertThat(small).isCompleted();
  }

  @Test
  void reserve_thatWaitsTooLong_failsWithTooManyRequestsAndLetsOthersIn() throws Exception {
    BufferBudget budget = new BufferBudget(100, Duration.ofMillis(50));
    BufferBudget.Lease holder = budget.lease();
    holder.reserve(95).join();
    CompletableFuture<Void> big = budget.lease().reserve(50);

    assertThatThrownBy(() -> big.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TOOMANYREQUESTS);
              assertThat(e.headers()).containsKey("Retry-After");
            });
    assertThat(budget.lease().reserve(5)).as("the queue is free again").isCompleted();
    assertThat(budget.used()).isEqualTo(100);
  }

  @Test
  void reserve_largerThanTheWholeBudget_isRefusedAtOnce() {
    BufferBudget budget = new BufferBudget(100, LONG);

    assertThat(budget.lease().reserve(101)).isCompletedExceptionally();
    assertThat(budget.used()).isZero();
  }

  @Test
  void grantAfterTheLeaseClosed_isGivenBackAtOnce() {
    BufferBudget budget = new BufferBudget(100, LONG);
    BufferBudget.Lease holder = budget.lease();
    holder.reserve(100).join();
    BufferBudget.Lease late = budget.lease();
    CompletableFuture<Void> waiting = late.reserve(40);

    late.close();
    holder.close();

    assertThat(waiting).isCompleted();
    assertThat(budget.used()).isZero();
  }

  @Test
  void defaultCapacity_isAQuarterOfTheHeapWithinBounds() {
    long mib = 1024 * 1024;
    assertThat(BufferBudget.defaultCapacity(128 * mib)).isEqualTo(32 * mib);
    assertThat(BufferBudget.defaultCapacity(32 * mib)).isEqualTo(BufferBudget.MIN_DEFAULT_BYTES);
    assertThat(BufferBudget.defaultCapacity(64L * 1024 * mib))
        .isEqualTo(BufferBudget.MAX_DEFAULT_BYTES);
  }
}
