package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped log configurations (plain and {@code STEVEDORE_LOG_FORMAT=json}) never write a raw
 * control character, whatever a request or an upstream put in a message or an exception.
 */
class LogFormatsTest {
  private static final String CONTROL_BUT_TAB = "[\\x00-\\x08\\x0a-\\x1f\\x7f]";
  private static final String HOSTILE = "GET /v2/a\u0000b\r\nFAKE line\u001b[2J\u0085\u202E";

  /** The bytes the format's console appender would write for one event. */
  private static String encode(String format, ILoggingEvent event) {
    LoggerContext context = new LoggerContext();
    StevedoreLogConfigurator.configure(context, format, null);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> appender =
        (OutputStreamAppender<ILoggingEvent>) root.getAppender("STDERR");
    try {
      return new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    } finally {
      context.stop();
    }
  }

  private static ILoggingEvent event(Throwable thrown) {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return new LoggingEvent(
        LogFormatsTest.class.getName(),
        context.getLogger("stevedore.access"),
        Level.INFO,
        "{} - \"{}\"",
        thrown,
        new Object[] {"127.0.0.1", HOSTILE});
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "json"})
  void message_hasNoRawControlCharacter(String format) {
    String line = encode(format, event(null));

    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1))
        .doesNotContainPattern("[\\p{Cc}\\p{Cf}\\u2028\\u2029]");
    assertThat(line).contains("FAKE line");
  }

  @Test
  void plainFormat_escapesTheExceptionMessage_keepsTheStackTraceLines() throws Exception {
    String text = encode("plain", event(new IllegalStateException("upstream said\r\nFAKE\u0000")));

    assertThat(text).contains("IllegalStateException: upstream said\\x0D\\x0AFAKE\\x00");
    assertThat(text.lines())
        .as("no control character but the stack trace's tabs")
        .allSatisfy(line -> assertThat(line).doesNotContainPattern(CONTROL_BUT_TAB));
    assertThat(text.lines().count()).as("stack trace lines").isGreaterThan(2);
  }

  @Test
  void jsonFormat_isStillJson_withTheTextUnchanged() throws Exception {
    String line = encode("json", event(new IllegalStateException("bad\u0085")));

    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("formattedMessage").asText()).isEqualTo("127.0.0.1 - \"" + HOSTILE + "\"");
    assertThat(line.trim().lines()).hasSize(1);
  }
}
