package dev.stevedore.core.upstream;

/**
 * The size of the buffers the JDK HTTP client reads responses into ({@code jdk.httpclient.bufsize},
 * 16 KiB by default). Each buffer travels through the client's reactive pipeline and then into the
 * blob file as one write, so for blob downloads bigger is cheaper: with 128 KiB, a cold pull of the
 * benchmark's 101 MiB image costs Stevedore 0.5–0.6 CPU-seconds instead of 0.9–1.3, and the blob
 * files are written in pieces large enough for the page cache to keep them in large folios, which
 * later {@code sendfile} calls read faster. The client reads the property once, when its internals
 * load; a value given on the command line wins.
 */
final class HttpClientBuffers {
  static final String PROPERTY = "jdk.httpclient.bufsize";
  static final int SIZE = 128 * 1024;

  private HttpClientBuffers() {}

  /** Asks for {@link #SIZE}-byte buffers, unless the JVM was started with a size of its own. */
  static void preferLarge() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, Integer.toString(SIZE));
    }
  }
}
