package dev.stevedore.server.store;

import dev.stevedore.server.DaemonThreads;
import dev.stevedore.server.cluster.ClusterAuth;
import dev.stevedore.server.cluster.PeerRelay;
import dev.stevedore.server.cluster.StoreCluster;
import dev.stevedore.server.config.ClusterSettings;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.Durations;
import dev.stevedore.server.config.StoreSettings;
import dev.stevedore.server.http.RelayAccess;
import dev.stevedore.storage.BlobIndex;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobUrls;
import dev.stevedore.storage.EvictionListener;
import dev.stevedore.storage.FileSystemLinkStore;
import dev.stevedore.storage.FileSystemMediaTypeStore;
import dev.stevedore.storage.FileSystemTagStore;
import dev.stevedore.storage.IndexedBlobStore;
import dev.stevedore.storage.LinkStore;
import dev.stevedore.storage.MediaTypeStore;
import dev.stevedore.storage.S3BlobStore;
import dev.stevedore.storage.S3BlobUrls;
import dev.stevedore.storage.S3Connection;
import dev.stevedore.storage.S3Layout;
import dev.stevedore.storage.S3Leases;
import dev.stevedore.storage.S3LinkStore;
import dev.stevedore.storage.S3MediaTypeStore;
import dev.stevedore.storage.S3TagStore;
import dev.stevedore.storage.StaleUploads;
import dev.stevedore.storage.StoreCheck;
import dev.stevedore.storage.StoreEviction;
import dev.stevedore.storage.StorePulls;
import dev.stevedore.storage.TagStore;
import dev.stevedore.storage.TieredBlobStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The stores one cache keeps its content in, chosen once at start: the data directory alone, or the
 * data directory as the hot tier in front of a shared bucket ({@code --store}). With a bucket,
 * everything another replica needs to serve without asking upstream lives there — blobs (manifests
 * included: they are blobs by digest), tag records with their fetch time, media types and
 * repository links — and the data directory holds the local tier of blobs within {@code
 * --max-cache-size}.
 *
 * @param blobs where blobs are read and written (tiered when shared)
 * @param localTier the data directory's blobs and their disk budget
 * @param mediaTypes the media type of each manifest
 * @param tags tag records
 * @param links which repositories have which digests
 * @param shared the bucket's connection and health, when there is one
 */
public record CacheStores(
    BlobStore blobs,
    IndexedBlobStore localTier,
    MediaTypeStore mediaTypes,
    TagStore tags,
    LinkStore links,
    Optional<Shared> shared)
    implements AutoCloseable {

  /**
   * The bucket behind the local tier.
   *
   * @param connection its client, closed with the stores
   * @param health whether it answers
   * @param housekeeping its periodic work: health checks, pull records, eviction
   * @param fills the threads that copy blobs from it into the local tier
   * @param redirects presigned URLs of its blobs, with {@code --blob-redirect}
   * @param cluster the replicas sharing it, with {@code --cluster-secret-file}
   */
  public record Shared(
      S3Connection connection,
      StoreHealth health,
      StoreHousekeeping housekeeping,
      ExecutorService fills,
      Optional<BlobRedirects> redirects,
      Optional<ReplicaCluster> cluster) {}

  /**
   * This replica's cluster: who downloads what ({@link StoreCluster}) and which requests come from
   * its peers ({@link RelayAccess}).
   */
  public record ReplicaCluster(StoreCluster members, RelayAccess peers) {}

  /**
   * A system property with the time to live of cluster leases ({@code 30s} by default, as {@code
   * --tag-ttl} is written): how long a dead holder blocks a download at most. Tests shorten it.
   */
  public static final String LEASE_TTL_PROPERTY = "stevedore.cluster.lease-ttl";

  /**
   * A system property with how long a won lease is left to settle before it is confirmed ({@code
   * 0s} by default): for S3-compatible servers that check conditional writes non-atomically, such
   * as S3Proxy, which the tests and benchmarks run on; AWS S3 and MinIO need none.
   */
  public static final String LEASE_SETTLE_PROPERTY = "stevedore.cluster.lease-settle";

  public CacheStores {
    Objects.requireNonNull(blobs, "blobs");
    Objects.requireNonNull(localTier, "localTier");
    Objects.requireNonNull(mediaTypes, "mediaTypes");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(links, "links");
    Objects.requireNonNull(shared, "shared");
  }

  /** The data directory alone. */
  public static CacheStores local(Path dataDir, OptionalLong budget, EvictionListener evictions)
      throws IOException {
    IndexedBlobStore blobs = IndexedBlobStore.open(dataDir, budget, evictions);
    return new CacheStores(
        blobs,
        blobs,
        FileSystemMediaTypeStore.open(dataDir),
        FileSystemTagStore.open(dataDir),
        FileSystemLinkStore.open(dataDir),
        Optional.empty());
  }

  /**
   * The data directory as hot tier (within {@code localBudget}) in front of {@code connection}'s
   * bucket {@code settings} name, whose last check at start was {@code atStart}: its blobs kept
   * within {@code --max-store-size}, redirected to with {@code --blob-redirect}. Starts the store's
   * housekeeping.
   */
  public static CacheStores shared(
      Path dataDir,
      OptionalLong localBudget,
      EvictionListener evictions,
      S3Connection connection,
      StoreCheck.Result atStart,
      StoreSettings settings,
      Optional<ClusterSettings> clusterSettings)
      throws IOException {
    IndexedBlobStore localTier = IndexedBlobStore.open(dataDir, localBudget, evictions);
    ExecutorService fills = Executors.newCachedThreadPool(DaemonThreads.named("stevedore-fill"));
    S3Layout layout = connection.layout();
    S3Client s3 = connection.client();
    String replicaId = ReplicaId.of(dataDir);
    StorePulls pulls = new StorePulls(s3, layout, replicaId);
    TieredBlobStore blobs =
        new TieredBlobStore(
            localTier, S3BlobStore.open(s3, layout, dataDir), fills, pulls::recordPull);
    StoreHealth health = new StoreHealth(connection, atStart);
    StoreHousekeeping housekeeping =
        new StoreHousekeeping(
                health,
                pulls,
                new StaleUploads(s3, layout),
                new StoreEviction(s3, layout),
                settings.maxStoreSize())
            .start();
    Optional<BlobRedirects> redirects = Optional.empty();
    if (settings.blobRedirect()) {
      BlobUrls urls = connection.blobUrls(settings.publicEndpoint(), S3BlobUrls.DEFAULT_EXPIRY);
      redirects = Optional.of(new PresignedRedirects(urls, pulls::recordPull));
    }
    return new CacheStores(
        blobs,
        localTier,
        new S3MediaTypeStore(s3, layout),
        new S3TagStore(s3, layout),
        new S3LinkStore(s3, layout),
        Optional.of(
            new Shared(
                connection,
                health,
                housekeeping,
                fills,
                redirects,
                clusterSettings.map(cluster -> cluster(cluster, s3, layout, replicaId)))));
  }

  private static ReplicaCluster cluster(
      ClusterSettings settings, S3Client s3, S3Layout layout, String replicaId) {
    ClusterAuth auth = ClusterAuth.of(settings);
    Clock clock = Clock.systemUTC();
    S3Leases leases =
        new S3Leases(s3, layout, clock, leaseTtl(), duration(LEASE_SETTLE_PROPERTY, Duration.ZERO));
    PeerRelay peers = new PeerRelay((method, path) -> auth.sign(method, path, clock.instant()));
    return new ReplicaCluster(
        new StoreCluster(leases, settings.advertise(), replicaId, peers),
        (method, uri, authorization) ->
            authorization.isPresent()
                && auth.verify(authorization.get(), method, uri, clock.instant()));
  }

  private static Duration leaseTtl() {
    return duration(LEASE_TTL_PROPERTY, S3Leases.DEFAULT_TTL);
  }

  private static Duration duration(String property, Duration otherwise) {
    String configured = System.getProperty(property);
    if (configured == null) {
      return otherwise;
    }
    try {
      return Durations.parse(configured);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("-D" + property + ": " + e.getMessage());
    }
  }

  /** The index of the local tier's blobs. */
  public BlobIndex localIndex() {
    return localTier.index();
  }

  @Override
  public void close() {
    shared.ifPresent(
        s -> {
          s.housekeeping().close();
          s.cluster().ifPresent(cluster -> cluster.members().close());
          s.fills().shutdownNow();
          s.connection().close();
        });
  }
}
