package dev.stevedore.server.cli;

import dev.stevedore.server.config.ClusterFlags;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code serve}'s cluster options. The secret is only ever named by a file, so it never appears in
 * a process list or a shell history.
 */
public final class ClusterOptions {

  @Option(
      names = "--cluster-secret-file",
      paramLabel = "FILE",
      description =
          "Act as one cache with the other replicas sharing --store: FILE holds the secret (at"
              + " least 32 bytes, the same on every replica, e.g. from openssl rand -hex 32) that"
              + " authenticates their requests to each other; read once at start (default: a"
              + " lone replica).")
  Path secretFile;

  @Option(
      names = "--advertise",
      paramLabel = "URL",
      description =
          "How nodes and the other replicas reach this one, http(s)://HOST:PORT: the address"
              + " /setup/ scripts point nodes at (default: the address each node asked under)"
              + " and replicas relay from (default: http://$POD_IP:PORT when POD_IP is set, else"
              + " http://HOSTNAME:PORT, with the --listen port).")
  String advertise;

  /** The cluster flags as given. */
  public ClusterFlags flags() {
    return new ClusterFlags(Optional.ofNullable(secretFile), Optional.ofNullable(advertise));
  }
}
