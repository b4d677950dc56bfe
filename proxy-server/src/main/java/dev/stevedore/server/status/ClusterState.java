package dev.stevedore.server.status;

import dev.stevedore.server.cluster.StoreCluster;
import java.net.URI;
import java.util.Objects;

/**
 * What the status page shows of this replica's place in its cluster, read each time the page is:
 * the address peers reach it under and its leases. Never the cluster's secret, nor a signed relay
 * URL. An interface so the page's tests need no cluster.
 */
public interface ClusterState {
  /** The base URL peers reach this replica under ({@code --advertise}). */
  String advertise();

  /** Download leases this replica holds now. */
  int leasesHeld();

  /** Leases this replica lost while holding them. */
  long leasesLost();

  /** The state of {@code members}, the replica that advertises {@code advertise}. */
  static ClusterState of(URI advertise, StoreCluster members) {
    Objects.requireNonNull(members, "members");
    String shown = Objects.requireNonNull(advertise, "advertise").toString();
    return new ClusterState() {
      @Override
      public String advertise() {
        return shown;
      }

      @Override
      public int leasesHeld() {
        return members.leasesHeld();
      }

      @Override
      public long leasesLost() {
        return members.leasesLost();
      }
    };
  }
}
