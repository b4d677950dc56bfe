package dev.stevedore.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stevedore.core.cache.ManifestContent;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.function.Function;

/**
 * The whole {@code GET} answer of each manifest the cache keeps in memory, encoded once ({@link
 * EncodedResponse}): a hot manifest by digest is answered with one buffer, its headers neither
 * built nor encoded again. Keyed by the manifest's in-memory object itself (weakly, by identity),
 * so an answer lives exactly as long as the cache keeps that manifest hot and needs no bound of its
 * own.
 */
final class EncodedManifests {
  private final Cache<ManifestContent, EncodedResponse.Wire> answers =
      Caffeine.newBuilder().weakKeys().build();
  private final Function<ManifestContent, EncodedResponse.Wire> encode;

  /** {@code response} builds the answer as any request would get it, common headers included. */
  EncodedManifests(Function<ManifestContent, FullHttpResponse> response) {
    this.encode = manifest -> EncodedResponse.encode(response.apply(manifest));
  }

  EncodedResponse answer(ManifestContent manifest) {
    return answers.get(manifest, encode).response();
  }
}
