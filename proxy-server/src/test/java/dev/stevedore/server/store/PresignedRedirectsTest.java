package dev.stevedore.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.storage.BlobUrls;
import dev.stevedore.storage.Digest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PresignedRedirectsTest {
  private final Digest stored = Digest.sha256("in the bucket".getBytes(UTF_8));
  private final Digest missing = Digest.sha256("not in the bucket".getBytes(UTF_8));
  private final CountingUrls urls = new CountingUrls(Set.of(stored));
  private final List<Digest> pulls = new ArrayList<>();
  private final PresignedRedirects redirects = new PresignedRedirects(urls, pulls::add);

  @Test
  void aStoredBlob_isSignedOnce_andEveryRedirectCountsAsAPull() throws Exception {
    URI first = redirects.locate(stored).orElseThrow();
    URI again = redirects.locate(stored).orElseThrow();

    assertThat(again).isEqualTo(first);
    assertThat(urls.asked).as("one HEAD and signature for both").isEqualTo(1);
    assertThat(pulls).containsExactly(stored, stored);
  }

  @Test
  void aBlobTheBucketLacks_isNoRedirect_andAskedAgainNextTime() throws Exception {
    assertThat(redirects.locate(missing)).isEmpty();
    assertThat(redirects.locate(missing)).isEmpty();

    assertThat(urls.asked).isEqualTo(2);
    assertThat(pulls).isEmpty();
  }

  /** A bucket holding {@code held}, counting how often it is asked. */
  private static final class CountingUrls implements BlobUrls {
    private final Set<Digest> held;
    int asked;

    CountingUrls(Set<Digest> held) {
      this.held = held;
    }

    @Override
    public Optional<URI> signedGet(Digest digest) {
      asked++;
      return held.contains(digest) ? Optional.of(signedGetOfStored(digest)) : Optional.empty();
    }

    @Override
    public URI signedGetOfStored(Digest digest) {
      return URI.create("http://store.test/bucket/" + digest.hex() + "?X-Amz-Signature=" + asked);
    }

    @Override
    public Duration expiry() {
      return Duration.ofMinutes(10);
    }
  }
}
