package dev.stevedore.server.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The shared store {@code serve} keeps its cache in, from {@code --store} and the {@code s3-*}
 * flags or the config file's {@code store:} section. Credentials are not here: the store client
 * takes them from the standard AWS chain (environment, profile, web identity), so they are never in
 * a flag, a file Stevedore reads or a log line.
 *
 * @param location bucket and key prefix
 * @param endpoint an S3-compatible server (MinIO, Ceph RGW, S3Proxy) instead of AWS; when given,
 *     requests use path-style addressing ({@code ENDPOINT/BUCKET/KEY})
 * @param region the signing region ({@value #DEFAULT_REGION} unless set)
 * @param publicEndpoint the endpoint clients reach the store under, for presigned redirects, when
 *     it differs from {@code endpoint}
 * @param blobRedirect answer a blob GET the store holds with a redirect to a presigned URL
 * @param maxStoreSize the budget of the blobs in the store in bytes; empty: unlimited
 */
public record StoreSettings(
    S3Location location,
    Optional<URI> endpoint,
    String region,
    Optional<URI> publicEndpoint,
    boolean blobRedirect,
    OptionalLong maxStoreSize) {

  public static final String DEFAULT_REGION = "us-east-1";

  public StoreSettings {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(publicEndpoint, "publicEndpoint");
    Objects.requireNonNull(maxStoreSize, "maxStoreSize");
    if (maxStoreSize.isPresent() && maxStoreSize.getAsLong() <= 0) {
      throw new ConfigException("max-store-size must be positive");
    }
  }

  /** Path-style addressing ({@code ENDPOINT/BUCKET/KEY}): what S3-compatible servers expect. */
  public boolean pathStyle() {
    return endpoint.isPresent();
  }
}
