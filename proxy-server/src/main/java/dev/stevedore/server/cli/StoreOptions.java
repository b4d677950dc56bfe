package dev.stevedore.server.cli;

import dev.stevedore.server.config.StoreFlags;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s shared store options. There is deliberately no credential option: the store
 * client takes credentials from the standard AWS chain, so they never appear in a process list.
 */
public final class StoreOptions {

  @Option(
      names = "--store",
      paramLabel = "s3://BUCKET[/PREFIX]",
      description =
          "Keep the cache in this S3 bucket, under PREFIX, shared by every replica; the data"
              + " directory becomes a local hot tier. Credentials come from the AWS chain"
              + " (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, web identity), never from a"
              + " flag (default: the data directory alone).")
  String store;

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "An S3-compatible server (MinIO, Ceph RGW, S3Proxy) instead of AWS S3, http or https;"
              + " uses path-style addressing (default: AWS S3).")
  String s3Endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      description = "Region the store requests are signed for (default: us-east-1).")
  String s3Region;

  @Option(
      names = "--s3-public-endpoint",
      paramLabel = "URL",
      description =
          "The store's URL as clients reach it, for --blob-redirect, when it differs from"
              + " --s3-endpoint (default: the endpoint).")
  String s3PublicEndpoint;

  @Option(
      names = "--blob-redirect",
      negatable = true,
      description =
          "Answer a blob GET the store holds with 307 to a short-lived presigned URL, so the bytes"
              + " flow from the store (default: off; --no-blob-redirect overrides the file).")
  Boolean blobRedirect;

  @Option(
      names = "--max-store-size",
      paramLabel = "SIZE",
      description =
          "Budget of the blobs in the store, e.g. 2TiB, 500GB; the least recently pulled are"
              + " evicted to stay within it (default: unlimited).")
  String maxStoreSize;

  /** The store flags as given. */
  public StoreFlags flags() {
    return new StoreFlags(
        Optional.ofNullable(store),
        Optional.ofNullable(s3Endpoint),
        Optional.ofNullable(s3Region),
        Optional.ofNullable(s3PublicEndpoint),
        Optional.ofNullable(blobRedirect),
        Optional.ofNullable(maxStoreSize));
  }
}
