package dev.stevedore.core.cluster;

import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.storage.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The names of the cluster's claims, one per upstream request that the cluster makes once: a blob
 * download, a manifest by digest, a tag resolution. Names are made of key-safe segments; an
 * upstream name from configuration that is not key-safe is hashed.
 */
public final class ClaimNames {
  private static final Pattern KEY_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private ClaimNames() {}

  /** {@code blobs/<upstream>/<alg>/<hex>} */
  public static String blob(String upstream, Digest digest) {
    return "blobs/" + safe(upstream) + "/" + digest.algorithm() + "/" + digest.hex();
  }

  /** {@code manifests/<upstream>/<alg>/<hex>} */
  public static String manifest(String upstream, Digest digest) {
    return "manifests/" + safe(upstream) + "/" + digest.algorithm() + "/" + digest.hex();
  }

  /** {@code tags/<upstream>/<repository>/_/<tag>} */
  public static String tag(String upstream, RepositoryName repository, String tag) {
    return "tags/" + safe(upstream) + "/" + repository.value() + "/_/" + tag;
  }

  private static String safe(String upstream) {
    if (KEY_SAFE.matcher(upstream).matches()) {
      return upstream;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(upstream.getBytes(StandardCharsets.UTF_8));
      return "h-" + HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
