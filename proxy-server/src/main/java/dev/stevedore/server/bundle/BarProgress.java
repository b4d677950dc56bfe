package dev.stevedore.server.bundle;

import dev.stevedore.server.preload.Terminal;
import java.io.PrintStream;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** A progress bar of the bundle's bytes on a terminal, as {@code preload} draws one per image. */
public final class BarProgress implements BundleProgress {
  private static final long MEBIBYTE = 1L << 20;
  private static final int UPDATE_MILLIS = 200;

  private final PrintStream out;
  private ProgressBar bar;

  private BarProgress(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /** A bar on {@code out} when it is a terminal a person watches; no progress otherwise. */
  public static BundleProgress forConsole(PrintStream out) {
    return Terminal.isInteractive() ? new BarProgress(out) : BundleProgress.NONE;
  }

  @Override
  public void start(String task, long totalBytes) {
    close();
    bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(totalBytes)
            .setUnit(" MiB", MEBIBYTE)
            .showSpeed()
            .setUpdateIntervalMillis(UPDATE_MILLIS)
            .setConsumer(new ConsoleProgressBarConsumer(out))
            .build();
  }

  @Override
  public void advance(long bytes) {
    if (bar != null) {
      bar.stepBy(bytes);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
