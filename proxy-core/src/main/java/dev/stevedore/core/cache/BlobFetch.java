package dev.stevedore.core.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobReader;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream download of a blob into the store, shared by every client that wants the blob while
 * it is in flight. It copies the upstream body into a {@link BlobWriter}, watches for stalls and a
 * too slow upstream, and tells the first request it served that it was the miss. Clients read
 * through storage readers ({@link #openReader()}), which decide what may be read and when: the
 * download goes on whether or not anyone reads.
 */
public final class BlobFetch implements BlobSource {
  private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);
  private static final int COPY_BUFFER = 128 * 1024;

  private final Digest digest;
  private final long contentLength;
  private final BlobWriter writer;
  private final Runnable onEnd;
  private final MinimumRate.Tracker pace;
  private final Ticker ticker;
  private final CompletableFuture<BlobInfo> done = new CompletableFuture<>();
  private final AtomicBoolean claimed = new AtomicBoolean();
  private volatile long lastProgressNanos;
  private volatile Thread copier;
  private volatile BlobDownload download;
  private volatile boolean stalled;
  private volatile boolean receiving = true;

  private BlobFetch(
      Digest digest,
      long contentLength,
      BlobWriter writer,
      MinimumRate minimumRate,
      Ticker ticker,
      Runnable onEnd) {
    this.ticker = ticker;
    this.lastProgressNanos = ticker.read();
    this.pace = minimumRate.track(lastProgressNanos);
    this.digest = digest;
    this.contentLength = contentLength;
    this.writer = writer;
    this.onEnd = onEnd;
  }

  /**
   * Starts the blob's writer; {@link #copy(BlobDownload)} fills it. {@code onEnd} runs once the
   * outcome is settled: after the commit (a request arriving then finds the stored blob), before a
   * failed download is discarded (a request arriving once readers learnt of the failure starts a
   * fresh fetch).
   */
  static BlobFetch begin(BlobStore store, Digest digest, long contentLength, Runnable onEnd)
      throws IOException {
    return begin(
        store, digest, contentLength, false, MinimumRate.DEFAULT, Ticker.systemTicker(), onEnd);
  }

  /**
   * Like {@link #begin(BlobStore, Digest, long, Runnable)}, judged by {@code minimumRate}, with
   * progress timed by {@code ticker} (the system ticker in production; a fake one in tests, so a
   * stall can be made certain without waiting for it).
   */
  static BlobFetch begin(
      BlobStore store,
      Digest digest,
      long contentLength,
      boolean relayed,
      MinimumRate minimumRate,
      Ticker ticker,
      Runnable onEnd)
      throws IOException {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(minimumRate, "minimumRate");
    Objects.requireNonNull(ticker, "ticker");
    long size = contentLength < 0 ? BlobReader.UNKNOWN_SIZE : contentLength;
    // a relayed blob is the holder's to put into the shared store
    BlobWriter writer = relayed ? store.createLocalCopy(digest, size) : store.create(digest, size);
    return new BlobFetch(digest, contentLength, writer, minimumRate, ticker, onEnd);
  }

  public Digest digest() {
    return digest;
  }

  /** The size upstream announced, or -1 when it did not say. */
  public long contentLength() {
    return contentLength;
  }

  /**
   * How this fetch serves the request that asks: the first to ask counts as the miss that started
   * it, every later one as coalesced into it.
   */
  public CacheOutcome claimOutcome() {
    return claimed.compareAndSet(false, true) ? CacheOutcome.MISS : CacheOutcome.COALESCED;
  }

  /** Bytes received from upstream so far (progress; what may be read is the reader's to say). */
  public long available() {
    return writer.written();
  }

  /** Completes with the committed blob, or fails when the download failed or did not verify. */
  public CompletableFuture<BlobInfo> done() {
    return done;
  }

  /**
   * Opens a storage reader of the blob as it downloads: it reads what has arrived, the last byte
   * only once the digest verified, and fails if the download does. The caller closes it. Blocking:
   * call it on the disk executor.
   */
  public BlobReader openReader() throws IOException {
    return writer.openReader();
  }

  /**
   * Nanoseconds since the upstream last sent bytes (or since the copy started), at {@code nowNanos}
   * of this fetch's ticker.
   */
  long stalledNanos(long nowNanos) {
    return nowNanos - lastProgressNanos;
  }

  /** Whether the upstream sent less than the minimum rate in the window that ended by now. */
  boolean belowMinimumRate(long nowNanos) {
    return pace.tooSlow(nowNanos, available());
  }

  /**
   * Ends a download whose upstream stopped sending, or sends too slowly: the blocked read is
   * interrupted, the temp file discarded, and every reader fails, so the next request starts a
   * fresh fetch.
   */
  void abortStalled() {
    abandon("upstream stalled or fell below the minimum rate sending");
  }

  /**
   * Ends the download while it still receives from upstream (see {@link #abortStalled()}); one that
   * has received everything is left to verify and commit, which may include its upload to a shared
   * store, and is judged by no rate: its upstream is done.
   */
  void abandon(String why) {
    Thread thread = copier;
    BlobDownload body = download;
    if (thread == null || done.isDone() || stalled || !receiving) {
      return;
    }
    log.warn("{} blob {} ({} bytes so far); abandoning the download", why, digest, available());
    stalled = true;
    if (body != null) {
      try {
        body.close(); // the JDK's response stream ignores interrupts, but not a close
      } catch (RuntimeException e) {
        log.debug("closing the stalled download of {} failed: {}", digest, e.toString());
      }
    }
    thread.interrupt();
  }

  /**
   * Reads at least one byte, waiting if need be, then whatever else has already arrived, up to a
   * full buffer; -1 at the end. The HTTP client hands over 16 KiB at a time, and the page cache
   * keeps a file in pieces as large as the writes that made it: a blob written 16 KiB at a time is
   * sent measurably slower by every later {@code sendfile} than one written in large pieces. Never
   * waiting for more keeps a slow upstream's bytes flowing to readers as they come.
   */
  static int fill(InputStream in, byte[] buffer) throws IOException {
    int filled = in.read(buffer);
    if (filled < 0) {
      return filled;
    }
    while (filled < buffer.length && in.available() > 0) {
      int read = in.read(buffer, filled, buffer.length - filled);
      if (read < 0) {
        break; // the end: the next call says so
      }
      filled += read;
    }
    return filled;
  }

  /** Copies the upstream body into the file, then verifies and commits. Blocking. */
  void copy(BlobDownload download) {
    copy(download, Resumption.NONE);
  }

  /**
   * Copies the body into the file, then verifies and commits; a body that breaks before its end is
   * continued from where it broke by {@code resumption} (a follower whose holder died), as long as
   * it offers one. Blocking.
   */
  void copy(BlobDownload first, Resumption resumption) {
    copier = Thread.currentThread();
    lastProgressNanos = ticker.read();
    BlobDownload current = first;
    try {
      byte[] buffer = new byte[COPY_BUFFER];
      while (true) {
        this.download = current;
        if (copyBody(current, buffer)) {
          break;
        }
        closeQuietly(current);
        Optional<BlobDownload> next = resumption.from(writer.written());
        if (next.isEmpty()) {
          throw new IOException("the body of " + digest + " broke after " + available() + " bytes");
        }
        log.info("continuing blob {} from byte {}", digest, available());
        current = next.get();
      }
      if (contentLength >= 0 && writer.written() != contentLength) {
        throw new IOException(
            "upstream sent " + writer.written() + " of " + contentLength + " bytes of " + digest);
      }
      receiving = false;
      BlobInfo info = writer.commit();
      log.info("fetched blob {} ({} bytes)", digest, info.size());
      onEnd.run();
      done.complete(info);
    } catch (Exception e) {
      // released before readers learn of the failure (the cancel tells them), so the request a
      // failed reader's client sends next starts a fresh fetch
      onEnd.run();
      writer.cancel();
      log.warn("fetch of blob {} failed: {}", digest, e.toString());
      done.completeExceptionally(
          stalled ? new IOException("upstream stalled sending " + digest, e) : e);
    } finally {
      closeQuietly(current);
      this.download = null;
      copier = null;
      Thread.interrupted();
    }
  }

  private void closeQuietly(BlobDownload body) {
    try {
      body.close();
    } catch (RuntimeException e) {
      log.debug("closing the body of {} failed: {}", digest, e.toString());
    }
  }

  /**
   * Copies one body to its end (true) or until reading it fails (false: it may be resumed); a stall
   * or a failed write throws.
   */
  private boolean copyBody(BlobDownload download, byte[] buffer) throws IOException {
    InputStream body = download.body();
    while (true) {
      int read;
      try {
        read = fill(body, buffer);
      } catch (IOException e) {
        if (stalled) {
          throw e;
        }
        log.warn("reading blob {} failed after {} bytes: {}", digest, available(), e.toString());
        return false;
      }
      if (read < 0) {
        return true;
      }
      if (stalled) {
        throw new IOException("upstream stalled");
      }
      lastProgressNanos = ticker.read();
      writer.write(ByteBuffer.wrap(buffer, 0, read));
    }
  }
}
