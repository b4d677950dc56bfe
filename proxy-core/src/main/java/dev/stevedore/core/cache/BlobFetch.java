package dev.stevedore.core.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.upstream.BlobDownload;
import dev.stevedore.storage.BlobInfo;
import dev.stevedore.storage.BlobStore;
import dev.stevedore.storage.BlobWriter;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream download of a blob into a temp file, shared by every client that wants the blob
 * while it is in flight. Readers open the growing file and read up to {@link #available()}, waiting
 * with {@link #awaitBeyond(long)}; the download goes on whether or not anyone reads.
 */
public final class BlobFetch implements BlobSource {
  private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);
  private static final int COPY_BUFFER = 128 * 1024;

  /** Readers are woken every this many bytes (and at the end), not after every small read. */
  private static final long SIGNAL_STEP = 256 * 1024;

  private static final long COMMIT_WAIT_SECONDS = 120;

  private final Digest digest;
  private final long contentLength;
  private final BlobWriter writer;
  private final Runnable onEnd;
  private final MinimumRate.Tracker pace;
  private final Ticker ticker;
  private final CompletableFuture<BlobInfo> done = new CompletableFuture<>();
  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile long lastProgressNanos;
  private volatile Thread copier;
  private volatile BlobDownload download;
  private volatile boolean stalled;
  private final java.util.concurrent.atomic.AtomicBoolean claimed =
      new java.util.concurrent.atomic.AtomicBoolean();

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
   * Opens the temp file for a download; {@link #copy(BlobDownload)} fills it. {@code onEnd} runs
   * once the outcome is settled (blob committed or discarded) and before readers learn of it, so a
   * request that arrives after a failure starts a fresh fetch.
   */
  static BlobFetch begin(BlobStore store, Digest digest, long contentLength, Runnable onEnd)
      throws IOException {
    return begin(store, digest, contentLength, MinimumRate.DEFAULT, Ticker.systemTicker(), onEnd);
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
      MinimumRate minimumRate,
      Ticker ticker,
      Runnable onEnd)
      throws IOException {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(minimumRate, "minimumRate");
    Objects.requireNonNull(ticker, "ticker");
    return new BlobFetch(digest, contentLength, store.create(digest), minimumRate, ticker, onEnd);
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

  /** Bytes already in the file that readers may read. */
  public long available() {
    return writer.written();
  }

  /** Completes with the committed blob, or fails when the download failed or did not verify. */
  public CompletableFuture<BlobInfo> done() {
    return done;
  }

  /** Completes once more than {@code position} bytes are available, or the fetch has ended. */
  public CompletableFuture<Void> awaitBeyond(long position) {
    synchronized (lock) {
      if (available() > position || done.isDone()) {
        return CompletableFuture.completedFuture(null);
      }
      Waiter waiter = new Waiter(position, new CompletableFuture<>());
      waiters.add(waiter);
      return waiter.signal();
    }
  }

  /**
   * Opens the blob's bytes for reading: the growing temp file, or the committed file once the
   * download is done. Blocking: call it on the disk executor.
   */
  public FileChannel openChannel() throws IOException {
    if (!done.isDone()) {
      try {
        return FileChannel.open(writer.tempFile(), StandardOpenOption.READ);
      } catch (NoSuchFileException renamedOrDiscarded) {
        // committed or cancelled between the check and the open: the outcome tells which
      }
    }
    try {
      BlobInfo info = done.get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
      return FileChannel.open(info.path(), StandardOpenOption.READ);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while opening " + digest, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("download of " + digest + " failed", Futures.unwrap(e));
    }
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
    Thread thread = copier;
    BlobDownload body = download;
    if (thread == null || done.isDone() || stalled) {
      return;
    }
    log.warn(
        "upstream stalled or fell below the minimum rate sending blob {} ({} bytes so far);"
            + " abandoning the download",
        digest,
        available());
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
    this.download = download;
    copier = Thread.currentThread();
    lastProgressNanos = ticker.read();
    try (download;
        InputStream body = download.body()) {
      byte[] buffer = new byte[COPY_BUFFER];
      long signalled = 0;
      int read;
      while ((read = fill(body, buffer)) >= 0) {
        if (stalled) {
          throw new IOException("upstream stalled");
        }
        lastProgressNanos = ticker.read();
        writer.write(ByteBuffer.wrap(buffer, 0, read));
        if (writer.written() - signalled >= SIGNAL_STEP) {
          signalled = writer.written();
          signalWaiters();
        }
      }
      if (contentLength >= 0 && writer.written() != contentLength) {
        throw new IOException(
            "upstream sent " + writer.written() + " of " + contentLength + " bytes of " + digest);
      }
      BlobInfo info = writer.commit();
      log.info("fetched blob {} ({} bytes)", digest, info.size());
      onEnd.run();
      done.complete(info);
    } catch (Exception e) {
      writer.cancel();
      log.warn("fetch of blob {} failed: {}", digest, e.toString());
      onEnd.run();
      done.completeExceptionally(
          stalled ? new IOException("upstream stalled sending " + digest, e) : e);
    } finally {
      this.download = null;
      copier = null;
      Thread.interrupted();
      signalWaiters();
    }
  }

  private void signalWaiters() {
    List<Waiter> ready = new ArrayList<>();
    synchronized (lock) {
      long available = available();
      boolean finished = done.isDone();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (finished || available > waiter.position()) {
          it.remove();
          ready.add(waiter);
        }
      }
    }
    ready.forEach(waiter -> waiter.signal().complete(null));
  }

  private record Waiter(long position, CompletableFuture<Void> signal) {}
}
