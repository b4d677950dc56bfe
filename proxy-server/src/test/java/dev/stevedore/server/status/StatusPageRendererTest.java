package dev.stevedore.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.core.cache.PullStats.ImagePulls;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.server.setup.MirrorAddress;
import dev.stevedore.server.setup.NodeKind;
import dev.stevedore.server.setup.NodeSetup;
import dev.stevedore.server.status.RecentClients.RecentClient;
import dev.stevedore.server.status.StatusSnapshot.CacheUsage;
import dev.stevedore.server.status.StatusSnapshot.ClusterTraffic;
import dev.stevedore.server.status.StatusSnapshot.Nodes;
import dev.stevedore.server.status.StatusSnapshot.Outcomes;
import dev.stevedore.server.status.StatusSnapshot.StoreTraffic;
import dev.stevedore.server.status.StatusSnapshot.UpstreamBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class StatusPageRendererTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  private static final NodeSetup SETUP =
      new NodeSetup(List.of("docker.io"), "docker.io", Optional.empty(), Optional.empty());
  private static final Optional<MirrorAddress> ADDRESS =
      MirrorAddress.fromHost(Optional.of("10.0.0.5:5000"), false);

  private final StatusPageRenderer renderer = new StatusPageRenderer();

  private String render(StatusSnapshot snapshot) {
    return renderer.render(snapshot, SetupLines.of(SETUP, ADDRESS));
  }

  private static StatusSnapshot snapshot(
      CacheUsage cache, List<UpstreamBudget> upstreams, List<ImagePulls> top) {
    return new StatusSnapshot(
        NOW,
        Duration.ofMinutes(125),
        cache,
        new Outcomes(30, 5, 1, 4),
        3 * GIB / 2,
        512 * MIB,
        2,
        upstreams,
        42,
        top);
  }

  private static StatusSnapshot typical() {
    return snapshot(
        new CacheUsage(OptionalLong.of(12 * GIB), OptionalLong.of(1234), OptionalLong.of(50 * GIB)),
        List.of(
            new UpstreamBudget(
                "docker.io",
                Optional.of(
                    new RateLimit(
                        100, 76, 21600, Optional.of("203.0.113.7"), NOW.minusSeconds(30)))),
            new UpstreamBudget("ghcr.io", Optional.empty())),
        List.of(
            new ImagePulls("docker.io/library/alpine", 17),
            new ImagePulls("docker.io/library/nginx", 5)));
  }

  @Test
  void render_showsEveryNumberInHumanUnits() {
    String html = render(typical());

    assertThat(html)
        .startsWith("<!doctype html>")
        .contains("<meta http-equiv=\"refresh\" content=\"10\">")
        .contains("data-metric=\"cache-size\">12 GiB<")
        .contains("of 50 GiB budget (24.0 %)")
        .contains("1,234 blobs")
        .contains("data-metric=\"hit-ratio\">75.0 %<")
        .contains("30 of 40 manifest and blob requests were hits")
        .contains("data-metric=\"bytes-saved\">1.5 GiB<")
        .contains("512 MiB fetched upstream")
        .contains("data-metric=\"inflight\">2<")
        .contains("up 2 h 5 min")
        .contains("2025-03-01 12:00:00 UTC")
        .contains("42 manifest GETs since start");
  }

  @Test
  void render_topImagesTable_inOrderWithCounts() {
    String html = render(typical());

    assertThat(html)
        .containsSubsequence(
            "id=\"top-images\"",
            "<td class=\"num\">1</td><td class=\"image\">docker.io/library/alpine</td>"
                + "<td class=\"num\">17</td>",
            "<td class=\"num\">2</td><td class=\"image\">docker.io/library/nginx</td>"
                + "<td class=\"num\">5</td>");
  }

  @Test
  void render_upstreamBudgets_statedAndUnstated() {
    String html = render(typical());

    assertThat(html)
        .contains("data-upstream-remaining=\"docker.io\">")
        .contains("value=\"76\"></meter>76</td><td class=\"num\">100</td><td>6 h</td>")
        .contains("<td>30 s ago</td><td>203.0.113.7</td>")
        .contains("<td>ghcr.io</td><td colspan=\"5\" class=\"muted\">none stated")
        .doesNotContain("class=\"low\"");
  }

  @Test
  void render_lowBudget_isFlagged() {
    RateLimit low = new RateLimit(100, 3, 21600, Optional.empty(), NOW);
    String html =
        render(
            snapshot(
                CacheUsage.unknown(),
                List.of(new UpstreamBudget("docker.io", Optional.of(low))),
                List.of()));

    assertThat(html).contains("<tr class=\"low\">").contains("<span class=\"badge\">low</span>");
  }

  @Test
  void render_escapesImageNamesAndUpstreamText() {
    String html =
        render(
            snapshot(
                CacheUsage.unknown(),
                List.of(
                    new UpstreamBudget(
                        "evil\"><b>",
                        Optional.of(
                            new RateLimit(
                                100, 50, 0, Optional.of("<img src=x onerror=alert(1)>"), NOW)))),
                List.of(new ImagePulls("docker.io/<script>alert('x')</script>&co", 3))));

    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("<img")
        .doesNotContain("<b>")
        .contains("docker.io/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;co")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .contains("data-upstream-remaining=\"evil&quot;&gt;&lt;b&gt;\"");
  }

  @Test
  void render_hasInlineSvgCharts_andNoJavaScript() {
    String html = render(typical());

    assertThat(html)
        .contains("<svg class=\"chart\"")
        .contains("<title>Bytes served from cache and fetched from upstreams</title>")
        .contains("<rect class=\"bar hit\"")
        .contains("<rect class=\"bar miss\"")
        .contains("<title>From cache: 1.5 GiB</title>")
        .contains("<title>Hit: 30</title>")
        .doesNotContain("<script");
    assertThat(html.split("<svg ", -1)).hasSize(3);
  }

  @Test
  void render_unknownAndUnlimitedBudgets() {
    String unknown = render(snapshot(CacheUsage.unknown(), List.of(), List.of()));
    String unlimited =
        render(
            snapshot(
                new CacheUsage(OptionalLong.of(2048), OptionalLong.of(3), OptionalLong.of(0)),
                List.of(),
                List.of()));

    assertThat(unknown)
        .contains("data-metric=\"cache-size\">unknown<")
        .contains("budget unknown")
        .contains("No pulls yet.");
    assertThat(unlimited)
        .contains("data-metric=\"cache-size\">2 KiB<")
        .contains("budget unlimited")
        .doesNotContain("<meter min=\"0\" max=\"1\"");
  }

  @Test
  void render_beforeAnyRequest_saysSo() {
    StatusSnapshot empty =
        new StatusSnapshot(
            NOW,
            Duration.ZERO,
            CacheUsage.unknown(),
            Outcomes.NONE,
            0,
            0,
            0,
            List.of(),
            0,
            List.of());

    assertThat(render(empty))
        .contains("data-metric=\"hit-ratio\">–<")
        .contains("no manifest or blob requests yet")
        .contains("data-metric=\"bytes-saved\">0 B<");
  }

  @Test
  void render_withoutStore_hasNoStoreBox() {
    assertThat(render(typical())).doesNotContain("Shared store").doesNotContain("data-store=");
  }

  @Test
  void render_reachableStore_showsWhereStateAndTraffic() {
    String html =
        render(
            withStore(
                new StoreTraffic(
                    "s3://team-cache/prod at http://127.0.0.1:9000",
                    "the store at http://127.0.0.1:9000 answers for bucket team-cache",
                    true,
                    12_345,
                    1,
                    3 * GIB,
                    512 * MIB)));

    assertThat(html)
        .containsSubsequence("<h2>Shared store</h2>", "id=\"store\"", "id=\"upstreams\"")
        .contains("data-store=\"where\">s3://team-cache/prod at http://127.0.0.1:9000<")
        .contains(
            "data-store=\"state\">the store at http://127.0.0.1:9000 answers for bucket"
                + " team-cache<")
        .contains("data-store=\"requests\">12,345 since start, 1 error<")
        .contains("data-store=\"bytes\">3 GiB sent to the store, 512 MiB received from it<")
        .doesNotContain("class=\"down\"")
        .doesNotContain("unreachable");
  }

  @Test
  void render_unreachableStore_isHighlighted() {
    String html =
        render(
            withStore(
                new StoreTraffic(
                    "s3://b/ at http://127.0.0.1:9000",
                    "the store is unreachable: Connection refused",
                    false,
                    10,
                    4,
                    0,
                    0)));

    assertThat(html)
        .contains(
            "data-store=\"state\" class=\"down\">the store is unreachable: Connection refused"
                + "<span class=\"badge\">unreachable</span>")
        .contains("10 since start, 4 errors");
  }

  @Test
  void render_escapesStoreText() {
    String html =
        render(
            withStore(
                new StoreTraffic(
                    "s3://b/<script>x</script> at http://h/\"'",
                    "refused: <img src=x onerror=alert(1)>",
                    false,
                    0,
                    0,
                    0,
                    0)));

    assertThat(html)
        .doesNotContain("<script")
        .doesNotContain("<img")
        .contains("s3://b/&lt;script&gt;x&lt;/script&gt; at http://h/&quot;&#39;")
        .contains("refused: &lt;img src=x onerror=alert(1)&gt;");
  }

  @Test
  void render_withoutCluster_hasNoClusterBox() {
    assertThat(render(typical()))
        .doesNotContain("<h2>Cluster</h2>")
        .doesNotContain("data-cluster=");
  }

  @Test
  void render_cluster_showsAdvertiseLeasesTakeoversAndRelays() {
    String html =
        render(
            withCluster(
                new ClusterTraffic(
                    "http://10.0.0.7:5000", 3, 1, 2, 3 * GIB / 2, 1_234, 5, 512 * MIB)));

    assertThat(html)
        .containsSubsequence("<h2>Cluster</h2>", "id=\"cluster\"", "id=\"upstreams\"")
        .contains("data-cluster=\"advertise\">http://10.0.0.7:5000<")
        .contains("data-cluster=\"leases\">3 held now, 1 lost since start<")
        .contains("data-cluster=\"takeovers\">2 downloads taken over")
        .contains("data-cluster=\"relayed\">1.5 GiB relayed from replicas")
        .contains("data-cluster=\"served\">512 MiB in 1,234 relay requests, 5 refused or failed<");
  }

  @Test
  void render_oneRelayRequest_isSingular() {
    assertThat(render(withCluster(new ClusterTraffic("http://h:5000", 0, 0, 0, 0, 1, 0, 10))))
        .contains("10 B in 1 relay request, 0 refused or failed<");
  }

  @Test
  void render_escapesClusterText() {
    String html =
        render(
            withCluster(new ClusterTraffic("http://h/<script>x</script>\"'", 0, 0, 0, 0, 0, 0, 0)));

    assertThat(html)
        .doesNotContain("<script")
        .contains("data-cluster=\"advertise\">http://h/&lt;script&gt;x&lt;/script&gt;&quot;&#39;<");
  }

  private static StatusSnapshot withCluster(ClusterTraffic cluster) {
    StatusSnapshot typical = typical();
    return new StatusSnapshot(
        typical.takenAt(),
        typical.uptime(),
        typical.cache(),
        typical.requests(),
        typical.bytesSaved(),
        typical.bytesFetched(),
        typical.inFlightDownloads(),
        typical.upstreams(),
        typical.totalPulls(),
        typical.topImages(),
        Optional.empty(),
        Optional.of(cluster));
  }

  private static StatusSnapshot withStore(StoreTraffic store) {
    StatusSnapshot typical = typical();
    return new StatusSnapshot(
        typical.takenAt(),
        typical.uptime(),
        typical.cache(),
        typical.requests(),
        typical.bytesSaved(),
        typical.bytesFetched(),
        typical.inFlightDownloads(),
        typical.upstreams(),
        typical.totalPulls(),
        typical.topImages(),
        Optional.of(store));
  }

  @Test
  void render_setupBox_eachKindsOneLinerWithTheAddress() {
    String html = render(typical());

    assertThat(html).contains("<h2>Point your nodes at it</h2>").doesNotContain("data-setup-note");
    for (NodeKind kind : NodeKind.values()) {
      assertThat(html)
          .contains("<th>" + kind.title() + "</th>")
          .contains(
              "data-setup=\""
                  + kind.path()
                  + "\">curl -fsSL http://10.0.0.5:5000/setup/"
                  + kind.path()
                  + " | sudo sh</code>");
    }
    assertThat(html).doesNotContain("<script").doesNotContain("<button");
  }

  @Test
  void render_setupBox_withoutAddress_saysHostPort() {
    String html =
        renderer.render(
            typical(), SetupLines.of(SETUP, MirrorAddress.fromHost(Optional.of("a b"), false)));

    assertThat(html)
        .contains("data-setup-note")
        .contains(
            "data-setup=\"containerd\">curl -fsSL http://HOST:PORT/setup/containerd | sudo sh<")
        .doesNotContain("a b")
        .doesNotContain(".invalid");
  }

  @Test
  void setupLines_withoutAddress_useAdvertise() {
    NodeSetup advertised =
        new NodeSetup(
            List.of("docker.io"),
            "docker.io",
            Optional.of(java.net.URI.create("http://mirror.example:5000")),
            Optional.empty());

    SetupLines lines = SetupLines.of(advertised, Optional.empty());

    assertThat(lines.addressKnown()).isTrue();
    assertThat(lines.lines().get(0).command())
        .isEqualTo("curl -fsSL http://mirror.example:5000/setup/containerd | sudo sh");
  }

  @Test
  void render_setupBox_escapesTheCommands() {
    SetupLines hostile =
        new SetupLines(List.of(new SetupLines.Line(NodeKind.DOCKER, "curl '<b>x</b>' \"&")), true);

    assertThat(renderer.render(typical(), hostile))
        .contains("data-setup=\"docker\">curl &#39;&lt;b&gt;x&lt;/b&gt;&#39; &quot;&amp;</code>")
        .doesNotContain("<b>x</b>");
  }

  @Test
  void render_nodesBox_mostRecentFirst_agoInHumanUnits_escaped() {
    StatusSnapshot snapshot =
        withNodes(
            new Nodes(
                List.of(
                    new RecentClient("10.0.0.7", "containerd/1.6.20", 12, NOW.minusSeconds(42)),
                    new RecentClient("10.0.0.8", "<img src=x>", 3, NOW.minusSeconds(5 * 60)),
                    new RecentClient("10.0.0.9", "", 1, NOW.minus(Duration.ofHours(3)))),
                2));

    String html = render(snapshot);

    assertThat(html)
        .contains("<h2>Nodes</h2>")
        .containsPattern(
            "data-node=\"10\\.0\\.0\\.7\">10\\.0\\.0\\.7</td><td>containerd/1\\.6\\.20</td>"
                + "<td class=\"num\">12</td><td>42 s ago</td>")
        .contains("<td>&lt;img src=x&gt;</td><td class=\"num\">3</td><td>5 min ago</td>")
        .contains("<td>–</td><td class=\"num\">1</td><td>3 h ago</td>")
        .contains("data-metric=\"nodes-last-hour\">2 nodes pulled in the last hour.")
        .doesNotContain("<img");
    assertThat(html.indexOf("10.0.0.7")).isLessThan(html.indexOf("10.0.0.8"));
    assertThat(html.indexOf("10.0.0.8")).isLessThan(html.indexOf("10.0.0.9"));
  }

  @Test
  void render_nodesBox_none() {
    assertThat(render(typical()))
        .contains("No node pulled yet.")
        .contains("data-metric=\"nodes-last-hour\">0 nodes pulled in the last hour.");
  }

  private static StatusSnapshot withNodes(Nodes nodes) {
    StatusSnapshot base = typical();
    return new StatusSnapshot(
        base.takenAt(),
        base.uptime(),
        base.cache(),
        base.requests(),
        base.bytesSaved(),
        base.bytesFetched(),
        base.inFlightDownloads(),
        base.upstreams(),
        base.totalPulls(),
        base.topImages(),
        base.store(),
        base.cluster(),
        nodes);
  }
}
