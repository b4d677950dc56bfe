package dev.stevedore.server.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.storage.BlobUrls;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link BlobRedirects} by presigned URLs of the bucket's objects. A URL is made once (one {@code
 * HEAD} to see the bucket holds the blob, then a signature) and handed out again for half its
 * validity, so a redirect usually costs a map lookup, not a round trip to the store: the signature
 * stays valid for at least the other half whenever a client gets it. A blob evicted from the bucket
 * meanwhile (only ever the least recently pulled, and a blob handed out here is recently pulled)
 * would answer the client {@code 404} for at most that half. Every redirect counts as a pull.
 */
public final class PresignedRedirects implements BlobRedirects {
  private static final int MAX_URLS = 100_000;

  private final BlobUrls urls;
  private final Consumer<Digest> pulls;
  private final Cache<Digest, URI> handedOut;

  public PresignedRedirects(BlobUrls urls, Consumer<Digest> pulls) {
    this.urls = Objects.requireNonNull(urls, "urls");
    this.pulls = Objects.requireNonNull(pulls, "pulls");
    this.handedOut =
        Caffeine.newBuilder()
            .maximumSize(MAX_URLS)
            .expireAfterWrite(urls.expiry().dividedBy(2))
            .build();
  }

  @Override
  public Optional<URI> locate(Digest digest) throws IOException {
    URI url = handedOut.getIfPresent(digest);
    if (url == null) {
      Optional<URI> signed = urls.signedGet(digest);
      if (signed.isEmpty()) {
        return signed;
      }
      url = signed.get();
      handedOut.put(digest, url);
    }
    pulls.accept(digest);
    return Optional.of(url);
  }
}
