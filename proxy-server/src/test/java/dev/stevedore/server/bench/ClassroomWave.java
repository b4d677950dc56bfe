package dev.stevedore.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RegistryProcess;
import dev.stevedore.server.it.support.Skopeo;
import dev.stevedore.server.it.support.TestImage;
import dev.stevedore.server.it.support.TestImages;
import dev.stevedore.server.it.support.Upstream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The classroom benchmark of issue 3: twenty clients pull one two-platform image through a cold
 * Stevedore at the same moment. Against the test harness's upstream (token server, the real CNCF
 * {@code docker-registry}, and a counting front that redirects blobs to a "CDN") it measures
 *
 * <ol>
 *   <li>one client alone through a cold Stevedore (the baseline wall time),
 *   <li>N clients released together through another cold Stevedore (the cold wave), and
 *   <li>N clients again through the now warm one (the warm wave),
 * </ol>
 *
 * and prints upstream bytes / image bytes, counted manifest GETs, the cold wave's time relative to
 * one client alone, and the warm wave's upstream requests, each against its target. Run it with
 * {@code bench/classroom-wave.sh}; it is not a test (its name keeps surefire and failsafe away).
 * Exit code: 0 done, 1 a pull or the setup failed, 2 a target missed with {@code --check}, 64 bad
 * arguments.
 */
public final class ClassroomWave {
  private static final String REPOSITORY = "library/classroom";
  private static final String TAG = "wave";
  private static final String NAMESPACE = "docker.io";
  private static final Duration SKOPEO_TIMEOUT = Duration.ofMinutes(10);

  private final BenchOptions options;
  private final Path work;
  private final Upstream upstream;
  private final URI upstreamUri;
  private final PrintStream out;
  private final CpuMeter cpu = new CpuMeter();
  private int measurements;

  private ClassroomWave(
      BenchOptions options, Path work, Upstream upstream, URI upstreamUri, PrintStream out) {
    this.options = options;
    this.work = work;
    this.upstream = upstream;
    this.upstreamUri = upstreamUri;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
        System.out.print(BenchOptions.USAGE);
        return;
      }
      options = BenchOptions.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("classroom-wave: " + e.getMessage());
      System.err.print(BenchOptions.USAGE);
      System.exit(64);
      return;
    }
    System.exit(run(options, System.out));
  }

  static int run(BenchOptions options, PrintStream out) throws Exception {
    Path work = Files.createTempDirectory("stevedore-classroom-wave");
    boolean keep = false;
    out.printf(Locale.ROOT, "work directory %s%n", work);
    TestImage image =
        new TestImages(options.seed())
            .layersPerPlatform(options.layers())
            .layerSizes(options.layerBytes(), options.layerBytes())
            .ociIndex();
    int manifests = 1 + image.childManifests().size();
    out.printf(
        Locale.ROOT,
        "image %s:%s: %d platforms x %d layers x %s MiB; %d blobs, %s; %d manifests%n",
        REPOSITORY,
        TAG,
        image.platforms().size(),
        options.layers(),
        options.layerMib(),
        image.blobs().size(),
        WaveReport.mib(image.blobBytes()),
        manifests);
    out.printf(
        Locale.ROOT,
        "clients: %s; %d cores, load average %s; Java %s%n",
        options.skopeo()
            ? "skopeo copy --all"
            : "Java HTTP/1.1 client, "
                + options.parallelBlobs()
                + " blobs at a time"
                + (options.verify() ? ", sha256 verified" : ", not hashed"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        System.getProperty("java.version"));
    out.println(
        options.upstreamMibps() > 0
            ? String.format(
                Locale.ROOT,
                "upstream link: blob bytes throttled to %s MiB/s (%.0f Mbit/s) in total",
                options.upstreamMibps(),
                options.upstreamMibps() * 8 * 1.048576)
            : "upstream link: unthrottled loopback");
    try (Upstream upstream = Upstream.start(work.resolve("upstream"));
        ThrottledLink link =
            options.upstreamMibps() > 0
                ? ThrottledLink.start(upstream.front(), options.upstreamMibps())
                : null) {
      upstream.push(REPOSITORY, TAG, image);
      URI upstreamUri = link != null ? link.uri() : upstream.uri();
      ClassroomWave bench = new ClassroomWave(options, work, upstream, upstreamUri, out);
      if (options.warmup()) {
        bench.measure("warm-up (not counted)", 1, false);
      }
      String loadBefore = loadAverage();
      List<WaveReport> samples = new ArrayList<>();
      for (int sample = 1; sample <= options.samples(); sample++) {
        out.printf(Locale.ROOT, "%n-- sample %d of %d --%n", sample, options.samples());
        Wave.Result single = bench.measure("single client, cold", 1, false).get(0);
        List<Wave.Result> waves = bench.measure("wave", options.clients(), true);
        WaveReport report =
            new WaveReport(
                image.blobBytes(),
                manifests,
                !options.skopeo(),
                single,
                waves.get(0),
                waves.get(1));
        report.print(out);
        samples.add(report);
        for (Wave.Result result : List.of(single, waves.get(0), waves.get(1))) {
          result.failures().forEach(failure -> out.println(result.label() + ": " + failure));
          keep |= !result.failures().isEmpty();
        }
      }
      WaveSummary summary = new WaveSummary(samples);
      summary.print(out);
      out.println(
          "load average after: "
              + loadAverage()
              + " (other work on this machine inflates the times, not the counts)");
      if (options.results().isPresent()) {
        Path file =
            writeResults(options, image, manifests, loadBefore, summary, options.results().get());
        out.println("results: " + file);
      }
      if (keep) {
        out.println("pulls failed; registry log: " + upstream.registry().logFile());
        return 1;
      }
      return options.check() && !summary.allMet() ? 2 : 0;
    } catch (Throwable e) {
      keep = true;
      throw e;
    } finally {
      if (keep) {
        out.println("kept " + work);
      } else {
        deleteTree(work);
      }
    }
  }

  /** Writes DIR/results.json: the options, the machine, every sample's numbers, the figures. */
  private static Path writeResults(
      BenchOptions options,
      TestImage image,
      int manifests,
      String loadBefore,
      WaveSummary summary,
      Path dir)
      throws IOException {
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put(
        "java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put(
        "docker_registry",
        firstLine(
            System.getProperty(
                    "stevedore.it.docker-registry", RegistryProcess.DEFAULT_BINARY.toString())
                + " --version"));
    machine.put("repository_commit", System.getProperty("stevedore.bench.commit", "?"));
    machine.put("loadavg_before", loadBefore);
    machine.put("loadavg_after", loadAverage());
    Map<String, Object> imageJson = new LinkedHashMap<>();
    imageJson.put("reference", REPOSITORY + ":" + TAG);
    imageJson.put("platforms", image.platforms().size());
    imageJson.put("blobs", image.blobs().size());
    imageJson.put("blob_bytes", image.blobBytes());
    imageJson.put("manifests", manifests);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("benchmark", "bench/classroom-wave.sh");
    results.put("finished", java.time.OffsetDateTime.now().toString());
    results.put("options", optionsJson(options));
    results.put("machine", machine);
    results.put("image", imageJson);
    results.putAll(summary.json());
    Files.createDirectories(dir);
    Path file = dir.resolve("results.json");
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), results);
    return file;
  }

  /** The options as plain JSON values (no Optional, no Path objects). */
  private static Map<String, Object> optionsJson(BenchOptions options) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    try {
      for (RecordComponent component : BenchOptions.class.getRecordComponents()) {
        Object value = component.getAccessor().invoke(options);
        if (value instanceof Optional<?> optional) {
          value = optional.map(Object::toString).orElse(null);
        }
        json.put(component.getName(), value);
      }
    } catch (ReflectiveOperationException e) {
      throw new IOException("cannot read the options", e);
    }
    return json;
  }

  /** The first line a command prints, or "?" when it cannot run. */
  private static String firstLine(String command) {
    try {
      Process process = new ProcessBuilder(command.split(" ")).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes()).strip();
      process.waitFor();
      return output.isEmpty() ? "?" : output.lines().findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  /**
   * Starts a Stevedore on a fresh data directory and runs a cold wave of {@code clients}, then, if
   * {@code thenWarm}, a warm wave of as many through the same Stevedore.
   */
  private List<Wave.Result> measure(String label, int clients, boolean thenWarm) throws Exception {
    Path dir = work.resolve("measurement-" + ++measurements);
    try (InProcessStevedore proxy =
        cpu.attribute(CpuMeter.STEVEDORE, () -> startProxy(dir.resolve("data")))) {
      URI uri = proxy.uri();
      Wave.Result cold = wave(thenWarm ? "cold wave" : label, clients, uri, dir.resolve("cold"));
      if (!thenWarm) {
        return List.of(cold);
      }
      Wave.Result warm = wave("warm wave", clients, uri, dir.resolve("warm"));
      return List.of(cold, warm);
    } finally {
      deleteTree(dir);
    }
  }

  private Wave.Result wave(String label, int clients, URI proxy, Path dir) throws Exception {
    out.printf(Locale.ROOT, "%-24s %2d client%s ... ", label, clients, clients == 1 ? " " : "s");
    out.flush();
    Wave.Result result =
        Wave.run(label, clients, index -> client(proxy, dir, index), upstream, cpu);
    out.printf(
        Locale.ROOT,
        "%s, upstream %s in %d requests%s%n",
        WaveReport.secs(result.wall()),
        WaveReport.mib(result.upstream().cdnBytes()),
        result.upstream().allRequests(),
        result.failures().isEmpty() ? "" : ", " + result.failures().size() + " FAILED");
    return result;
  }

  private Wave.ImagePull client(URI proxy, Path dir, int index) throws IOException {
    if (!options.skopeo()) {
      RegistryPullClient client =
          new RegistryPullClient(proxy, NAMESPACE, options.parallelBlobs(), options.verify());
      return new Wave.ImagePull() {
        @Override
        public void pull() throws Exception {
          client.pull(REPOSITORY, TAG);
        }

        @Override
        public void close() {
          client.close();
        }
      };
    }
    Path clientDir = Files.createDirectories(dir.resolve("client-" + (index + 1)));
    Skopeo skopeo = new Skopeo(clientDir).withTimeout(SKOPEO_TIMEOUT);
    String source = Skopeo.dockerRef(proxy, REPOSITORY, TAG);
    return () -> {
      skopeo.copyAll(source, clientDir.resolve("image")).requireSuccess();
      deleteTree(clientDir.resolve("image"));
    };
  }

  /**
   * Starts Stevedore in-process as PullThroughIT does: {@code serve} on loopback with this upstream
   * and a 5-minute tag TTL.
   */
  private InProcessStevedore startProxy(Path data) throws Exception {
    return InProcessStevedore.on(data).upstream(NAMESPACE, upstreamUri).tagTtl("5m").start();
  }

  /** The 1-minute load average, or "?" where the OS does not say. */
  private static String loadAverage() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "?" : String.format(Locale.ROOT, "%.2f", load);
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
