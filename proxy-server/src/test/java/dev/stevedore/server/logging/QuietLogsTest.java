package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class QuietLogsTest {
  private final Logger stevedore = (Logger) LoggerFactory.getLogger("dev.stevedore");
  private final Logger writer = (Logger) LoggerFactory.getLogger(QuietLogs.BLOB_WRITER);

  @Test
  void unlessConfigured_warningsOnly_silencedErrorsOnly_untilClosed() {
    Level before = stevedore.getLevel();
    Level writerBefore = writer.getLevel();

    try (QuietLogs quiet = QuietLogs.unlessConfigured(Map.of(), QuietLogs.BLOB_WRITER)) {
      assertThat(stevedore.getLevel()).isEqualTo(Level.WARN);
      assertThat(writer.getLevel()).isEqualTo(Level.ERROR);
    }

    assertThat(stevedore.getLevel()).isEqualTo(before);
    assertThat(writer.getLevel()).isEqualTo(writerBefore);
  }

  @Test
  void unlessConfigured_aLevelChosenInTheEnvironment_isLeftAlone() {
    Level before = stevedore.getLevel();

    try (QuietLogs quiet =
        QuietLogs.unlessConfigured(Map.of(QuietLogs.LOG_LEVEL_VARIABLE, "debug"))) {
      assertThat(stevedore.getLevel()).isEqualTo(before);
    }
  }
}
