package dev.stevedore.core.cache;

import dev.stevedore.core.model.Reference;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.Upstream;
import java.util.Objects;

/**
 * One client's question for a manifest: which upstream, repository and reference (tag or digest),
 * and the media types the client accepts. Passed whole through the manifest path instead of its
 * parts one by one.
 */
public record ManifestRequest(
    Upstream upstream, RepositoryName repository, Reference reference, AcceptedTypes accept) {
  public ManifestRequest {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(accept, "accept");
  }

  /** A request from a client that accepts every manifest type (preload, export). */
  public static ManifestRequest of(
      Upstream upstream, RepositoryName repository, Reference reference) {
    return new ManifestRequest(upstream, repository, reference, AcceptedTypes.ANY);
  }

  /** The name of the upstream: the first part of every cache key. */
  String registry() {
    return upstream.name();
  }

  /** The tag this request names; only for a request by tag. */
  TagKey tag() {
    return new TagKey(upstream.name(), repository, reference.value());
  }

  /** {@code repo:reference of upstream name}, for messages. */
  String describe() {
    return repository + ":" + reference.value() + " of upstream " + upstream.name();
  }
}
