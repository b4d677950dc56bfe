package dev.stevedore.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {
  private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
  private final String property = System.getProperty(LeakDetection.LEVEL_PROPERTY);

  @AfterEach
  void restore() {
    ResourceLeakDetector.setLevel(before);
    if (property == null) {
      System.clearProperty(LeakDetection.LEVEL_PROPERTY);
    } else {
      System.setProperty(LeakDetection.LEVEL_PROPERTY, property);
    }
  }

  @Test
  void serveTurnsTheDetectorOff() {
    System.clearProperty(LeakDetection.LEVEL_PROPERTY);

    LeakDetection.productionDefault();

    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
  }

  @Test
  void aLevelAskedForOnTheCommandLine_isKept() {
    System.setProperty(LeakDetection.LEVEL_PROPERTY, "paranoid");
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);

    LeakDetection.productionDefault();

    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
  }
}
