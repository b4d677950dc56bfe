package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TagPageTest {

  @Test
  void noParameters_sortsAndKeepsAll() {
    TagPage.Result result = TagPage.parse(Optional.empty()).apply(List.of("b", "a", "B"), false);

    assertThat(result.tags()).containsExactly("B", "a", "b");
    assertThat(result.more()).isFalse();
  }

  @Test
  void n_cutsThePageAndSaysMoreFollow() {
    TagPage.Result result = TagPage.parse(Optional.of("n=1")).apply(List.of("b", "a"), false);

    assertThat(result.tags()).containsExactly("a");
    assertThat(result.more()).isTrue();
  }

  @Test
  void last_keepsOnlyLaterTags() {
    TagPage.Result result =
        TagPage.parse(Optional.of("last=1.1&n=5")).apply(List.of("1.0", "1.1", "1.2"), false);

    assertThat(result.tags()).containsExactly("1.2");
    assertThat(result.more()).isFalse();
  }

  @Test
  void upstreamLink_meansMoreFollowAFullPage() {
    TagPage page = TagPage.parse(Optional.of("n=2"));

    assertThat(page.apply(List.of("a", "b"), true).more()).isTrue();
    assertThat(page.apply(List.of(), true).more()).isFalse();
  }

  @Test
  void nZero_isAnEmptyLastPage() {
    TagPage.Result result = TagPage.parse(Optional.of("n=0")).apply(List.of("a"), false);

    assertThat(result.tags()).isEmpty();
    assertThat(result.more()).isFalse();
  }

  @Test
  void nextLink_keepsNAndNamespace() {
    TagPage page = TagPage.parse(Optional.of("n=2&last=a"));

    assertThat(page.nextLink("/v2/org/app/tags/list", Optional.of("ghcr.io"), "c"))
        .isEqualTo("</v2/org/app/tags/list?n=2&last=c&ns=ghcr.io>; rel=\"next\"");
  }
}
