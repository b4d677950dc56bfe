package dev.stevedore.server.status;

import dev.stevedore.core.cache.PullStats.ImagePulls;
import dev.stevedore.core.upstream.RateLimit;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.server.config.Durations;
import dev.stevedore.server.status.BarChart.Bar;
import dev.stevedore.server.status.StatusSnapshot.CacheUsage;
import dev.stevedore.server.status.StatusSnapshot.ClusterTraffic;
import dev.stevedore.server.status.StatusSnapshot.Outcomes;
import dev.stevedore.server.status.StatusSnapshot.StoreTraffic;
import dev.stevedore.server.status.StatusSnapshot.UpstreamBudget;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link StatusSnapshot} as one self-contained HTML page: inline CSS, inline SVG charts,
 * no JavaScript; the browser reloads it every {@value #REFRESH_SECONDS} seconds. Every piece of
 * text is escaped, image names above all, since they come from clients.
 */
public final class StatusPageRenderer {
  static final int REFRESH_SECONDS = 10;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private static final String STYLE =
      """
      body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
        margin:0 auto;max-width:1040px;padding:16px 24px;color:#1d2330;background:#f6f7f9}
      h1{margin:0;font-size:26px}
      h2{font-size:15px;margin:0 0 6px;color:#4a5368;font-weight:600}
      .muted{color:#6b7386;font-size:13px}
      .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));
        gap:12px;margin:16px 0}
      .card,.box,figure{background:#fff;border:1px solid #e1e4ea;border-radius:8px;
        padding:12px 16px}
      .big{font-size:28px;font-weight:600;margin:0}.card p{margin:2px 0}
      .charts{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}figure{margin:0}
      figcaption{font-weight:600;color:#4a5368;margin-bottom:6px}
      .chart text{font-size:13px;fill:#1d2330}
      .bar.hit{fill:#2e9d5b}.bar.coalesced{fill:#3aa6a0}.bar.stale{fill:#e0a526}
      .bar.miss{fill:#6b7b99}
      .box{margin-bottom:12px}table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2}
      .num{text-align:right;font-variant-numeric:tabular-nums}th.rank{width:2em}
      td.image{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
      tr.low td{color:#b42318}
      td.down{color:#b42318;font-weight:600}
      .badge{background:#b42318;color:#fff;border-radius:4px;padding:0 5px;font-size:12px;
        margin-left:6px}
      meter{width:90px;vertical-align:middle;margin-right:6px}
      code.setup{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;
        background:#f0f2f5;border-radius:4px;padding:2px 6px;word-break:break-all;
        user-select:all}
      footer{margin:16px 0;color:#6b7386;font-size:13px}a{color:#2f5fb3}
      """;

  /** The page for {@code snapshot}, with {@code setup}'s one-liners. */
  public String render(StatusSnapshot snapshot, SetupLines setup) {
    StringBuilder html = new StringBuilder(8192);
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"")
        .append(REFRESH_SECONDS)
        .append("\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Stevedore status</title><style>")
        .append(STYLE)
        .append("</style></head>\n<body>\n<header><h1>Stevedore</h1><p class=\"muted\">")
        .append("Pull-through registry cache · up ")
        .append(Durations.format(snapshot.uptime()))
        .append(" · updated ")
        .append(TIME.format(snapshot.takenAt()))
        .append("</p></header>\n<div class=\"cards\">\n");
    cacheCard(html, snapshot.cache());
    hitRatioCard(html, snapshot.requests());
    card(
        html,
        "Bytes saved",
        "bytes-saved",
        ByteSize.format(snapshot.bytesSaved()),
        "served from cache; " + ByteSize.format(snapshot.bytesFetched()) + " fetched upstream");
    card(
        html,
        "Downloads in flight",
        "inflight",
        HumanUnits.count(snapshot.inFlightDownloads()),
        "blob downloads from upstreams now");
    html.append("</div>\n<div class=\"charts\">\n");
    figure(html, "Bytes: from cache vs. from upstream", bytesChart(snapshot));
    figure(html, "Requests by cache outcome", outcomesChart(snapshot.requests()));
    html.append("</div>\n");
    setup(html, setup);
    nodes(html, snapshot);
    snapshot.store().ifPresent(store -> store(html, store));
    snapshot.cluster().ifPresent(cluster -> cluster(html, cluster));
    upstreams(html, snapshot);
    topImages(html, snapshot);
    html.append("<footer>Counters since start. Refreshes every ")
        .append(REFRESH_SECONDS)
        .append(" s. Also: <a href=\"/metrics\">/metrics</a> · <a href=\"/healthz\">/healthz</a>")
        .append(" · <a href=\"/readyz\">/readyz</a></footer>\n</body></html>\n");
    return html.toString();
  }

  private static void cacheCard(StringBuilder html, CacheUsage cache) {
    String size =
        cache.sizeBytes().isPresent() ? ByteSize.format(cache.sizeBytes().getAsLong()) : "unknown";
    String budget;
    if (cache.budgetBytes().isEmpty()) {
      budget = "budget unknown";
    } else if (cache.unlimited()) {
      budget = "budget unlimited";
    } else {
      budget = "of " + ByteSize.format(cache.budgetBytes().getAsLong()) + " budget";
      if (cache.usedFraction().isPresent()) {
        budget += " (" + HumanUnits.percent(cache.usedFraction().getAsDouble()) + ")";
      }
    }
    String blobs =
        cache.blobs().isPresent() ? HumanUnits.count(cache.blobs().getAsLong()) + " blobs" : "";
    html.append(
            "<div class=\"card\"><h2>Cache size</h2><p class=\"big\" data-metric=\"cache-size\">")
        .append(Html.escape(size))
        .append("</p><p data-metric=\"cache-budget\">")
        .append(Html.escape(budget))
        .append("</p>");
    if (cache.usedFraction().isPresent()) {
      html.append(
          String.format(
              Locale.ROOT,
              "<meter min=\"0\" max=\"1\" low=\"0.8\" high=\"0.95\" optimum=\"0\" value=\"%.4f\">"
                  + "</meter>",
              Math.min(1, cache.usedFraction().getAsDouble())));
    }
    html.append("<p class=\"muted\">").append(Html.escape(blobs)).append("</p></div>\n");
  }

  private static void hitRatioCard(StringBuilder html, Outcomes requests) {
    boolean any = requests.hitRatio().isPresent();
    card(
        html,
        "Hit ratio",
        "hit-ratio",
        any ? HumanUnits.percent(requests.hitRatio().getAsDouble()) : "–",
        any
            ? HumanUnits.count(requests.hits())
                + " of "
                + HumanUnits.count(requests.total())
                + " manifest and blob requests were hits"
            : "no manifest or blob requests yet");
  }

  private static void card(
      StringBuilder html, String title, String metric, String value, String detail) {
    html.append("<div class=\"card\"><h2>")
        .append(Html.escape(title))
        .append("</h2><p class=\"big\" data-metric=\"")
        .append(Html.escape(metric))
        .append("\">")
        .append(Html.escape(value))
        .append("</p><p class=\"muted\">")
        .append(Html.escape(detail))
        .append("</p></div>\n");
  }

  private static void figure(StringBuilder html, String caption, String svg) {
    html.append("<figure><figcaption>")
        .append(Html.escape(caption))
        .append("</figcaption>")
        .append(svg)
        .append("</figure>\n");
  }

  private static String bytesChart(StatusSnapshot snapshot) {
    return BarChart.svg(
        "Bytes served from cache and fetched from upstreams",
        List.of(
            new Bar(
                "From cache", snapshot.bytesSaved(), ByteSize.format(snapshot.bytesSaved()), "hit"),
            new Bar(
                "From upstream",
                snapshot.bytesFetched(),
                ByteSize.format(snapshot.bytesFetched()),
                "miss")));
  }

  private static String outcomesChart(Outcomes requests) {
    return BarChart.svg(
        "Manifest and blob requests by cache outcome",
        List.of(
            new Bar("Hit", requests.hits(), HumanUnits.count(requests.hits()), "hit"),
            new Bar(
                "Coalesced",
                requests.coalesced(),
                HumanUnits.count(requests.coalesced()),
                "coalesced"),
            new Bar("Stale", requests.stale(), HumanUnits.count(requests.stale()), "stale"),
            new Bar("Miss", requests.misses(), HumanUnits.count(requests.misses()), "miss")));
  }

  /** The shared store: where, its last check (red when unreachable) and its traffic. */
  private static void store(StringBuilder html, StoreTraffic store) {
    html.append("<section class=\"box\"><h2>Shared store</h2><table id=\"store\"><tbody>\n")
        .append("<tr><th>Where</th><td data-store=\"where\">")
        .append(Html.escape(store.where()))
        .append("</td></tr>\n<tr><th>State</th><td data-store=\"state\"")
        .append(store.reachable() ? ">" : " class=\"down\">")
        .append(Html.escape(store.state()))
        .append(store.reachable() ? "" : "<span class=\"badge\">unreachable</span>")
        .append("</td></tr>\n<tr><th>Requests</th><td data-store=\"requests\">")
        .append(Html.escape(HumanUnits.count(store.requests())))
        .append(" since start, ")
        .append(Html.escape(HumanUnits.count(store.errors())))
        .append(store.errors() == 1 ? " error" : " errors")
        .append("</td></tr>\n<tr><th>Bytes</th><td data-store=\"bytes\">")
        .append(Html.escape(ByteSize.format(store.bytesSent())))
        .append(" sent to the store, ")
        .append(Html.escape(ByteSize.format(store.bytesReceived())))
        .append(" received from it</td></tr>\n</tbody></table></section>\n");
  }

  /**
   * This replica in its cluster: the address peers reach it under, its leases and its relays. The
   * secret and signed relay URLs never reach the snapshot, so they cannot reach the page.
   */
  private static void cluster(StringBuilder html, ClusterTraffic cluster) {
    html.append("<section class=\"box\"><h2>Cluster</h2><table id=\"cluster\"><tbody>\n")
        .append("<tr><th>Advertised as</th><td data-cluster=\"advertise\">")
        .append(Html.escape(cluster.advertise()))
        .append("</td></tr>\n<tr><th>Leases</th><td data-cluster=\"leases\">")
        .append(Html.escape(HumanUnits.count(cluster.leasesHeld())))
        .append(" held now, ")
        .append(Html.escape(HumanUnits.count(cluster.leasesLost())))
        .append(" lost since start")
        .append("</td></tr>\n<tr><th>Takeovers</th><td data-cluster=\"takeovers\">")
        .append(Html.escape(HumanUnits.count(cluster.takeovers())))
        .append(" downloads taken over from replicas that stopped renewing their lease")
        .append("</td></tr>\n<tr><th>From peers</th><td data-cluster=\"relayed\">")
        .append(Html.escape(ByteSize.format(cluster.bytesRelayed())))
        .append(" relayed from replicas downloading them")
        .append("</td></tr>\n<tr><th>To peers</th><td data-cluster=\"served\">")
        .append(Html.escape(ByteSize.format(cluster.bytesServedToPeers())))
        .append(" in ")
        .append(Html.escape(HumanUnits.count(cluster.relayRequests())))
        .append(cluster.relayRequests() == 1 ? " relay request, " : " relay requests, ")
        .append(Html.escape(HumanUnits.count(cluster.relayRefused())))
        .append(" refused or failed</td></tr>\n</tbody></table></section>\n");
  }

  /**
   * Each kind's one-liner as selectable text: the page's policy runs no script, so there is no copy
   * button. {@code data-setup} names the kind, for people's tools and the browser test.
   */
  private static void setup(StringBuilder html, SetupLines setup) {
    html.append("<section class=\"box\"><h2>Point your nodes at it</h2>")
        .append("<p class=\"muted\">Run the line for the node's container runtime on each node.")
        .append(" To look first: replace <code>| sudo sh</code> with <code>| sh -s -- --dry-run")
        .append("</code>.</p>");
    if (!setup.addressKnown()) {
      html.append("<p data-setup-note>This page was asked under an address that is not a plain")
          .append(" host[:port]: replace ")
          .append(Html.escape(SetupLines.PLACEHOLDER))
          .append(" with the address your nodes reach this server at.</p>");
    }
    html.append("<table id=\"setup\"><tbody>\n");
    for (SetupLines.Line line : setup.lines()) {
      html.append("<tr><th>")
          .append(Html.escape(line.kind().title()))
          .append("</th><td><code class=\"setup\" data-setup=\"")
          .append(Html.escape(line.kind().path()))
          .append("\">")
          .append(Html.escape(line.command()))
          .append("</code></td></tr>\n");
    }
    html.append("</tbody></table></section>\n");
  }

  /** The clients that pulled, most recent first: which nodes are set up and in use. */
  private static void nodes(StringBuilder html, StatusSnapshot snapshot) {
    StatusSnapshot.Nodes nodes = snapshot.nodes();
    html.append("<section class=\"box\"><h2>Nodes</h2>")
        .append("<table id=\"nodes\"><thead><tr><th>Address</th><th>Client</th>")
        .append("<th class=\"num\">Pulls</th><th>Last pull</th></tr></thead><tbody>\n");
    if (nodes.recent().isEmpty()) {
      html.append("<tr><td colspan=\"4\" class=\"muted\">No node pulled yet.</td></tr>\n");
    }
    for (RecentClients.RecentClient client : nodes.recent()) {
      html.append("<tr><td class=\"image\" data-node=\"")
          .append(Html.escape(client.address()))
          .append("\">")
          .append(Html.escape(client.address()))
          .append("</td><td>")
          .append(Html.escape(client.product().isEmpty() ? "–" : client.product()))
          .append("</td><td class=\"num\">")
          .append(HumanUnits.count(client.pulls()))
          .append("</td><td>")
          .append(HumanUnits.ago(Duration.between(client.lastPull(), snapshot.takenAt())))
          .append("</td></tr>\n");
    }
    html.append("</tbody></table><p class=\"muted\" data-metric=\"nodes-last-hour\">")
        .append(HumanUnits.count(nodes.lastHour()))
        .append(nodes.lastHour() == 1 ? " node" : " nodes")
        .append(" pulled in the last hour.</p></section>\n");
  }

  private static void upstreams(StringBuilder html, StatusSnapshot snapshot) {
    html.append("<section class=\"box\"><h2>Upstream pull budget</h2>")
        .append("<table id=\"upstreams\"><thead><tr><th>Upstream</th><th>Pulls left</th>")
        .append("<th class=\"num\">Limit</th><th>Window</th><th>Stated</th>")
        .append(
            "<th title=\"docker-ratelimit-source: the address or account the upstream meters\">")
        .append("Identity</th>")
        .append("</tr></thead><tbody>\n");
    for (UpstreamBudget upstream : snapshot.upstreams()) {
      String name = Html.escape(upstream.name());
      if (upstream.rateLimit().isEmpty()) {
        html.append("<tr><td>")
            .append(name)
            .append("</td><td colspan=\"5\" class=\"muted\">none stated (unlimited, or no manifest")
            .append(" fetched since start)</td></tr>\n");
        continue;
      }
      RateLimit limit = upstream.rateLimit().get();
      html.append(limit.isLow() ? "<tr class=\"low\">" : "<tr>")
          .append("<td>")
          .append(name)
          .append("</td><td data-upstream-remaining=\"")
          .append(name)
          .append("\">")
          .append(
              String.format(
                  Locale.ROOT,
                  "<meter min=\"0\" max=\"%d\" low=\"%d\" optimum=\"%d\" value=\"%d\"></meter>",
                  Math.max(1, limit.limit()),
                  limit.limit() / 10,
                  limit.limit(),
                  Math.max(0, Math.min(limit.remaining(), limit.limit()))))
          .append(HumanUnits.count(limit.remaining()))
          .append(limit.isLow() ? "<span class=\"badge\">low</span>" : "")
          .append("</td><td class=\"num\">")
          .append(HumanUnits.count(limit.limit()))
          .append("</td><td>")
          .append(
              limit.windowSeconds() > 0
                  ? Durations.format(Duration.ofSeconds(limit.windowSeconds()))
                  : "–")
          .append("</td><td>")
          .append(
              Durations.format(
                  Duration.between(limit.observedAt(), snapshot.takenAt())
                      .truncatedTo(ChronoUnit.SECONDS)))
          .append(" ago</td><td>")
          .append(Html.escape(limit.source().orElse("–")))
          .append("</td></tr>\n");
    }
    html.append("</tbody></table></section>\n");
  }

  private static void topImages(StringBuilder html, StatusSnapshot snapshot) {
    html.append("<section class=\"box\"><h2>Most pulled images</h2>")
        .append("<table id=\"top-images\"><thead><tr><th class=\"num rank\">#</th><th>Image</th>")
        .append("<th class=\"num\">Pulls</th></tr></thead><tbody>\n");
    List<ImagePulls> top = snapshot.topImages();
    if (top.isEmpty()) {
      html.append("<tr><td colspan=\"3\" class=\"muted\">No pulls yet.</td></tr>\n");
    }
    for (int i = 0; i < top.size(); i++) {
      html.append("<tr><td class=\"num\">")
          .append(i + 1)
          .append("</td><td class=\"image\">")
          .append(Html.escape(top.get(i).image()))
          .append("</td><td class=\"num\">")
          .append(HumanUnits.count(top.get(i).pulls()))
          .append("</td></tr>\n");
    }
    html.append("</tbody></table><p class=\"muted\">")
        .append(HumanUnits.count(snapshot.totalPulls()))
        .append(" manifest GETs since start. A multi-platform pull counts its index and each")
        .append(" platform manifest it fetches.</p></section>\n");
  }
}
