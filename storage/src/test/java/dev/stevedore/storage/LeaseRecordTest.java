package dev.stevedore.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseRecordTest {
  private static final String NAME = "blobs/sha256:00";
  private static final Instant EXPIRES = Instant.parse("2026-01-01T00:00:30.123Z");

  @Test
  void format_thenParse_isTheLease() {
    byte[] body = LeaseRecord.format("http://10.1.2.3:5000", "replica-a", EXPIRES);

    assertThat(LeaseRecord.parse(NAME, "\"etag\"", body))
        .contains(new Lease(NAME, "http://10.1.2.3:5000", "replica-a", EXPIRES, "\"etag\""));
  }

  @Test
  void format_twice_differsByItsToken() {
    byte[] first = LeaseRecord.format("http://10.1.2.3:5000", "replica-a", EXPIRES);
    byte[] second = LeaseRecord.format("http://10.1.2.3:5000", "replica-a", EXPIRES);

    assertThat(first).isNotEqualTo(second);
    assertThat(new String(first, UTF_8).lines()).hasSize(4);
  }

  @Test
  void isHolder_plainHttpUrlsOnly() {
    for (String holder :
        new String[] {
          "http://10.1.2.3:5000",
          "https://cache-0.cache.ns.svc:5000",
          "http://[fd00::1]:5000/",
          "http://host/base/path"
        }) {
      assertThat(Lease.isHolder(holder)).as(holder).isTrue();
    }
    for (String holder :
        new String[] {
          "",
          "10.1.2.3:5000",
          "file:///etc/passwd",
          "ftp://host/",
          "http://u:p@host/",
          "http://host/?q=1",
          "http://host/#f",
          "http:///path",
          "http://host /",
          "http://hö.st/",
          "http://" + "a".repeat(Lease.MAX_HOLDER) + "/"
        }) {
      assertThat(Lease.isHolder(holder)).as(holder).isFalse();
    }
  }

  @Test
  void lease_withInvalidFields_isRejected() {
    assertThatThrownBy(() -> new Lease("../x", "http://h/", "r", EXPIRES, "\"e\""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(NAME, "h:5000", "r", EXPIRES, "\"e\""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(NAME, "http://h/", "a b", EXPIRES, "\"e\""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(NAME, "http://h/", "r", EXPIRES, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
