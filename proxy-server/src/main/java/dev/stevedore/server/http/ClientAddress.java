package dev.stevedore.server.http;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/** The client of a connection as the access log and the access control name it: its IP address. */
final class ClientAddress {
  private ClientAddress() {}

  static String of(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress address
        ? address.getAddress().getHostAddress()
        : String.valueOf(channel.remoteAddress());
  }
}
