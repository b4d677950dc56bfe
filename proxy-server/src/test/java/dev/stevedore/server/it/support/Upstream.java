package dev.stevedore.server.it.support;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The emulated outside world of an IT, wired together in one work directory: a {@link TestPki}, a
 * {@link TokenServer}, a real registry ({@link RegistryProcess}) and a Docker-Hub-like {@link
 * CdnFront} before it. Point the code under test at {@link #uri()}; push test images with {@link
 * #push}. Closing stops everything (the registry child process is also killed on JVM exit).
 */
public final class Upstream implements AutoCloseable {
  private final TestPki pki;
  private final TokenServer tokens;
  private final RegistryProcess registry;
  private final CdnFront front;
  private final ImagePusher pusher;

  private Upstream(TestPki pki, TokenServer tokens, RegistryProcess registry, CdnFront front) {
    this.pki = pki;
    this.tokens = tokens;
    this.registry = registry;
    this.front = front;
    this.pusher = new ImagePusher(registry.uri(), tokens);
  }

  /** Starts everything, keeping config, storage and logs under {@code workDir}. */
  public static Upstream start(Path workDir) {
    RegistryProcess.requireBinary();
    TestPki pki = TestPki.generate();
    Path rootCertBundle = pki.writeCertificatePem(workDir.resolve("token-signer.pem"));
    TokenServer tokens = TokenServer.start(pki);
    RegistryProcess registry = null;
    try {
      registry = RegistryProcess.start(workDir.resolve("registry"), tokens.realm(), rootCertBundle);
      CdnFront front = CdnFront.start(registry.uri(), tokens);
      return new Upstream(pki, tokens, registry, front);
    } catch (RuntimeException e) {
      if (registry != null) {
        registry.close();
      }
      tokens.close();
      throw e;
    }
  }

  /** The registry address for clients and Stevedore: the front, {@code http://127.0.0.1:PORT}. */
  public URI uri() {
    return front.uri();
  }

  /** {@code 127.0.0.1:PORT} of the front, for image references. */
  public String hostAndPort() {
    return front.hostAndPort();
  }

  public TestPki pki() {
    return pki;
  }

  public TokenServer tokens() {
    return tokens;
  }

  public RegistryProcess registry() {
    return registry;
  }

  public CdnFront front() {
    return front;
  }

  /** Pushes {@code image} straight to the registry as {@code repository:tag}. */
  public void push(String repository, String tag, TestImage image) {
    try {
      pusher.push(repository, tag, image);
    } catch (RuntimeException e) {
      throw new IllegalStateException(e.getMessage() + "\n" + diagnostics(), e);
    }
  }

  /** Uploads one blob straight to the registry unless it has it. */
  public void pushBlob(String repository, Blob blob) {
    pusher.pushBlob(repository, blob);
  }

  /** Puts manifest bytes as-is straight to the registry as {@code repository:reference}. */
  public void pushManifest(String repository, String reference, Blob manifest) {
    pusher.pushManifest(repository, reference, manifest);
  }

  /** Stops and starts the registry process, same port and storage. */
  public void restartRegistry() {
    registry.stop();
    registry.start();
  }

  /** Clears the counters of the token server and the front. */
  public void resetCounters() {
    tokens.reset();
    front.reset();
  }

  /** Token requests, front/CDN request log and registry log, for failure messages. */
  public String diagnostics() {
    List<String> lines = new ArrayList<>();
    lines.add("== token requests ==");
    tokens.requests().forEach(request -> lines.add(request.toString()));
    lines.add("== front/CDN requests ==");
    lines.addAll(front.requestLog());
    lines.add("== CDN authorization violations ==");
    lines.addAll(front.authorizationViolations());
    lines.add("== registry log " + registry.logFile() + " ==");
    lines.add(registry.log());
    return String.join("\n", lines);
  }

  @Override
  public void close() {
    try {
      front.close();
    } finally {
      try {
        registry.close();
      } finally {
        tokens.close();
      }
    }
  }
}
