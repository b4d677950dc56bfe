package dev.stevedore.server.status;

import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeKind;
import dev.stevedore.server.setup.NodeSetup;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
      return new SetupLines(
          Arrays.stream(NodeKind.values())
              .map(kind -> new Line(kind, setup.oneLiner(kind, address.get())))
              .toList(),
          true);
    }
    MirrorAddress standIn = setup.address(Optional.of(STAND_IN)).orElseThrow();
    return new SetupLines(
        Arrays.stream(NodeKind.values())
            .map(
                kind ->
                    new Line(
                        kind,
                        setup.oneLiner(kind, standIn).replace(standIn.authority(), PLACEHOLDER)))
            .toList(),
        false);
  }
}
