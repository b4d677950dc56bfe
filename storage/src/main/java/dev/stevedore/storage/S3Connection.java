package dev.stevedore.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client of one store (bucket, prefix, endpoint, region), built the one way Stevedore talks
 * to an object store, and the resources it owns. Takes plain values, so storage does not know how
 * the command line spells them.
 *
 * <ul>
 *   <li>Credentials come only from the standard AWS chain ({@link DefaultCredentialsProvider}:
 *       system properties, environment, profile, web identity, container and instance roles), so
 *       they are never in a flag, a file Stevedore reads, or a log line; nothing here prints them.
 *   <li>With an {@code endpoint} (MinIO, Ceph RGW, S3Proxy) requests go there with path-style
 *       addressing ({@code ENDPOINT/BUCKET/KEY}), which S3-compatible servers expect.
 *   <li>Checksums are computed and validated only when an operation requires them: S3-compatible
 *       servers do not all know the SDK's newer default checksum headers and trailers.
 *   <li>Connecting gives up after {@link #CONNECT_TIMEOUT} and a read after {@link #READ_TIMEOUT}
 *       without a byte, so an unreachable or stalled store fails a request instead of hanging it.
 *       The read timeout is between bytes, not for a whole body, so big blobs still stream.
 * </ul>
 */
public final class S3Connection implements AutoCloseable {
  /**
   * Attempts per request, two more than the SDK's three: a pooled connection the server closed
   * (S3Proxy closes some after answering early, e.g. a conditional write it refused) fails the
   * attempt that picks it, and a burst of such connections used up three attempts under load.
   */
  static final int MAX_ATTEMPTS = 5;

  /** How long to wait for a TCP connection to the store: it is near, so short. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** How long to wait for the next byte of an answer once connected. */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final S3Layout layout;
  private final Optional<URI> endpoint;
  private final String region;
  private final DefaultCredentialsProvider credentials;
  private final SdkHttpClient http;
  private final S3Client client;
  private final List<S3BlobUrls> blobUrls = new CopyOnWriteArrayList<>();

  private S3Connection(
      S3Layout layout,
      Optional<URI> endpoint,
      String region,
      DefaultCredentialsProvider credentials,
      SdkHttpClient http,
      S3Client client) {
    this.layout = layout;
    this.endpoint = endpoint;
    this.region = region;
    this.credentials = credentials;
    this.http = http;
    this.client = client;
  }

  /**
   * Builds the client; does not talk to the store yet ({@link StoreCheck} does).
   *
   * @param layout bucket and key prefix
   * @param endpoint an S3-compatible server instead of AWS S3; empty for AWS
   * @param region the signing region, e.g. {@code us-east-1}
   */
  public static S3Connection open(S3Layout layout, Optional<URI> endpoint, String region) {
    return open(layout, endpoint, region, StoreMetrics.NONE);
  }

  /**
   * Builds the client, which reports each of its calls to {@code metrics}; does not talk to the
   * store yet ({@link StoreCheck} does).
   *
   * @param layout bucket and key prefix
   * @param endpoint an S3-compatible server instead of AWS S3; empty for AWS
   * @param region the signing region, e.g. {@code us-east-1}
   * @param metrics told operation, outcome and bytes of every request to the store
   */
  public static S3Connection open(
      S3Layout layout, Optional<URI> endpoint, String region, StoreMetrics metrics) {
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(metrics, "metrics");
    if (region.isBlank()) {
      throw new IllegalArgumentException("empty region");
    }
    DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    SdkHttpClient http =
        ApacheHttpClient.builder()
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(READ_TIMEOUT)
            .build();
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClient(http)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(
                c ->
                    c.addExecutionInterceptor(new S3CallMetrics(metrics))
                        .retryStrategy(retryStrategy()));
    endpoint.ifPresent(uri -> builder.endpointOverride(uri).forcePathStyle(true));
    return new S3Connection(layout, endpoint, region, credentials, http, builder.build());
  }

  /** The standard strategy with {@link #MAX_ATTEMPTS}; also what the tests' clients use. */
  static RetryStrategy retryStrategy() {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build();
  }

  /** The client; blocking, shared by all stores of this connection. */
  public S3Client client() {
    return client;
  }

  /**
   * Presigned {@code GET} URLs of this store's blobs, for {@code --blob-redirect}; closed with this
   * connection. Signed with the connection's region and credentials, for {@code publicEndpoint}
   * when clients reach the store under another name than the connection's endpoint (distribution's
   * {@code redirectendpoint}: a load balancer, a public DNS name), else for the connection's
   * endpoint, or AWS S3. With either endpoint the URLs are path-style ({@code
   * ENDPOINT/BUCKET/KEY}), as S3-compatible servers expect.
   *
   * @param publicEndpoint scheme, host and port clients fetch from; empty: the connection's
   * @param expiry how long each URL stays valid: whole seconds, from one second to {@link
   *     S3BlobUrls#MAX_EXPIRY} (one hour); {@link S3BlobUrls#DEFAULT_EXPIRY} is ten minutes
   */
  public BlobUrls blobUrls(Optional<URI> publicEndpoint, Duration expiry) {
    Objects.requireNonNull(publicEndpoint, "publicEndpoint");
    S3BlobUrls.checkedExpiry(expiry);
    // The presigner closes a closeable credentials provider: it gets a view of the connection's,
    // which the connection closes itself.
    AwsCredentialsProvider shared = credentials::resolveCredentials;
    S3Presigner.Builder builder =
        S3Presigner.builder().region(Region.of(region)).credentialsProvider(shared);
    publicEndpoint
        .or(() -> endpoint)
        .ifPresent(
            uri ->
                builder
                    .endpointOverride(uri)
                    .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build()));
    S3BlobUrls urls = new S3BlobUrls(client, layout, builder.build(), expiry);
    blobUrls.add(urls);
    return urls;
  }

  /** Bucket and key prefix. */
  public S3Layout layout() {
    return layout;
  }

  /**
   * Where the store is, for messages and the status page: the endpoint without any user info or
   * query, or {@code AWS S3 (<region>)}.
   */
  public String where() {
    return endpoint.map(S3Connection::withoutSecrets).orElse("AWS S3 (" + region + ")");
  }

  /**
   * Closes the client, the presigners of {@link #blobUrls}, and what the SDK leaves to whoever
   * built them: the HTTP client and the credential chain (which may hold a refresh thread).
   */
  @Override
  public void close() {
    blobUrls.forEach(S3BlobUrls::close);
    client.close();
    http.close();
    credentials.close();
  }

  private static String withoutSecrets(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return uri.getScheme() + "://" + uri.getHost();
    }
  }
}
