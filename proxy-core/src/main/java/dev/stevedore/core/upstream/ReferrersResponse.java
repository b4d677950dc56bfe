package dev.stevedore.core.upstream;

import dev.stevedore.storage.Digest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An upstream's answer to the referrers API: the OCI image index as sent (checked by {@link
 * ReferrersIndex}), the digests of the manifests it lists, and whether the upstream applied the
 * {@code artifactType} filter ({@code OCI-Filters-Applied}); when it did not, the client filters.
 * The body array is not copied; treat it as read-only.
 */
public record ReferrersResponse(byte[] index, List<Digest> manifests, boolean filtered) {

  /** The value of {@code OCI-Filters-Applied} when the upstream applied the filter. */
  public static final String ARTIFACT_TYPE_FILTER = "artifactType";

  public ReferrersResponse {
    Objects.requireNonNull(index, "index");
    manifests = List.copyOf(manifests);
  }

  /**
   * A referrers index held locally (the {@code sha256-<hex>} tag of the tag schema): checked as an
   * upstream's answer is, and unfiltered, so a client filters it by {@code artifactType} itself.
   *
   * @throws RuntimeException (an upstream protocol error) if {@code index} is no referrers index
   */
  public static ReferrersResponse unfiltered(byte[] index) {
    return new ReferrersResponse(index, ReferrersIndex.manifests(index), false);
  }

  /** The {@code OCI-Filters-Applied} header to answer with, if any. */
  public Optional<String> filtersApplied() {
    return filtered ? Optional.of(ARTIFACT_TYPE_FILTER) : Optional.empty();
  }
}
