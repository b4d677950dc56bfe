package dev.stevedore.server.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.stevedore.storage.text.Printable;
import java.util.Arrays;

/**
 * {@code %ex} of the plain log format: the stack trace keeps its own line breaks, but the message
 * of each exception in the chain (which may quote a request or an upstream's answer) is escaped
 * with {@link Printable#escaped}.
 */
public final class PrintableThrowableConverter extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new PrintableProxy(proxy));
  }

  /** A throwable as logback sees it, with its message and those of its causes escaped. */
  private record PrintableProxy(IThrowableProxy proxy) implements IThrowableProxy {
    @Override
    public String getMessage() {
      return Printable.escaped(proxy.getMessage());
    }

    @Override
    public String getClassName() {
      return proxy.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return proxy.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return proxy.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      IThrowableProxy cause = proxy.getCause();
      return cause == null ? null : new PrintableProxy(cause);
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = proxy.getSuppressed();
      return suppressed == null
          ? null
          : Arrays.stream(suppressed).map(PrintableProxy::new).toArray(IThrowableProxy[]::new);
    }

    @Override
    public boolean isCyclic() {
      return proxy.isCyclic();
    }
  }
}
