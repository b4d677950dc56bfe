package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real containerd daemon (Debian's 1.6) as a child process, with its own root, state, config and
 * sockets in a short directory under {@code /tmp}, driven with {@code ctr --address}.
 *
 * <p>The daemon runs only what an image pull needs: the CRI plugin, the tasks/runtime plugins and
 * every snapshotter but {@code native} are disabled, so it starts in milliseconds without CNI, runc
 * or cgroups and never mounts an overlay. ({@code ctr} does the registry work itself, in the client
 * process; the daemon stores content, image records and snapshots.) The content sharing policy is
 * {@code isolated}: a namespace does not see blobs another namespace pulled, so a pull in a second
 * namespace downloads everything again, like a second node would. Unpacking into the native
 * snapshotter bind-mounts briefly; {@link #close()} kills the daemon, lazily unmounts anything left
 * under its directory and deletes it. The daemon is also killed on JVM exit.
 */
public final class Containerd implements AutoCloseable {
  /** Override with {@code -Dstevedore.it.containerd=/path/to/containerd}. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/containerd");

  /** Override with {@code -Dstevedore.it.ctr=/path/to/ctr}. */
  public static final Path DEFAULT_CTR = Path.of("/usr/bin/ctr");

  /** The snapshotter every pull uses; overlayfs may not work in a sandbox, native always does. */
  public static final String SNAPSHOTTER = "native";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration CTR_TIMEOUT = Duration.ofSeconds(90);

  private final Path binary;
  private final Path ctr;
  private final Path dir;
  private final Path socket;
  private final Path logFile;
  private Process process;
  private ChildProcess child;

  private Containerd(Path dir) {
    this.binary = binary("stevedore.it.containerd", DEFAULT_BINARY);
    this.ctr = binary("stevedore.it.ctr", DEFAULT_CTR);
    this.dir = dir;
    this.socket = dir.resolve("c.sock");
    this.logFile = dir.resolve("containerd.log");
  }

  /** Whether both {@code containerd} and {@code ctr} are installed (else: why not). */
  private static String unavailableReason() {
    for (Path path :
        List.of(
            binary("stevedore.it.containerd", DEFAULT_BINARY),
            binary("stevedore.it.ctr", DEFAULT_CTR))) {
      if (!Files.isExecutable(path)) {
        return "containerd ITs need "
            + path
            + " (Debian: apt-get install containerd), or set -Dstevedore.it.containerd/ctr";
      }
    }
    return null;
  }

  /**
   * Writes the config into a fresh directory under {@code /tmp} (unix socket paths are limited to
   * 108 bytes), starts containerd and waits until {@code ctr version} reaches it.
   *
   * <p>A missing {@code containerd} or {@code ctr} fails the calling test (run-tests installs
   * them). A daemon that does not come up (a sandbox where it may not run) skips the test with
   * containerd's log, or fails it under CI: see {@link EnvironmentSkip}.
   *
   * @throws IllegalStateException naming the missing tool
   */
  public static Containerd start() {
    String reason = unavailableReason();
    if (reason != null) {
      throw new IllegalStateException(reason);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory(Path.of("/tmp"), "ctd");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create containerd's directory under /tmp", e);
    }
    Containerd containerd = new Containerd(dir);
    try {
      containerd.launch();
      return containerd;
    } catch (IllegalStateException e) {
      containerd.close();
      EnvironmentSkip.unlessCi("containerd cannot run in this environment: " + e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      containerd.close();
      throw e;
    }
  }

  /** The daemon's gRPC socket, for {@code ctr --address}. */
  public Path socket() {
    return socket;
  }

  /** The directory holding config, root, state, sockets and log. */
  public Path directory() {
    return dir;
  }

  /** The daemon's log so far, for failure messages. */
  public String log() {
    return ProcessLog.read(logFile);
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * {@code ctr -n NAMESPACE --debug images pull --snapshotter native --hosts-dir HOSTS_DIR
   * [EXTRA...] REF}; {@link CtrRequests#parse} reads the registry requests from its output. Pass
   * {@code "--all-platforms"} in {@code extra} to fetch every platform (ctr 1.6 then unpacks each
   * platform too); without it, only the host's platform is fetched and unpacked.
   */
  public ProcessResult pull(String namespace, Path hostsDir, String reference, String... extra) {
    List<String> args = new ArrayList<>(List.of("--debug", "images", "pull"));
    args.addAll(List.of("--snapshotter", SNAPSHOTTER));
    args.addAll(List.of("--hosts-dir", hostsDir.toAbsolutePath().toString()));
    args.addAll(List.of(extra));
    args.add(reference);
    return ctr(namespace, args);
  }

  /** {@code ctr -n NAMESPACE images ls}: image name → target digest. */
  public Map<String, String> images(String namespace) {
    Map<String, String> images = new LinkedHashMap<>();
    for (List<String> row : table(ctr(namespace, List.of("images", "ls")).requireSuccess())) {
      images.put(row.get(0), row.get(2)); // REF TYPE DIGEST SIZE PLATFORMS LABELS
    }
    return images;
  }

  /** {@code ctr -n NAMESPACE content ls -q}: the digests of all content in the namespace. */
  public List<String> content(String namespace) {
    return ctr(namespace, List.of("content", "ls", "-q"))
        .requireSuccess()
        .output()
        .lines()
        .map(String::strip)
        .filter(line -> line.startsWith("sha256:"))
        .toList();
  }

  /** {@code ctr -n NAMESPACE snapshots --snapshotter native ls}: snapshot key → kind. */
  public Map<String, String> snapshots(String namespace) {
    Map<String, String> snapshots = new LinkedHashMap<>();
    List<String> args = List.of("snapshots", "--snapshotter", SNAPSHOTTER, "ls");
    for (List<String> row : table(ctr(namespace, args).requireSuccess())) {
      snapshots.put(row.get(0), row.get(row.size() - 1)); // KEY PARENT KIND
    }
    return snapshots;
  }

  /** Runs {@code ctr --address SOCKET --namespace NAMESPACE ARGS...} (90 s timeout). */
  public ProcessResult ctr(String namespace, List<String> args) {
    List<String> command = new ArrayList<>();
    command.addAll(List.of(ctr.toString(), "--address", socket.toString()));
    command.addAll(List.of("--namespace", namespace));
    command.addAll(args);
    return run(command, CTR_TIMEOUT);
  }

  /** Kills the daemon, unmounts whatever it left mounted and deletes its directory. */
  @Override
  public synchronized void close() {
    try {
      stop();
    } finally {
      Mounts.unmountAndDelete(dir);
    }
  }

  /** Mount points at or under this containerd's directory, per {@code /proc/self/mountinfo}. */
  public List<String> mounts() {
    return Mounts.under(dir);
  }

  private void launch() {
    Path configFile = dir.resolve("config.toml");
    try {
      Files.writeString(configFile, config());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "--config", configFile.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    isolate(builder.environment());
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    child = ChildProcess.watch(process, "containerd");
    awaitReady();
  }

  private String config() {
    return String.join(
        "\n",
        "version = 2",
        "root = " + quote(dir.resolve("root")),
        "state = " + quote(dir.resolve("state")),
        "disabled_plugins = [",
        "  \"io.containerd.grpc.v1.cri\",",
        "  \"io.containerd.snapshotter.v1.aufs\",",
        "  \"io.containerd.snapshotter.v1.btrfs\",",
        "  \"io.containerd.snapshotter.v1.devmapper\",",
        "  \"io.containerd.snapshotter.v1.overlayfs\",",
        "  \"io.containerd.snapshotter.v1.zfs\",",
        "  \"io.containerd.runtime.v1.linux\",",
        "  \"io.containerd.runtime.v2.task\",",
        "  \"io.containerd.monitor.v1.cgroups\",",
        "  \"io.containerd.service.v1.tasks-service\",",
        "  \"io.containerd.grpc.v1.tasks\",",
        "  \"io.containerd.internal.v1.restart\",",
        "]",
        "",
        "[grpc]",
        "  address = " + quote(socket),
        "",
        "[ttrpc]",
        "  address = " + quote(dir.resolve("c.sock.ttrpc")),
        "",
        "[debug]",
        "  level = \"info\"",
        "",
        "[plugins.\"io.containerd.metadata.v1.bolt\"]",
        "  content_sharing_policy = \"isolated\"",
        "",
        "[plugins.\"io.containerd.internal.v1.opt\"]",
        "  path = " + quote(dir.resolve("opt")),
        "");
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    ProcessResult last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "containerd exited with code " + process.exitValue() + "; its log:\n" + log());
      }
      if (Files.exists(socket)) {
        last =
            run(
                List.of(ctr.toString(), "--address", socket.toString(), "version"),
                Duration.ofSeconds(5));
        if (last.succeeded()) {
          return;
        }
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "containerd did not answer `ctr version` within "
            + STARTUP_TIMEOUT
            + (last == null ? " (no socket " + socket + ")" : ": " + last.output())
            + "; its log:\n"
            + log());
  }

  private synchronized void stop() {
    if (process == null) {
      return;
    }
    child.stop();
    process = null;
    child = null;
  }

  private ProcessResult run(List<String> command, Duration timeout) {
    return ProcessResult.runWithTransientLog(command, dir, timeout, this::isolate);
  }

  /** No ambient containerd address/namespace/snapshotter, no HTTP proxy, private temp files. */
  private void isolate(Map<String, String> environment) {
    environment.keySet().removeIf(name -> name.startsWith("CONTAINERD_"));
    environment.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    environment.put("TMPDIR", dir.toString());
  }

  /** Rows of a {@code ctr ... ls} table, header skipped, split on runs of whitespace. */
  private static List<List<String>> table(ProcessResult result) {
    return result
        .output()
        .lines()
        .skip(1)
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .map(line -> List.of(line.split("\\s+")))
        .toList();
  }

  private static String quote(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for containerd", e);
    }
  }

  private static Path binary(String property, Path defaultPath) {
    return Path.of(System.getProperty(property, defaultPath.toString()));
  }
}
