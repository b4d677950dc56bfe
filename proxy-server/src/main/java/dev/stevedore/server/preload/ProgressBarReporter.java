package dev.stevedore.server.preload;

import dev.stevedore.core.model.ImageReference;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar per image on a terminal (bytes of its blobs, the cached ones counting as done at
 * once), left on screen when the image is done and wiped when it failed; failures on {@code err};
 * the summary at the end.
 */
public final class ProgressBarReporter implements PreloadReporter {
  private static final long POLL_MILLIS = 200;
  private static final long MEBIBYTE = 1L << 20;

  private final PrintStream out;
  private final PrintStream err;
  private final int width;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "stevedore-preload-progress");
            thread.setDaemon(true);
            return thread;
          });
  private Bar current;

  /** Bars as wide as the terminal. */
  public ProgressBarReporter(PrintStream out, PrintStream err) {
    this(out, err, 0);
  }

  /** Bars at most {@code width} characters wide; 0 means the terminal's width. */
  ProgressBarReporter(PrintStream out, PrintStream err, int width) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.width = width;
  }

  @Override
  public synchronized void started(ImageProgress progress) {
    endBar();
    BarLine line = new BarLine(out, width);
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(progress.image().toString())
            .setInitialMax(-1)
            .setUnit(" MiB", MEBIBYTE)
            .showSpeed()
            .setUpdateIntervalMillis((int) POLL_MILLIS)
            .setConsumer(line)
            .clearDisplayOnFinish()
            .build();
    current =
        new Bar(
            bar,
            line,
            progress,
            poller.scheduleAtFixedRate(this::update, 0, POLL_MILLIS, TimeUnit.MILLISECONDS));
  }

  /** Moves the current bar to what its image's fetch has done. Runs on the poller. */
  private synchronized void update() {
    if (current == null) {
      return;
    }
    ImageProgress progress = current.progress();
    long expected = progress.expectedBytes();
    long done = progress.currentBytes();
    if (expected > 0) {
      current.bar().maxHint(Math.max(expected, done));
    }
    current.bar().stepTo(done);
    current
        .bar()
        .setExtraMessage(" " + progress.blobsDone() + "/" + progress.expectedBlobs() + " blobs");
  }

  @Override
  public synchronized void fetched(ImageResult result) {
    if (current == null || !current.progress().image().equals(result.image())) {
      endBar();
      out.println(PreloadMessages.fetched(result));
      return;
    }
    current.poll().cancel(false);
    long bytes = Math.max(1, result.bytes());
    current.bar().maxHint(bytes);
    current.bar().stepTo(bytes);
    current.bar().setExtraMessage(" " + PreloadMessages.blobs(result));
    endBar();
  }

  @Override
  public synchronized void failed(ImageReference image, String reason) {
    if (current != null) {
      current.line().wipeOnClose();
    }
    endBar();
    err.println(PreloadMessages.failed(image, reason));
    err.flush();
  }

  @Override
  public synchronized void finished(PreloadSummary summary) {
    endBar();
    out.println(PreloadMessages.summary(summary));
    out.flush();
  }

  @Override
  public synchronized void close() {
    endBar();
    poller.shutdownNow();
  }

  /** Closes the bar on screen: it renders once more and ends (or wipes) its line. */
  private void endBar() {
    if (current == null) {
      return;
    }
    current.poll().cancel(false);
    try {
      current.line().awaitFirstRender();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    current.bar().close();
    current = null;
  }

  private record Bar(
      ProgressBar bar, BarLine line, ImageProgress progress, ScheduledFuture<?> poll) {}
}
