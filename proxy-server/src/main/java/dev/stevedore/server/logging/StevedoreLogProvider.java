package dev.stevedore.server.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Binds SLF4J (Stevedore's own code, Netty, Micrometer) to {@link Loggers}; SLF4J finds it with the
 * {@link java.util.ServiceLoader}. Stevedore's logging needs one line an event on stderr, two
 * formats and a level per logger name: this is that and no more, where logback cost about 350
 * classes and 40 ms of every start (issue 20).
 */
public final class StevedoreLogProvider implements SLF4JServiceProvider {
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return Loggers.global();
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // Loggers.global() is made on first use.
  }
}
