package dev.stevedore.server.status;

import dev.stevedore.core.cache.PullStats;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeSetup;
import dev.stevedore.server.store.StoreHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The operator's page at {@code GET /}: live numbers read from memory and rendered as HTML. Cheap
 * and non-blocking, so the event loop serves it directly.
 */
public final class StatusPage implements Function<Optional<MirrorAddress>, String> {
  private final StatusSnapshotReader reader;
  private final NodeSetup setup;
  private final StatusPageRenderer renderer = new StatusPageRenderer();

  /**
   * @param reader the live numbers
   * @param setup the one-liners that point nodes at this server
   */
  public StatusPage(StatusSnapshotReader reader, NodeSetup setup) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.setup = Objects.requireNonNull(setup, "setup");
  }

  /**
   * The page of a running proxy.
   *
   * @param registry the meters to read
   * @param upstreams the configured upstreams, for their pull budgets
   * @param inFlightDownloads the number of blob downloads in progress
   * @param pulls manifest pulls per image
   * @param store the shared store's health; empty without {@code --store}, and the page shows no
   *     store
   * @param cluster this replica's cluster; empty without {@code --cluster-secret-file}, and the
   *     page shows no cluster
   * @param clients the clients that pulled manifests
   * @param setup the one-liners that point nodes at this server
   */
  public static StatusPage of(
      MeterRegistry registry,
      Collection<? extends Upstream> upstreams,
      IntSupplier inFlightDownloads,
      PullStats pulls,
      Optional<StoreHealth> store,
      Optional<ClusterState> cluster,
      RecentClients clients,
      NodeSetup setup) {
    return new StatusPage(
        new StatusSnapshotReader(
            registry,
            upstreams,
            inFlightDownloads,
            pulls,
            Clock.systemUTC(),
            store.map(StoreState::of),
            cluster,
            clients),
        setup);
  }

  /** The page, its setup one-liners naming {@code address}. */
  @Override
  public String apply(Optional<MirrorAddress> address) {
    return renderer.render(reader.read(), SetupLines.of(setup, address));
  }
}
