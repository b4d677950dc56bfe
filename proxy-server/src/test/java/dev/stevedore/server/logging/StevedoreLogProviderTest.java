package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** SLF4J and the JDK's System.Logger both find Stevedore's loggers with the ServiceLoader. */
class StevedoreLogProviderTest {

  @Test
  void slf4j_usesTheGlobalLoggers() {
    assertThat(LoggerFactory.getILoggerFactory()).isSameAs(Loggers.global());
    assertThat(LoggerFactory.getLogger("x.y")).isInstanceOf(StevedoreLogger.class);
  }

  @Test
  void systemLoggers_writeThroughTheSameLoggers() {
    String name = "test.jdk." + System.nanoTime();
    List<LogEvent> events = new ArrayList<>();
    Loggers.global().redirect(name, events::add);
    Loggers.global().setLevel(name, LogLevel.INFO);
    try {
      System.Logger logger = System.getLogger(name);
      logger.log(System.Logger.Level.WARNING, "cache {0} of {1}", "a", 2);
      logger.log(System.Logger.Level.ERROR, "failed", new IllegalStateException("x"));
      logger.log(System.Logger.Level.DEBUG, "below the level");
      logger.log(System.Logger.Level.INFO, (ResourceBundle) null, "no parameters", (Object[]) null);

      assertThat(logger.isLoggable(System.Logger.Level.INFO)).isTrue();
      assertThat(logger.isLoggable(System.Logger.Level.OFF)).isFalse();
      assertThat(events)
          .extracting(LogEvent::message)
          .containsExactly("cache a of 2", "failed", "no parameters");
      assertThat(events)
          .extracting(LogEvent::level)
          .containsExactly(Level.WARN, Level.ERROR, Level.INFO);
      assertThat(events.get(1).thrown()).hasMessage("x");
    } finally {
      Loggers.global().redirect(name, null);
      Loggers.global().setLevel(name, null);
    }
  }
}
