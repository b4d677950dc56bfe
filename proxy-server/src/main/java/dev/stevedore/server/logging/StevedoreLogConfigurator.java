package dev.stevedore.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;

/**
 * Stevedore's log set-up, in code. logback finds it with the {@link java.util.ServiceLoader} before
 * it looks for an XML file, so no XML is parsed at start: logback's XML configurator and the JDK's
 * SAX parser were 545 of the 4,600 classes {@code serve} loaded and a tenth of its start (issue
 * 20).
 *
 * <p>One line per event on stderr: plain text, or one JSON object with {@code
 * STEVEDORE_LOG_FORMAT=json}; the root level from {@code STEVEDORE_LOG_LEVEL} (INFO); Netty and the
 * JDK's HTTP client at WARN. Client- and upstream-supplied text never puts a raw control character
 * in a line ({@link PrintableMessageConverter}, {@link PrintableThrowableConverter}, {@link
 * PrintableJsonEncoder}). It steps aside for a configuration of the user's ({@code
 * -Dlogback.configurationFile=...}) and for the tests' {@code logback-test.xml}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class StevedoreLogConfigurator extends ContextAwareBase implements Configurator {
  static final String LEVEL_VARIABLE = "STEVEDORE_LOG_LEVEL";
  static final String FORMAT_VARIABLE = "STEVEDORE_LOG_FORMAT";
  static final String APPENDER = "STDERR";
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %printableMsg%n"
          + "%printableEx";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || getClass().getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, setting(FORMAT_VARIABLE), setting(LEVEL_VARIABLE));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** A system property, else the environment variable of that name, as logback's ${...} read. */
  private static String setting(String name) {
    String property = System.getProperty(name);
    return property != null ? property : System.getenv(name);
  }

  /**
   * Sets {@code context} up: {@code format} {@code json} or anything else for plain text, the root
   * at {@code level} (INFO when missing or not a level).
   */
  static void configure(LoggerContext context, String format, String level) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setTarget("System.err");
    appender.setEncoder("json".equalsIgnoreCase(format) ? json(context) : plain(context));
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(appender);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("jdk.internal.httpclient").setLevel(Level.WARN);
  }

  private static Encoder<ILoggingEvent> plain(LoggerContext context) {
    @SuppressWarnings("unchecked")
    Map<String, String> rules =
        (Map<String, String>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
    Map<String, String> registry = rules == null ? new HashMap<>() : rules;
    registry.put("printableMsg", PrintableMessageConverter.class.getName());
    registry.put("printableEx", PrintableThrowableConverter.class.getName());
    context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, registry);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    PrintableJsonEncoder encoder = new PrintableJsonEncoder();
    encoder.setContext(context);
    encoder.setWithFormattedMessage(true);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithContext(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.start();
    return encoder;
  }
}
