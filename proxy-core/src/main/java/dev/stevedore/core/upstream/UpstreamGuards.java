package dev.stevedore.core.upstream;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What every upstream client of a process shares to keep a hostile upstream in bounds: the one
 * {@link BufferBudget} for response bodies held in memory, and the {@link RedirectPolicy} that
 * knows Stevedore's own listen address. Make it once per process and hand it to each client.
 */
public record UpstreamGuards(BufferBudget buffers, RedirectPolicy redirects) {

  public UpstreamGuards {
    Objects.requireNonNull(buffers, "buffers");
    Objects.requireNonNull(redirects, "redirects");
  }

  /** A budget sized from the heap ({@link BufferBudget#forHeap()}) and the system resolver. */
  public static UpstreamGuards forThisProcess() {
    return new UpstreamGuards(BufferBudget.forHeap(), RedirectPolicy.system());
  }

  /** Tells the redirect policy where Stevedore listens. */
  public void listeningOn(InetSocketAddress address) {
    redirects.listeningOn(address);
  }
}
