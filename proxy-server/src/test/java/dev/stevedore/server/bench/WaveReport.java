package dev.stevedore.server.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Prints the figures of the three measurements and judges them against issue 3's targets. */
final class WaveReport {
  static final double MAX_BYTES_RATIO = 1.01;
  static final double MAX_TIME_RATIO = 1.5;

  private final long imageBlobBytes;
  private final int distinctManifests;
  private final boolean clientsInProcess;
  private final Wave.Result single;
  private final Wave.Result cold;
  private final Wave.Result warm;

  /**
   * @param clientsInProcess false when the clients were processes (skopeo) whose CPU is not counted
   */
  WaveReport(
      long imageBlobBytes,
      int distinctManifests,
      boolean clientsInProcess,
      Wave.Result single,
      Wave.Result cold,
      Wave.Result warm) {
    this.imageBlobBytes = imageBlobBytes;
    this.distinctManifests = distinctManifests;
    this.clientsInProcess = clientsInProcess;
    this.single = single;
    this.cold = cold;
    this.warm = warm;
  }

  Wave.Result single() {
    return single;
  }

  Wave.Result cold() {
    return cold;
  }

  Wave.Result warm() {
    return warm;
  }

  int distinctManifests() {
    return distinctManifests;
  }

  double warmOverSingle() {
    return seconds(warm.wall()) / seconds(single.wall());
  }

  double bytesRatio() {
    return (double) cold.upstream().cdnBytes() / imageBlobBytes;
  }

  double timeRatio() {
    return seconds(cold.wall()) / seconds(single.wall());
  }

  boolean bytesMet() {
    return bytesRatio() <= MAX_BYTES_RATIO;
  }

  boolean manifestsMet() {
    return cold.upstream().manifestGets() == distinctManifests;
  }

  boolean timeMet() {
    return timeRatio() <= MAX_TIME_RATIO;
  }

  boolean warmMet() {
    return warm.upstream().allRequests() == 0;
  }

  boolean allMet() {
    return bytesMet() && manifestsMet() && timeMet() && warmMet();
  }

  void print(PrintStream out) {
    List<Wave.Result> all = List.of(single, cold, warm);
    out.println();
    out.printf("%-30s %14s %14s %14s%n", "", "single client", "cold wave", "warm wave");
    row(out, "clients", all, r -> Integer.toString(r.clients()));
    row(out, "wall time", all, r -> secs(r.wall()));
    row(
        out,
        "client time min/median/max",
        all,
        r -> compact(r.fastest()) + "/" + compact(r.median()) + "/" + compact(r.slowest()));
    row(out, "served to clients", all, r -> mib((long) r.perClient().size() * imageBlobBytes));
    row(
        out,
        "throughput to clients",
        all,
        r -> rate(r.perClient().size() * imageBlobBytes, r.wall()));
    row(out, "upstream blob bytes (CDN)", all, r -> mib(r.upstream().cdnBytes()));
    row(
        out,
        "CDN sent its last byte at",
        all,
        r -> r.upstream().cdnBytes() == 0 ? "-" : secs(r.upstreamDone()));
    row(out, "upstream CDN requests", all, r -> Integer.toString(r.upstream().cdnRequests()));
    row(out, "upstream manifest GETs", all, r -> Integer.toString(r.upstream().manifestGets()));
    row(out, "upstream manifest HEADs", all, r -> Integer.toString(r.upstream().manifestHeads()));
    row(out, "upstream token requests", all, r -> Integer.toString(r.upstream().tokenRequests()));
    row(out, "upstream requests, all", all, r -> Integer.toString(r.upstream().allRequests()));
    row(out, "failed pulls", all, r -> Integer.toString(r.failures().size()));
    for (String part : cold.cpu().keySet()) {
      if (part.equals(CpuMeter.CLIENTS) && !clientsInProcess) {
        row(out, "CPU s: clients", all, r -> "not counted");
        continue;
      }
      row(out, "CPU s: " + part, all, r -> cpu(r.cpu().getOrDefault(part, Duration.ZERO)));
    }
    row(
        out,
        "CPU s: total counted (cores)",
        all,
        r ->
            cpu(r.cpuTotal())
                + String.format(Locale.ROOT, " (%.1f)", seconds(r.cpuTotal()) / seconds(r.wall())));

    out.println();
    out.printf("%-44s %10s %10s  %s%n", "target (issue 3)", "measured", "target", "result");
    target(
        out,
        "upstream bytes / image bytes (cold wave)",
        String.format(Locale.ROOT, "%.4f", bytesRatio()),
        "<= " + MAX_BYTES_RATIO,
        bytesMet());
    target(
        out,
        "upstream manifest GETs (cold wave)",
        Integer.toString(cold.upstream().manifestGets()),
        "= " + distinctManifests,
        manifestsMet());
    target(
        out,
        "cold-wave time / single-client time",
        String.format(Locale.ROOT, "%.2fx", timeRatio()),
        "<= " + MAX_TIME_RATIO + "x",
        timeMet());
    target(
        out,
        "upstream requests (warm wave, within TTL)",
        Integer.toString(warm.upstream().allRequests()),
        "= 0",
        warmMet());
    out.println();
    out.printf(
        Locale.ROOT,
        "for reference: warm wave / single = %.2fx (the same %d pulls served from cache);"
            + " cold wave / warm wave = %.2fx%n",
        seconds(warm.wall()) / seconds(single.wall()),
        warm.clients(),
        seconds(cold.wall()) / seconds(warm.wall()));
  }

  private interface Cell {
    String of(Wave.Result result);
  }

  private static void row(PrintStream out, String name, List<Wave.Result> results, Cell cell) {
    out.printf(
        "%-30s %14s %14s %14s%n",
        name, cell.of(results.get(0)), cell.of(results.get(1)), cell.of(results.get(2)));
  }

  private static void target(
      PrintStream out, String name, String measured, String target, boolean met) {
    out.printf("%-44s %10s %10s  %s%n", name, measured, target, met ? "PASS" : "MISS");
  }

  static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  static String secs(Duration duration) {
    return String.format(Locale.ROOT, "%.3f s", seconds(duration));
  }

  private static String cpu(Duration duration) {
    return String.format(Locale.ROOT, "%.2f", seconds(duration));
  }

  private static String compact(Duration duration) {
    return String.format(Locale.ROOT, "%.2f", seconds(duration));
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  private static String rate(long bytes, Duration duration) {
    return String.format(Locale.ROOT, "%.0f MiB/s", bytes / (1024.0 * 1024) / seconds(duration));
  }
}
