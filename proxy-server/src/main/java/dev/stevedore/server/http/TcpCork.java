package dev.stevedore.server.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannelConfig;

/**
 * {@code TCP_CORK} on a connection, where the transport has it (Linux epoll): while corked the
 * kernel sends only full segments, so a response head and the file that follows it go out in as few
 * packets as they fill; uncorking sends what is left at once. Elsewhere it does nothing.
 */
final class TcpCork {
  private TcpCork() {}

  /** Corks the connection; whether it could (epoll, still open). */
  static boolean on(Channel channel) {
    return set(channel, true);
  }

  /** Uncorks the connection, sending any partial segment now; a closed one is left as it is. */
  static void off(Channel channel) {
    set(channel, false);
  }

  private static boolean set(Channel channel, boolean corked) {
    if (!(channel.config() instanceof EpollSocketChannelConfig epoll) || !channel.isOpen()) {
      return false;
    }
    try {
      epoll.setTcpCork(corked);
      return true;
    } catch (ChannelException closedMeanwhile) {
      return false;
    }
  }
}
