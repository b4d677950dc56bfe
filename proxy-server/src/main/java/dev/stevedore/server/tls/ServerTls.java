package dev.stevedore.server.tls;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;

/** How the server speaks TLS: the Netty context, and what clients need to trust it. */
public record ServerTls(SslContext context, ClientTrust trust) {
  public ServerTls {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(trust, "trust");
  }
}
