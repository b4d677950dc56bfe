package dev.stevedore.storage;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Short-lived URLs by which a client fetches a blob straight from the store, without credentials:
 * what {@code --blob-redirect} answers a blob {@code GET} with, so the bytes flow from the store
 * and not through the proxy (distribution's {@code RedirectURL}). A URL only grants a {@code GET}
 * (with or without {@code Range}) of that one blob until {@link #expiry()} has passed.
 *
 * <p>Signing is CPU-only and cheap, but the credentials provider may block on first use (a web
 * identity or instance-role lookup over the network) and when it refreshes: call these off any
 * event loop, as any other store call.
 */
public interface BlobUrls {
  /**
   * A signed {@code GET} URL of the blob, if the store holds it. Asks the store once ({@code
   * HEAD}); when the caller already knows the store holds the blob, {@link #signedGetOfStored}
   * saves that request.
   *
   * @throws IOException if the store cannot be asked or the credentials cannot be resolved
   */
  Optional<URI> signedGet(Digest digest) throws IOException;

  /**
   * A signed {@code GET} URL of a blob the caller knows the store holds (it has just stat'ed or
   * written it); no request to the store. Were the blob gone after all, the client gets the store's
   * {@code 404}.
   *
   * @throws IOException if the credentials cannot be resolved
   */
  URI signedGetOfStored(Digest digest) throws IOException;

  /** How long a URL stays valid after it was signed. */
  Duration expiry();
}
