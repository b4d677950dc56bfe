package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;

/** The media type of each stored manifest, by digest (manifests are stored as blobs). */
public interface MediaTypeStore {

  Optional<String> get(Digest manifest) throws IOException;

  /** Records (atomically replaces) the media type of a stored manifest. */
  void put(Digest manifest, String mediaType) throws IOException;
}
