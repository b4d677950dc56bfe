package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class LoggersTest {
  private final Loggers loggers = new Loggers(LogSettings.of(null, "info"));
  private final List<LogEvent> events = new ArrayList<>();

  @ParameterizedTest
  @CsvSource({
    "DEBUG, DEBUG",
    "warn, WARN",
    "Warning, WARN",
    "off, OFF",
    "nonsense, INFO",
    ", INFO"
  })
  void rootLevel_isTheSetting_elseInfo(String level, LogLevel expected) {
    Loggers configured = new Loggers(LogSettings.of(null, level));

    assertThat(configured.effectiveLevel("dev.stevedore.X")).isEqualTo(expected);
    assertThat(configured.effectiveLevel("io.netty.channel.X")).isEqualTo(LogLevel.WARN);
    assertThat(configured.effectiveLevel("jdk.internal.httpclient")).isEqualTo(LogLevel.WARN);
  }

  @Test
  void levels_areInherited_byTheNamesBelow_untilCleared() {
    Logger logger = loggers.getLogger("dev.stevedore.server.http.X");
    assertThat(logger.isDebugEnabled()).isFalse();

    loggers.setLevel("dev.stevedore.server", LogLevel.DEBUG);
    assertThat(logger.isDebugEnabled()).as("an existing logger follows").isTrue();
    assertThat(loggers.getLogger("dev.stevedore.server.Y").isDebugEnabled()).isTrue();
    assertThat(loggers.getLogger("dev.stevedore.serverless").isDebugEnabled()).isFalse();

    loggers.setLevel("dev.stevedore.server", null);
    assertThat(logger.isDebugEnabled()).isFalse();
    assertThat(logger.isInfoEnabled()).isTrue();
  }

  @Test
  void events_withArgumentsAndAThrowable_reachTheSink() {
    loggers.redirect("stevedore.access", events::add);
    IOException thrown = new IOException("boom");

    loggers.getLogger("stevedore.access").info("{} - {}", "a", "b", thrown);
    loggers.getLogger("stevedore.access").debug("not at debug");

    assertThat(events)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.message()).isEqualTo("a - b");
              assertThat(event.thrown()).isSameAs(thrown);
              assertThat(event.level()).isEqualTo(Level.INFO);
              assertThat(event.loggerName()).isEqualTo("stevedore.access");
              assertThat(event.threadName()).isEqualTo(Thread.currentThread().getName());
            });
  }

  @Test
  void redirect_isUndone_withNull() {
    loggers.redirect("stevedore", events::add);
    loggers.getLogger("stevedore.access").warn("captured");
    loggers.redirect("stevedore", null);

    assertThat(events).extracting(LogEvent::message).containsExactly("captured");
    assertThat(loggers.getLogger("stevedore.access"))
        .isSameAs(loggers.getLogger("stevedore.access"));
  }

  @Test
  void theRootLevel_cannotBeCleared() {
    loggers.setLevel(Loggers.ROOT, null);

    assertThat(loggers.effectiveLevel("anything")).isEqualTo(LogLevel.INFO);
  }
}
