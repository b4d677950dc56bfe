package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A real Docker Engine (Debian's docker.io 20.10) as a child process: a {@code dockerd} with its
 * own data root, exec root, pid file, unix socket and (empty) config file in a short directory
 * under {@code /tmp}, a {@code --registry-mirror} and nothing else of the machine's Docker setup,
 * driven with {@code docker -H unix://SOCKET}.
 *
 * <p>It runs only what an image pull needs: no iptables rules, no bridge network, the {@code vfs}
 * storage driver (overlay may not mount in a sandbox; vfs copies layers and needs no overlay).
 * dockerd starts its own containerd under the exec root, and bind-mounts its data root onto itself
 * (a dockerd killed with SIGKILL leaves that mount behind). {@link #close()} stops dockerd with
 * SIGTERM (it stops its containerd), kills whatever of its process tree is left, unmounts anything
 * left under the directory and deletes it. The daemon is also killed on JVM exit.
 */
public final class DockerEngine implements AutoCloseable {
  /**
   * Where Debian's docker.io and Docker's own docker-ce packages put dockerd; the first that exists
   * is used. Override with {@code -Dstevedore.it.dockerd=/path/to/dockerd}.
   */
  public static final List<Path> DEFAULT_DOCKERD =
      List.of(Path.of("/usr/sbin/dockerd"), Path.of("/usr/bin/dockerd"));

  /** Override with {@code -Dstevedore.it.docker=/path/to/docker} (the client). */
  public static final Path DEFAULT_DOCKER = Path.of("/usr/bin/docker");

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(120);

  private final Path dockerd;
  private final Path docker;
  private final Path dir;
  private final Path socket;
  private final Path logFile;
  private ChildProcess child;

  private DockerEngine(Path dir) {
    this.dockerd = dockerdBinary();
    this.docker = binary("stevedore.it.docker", DEFAULT_DOCKER);
    this.dir = dir;
    this.socket = dir.resolve("d.sock");
    this.logFile = dir.resolve("dockerd.log");
  }

  /**
   * Starts dockerd with {@code mirror} as its {@code --registry-mirror} (and an insecure registry,
   * so plain HTTP is fine) and waits until {@code docker version} reaches it.
   *
   * <p>A missing {@code dockerd} or {@code docker} fails the calling test (run-tests installs
   * them). A daemon that does not come up skips the test with dockerd's log, or fails it under CI:
   * see {@link EnvironmentSkip}.
   *
   * @throws IllegalStateException naming the missing tool
   */
  public static DockerEngine start(URI mirror) {
    for (Path path : List.of(dockerdBinary(), binary("stevedore.it.docker", DEFAULT_DOCKER))) {
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(
            "Docker ITs need "
                + path
                + " (Debian: apt-get install docker.io), or set -Dstevedore.it.dockerd/docker");
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory(Path.of("/tmp"), "dkr");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create dockerd's directory under /tmp", e);
    }
    DockerEngine engine = new DockerEngine(dir);
    try {
      engine.launch(mirror);
      return engine;
    } catch (IllegalStateException e) {
      engine.close();
      EnvironmentSkip.unlessCi("dockerd cannot run in this environment: " + e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /** {@code docker pull REF}. */
  public ProcessResult pull(String reference) {
    return docker(List.of("pull", reference));
  }

  /** {@code docker image inspect}'s RepoDigests of {@code reference}: {@code NAME@sha256:…}. */
  public List<String> repoDigests(String reference) {
    String format = "{{range .RepoDigests}}{{println .}}{{end}}";
    return docker(List.of("image", "inspect", "--format", format, reference))
        .requireSuccess()
        .output()
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .toList();
  }

  /** Runs {@code docker -H unix://SOCKET ARGS...} with a private client config. */
  public ProcessResult docker(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.addAll(List.of(docker.toString(), "-H", "unix://" + socket));
    command.addAll(arguments);
    return run(command, CLIENT_TIMEOUT);
  }

  /** The daemon's log so far, for failure messages. */
  public String log() {
    return ProcessLog.read(logFile);
  }

  /**
   * Stops dockerd and its containerd, unmounts what they left and deletes the directory. (dockerd
   * starts its containerd in a session of its own, so killing dockerd's process group would miss
   * it: the process tree is what is killed. On JVM exit only dockerd is killed; its containerd dies
   * with it, by the parent-death signal dockerd gives it.)
   */
  @Override
  public synchronized void close() {
    try {
      if (child != null) {
        child.stopWithDescendants();
        child = null;
      }
    } finally {
      Mounts.unmountAndDelete(dir);
    }
  }

  private void launch(URI mirror) {
    Path configFile = dir.resolve("daemon.json");
    try {
      Files.writeString(configFile, "{}\n");
      Files.createDirectories(dir.resolve("home"));
      Files.createDirectories(dir.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dir, e);
    }
    String hostAndPort = mirror.getHost() + ":" + mirror.getPort();
    List<String> command =
        List.of(
            dockerd.toString(),
            "--config-file",
            configFile.toString(),
            "--data-root",
            dir.resolve("data").toString(),
            "--exec-root",
            dir.resolve("exec").toString(),
            "--pidfile",
            dir.resolve("dockerd.pid").toString(),
            "--host",
            "unix://" + socket,
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--storage-driver",
            "vfs",
            "--registry-mirror",
            mirror.toString(),
            "--insecure-registry",
            hostAndPort);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    isolate(builder.environment());
    Process process;
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + dockerd + ": " + e.getMessage(), e);
    }
    child = ChildProcess.watch(process, "dockerd");
    awaitReady(process);
  }

  private void awaitReady(Process process) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    ProcessResult last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "dockerd exited with code " + process.exitValue() + "; its log:\n" + log());
      }
      if (Files.exists(socket)) {
        last = run(List.of(docker.toString(), "-H", "unix://" + socket, "version"), timeout(5));
        if (last.succeeded()) {
          return;
        }
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "dockerd did not answer `docker version` within "
            + STARTUP_TIMEOUT
            + (last == null ? " (no socket " + socket + ")" : ": " + last.output())
            + "; its log:\n"
            + log());
  }

  private ProcessResult run(List<String> command, Duration timeout) {
    return ProcessResult.runWithTransientLog(command, dir, timeout, this::isolate);
  }

  /** No ambient Docker host, context or config, no HTTP proxy, private home and temp files. */
  private void isolate(Map<String, String> environment) {
    environment.keySet().removeIf(name -> name.startsWith("DOCKER_"));
    environment.keySet().removeIf(name -> name.startsWith("CONTAINERD_"));
    environment.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    environment.put("HOME", dir.resolve("home").toString());
    environment.put("DOCKER_CONFIG", dir.resolve("home/.docker").toString());
    environment.put("TMPDIR", dir.resolve("tmp").toString());
  }

  private static Duration timeout(int seconds) {
    return Duration.ofSeconds(seconds);
  }

  private static Path dockerdBinary() {
    String configured = System.getProperty("stevedore.it.dockerd");
    if (configured != null) {
      return Path.of(configured);
    }
    return DEFAULT_DOCKERD.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(DEFAULT_DOCKERD.get(0));
  }

  private static Path binary(String property, Path fallback) {
    return Path.of(System.getProperty(property, fallback.toString()));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for dockerd", e);
    }
  }
}
