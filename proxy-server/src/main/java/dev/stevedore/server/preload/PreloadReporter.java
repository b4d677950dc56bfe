package dev.stevedore.server.preload;

import dev.stevedore.core.model.ImageReference;
import java.io.PrintStream;

/**
 * Tells the user how a preload goes. Calls come from the preloading thread, one image at a time:
 * {@link #started} (not for an image that fails before its fetch begins), then {@link #fetched} or
 * {@link #failed}; {@link #finished} once at the end.
 */
public interface PreloadReporter extends AutoCloseable {

  /** The fetch of an image begins; {@code progress} fills in as it goes. */
  void started(ImageProgress progress);

  void fetched(ImageResult result);

  /** The image could not be preloaded; {@code reason} is one line. */
  void failed(ImageReference image, String reason);

  void finished(PreloadSummary summary);

  @Override
  default void close() {}

  /** Progress bars when stdout is a terminal, plain lines otherwise. */
  static PreloadReporter forConsole(PrintStream out, PrintStream err) {
    return Terminal.isInteractive()
        ? new ProgressBarReporter(out, err)
        : new PlainReporter(out, err);
  }
}
