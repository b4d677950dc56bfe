package dev.stevedore.core.cache;

import static dev.stevedore.core.cache.Futures.supplyBlocking;

import dev.stevedore.core.cluster.Cluster;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes a counted upstream request (a manifest {@code GET}, a tag resolution) once for the whole
 * cluster: the replica that claims it leads and asks upstream; the others look in the shared store
 * every {@value #POLL_MILLIS} ms until the leader's answer is there, then serve it. A leader that
 * dies stops renewing its claim and a follower takes over; a follower that waited {@link #PATIENCE}
 * asks upstream itself (a counted request more, never a client left waiting). Waiting holds no
 * thread: each look is one task on the disk executor. Alone ({@link Cluster#SOLO}) it simply leads.
 */
final class ClusterOnce {
  static final long POLL_MILLIS = 200;
  static final Duration PATIENCE = Duration.ofSeconds(45);

  private final Cluster cluster;
  private final Executor disk;
  private final Executor later;

  ClusterOnce(Cluster cluster, Executor disk) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.disk = Objects.requireNonNull(disk, "disk");
    this.later = CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS, disk);
  }

  /** What a look at the store found. Blocking. */
  @FunctionalInterface
  interface Look {
    boolean done() throws IOException;
  }

  /**
   * Leads the request {@code name} ({@code lead}) or, when another replica leads it, waits until
   * {@code look} finds its answer in the store and then answers with {@code found}.
   */
  <T> CompletableFuture<T> run(
      String name,
      Look look,
      Supplier<CompletableFuture<T>> found,
      Supplier<CompletableFuture<T>> lead) {
    if (cluster == Cluster.SOLO) {
      return lead.get();
    }
    return attempt(name, look, found, lead, System.nanoTime() + PATIENCE.toNanos());
  }

  private <T> CompletableFuture<T> attempt(
      String name,
      Look look,
      Supplier<CompletableFuture<T>> found,
      Supplier<CompletableFuture<T>> lead,
      long deadline) {
    return supplyBlocking(() -> turn(name, look), disk)
        .thenCompose(
            turn -> {
              if (turn instanceof Turn.Found) {
                return found.get();
              }
              if (turn instanceof Turn.Lead leading) {
                return lead.get().whenComplete((value, error) -> leading.leadership().close());
              }
              if (System.nanoTime() - deadline > 0) {
                return lead.get(); // the leader takes too long: ask upstream ourselves
              }
              return CompletableFuture.supplyAsync(() -> null, later)
                  .thenCompose(ignored -> attempt(name, look, found, lead, deadline));
            });
  }

  /** One look: the answer is in the store, or this replica leads, or it waits. Blocking. */
  private Turn turn(String name, Look look) throws IOException {
    if (look.done()) {
      return new Turn.Found();
    }
    Cluster.Flight flight = cluster.claim(name);
    if (flight instanceof Cluster.Flight.Lead lead) {
      if (look.done()) { // the last leader finished between our look and our claim
        lead.leadership().close();
        return new Turn.Found();
      }
      return new Turn.Lead(lead.leadership());
    }
    return new Turn.Wait();
  }

  private sealed interface Turn {
    record Found() implements Turn {}

    record Lead(Cluster.Leadership leadership) implements Turn {}

    record Wait() implements Turn {}
  }
}
