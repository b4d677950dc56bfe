package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpClientBuffersTest {
  private final String before = System.getProperty(HttpClientBuffers.PROPERTY);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(HttpClientBuffers.PROPERTY);
    } else {
      System.setProperty(HttpClientBuffers.PROPERTY, before);
    }
  }

  @Test
  void unset_asksFor128KiB() {
    System.clearProperty(HttpClientBuffers.PROPERTY);

    HttpClientBuffers.preferLarge();

    assertThat(System.getProperty(HttpClientBuffers.PROPERTY)).isEqualTo("131072");
  }

  @Test
  void aSizeFromTheCommandLine_wins() {
    System.setProperty(HttpClientBuffers.PROPERTY, "32768");

    HttpClientBuffers.preferLarge();

    assertThat(System.getProperty(HttpClientBuffers.PROPERTY)).isEqualTo("32768");
  }
}
