package dev.stevedore.server;

import dev.stevedore.server.auth.AccessControl;
import dev.stevedore.server.tls.ServerTls;
import java.util.Objects;
import java.util.Optional;

/** How the server faces its clients: TLS (when configured) and access control. */
public record ServerOptions(Optional<ServerTls> tls, AccessControl access) {
  public ServerOptions {
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(access, "access");
  }

  /** Plain HTTP, open to every client: the defaults. */
  public static final ServerOptions PLAIN = new ServerOptions(Optional.empty(), AccessControl.OPEN);
}
