package dev.stevedore.server.preload;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether the standard streams are a terminal a person watches. */
public final class Terminal {
  private Terminal() {}

  /**
   * True when the JVM has a console. From Java 22 a console may exist without a terminal, so its
   * {@code isTerminal()} is asked too where it exists.
   */
  public static boolean isInteractive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }
}
