package dev.stevedore.core.upstream;

import java.util.Objects;
import java.util.Optional;

/**
 * Upstream's tag list as sent: status, body, Content-Type and the {@code Link} header that points
 * at the next page, if any. The body array is not copied; treat it as read-only.
 */
public record TagListResponse(int status, byte[] body, String contentType, Optional<String> link) {

  public TagListResponse {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(link, "link");
  }
}
