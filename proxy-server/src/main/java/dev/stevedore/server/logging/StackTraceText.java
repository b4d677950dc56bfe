package dev.stevedore.server.logging;

import dev.stevedore.storage.text.Printable;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A throwable as {@link Throwable#printStackTrace()} writes it (causes, suppressed exceptions,
 * {@code ... n more}), except that the message of each exception in the chain, which may quote a
 * request or an upstream's answer, is {@linkplain Printable#escaped escaped}: only the trace's own
 * line breaks and tabs remain.
 */
final class StackTraceText {
  private StackTraceText() {}

  /** The lines of {@code thrown}, each ending in {@code \n}. */
  static String of(Throwable thrown) {
    StringBuilder out = new StringBuilder(1024);
    append(
        out,
        thrown,
        "",
        "",
        new StackTraceElement[0],
        Collections.newSetFromMap(new IdentityHashMap<>()));
    return out.toString();
  }

  private static void append(
      StringBuilder out,
      Throwable thrown,
      String caption,
      String prefix,
      StackTraceElement[] enclosing,
      Set<Throwable> seen) {
    if (!seen.add(thrown)) {
      out.append(prefix).append(caption).append("[CIRCULAR REFERENCE: ");
      out.append(headline(thrown)).append("]\n");
      return;
    }
    StackTraceElement[] trace = thrown.getStackTrace();
    int own = trace.length - 1;
    int outer = enclosing.length - 1;
    while (own >= 0 && outer >= 0 && trace[own].equals(enclosing[outer])) {
      own--;
      outer--;
    }
    out.append(prefix).append(caption).append(headline(thrown)).append('\n');
    for (int i = 0; i <= own; i++) {
      out.append(prefix).append("\tat ").append(trace[i]).append('\n');
    }
    int inCommon = trace.length - 1 - own;
    if (inCommon > 0) {
      out.append(prefix).append("\t... ").append(inCommon).append(" more\n");
    }
    for (Throwable suppressed : thrown.getSuppressed()) {
      append(out, suppressed, "Suppressed: ", prefix + "\t", trace, seen);
    }
    Throwable cause = thrown.getCause();
    if (cause != null) {
      append(out, cause, "Caused by: ", prefix, trace, seen);
    }
  }

  private static String headline(Throwable thrown) {
    String message = thrown.getLocalizedMessage();
    String name = thrown.getClass().getName();
    return message == null ? name : name + ": " + Printable.escaped(message);
  }
}
