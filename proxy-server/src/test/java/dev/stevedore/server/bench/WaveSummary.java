package dev.stevedore.server.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The figures of several samples (each a single client, a cold wave and a warm wave on fresh
 * Stevedores): the median with min and max, judged against issue 3's targets. One sample is one
 * measurement among noisy ones; the time target is judged on the median of the samples' ratios, the
 * count targets must hold in every sample.
 */
final class WaveSummary {
  private final List<WaveReport> samples;

  WaveSummary(List<WaveReport> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    this.samples = List.copyOf(samples);
  }

  /** Median, min and max of some values; an even count's median is the mean of the middle two. */
  record Spread(double median, double min, double max, List<Double> values) {
    static Spread of(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      sorted.sort(null);
      int n = sorted.size();
      double median =
          n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return new Spread(median, sorted.get(0), sorted.get(n - 1), List.copyOf(values));
    }

    String format(String number) {
      String median = String.format(Locale.ROOT, number, this.median);
      if (values.size() == 1) {
        return median;
      }
      return median + String.format(Locale.ROOT, " (" + number + "–" + number + ")", min, max);
    }
  }

  Spread of(ToDoubleFunction<WaveReport> figure) {
    return Spread.of(samples.stream().map(figure::applyAsDouble).toList());
  }

  Spread singleSeconds() {
    return of(r -> WaveReport.seconds(r.single().wall()));
  }

  Spread coldSeconds() {
    return of(r -> WaveReport.seconds(r.cold().wall()));
  }

  Spread warmSeconds() {
    return of(r -> WaveReport.seconds(r.warm().wall()));
  }

  Spread timeRatio() {
    return of(WaveReport::timeRatio);
  }

  Spread warmOverSingle() {
    return of(WaveReport::warmOverSingle);
  }

  Spread bytesRatio() {
    return of(WaveReport::bytesRatio);
  }

  Spread manifestGets() {
    return of(r -> r.cold().upstream().manifestGets());
  }

  Spread warmUpstreamRequests() {
    return of(r -> r.warm().upstream().allRequests());
  }

  boolean timeMet() {
    return timeRatio().median() <= WaveReport.MAX_TIME_RATIO;
  }

  boolean bytesMet() {
    return samples.stream().allMatch(WaveReport::bytesMet);
  }

  boolean manifestsMet() {
    return samples.stream().allMatch(WaveReport::manifestsMet);
  }

  boolean warmMet() {
    return samples.stream().allMatch(WaveReport::warmMet);
  }

  boolean allMet() {
    return timeMet() && bytesMet() && manifestsMet() && warmMet();
  }

  void print(PrintStream out) {
    int n = samples.size();
    out.println();
    out.printf(
        Locale.ROOT,
        "summary of %d sample%s: median%s%n",
        n,
        n == 1 ? "" : "s",
        n == 1 ? "" : " (min–max)");
    line(out, "single client, wall time (s)", singleSeconds().format("%.3f"));
    line(out, "cold wave, wall time (s)", coldSeconds().format("%.3f"));
    line(out, "warm wave, wall time (s)", warmSeconds().format("%.3f"));
    line(out, "warm wave / single (floor)", warmOverSingle().format("%.2fx"));
    out.println();
    int manifests = samples.get(0).distinctManifests();
    out.printf("%-44s %22s %10s  %s%n", "target (issue 3)", "measured", "target", "result");
    target(
        out,
        "cold-wave time / single-client time",
        timeRatio().format("%.2fx"),
        "<= " + WaveReport.MAX_TIME_RATIO + "x",
        timeMet());
    target(
        out,
        "upstream bytes / image bytes (cold wave)",
        bytesRatio().format("%.4f"),
        "<= " + WaveReport.MAX_BYTES_RATIO,
        bytesMet());
    target(
        out,
        "upstream manifest GETs (cold wave)",
        manifestGets().format("%.0f"),
        "= " + manifests,
        manifestsMet());
    target(
        out,
        "upstream requests (warm wave, within TTL)",
        warmUpstreamRequests().format("%.0f"),
        "= 0",
        warmMet());
    out.println(
        "(the time target is judged on the median; the count targets must hold in every sample)");
  }

  /** The figures and every sample's raw numbers, for results.json. */
  Map<String, Object> json() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("single_seconds", singleSeconds());
    figures.put("cold_wave_seconds", coldSeconds());
    figures.put("warm_wave_seconds", warmSeconds());
    figures.put("cold_wave_over_single", timeRatio());
    figures.put("warm_wave_over_single", warmOverSingle());
    figures.put("upstream_bytes_over_image_bytes", bytesRatio());
    figures.put("cold_wave_manifest_gets", manifestGets());
    figures.put("warm_wave_upstream_requests", warmUpstreamRequests());
    Map<String, Object> targets = new LinkedHashMap<>();
    targets.put("cold_wave_over_single_median_at_most_1.5", verdict(timeMet()));
    targets.put("upstream_bytes_over_image_at_most_1.01_every_sample", verdict(bytesMet()));
    targets.put(
        "manifest_gets_equal_" + samples.get(0).distinctManifests() + "_every_sample",
        verdict(manifestsMet()));
    targets.put("warm_upstream_requests_zero_every_sample", verdict(warmMet()));
    List<Map<String, Object>> raw = new ArrayList<>();
    for (WaveReport sample : samples) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("single", wave(sample.single()));
      one.put("cold_wave", wave(sample.cold()));
      one.put("warm_wave", wave(sample.warm()));
      raw.add(one);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("figures", figures);
    json.put("targets", targets);
    json.put("samples", raw);
    return json;
  }

  private static Map<String, Object> wave(Wave.Result result) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("clients", result.clients());
    json.put("wall_seconds", WaveReport.seconds(result.wall()));
    json.put("client_seconds", result.perClient().stream().map(WaveReport::seconds).toList());
    json.put("upstream", result.upstream());
    json.put("upstream_done_seconds", WaveReport.seconds(result.upstreamDone()));
    Map<String, Double> cpu = new LinkedHashMap<>();
    result.cpu().forEach((part, used) -> cpu.put(part, WaveReport.seconds(used)));
    json.put("cpu_seconds", cpu);
    json.put("failures", result.failures());
    return json;
  }

  private static String verdict(boolean met) {
    return met ? "PASS" : "MISS";
  }

  private static void line(PrintStream out, String name, String value) {
    out.printf("%-44s %22s%n", name, value);
  }

  private static void target(
      PrintStream out, String name, String measured, String target, boolean met) {
    out.printf("%-44s %22s %10s  %s%n", name, measured, target, verdict(met));
  }
}
