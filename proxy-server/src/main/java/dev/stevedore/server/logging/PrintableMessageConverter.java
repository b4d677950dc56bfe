package dev.stevedore.server.logging;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.stevedore.storage.text.Printable;

/**
 * {@code %msg} of the plain log format, with client- and upstream-supplied control characters
 * escaped ({@link Printable#escaped}): one event is one line, whatever a request carried.
 */
public final class PrintableMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return Printable.escaped(super.convert(event));
  }
}
