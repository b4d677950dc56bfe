package dev.stevedore.server.status;

import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeKind;
import dev.stevedore.server.setup.NodeSetup;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The setup one-liners the status page shows, one per kind of node, for the address the page was
 * asked under. They depend on the request, not on the proxy's numbers, so they are made per page
 * and kept out of {@link StatusSnapshot}.
 *
 * @param lines each kind's command, in {@link NodeKind} order
 * @param addressKnown false when the request named no usable address and the commands say {@value
 *     #PLACEHOLDER} instead
 */
public record SetupLines(List<Line> lines, boolean addressKnown) {
  /** What the commands say instead of an address nobody gave. */
  static final String PLACEHOLDER = "HOST:PORT";

  /** A host that {@link MirrorAddress} accepts and no real address has, replaced after. */
  private static final String STAND_IN = "stevedore-host-port.invalid";

  public SetupLines {
    lines = List.copyOf(lines);
  }

  /** One kind's command. */
  public record Line(NodeKind kind, String command) {
    public Line {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(command, "command");
    }
  }

  /**
   * The one-liners of {@code setup} for the address the page was {@code asked} under, else {@code
   * --advertise}; without either, for a stand-in address whose scheme and TLS pin are still this
   * server's, written as {@value #PLACEHOLDER}.
   */
  public static SetupLines of(NodeSetup setup, Optional<MirrorAddress> asked) {
    Optional<MirrorAddress> address = asked.or(() -> setup.address(Optional.empty()));
    if (address.isPresent()) {
      return new SetupLines(lines(setup, address.get(), UnaryOperator.identity()), true);
    }
    MirrorAddress standIn = setup.address(Optional.of(STAND_IN)).orElseThrow();
    return new SetupLines(
        lines(setup, standIn, command -> command.replace(standIn.authority(), PLACEHOLDER)), false);
  }

  private static List<Line> lines(
      NodeSetup setup, MirrorAddress address, UnaryOperator<String> written) {
    return setup.oneLiners(address).entrySet().stream()
        .map(line -> new Line(line.getKey(), written.apply(line.getValue())))
        .toList();
  }
}
