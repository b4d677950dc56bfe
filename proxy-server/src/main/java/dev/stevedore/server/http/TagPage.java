package dev.stevedore.server.http;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.storage.text.Printable;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The spec's pagination of {@code GET /v2/<name>/tags/list?n=&last=}, applied by Stevedore itself:
 * tags in lexical order, only those after {@code last}, at most {@code n}, and a {@code Link: <…>;
 * rel="next"} when more follow. Upstreams that ignore {@code n} and {@code last} (docker-registry
 * 2.8) send every tag; applying the page again to one that honoured them changes nothing.
 */
record TagPage(Optional<Integer> n, Optional<String> last) {

  /** Reads {@code n} and {@code last} from the forwarded query; a bad {@code n} is refused. */
  static TagPage parse(Optional<String> rawQuery) {
    Optional<Integer> n = Optional.empty();
    Optional<String> last = Optional.empty();
    for (String parameter : rawQuery.orElse("").split("&")) {
      int equals = parameter.indexOf('=');
      if (equals < 0) {
        continue;
      }
      String name = parameter.substring(0, equals);
      String value = URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
      if (name.equals("n")) {
        n = Optional.of(count(value));
      } else if (name.equals("last")) {
        last = Optional.of(value);
      }
    }
    return new TagPage(n, last);
  }

  private static int count(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ErrorCode.UNSUPPORTED.exception( // the spec's code for "an invalid set of parameters"
        400, "n must be a count of tags, not " + Printable.masked(value));
  }

  /** What the page holds of {@code tags}, and whether more follow it. */
  record Result(List<String> tags, boolean more) {}

  /**
   * This page of {@code tags}; {@code upstreamHasMore} says the upstream paged its answer itself
   * (it sent a {@code Link}), so more follow even when no tag was cut here.
   */
  Result apply(List<String> tags, boolean upstreamHasMore) {
    List<String> after =
        tags.stream()
            .sorted()
            .distinct()
            .filter(tag -> last.isEmpty() || tag.compareTo(last.get()) > 0)
            .toList();
    int limit = n.orElse(Integer.MAX_VALUE);
    if (after.size() > limit) {
      return new Result(after.subList(0, limit), limit > 0);
    }
    return new Result(after, upstreamHasMore && !after.isEmpty());
  }

  /**
   * The {@code Link} to the page after one that ended at {@code lastTag}, on this proxy's {@code
   * path} and keeping the client's {@code ns}.
   */
  String nextLink(String path, Optional<String> namespace, String lastTag) {
    StringBuilder link = new StringBuilder("<").append(path).append('?');
    n.ifPresent(count -> link.append("n=").append(count).append('&'));
    link.append("last=").append(URLEncoder.encode(lastTag, StandardCharsets.UTF_8));
    namespace.ifPresent(
        ns ->
            link.append('&')
                .append(RequestTarget.NAMESPACE_PARAMETER)
                .append('=')
                .append(URLEncoder.encode(ns, StandardCharsets.UTF_8)));
    return link.append(">; rel=\"next\"").toString();
  }
}
