package dev.stevedore.server.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** The command line of {@link ClassroomWave}. */
record BenchOptions(
    int clients,
    int layers,
    double layerMib,
    int parallelBlobs,
    double upstreamMibps,
    boolean skopeo,
    boolean verify,
    boolean warmup,
    boolean check,
    long seed,
    int samples,
    Optional<Path> results) {

  static final String USAGE =
      """
      usage: bench/classroom-wave.sh [options]
        --clients N       clients in a wave (default 20)
        --layers N        layers per platform; the image has 2 platforms (default 3)
        --layer-mib X     size of each layer in MiB, fractions allowed (default 8)
        --parallel N      concurrent blob downloads per client (default 3, as containerd)
        --upstream-mibps X  throttle the upstream's blob bytes to X MiB/s in total, like an
                          Internet uplink (default: unthrottled loopback); 12 is about 100 Mbit/s
        --skopeo          each client is a `skopeo copy --all` process instead of the Java client
        --no-verify       the Java client does not hash bodies (sizes are still checked)
        --no-warmup       skip the unmeasured warm-up pull (JIT, page cache)
        --check           exit 2 when a target is missed
        --seed N          seed of the generated image (default 1)
        --samples N       measure single client, cold wave and warm wave N times, each on fresh
                          Stevedores; the median is reported with min and max (default 3)
        --results DIR     also write the raw numbers and the figures to DIR/results.json
      """;

  BenchOptions {
    if (clients < 1 || layers < 1 || layerMib <= 0 || parallelBlobs < 1 || samples < 1) {
      throw new IllegalArgumentException(
          "clients, layers, layer size, parallel and samples must be > 0");
    }
    if (upstreamMibps < 0) {
      throw new IllegalArgumentException("--upstream-mibps must be positive (or 0: unthrottled)");
    }
    if (layerMib * 1024 * 1024 > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("layers are generated in memory: at most 500 MiB each");
    }
  }

  /** Bytes of random content in each layer (gzip adds a little). */
  int layerBytes() {
    return (int) Math.round(layerMib * 1024 * 1024);
  }

  /** Parses the arguments; throws IllegalArgumentException with a message on a bad one. */
  static BenchOptions parse(List<String> arguments) {
    int clients = 20;
    int layers = 3;
    double layerMib = 8;
    int parallel = 3;
    double upstreamMibps = 0;
    boolean skopeo = false;
    boolean verify = true;
    boolean warmup = true;
    boolean check = false;
    long seed = 1;
    int samples = 3;
    Optional<Path> results = Optional.empty();
    Deque<String> args = new ArrayDeque<>(arguments);
    while (!args.isEmpty()) {
      String arg = args.removeFirst();
      switch (arg) {
        case "--clients" -> clients = Integer.parseInt(value(arg, args));
        case "--layers" -> layers = Integer.parseInt(value(arg, args));
        case "--layer-mib" -> layerMib = Double.parseDouble(value(arg, args));
        case "--parallel" -> parallel = Integer.parseInt(value(arg, args));
        case "--upstream-mibps" -> upstreamMibps = Double.parseDouble(value(arg, args));
        case "--seed" -> seed = Long.parseLong(value(arg, args));
        case "--samples" -> samples = Integer.parseInt(value(arg, args));
        case "--results" -> results = Optional.of(Path.of(value(arg, args)));
        case "--skopeo" -> skopeo = true;
        case "--no-verify" -> verify = false;
        case "--no-warmup" -> warmup = false;
        case "--check" -> check = true;
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new BenchOptions(
        clients,
        layers,
        layerMib,
        parallel,
        upstreamMibps,
        skopeo,
        verify,
        warmup,
        check,
        seed,
        samples,
        results);
  }

  private static String value(String option, Deque<String> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.removeFirst();
  }
}
