package dev.stevedore.server.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} of the plain log format, with client- and upstream-supplied control characters
 * escaped ({@link LogText#printable}): one event is one line, whatever a request carried.
 */
public final class PrintableMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return LogText.printable(super.convert(event));
  }
}
