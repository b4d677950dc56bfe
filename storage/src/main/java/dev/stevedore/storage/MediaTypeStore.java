package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * The media type of each stored manifest, by digest (manifests are stored as blobs). A digest's
 * media type is recorded once and never replaced: the same bytes claimed later under another type
 * (by another upstream, say) cannot change how the first claim is served.
 */
public interface MediaTypeStore {

  Optional<String> get(Digest manifest) throws IOException;

  /**
   * Records the media type of a stored manifest unless one is recorded already; atomic, so of two
   * concurrent calls exactly one record wins.
   *
   * @return the media type on record after the call: {@code mediaType}, or the earlier one
   */
  String putIfAbsent(Digest manifest, String mediaType) throws IOException;
}
