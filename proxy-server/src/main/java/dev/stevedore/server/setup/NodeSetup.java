package dev.stevedore.server.setup;

import dev.stevedore.server.tls.ClientTrust;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Points nodes at this Stevedore: the scripts of {@code GET /setup/<kind>} and the one-line
 * commands that run them. The address in both is {@code --advertise} when given, else the one the
 * node used to ask (its {@code Host}). Nothing secret goes into either: with client credentials
 * required, nodes bring their own.
 */
public final class NodeSetup {
  private final SetupScript scripts;
  private final Optional<MirrorAddress> advertised;
  private final Optional<ClientTrust> trust;

  /**
   * @param registries the configured upstreams' names
   * @param defaultRegistry the upstream that answers clients naming none
   * @param advertise {@code --advertise}, when given
   * @param trust what clients need to trust this server's TLS; empty for plain HTTP
   */
  public NodeSetup(
      List<String> registries,
      String defaultRegistry,
      Optional<URI> advertise,
      Optional<ClientTrust> trust) {
    this.scripts = new SetupScript(registries, defaultRegistry, trust);
    this.advertised = Objects.requireNonNull(advertise, "advertise").map(MirrorAddress::of);
    this.trust = Objects.requireNonNull(trust, "trust");
  }

  /** The address to point nodes at, for a request with this {@code Host} header. */
  public Optional<MirrorAddress> address(Optional<String> host) {
    return advertised.or(() -> MirrorAddress.fromHost(host, trust.isPresent()));
  }

  /** The script that sets up a node of {@code kind}. */
  public String script(NodeKind kind, MirrorAddress address) {
    return scripts.render(kind, address);
  }

  /**
   * The command to paste on a node of {@code kind}. For a server with its own CA, which the node
   * does not trust yet, curl checks the server's public key against its pin instead.
   */
  public String oneLiner(NodeKind kind, MirrorAddress address) {
    String pinned =
        trust
            .filter(t -> t.selfSigned() && address.tls())
            .map(t -> "--pinnedpubkey '" + t.publicKeyPin() + "' -k ")
            .orElse("");
    return "curl -fsSL " + pinned + address.url() + "/setup/" + kind.path() + " | sudo sh";
  }

  /** Every kind's one-liner for {@code address}, in {@link NodeKind} order. */
  public Map<NodeKind, String> oneLiners(MirrorAddress address) {
    Map<NodeKind, String> lines = new EnumMap<>(NodeKind.class);
    for (NodeKind kind : NodeKind.values()) {
      lines.put(kind, oneLiner(kind, address));
    }
    return lines;
  }

  /** The text of {@code GET /setup/}: every kind's one-liner. */
  public String index(MirrorAddress address) {
    return "Point a node at this Stevedore ("
        + address.url()
        + ") with the line for its container runtime:\n\n"
        + oneLiners(address).entrySet().stream()
            .map(line -> String.format("%-11s %s%n", line.getKey().title(), line.getValue()))
            .collect(Collectors.joining())
        + "\nAfter | sudo sh, add -s -- and: --dry-run (print, change nothing), --root DIR,"
        + " --restart.\n";
  }
}
