package dev.stevedore.server.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Whom failures (and open connections) are counted against: an IPv4 address as is, an IPv6 address
 * by its /64 network (a single host usually owns a whole /64, so counting per address would let it
 * rotate freely).
 */
public final class ClientKey {

  private static final Pattern IPV6_LITERAL =
      Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");

  private ClientKey() {}

  public static String of(String clientAddress) {
    if (!IPV6_LITERAL.matcher(clientAddress).matches()) {
      return clientAddress;
    }
    try {
      // A string of these characters is parsed as an IPv6 literal, never looked up.
      InetAddress address = InetAddress.getByName(clientAddress);
      if (address instanceof Inet6Address) {
        byte[] network = new byte[8];
        System.arraycopy(address.getAddress(), 0, network, 0, 8);
        return HexFormat.of().formatHex(network) + "::/64";
      }
      return address.getHostAddress();
    } catch (UnknownHostException | SecurityException notAnAddress) {
      return clientAddress;
    }
  }
}
