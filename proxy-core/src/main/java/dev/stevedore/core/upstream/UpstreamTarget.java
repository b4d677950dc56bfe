package dev.stevedore.core.upstream;

import dev.stevedore.core.model.RepositoryName;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an {@link UpstreamEndpoint}'s request goes and what it asks for: the address, the Accept
 * types (none sends no Accept header), the repository whose pull token authorizes it, and how
 * errors and logs name what was asked for.
 *
 * @param address a path on the upstream ({@code /v2/…}), or an absolute URL (the token realm)
 * @param scope the repository a bearer token must grant pull on; empty for the requests that are
 *     part of authenticating (the ping, the token request), which carry no registry token
 * @param what what is asked for, as messages name it ({@code manifest library/alpine:3.19})
 */
record UpstreamTarget(
    String address, List<String> accept, Optional<RepositoryName> scope, String what) {

  UpstreamTarget {
    Objects.requireNonNull(address, "address");
    accept = List.copyOf(accept);
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(what, "what");
  }

  /** The URL of this target on {@code upstream}. */
  URI uri(UpstreamConfig upstream) {
    return address.startsWith("/") ? upstream.resolve(address) : URI.create(address);
  }
}
