package dev.stevedore.core.cache;

import dev.stevedore.core.upstream.BlobDownload;
import java.io.IOException;
import java.util.Optional;

/**
 * Where a blob download whose body broke part way continues: a body positioned at the byte it broke
 * at, or empty to give up. A follower relaying from a replica that died continues from another
 * holder or, once the dead one's claim expired, from upstream itself. The bytes are verified as
 * always: a continuation that does not fit ends in a digest mismatch, never in a wrong blob.
 */
@FunctionalInterface
interface Resumption {
  /** Never continues: a broken body fails the download (a replica alone). */
  Resumption NONE = offset -> Optional.empty();

  /** A body from byte {@code offset}, or empty. Blocking. */
  Optional<BlobDownload> from(long offset) throws IOException;
}
