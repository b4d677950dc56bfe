package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code stevedore serve} as a child process ({@code java -jar stevedore.jar}, the jar {@code
 * verify} built; {@code -Dstevedore.jar} says where), on a free loopback port, its output in a log
 * file. {@link #kill()} is {@code kill -9}; {@link #close()} stops it gently, then forcibly. A JVM
 * shutdown hook kills a child a failed test left behind.
 */
public final class StevedoreProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final URI uri;
  private final Path log;
  private final ChildProcess child;

  private StevedoreProcess(Process process, URI uri, Path log) {
    this.process = process;
    this.uri = uri;
    this.log = log;
    this.child = ChildProcess.watch(process, "stevedore");
  }

  /** The built jar: {@code -Dstevedore.jar}, else {@code proxy-server/target/stevedore.jar}. */
  public static Path jar() {
    return Path.of(System.getProperty("stevedore.jar", "proxy-server/target/stevedore.jar"))
        .toAbsolutePath();
  }

  /**
   * Runs {@code stevedore serve --listen 127.0.0.1:PORT --data DATA --upstream docker.io=URL} and
   * waits until {@code /v2/} answers 200.
   */
  public static StevedoreProcess serve(Path dataDir, URI upstream, Path log) {
    return serve(dataDir, log, List.of("-Xmx256m"), List.of("--upstream", "docker.io=" + upstream));
  }

  /**
   * Runs {@code java JVM_OPTIONS -jar stevedore.jar serve --listen 127.0.0.1:PORT --data DATA
   * SERVE_ARGS} (the upstreams among them) and waits until {@code /v2/} answers 200.
   */
  public static StevedoreProcess serve(
      Path dataDir, Path log, List<String> jvmOptions, List<String> serveArgs) {
    return serve(
        Path.of(System.getProperty("java.home"), "bin", "java"),
        dataDir,
        log,
        jvmOptions,
        serveArgs);
  }

  /**
   * Like {@link #serve(Path, Path, List, List)} with another Java runtime's {@code bin/java} (the
   * image's jlink runtime). With {@code --tls-self-signed} among the arguments the URI is {@code
   * https} and readiness is checked trusting the generated {@code DATA/tls/ca.crt}.
   */
  public static StevedoreProcess serve(
      Path java, Path dataDir, Path log, List<String> jvmOptions, List<String> serveArgs) {
    Path jar = jar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no " + jar + "; run the ITs with `mvn verify`");
    }
    int port = freePort();
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString(), "serve"));
    command.addAll(List.of("--listen", "127.0.0.1:" + port));
    command.addAll(List.of("--data", dataDir.toAbsolutePath().toString()));
    command.addAll(serveArgs);
    Process process;
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
    boolean tls = serveArgs.contains("--tls-self-signed");
    StevedoreProcess started =
        new StevedoreProcess(
            process, URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port), log);
    try {
      started.awaitReady(tls ? Optional.of(caCertificate(dataDir)) : Optional.empty());
    } catch (RuntimeException | Error e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** The local CA certificate {@code serve --tls-self-signed} writes into DATA. */
  public static Path caCertificate(Path dataDir) {
    return dataDir.toAbsolutePath().resolve("tls/ca.crt");
  }

  public URI uri() {
    return uri;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the process has printed so far. */
  public String log() {
    return ProcessLog.read(log);
  }

  /** {@code kill -9}: SIGKILL, no shutdown hooks, no clean-up; returns once it is dead. */
  public void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  @Override
  public void close() {
    child.stop();
    awaitExit();
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("stevedore (pid " + process.pid() + ") did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for pid " + process.pid(), e);
    }
  }

  /** Polls {@code /v2/} until it answers 200; over TLS trusting {@code ca} once it exists. */
  private void awaitReady(Optional<Path> ca) {
    Instant deadline = Instant.now().plus(READY_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError("stevedore exited early (" + process.exitValue() + "):\n" + log());
      }
      if (ca.isPresent() && !Files.isRegularFile(ca.get())) {
        sleep(50);
        continue;
      }
      try {
        HttpClient client = ca.isPresent() ? trusting(ca.get()) : HTTP;
        HttpResponse<Void> response =
            client.send(
                HttpRequest.newBuilder(uri.resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // keep polling
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for stevedore", e);
      }
      sleep(50);
    }
    throw new AssertionError(
        "stevedore did not answer /v2/ within " + READY_TIMEOUT + ":\n" + log());
  }

  /** A client trusting {@code ca}; an IOException while the file is still being written. */
  private static HttpClient trusting(Path ca) throws IOException {
    try {
      return HttpClient.newBuilder()
          .sslContext(TrustedCa.sslContext(ca))
          .connectTimeout(Duration.ofSeconds(2))
          .build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + ca + " (yet)", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
