package dev.stevedore.storage;

import java.io.IOException;
import java.util.Optional;

/**
 * Persistent tag → digest mappings, per registry and repository. Callers validate names; the store
 * still refuses any component that could leave its directory. Blocking file I/O.
 */
public interface TagStore {

  Optional<TagRecord> get(String registry, String repository, String tag) throws IOException;

  /** Records (atomically replaces) the mapping. */
  void put(String registry, String repository, String tag, TagRecord record) throws IOException;
}
