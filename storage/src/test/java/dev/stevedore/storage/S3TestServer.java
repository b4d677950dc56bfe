package dev.stevedore.storage;

import java.io.IOException;
import java.net.URI;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * A real S3 server for tests: S3Proxy in this JVM on 127.0.0.1 (a free port), over its in-memory
 * {@code transient-nio2} backend, with signature v4 authentication. Started once for all test
 * classes and stopped when the JVM exits; each store under test gets a bucket of its own.
 */
public final class S3TestServer {
  private static final String IDENTITY = "test-access-key";
  private static final String CREDENTIAL = "test-secret-key";
  private static S3TestServer shared;

  private final S3Proxy proxy;
  private final S3Client client;
  private final AtomicInteger buckets = new AtomicInteger();

  private S3TestServer(S3Proxy proxy, S3Client client) {
    this.proxy = proxy;
    this.client = client;
  }

  /** The server of this test run, started on first use. */
  public static synchronized S3TestServer shared() throws IOException {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "s3proxy-stop"));
    }
    return shared;
  }

  /** A server of the caller's own, which it may {@link #stop()} (the store going away). */
  public static S3TestServer startOwn() throws IOException {
    return start();
  }

  private static S3TestServer start() throws IOException {
    Properties overrides = new Properties();
    BlobStoreContext context =
        ContextBuilder.newBuilder("transient-nio2")
            .credentials(IDENTITY, CREDENTIAL)
            .overrides(overrides)
            .build(BlobStoreContext.class);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
            .build();
    try {
      proxy.start();
      while (!"STARTED".equals(proxy.getState())) {
        Thread.onSpinWait();
      }
    } catch (Exception e) {
      throw new IOException("cannot start S3Proxy", e);
    }
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    return new S3TestServer(proxy, client(endpoint));
  }

  /** A client as Stevedore configures one for an S3-compatible endpoint (its retries too). */
  private static S3Client client(URI endpoint) {
    return clientBuilder(endpoint).build();
  }

  /** A client of this server whose requests pass {@code interceptor} (a faulty network). */
  S3Client clientThrough(ExecutionInterceptor interceptor) {
    return clientBuilder(endpoint())
        .overrideConfiguration(
            c -> c.retryStrategy(S3Connection.retryStrategy()).addExecutionInterceptor(interceptor))
        .build();
  }

  private static S3ClientBuilder clientBuilder(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
        .httpClient(ApacheHttpClient.create())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(c -> c.retryStrategy(S3Connection.retryStrategy()));
  }

  /** A client with the server's credentials. */
  public S3Client client() {
    return client;
  }

  /** Where the server listens: {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** The access key id the server accepts. */
  public String identity() {
    return IDENTITY;
  }

  /** The secret key the server accepts. */
  public String credential() {
    return CREDENTIAL;
  }

  /** Creates a new, empty bucket and returns its name. */
  public String newBucket() {
    String name = "test-bucket-" + buckets.incrementAndGet();
    client.createBucket(CreateBucketRequest.builder().bucket(name).build());
    return name;
  }

  /** Stops the server: from now on its port refuses connections. */
  public void stop() {
    client.close();
    try {
      proxy.stop();
    } catch (Exception e) {
      // the JVM is exiting
    }
  }
}
