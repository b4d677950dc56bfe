package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}) as a child process on
 * 127.0.0.1, with filesystem storage and token auth against {@link TokenServer}.
 *
 * <p>It can be stopped and started again on the same port and storage. The registry's log (level
 * warn plus the access log) is appended to {@link #logFile()}.
 */
public final class RegistryProcess implements AutoCloseable {
  /** Override with {@code -Dstevedore.it.docker-registry=/path/to/registry}. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/docker-registry");

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

  private final Path binary;
  private final Path workDir;
  private final Path configFile;
  private final Path storageDir;
  private final Path logFile;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private Process process;
  private ChildProcess child;

  private RegistryProcess(Path workDir, URI tokenRealm, Path rootCertBundle) {
    this.binary = binary();
    this.workDir = workDir.toAbsolutePath();
    this.configFile = this.workDir.resolve("config.yml");
    this.storageDir = this.workDir.resolve("storage");
    this.logFile = this.workDir.resolve("registry.log");
    this.port = freePort();
    try {
      Files.createDirectories(storageDir);
      Files.writeString(configFile, config(tokenRealm, rootCertBundle.toAbsolutePath()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the registry in " + workDir, e);
    }
  }

  /**
   * Writes the config into {@code workDir} and starts the registry.
   *
   * @param tokenRealm the {@link TokenServer#realm()}
   * @param rootCertBundle the PEM written by {@link TestPki#writeCertificatePem(Path)}
   */
  public static RegistryProcess start(Path workDir, URI tokenRealm, Path rootCertBundle) {
    requireBinary();
    RegistryProcess registry = new RegistryProcess(workDir, tokenRealm, rootCertBundle);
    registry.start();
    return registry;
  }

  /** Starts the registry (again) on the same port and storage; waits until {@code /v2/} answers. */
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    requireBinary();
    ProcessBuilder builder =
        new ProcessBuilder(binary.toString(), "serve", configFile.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("REGISTRY_"));
    try {
      appendToLog("---- starting " + String.join(" ", builder.command()) + " ----\n");
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    child = ChildProcess.watch(process, "docker-registry");
    awaitReady();
  }

  /** Stops the registry (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    child.stop();
    process = null;
    child = null;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** {@code http://127.0.0.1:PORT}, stable across restarts. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public Path storageDir() {
    return storageDir;
  }

  public Path configFile() {
    return configFile;
  }

  public Path logFile() {
    return logFile;
  }

  /** The registry's log so far (for failure messages). */
  public String log() {
    return ProcessLog.read(logFile);
  }

  @Override
  public void close() {
    stop();
  }

  /** Fails with a clear message when the registry binary is not installed. */
  public static void requireBinary() {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "The integration tests need the CNCF distribution registry at "
              + binary
              + " (Debian: apt-get install docker-registry),"
              + " or set -Dstevedore.it.docker-registry");
    }
  }

  private static Path binary() {
    return Path.of(System.getProperty("stevedore.it.docker-registry", DEFAULT_BINARY.toString()));
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    HttpRequest probe =
        HttpRequest.newBuilder(uri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).GET().build();
    String lastProblem = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw failure("docker-registry exited with code " + process.exitValue() + " at startup");
      }
      try {
        HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 401
            && response.headers().firstValue("Docker-Distribution-Api-Version").isPresent()) {
          return;
        }
        lastProblem = "GET /v2/ answered " + response.statusCode() + ", expected 401";
      } catch (IOException e) {
        lastProblem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure("interrupted while waiting for the registry");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure("interrupted while waiting for the registry");
      }
    }
    stop();
    throw failure("docker-registry not ready after " + STARTUP_TIMEOUT + ": " + lastProblem);
  }

  private IllegalStateException failure(String message) {
    return new IllegalStateException(
        message + "\nconfig " + configFile + ":\n" + readConfig() + "\nregistry log:\n" + log());
  }

  private String readConfig() {
    try {
      return Files.readString(configFile);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  private void appendToLog(String line) throws IOException {
    Files.writeString(
        logFile,
        line,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private String config(URI tokenRealm, Path rootCertBundle) {
    byte[] secret = new byte[16];
    ThreadLocalRandom.current().nextBytes(secret);
    return String.join(
        "\n",
        List.of(
            "version: 0.1",
            "log:",
            "  level: warn",
            "  formatter: text",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + storageDir,
            "  delete:",
            "    enabled: true",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            "  addr: 127.0.0.1:" + port,
            // fixed so that upload URLs stay valid across a restart
            "  secret: " + HexFormat.of().formatHex(secret),
            "auth:",
            "  token:",
            "    realm: " + tokenRealm,
            "    service: " + TokenServer.SERVICE,
            "    issuer: " + TokenServer.ISSUER,
            "    rootcertbundle: " + rootCertBundle,
            ""));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
    }
  }
}
