package dev.stevedore.server.it.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The access log ({@code stevedore.access}) of an in-process Stevedore, captured line by line from
 * when it is opened until it is closed; the test log config keeps it off otherwise.
 */
public final class AccessLogCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("stevedore.access");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level level = logger.getLevel();
  private final boolean additive = logger.isAdditive();

  public AccessLogCapture() {
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
  }

  /** The formatted lines so far, in order. */
  public List<String> lines() {
    synchronized (appender) { // AppenderBase appends holding the appender's lock
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(level);
    logger.setAdditive(additive);
    appender.stop();
  }
}
