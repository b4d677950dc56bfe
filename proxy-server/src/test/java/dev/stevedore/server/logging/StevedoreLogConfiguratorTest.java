package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StevedoreLogConfiguratorTest {

  @Test
  void logbackFindsIt_withTheServiceLoader() {
    assertThat(ServiceLoader.load(Configurator.class))
        .anySatisfy(found -> assertThat(found).isInstanceOf(StevedoreLogConfigurator.class));
  }

  @ParameterizedTest
  @CsvSource({"DEBUG, DEBUG", "warn, WARN", "nonsense, INFO", ", INFO"})
  void rootLevel_isTheVariables_elseInfo(String level, String expected) {
    LoggerContext context = new LoggerContext();

    StevedoreLogConfigurator.configure(context, null, level);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel())
        .isEqualTo(Level.toLevel(expected));
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("jdk.internal.httpclient").getLevel()).isEqualTo(Level.WARN);
  }

  @ParameterizedTest
  @CsvSource({"json, PrintableJsonEncoder", "JSON, PrintableJsonEncoder", ", PatternLayoutEncoder"})
  void format_picksTheEncoder_ofOneStderrAppender(String format, String encoder) {
    LoggerContext context = new LoggerContext();

    StevedoreLogConfigurator.configure(context, format, null);

    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> appender =
        (OutputStreamAppender<ILoggingEvent>)
            context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(appender.isStarted()).isTrue();
    assertThat(appender.getEncoder().getClass().getSimpleName()).isEqualTo(encoder);
    if (appender.getEncoder() instanceof PatternLayoutEncoder plain) {
      assertThat(plain.getPattern()).contains("%printableMsg").contains("%printableEx");
    }
  }
}
