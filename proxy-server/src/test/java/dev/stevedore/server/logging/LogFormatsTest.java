package dev.stevedore.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * The log formats (plain and {@code STEVEDORE_LOG_FORMAT=json}) never write a raw control
 * character, whatever a request or an upstream put in a message or an exception.
 */
class LogFormatsTest {
  private static final String CONTROL_BUT_TAB = "[\\x00-\\x08\\x0a-\\x1f\\x7f]";
  private static final String HOSTILE = "GET /v2/a\u0000b\r\nFAKE line\u001b[2J\u0085\u202E";

  private static LogEvent event(Throwable thrown) {
    String message =
        MessageFormatter.basicArrayFormat("{} - \"{}\"", new Object[] {"127.0.0.1", HOSTILE});
    return new LogEvent(
        1_733_332_544_123L, Level.INFO, "worker-1", "stevedore.access", message, thrown);
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "json"})
  void message_hasNoRawControlCharacter(String format) {
    String line = LogFormat.named(format).format(event(null));

    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1))
        .doesNotContainPattern("[\\p{Cc}\\p{Cf}\\u2028\\u2029]");
    assertThat(line).contains("FAKE line");
  }

  @Test
  void plainFormat_isTimeLevelThreadLoggerMessage() {
    String line = new PlainLogFormat().format(event(null));

    assertThat(line)
        .matches(
            "2024-12-04T17:15:44\\.123Z INFO  \\[worker-1\\]"
                + " stevedore\\.access - 127\\.0\\.0\\.1 - \"GET /v2/a\\\\x00b.*\n");
  }

  @ParameterizedTest
  @CsvSource({
    "stevedore.access, stevedore.access",
    "dev.stevedore.server.http.AccessLogHandler, d.s.s.h.AccessLogHandler",
    "dev.stevedore.server.cli.ServeCommand, d.s.s.cli.ServeCommand",
    "a.b.AVeryLongClassNameThatCannotBeShortened, a.b.AVeryLongClassNameThatCannotBeShortened"
  })
  void plainFormat_shortensLoggerNames_fromTheLeft(String name, String shortName) {
    assertThat(PlainLogFormat.shortName(name)).isEqualTo(shortName);
  }

  @Test
  void plainFormat_escapesTheExceptionMessages_keepsTheStackTraceLines() {
    IllegalStateException thrown = new IllegalStateException("upstream said\r\nFAKE\u0000");
    thrown.initCause(new java.io.IOException("cause\u001b"));
    thrown.addSuppressed(new RuntimeException("also\n"));

    String text = new PlainLogFormat().format(event(thrown));

    assertThat(text).contains("IllegalStateException: upstream said\\x0D\\x0AFAKE\\x00");
    assertThat(text).contains("Caused by: java.io.IOException: cause\\x1B");
    assertThat(text).contains("\tSuppressed: java.lang.RuntimeException: also\\x0A");
    assertThat(text).contains("\tat dev.stevedore.server.logging.LogFormatsTest.");
    assertThat(text.lines())
        .as("no control character but the stack trace's tabs")
        .allSatisfy(line -> assertThat(line).doesNotContainPattern(CONTROL_BUT_TAB));
    assertThat(text.lines().count()).as("stack trace lines").isGreaterThan(4);
  }

  @Test
  void plainFormat_aCircularCause_endsTheTrace() {
    RuntimeException first = new RuntimeException("first");
    RuntimeException second = new RuntimeException("second", first);
    first.initCause(second);

    String text = new PlainLogFormat().format(event(first));

    assertThat(text).contains("[CIRCULAR REFERENCE: java.lang.RuntimeException: first]");
  }

  @Test
  void jsonFormat_isStillJson_withTheTextUnchanged() throws Exception {
    String line = new JsonLogFormat().format(event(new IllegalStateException("bad\u0085")));

    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("formattedMessage").asText()).isEqualTo("127.0.0.1 - \"" + HOSTILE + "\"");
    assertThat(json.get("timestamp").asLong()).isEqualTo(1_733_332_544_123L);
    assertThat(json.get("level").asText()).isEqualTo("INFO");
    assertThat(json.get("threadName").asText()).isEqualTo("worker-1");
    assertThat(json.get("loggerName").asText()).isEqualTo("stevedore.access");
    assertThat(json.get("throwable").asText())
        .startsWith("java.lang.IllegalStateException: bad\\x85\n\tat ");
    assertThat(line.trim().lines()).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource({
    "json, JsonLogFormat",
    "' JSON ', JsonLogFormat",
    "plain, PlainLogFormat",
    ", PlainLogFormat"
  })
  void named_picksTheFormat(String name, String format) {
    assertThat(LogFormat.named(name).getClass().getSimpleName()).isEqualTo(format);
  }
}
