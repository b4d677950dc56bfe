package dev.stevedore.server.preload;

import dev.stevedore.core.model.ImageReference;
import java.io.PrintStream;
import java.util.Objects;

/**
 * One line per image on {@code out} (failures on {@code err}), then the summary: for logs and
 * pipes.
 */
public final class PlainReporter implements PreloadReporter {
  private final PrintStream out;
  private final PrintStream err;

  public PlainReporter(PrintStream out, PrintStream err) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  @Override
  public void started(ImageProgress progress) {}

  @Override
  public void fetched(ImageResult result) {
    out.println(PreloadMessages.fetched(result));
    out.flush();
  }

  @Override
  public void failed(ImageReference image, String reason) {
    err.println(PreloadMessages.failed(image, reason));
    err.flush();
  }

  @Override
  public void finished(PreloadSummary summary) {
    out.println(PreloadMessages.summary(summary));
    out.flush();
  }
}
