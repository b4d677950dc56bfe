package dev.stevedore.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cluster.ClaimNames;
import dev.stevedore.core.cluster.Cluster;
import dev.stevedore.storage.Digest;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3Leases;
import dev.stevedore.storage.S3TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two replicas deciding who downloads, through leases in a bucket on S3Proxy. */
class StoreClusterTest {
  private static final URI ONE = URI.create("http://10.0.0.1:5000");
  private static final URI TWO = URI.create("http://10.0.0.2:5000");
  private static final Digest BLOB = Digest.sha256("a layer".getBytes(StandardCharsets.UTF_8));

  private final StoreCluster one;
  private final StoreCluster two;

  StoreClusterTest() throws Exception {
    S3TestServer s3 = S3TestServer.shared();
    S3Layout layout = new S3Layout(s3.newBucket(), "cache");
    S3Leases leases = new S3Leases(s3.client(), layout, Clock.systemUTC(), Duration.ofSeconds(30));
    PeerRelay unused = new PeerRelay((method, path) -> "none");
    one = new StoreCluster(leases, ONE, "replica-one", unused);
    two = new StoreCluster(leases, TWO, "replica-two", unused);
  }

  @AfterEach
  void close() {
    one.close();
    two.close();
  }

  @Test
  void theFirstToClaimLeads_theOtherFollowsItsAddress_untilTheLeaderLetsGo() throws Exception {
    Cluster.Flight first = one.claimBlob("docker.io", BLOB);
    Cluster.Flight second = two.claimBlob("docker.io", BLOB);

    assertThat(first).isInstanceOf(Cluster.Flight.Lead.class);
    assertThat(second).isEqualTo(new Cluster.Flight.Follow(ONE));
    assertThat(one.leasesHeld()).isEqualTo(1);

    ((Cluster.Flight.Lead) first).leadership().close();

    assertThat(one.leasesHeld()).isZero();
    Cluster.Flight after = two.claimBlob("docker.io", BLOB);
    assertThat(after).isInstanceOf(Cluster.Flight.Lead.class);
    ((Cluster.Flight.Lead) after).leadership().close();
  }

  @Test
  void claimsOfDifferentRequests_areIndependent() throws Exception {
    Cluster.Flight blob = one.claimBlob("docker.io", BLOB);
    Cluster.Flight manifest = two.claim(ClaimNames.manifest("docker.io", BLOB));
    Cluster.Flight otherUpstream = two.claimBlob("ghcr.io", BLOB);

    assertThat(blob).isInstanceOf(Cluster.Flight.Lead.class);
    assertThat(manifest).isInstanceOf(Cluster.Flight.Lead.class);
    assertThat(otherUpstream).isInstanceOf(Cluster.Flight.Lead.class);
  }

  @Test
  void anUpstreamNameThatIsNotKeySafe_isHashedIntoTheClaimName() {
    assertThat(ClaimNames.blob("my registry/../x", BLOB))
        .startsWith("blobs/h-")
        .endsWith("/sha256/" + BLOB.hex())
        .doesNotContain("..");
  }
}
