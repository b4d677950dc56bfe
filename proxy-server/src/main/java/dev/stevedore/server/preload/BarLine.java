package dev.stevedore.server.preload;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * The terminal line one progress bar draws on. When the bar closes, the line is kept (a finished
 * image's bar stays on screen) or wiped (a failed image leaves only its error line).
 */
final class BarLine implements ProgressBarConsumer {
  private final PrintStream out;
  private final ConsoleProgressBarConsumer console;
  private final CountDownLatch firstRender = new CountDownLatch(1);
  private volatile boolean keep = true;

  /** A line as wide as {@code width}, or as the terminal when {@code width} is 0. */
  BarLine(PrintStream out, int width) {
    this.out = out;
    this.console =
        width > 0
            ? new ConsoleProgressBarConsumer(out, width)
            : new ConsoleProgressBarConsumer(out);
  }

  /** Wipe the line instead of keeping it when the bar closes. */
  void wipeOnClose() {
    keep = false;
  }

  /**
   * Waits until the bar has drawn itself once. A bar closed before its first scheduled draw only
   * draws and never ends (or wipes) its line, so close a bar only after this.
   */
  void awaitFirstRender() throws InterruptedException {
    firstRender.await(1, TimeUnit.SECONDS);
  }

  @Override
  public int getMaxRenderedLength() {
    return console.getMaxRenderedLength();
  }

  @Override
  public void accept(String rendered) {
    console.accept(rendered);
    firstRender.countDown();
  }

  /** Called as the bar closes (the bar is built to clear on finish): wipes unless kept. */
  @Override
  public void clear() {
    if (!keep) {
      out.print("\r" + " ".repeat(Math.max(0, getMaxRenderedLength())) + "\r");
    }
  }

  @Override
  public void close() {
    if (keep) {
      console.close();
    } else {
      out.flush();
    }
  }
}
