package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QuietLogsTest {
  private final Loggers loggers = new Loggers(LogSettings.of(null, "info"));

  @Test
  void unlessConfigured_warningsOnly_silencedErrorsOnly_untilClosed() {
    loggers.setLevel(QuietLogs.BLOB_WRITER, LogLevel.DEBUG);

    try (QuietLogs quiet = QuietLogs.unlessConfigured(loggers, Map.of(), QuietLogs.BLOB_WRITER)) {
      assertThat(loggers.effectiveLevel("dev.stevedore.server.X")).isEqualTo(LogLevel.WARN);
      assertThat(loggers.effectiveLevel(QuietLogs.BLOB_WRITER)).isEqualTo(LogLevel.ERROR);
    }

    assertThat(loggers.levelOf("dev.stevedore")).isNull();
    assertThat(loggers.effectiveLevel("dev.stevedore.server.X")).isEqualTo(LogLevel.INFO);
    assertThat(loggers.levelOf(QuietLogs.BLOB_WRITER)).isEqualTo(LogLevel.DEBUG);
  }

  @Test
  void unlessConfigured_aLevelChosenInTheEnvironment_isLeftAlone() {
    try (QuietLogs quiet =
        QuietLogs.unlessConfigured(loggers, Map.of(QuietLogs.LOG_LEVEL_VARIABLE, "debug"))) {
      assertThat(loggers.levelOf("dev.stevedore")).isNull();
      assertThat(loggers.effectiveLevel("dev.stevedore.server.X")).isEqualTo(LogLevel.INFO);
    }
  }

  @Test
  void theProcessWide_unlessConfigured_quietensTheGlobalLoggers() {
    LogLevel before = Loggers.global().levelOf("dev.stevedore");

    try (QuietLogs quiet = QuietLogs.unlessConfigured(Map.of())) {
      assertThat(Loggers.global().levelOf("dev.stevedore")).isEqualTo(LogLevel.WARN);
    }

    assertThat(Loggers.global().levelOf("dev.stevedore")).isEqualTo(before);
  }
}
