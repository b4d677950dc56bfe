package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code skopeo} 1.9 against plain-HTTP loopback registries, isolated from the user's config.
 *
 * <p>{@code --src-tls-verify=false} / {@code --tls-verify=false} makes skopeo try HTTPS first and
 * fall back to plain HTTP. {@code --insecure-policy} removes the need for a policy.json; HOME,
 * XDG_RUNTIME_DIR, REGISTRY_AUTH_FILE, DOCKER_CONFIG, CONTAINERS_REGISTRIES_CONF and TMPDIR point
 * into the work directory so nothing of the machine's or user's configuration leaks in.
 */
public final class Skopeo {
  /** Override with {@code -Dstevedore.it.skopeo=/path/to/skopeo}. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/skopeo");

  private static final AtomicInteger RUNS = new AtomicInteger();

  private final Path workDir;
  private final Duration timeout;
  private final String sourceCredentials;

  /** A skopeo whose config and temp files live under {@code workDir}. */
  public Skopeo(Path workDir) {
    this(workDir, Duration.ofSeconds(120), null);
  }

  private Skopeo(Path workDir, Duration timeout, String sourceCredentials) {
    this.workDir = workDir.toAbsolutePath();
    this.timeout = timeout;
    this.sourceCredentials = sourceCredentials;
  }

  public Skopeo withTimeout(Duration timeout) {
    return new Skopeo(workDir, timeout, sourceCredentials);
  }

  /** Credentials {@code user:password} for the source registry (default: anonymous). */
  public Skopeo withSourceCredentials(String userColonPassword) {
    return new Skopeo(workDir, timeout, userColonPassword);
  }

  /** {@code docker://HOST:PORT/REPOSITORY:TAG} (or {@code @sha256:...} for a digest). */
  public static String dockerRef(URI registry, String repository, String tagOrDigest) {
    String separator = tagOrDigest.startsWith("sha256:") ? "@" : ":";
    return "docker://"
        + registry.getHost()
        + ":"
        + registry.getPort()
        + "/"
        + repository
        + separator
        + tagOrDigest;
  }

  /** {@code skopeo copy --all --preserve-digests SRC dir:DEST}. */
  public ProcessResult copyAll(String sourceRef, Path destinationDir) {
    return copyAll(sourceRef, "dir:" + destinationDir.toAbsolutePath());
  }

  /** {@code skopeo copy --all --preserve-digests SRC oci:LAYOUT} (an OCI image layout). */
  public ProcessResult copyAllToOciLayout(String sourceRef, Path layoutDir) {
    return copyAll(sourceRef, "oci:" + layoutDir.toAbsolutePath());
  }

  /** {@code skopeo copy --all --preserve-digests SRC DEST} for any destination transport. */
  public ProcessResult copyAll(String sourceRef, String destinationRef) {
    List<String> args = new ArrayList<>(List.of("copy", "--all", "--preserve-digests"));
    args.addAll(List.of("--src-tls-verify=false", "--retry-times", "0"));
    if (sourceCredentials != null) {
      args.addAll(List.of("--src-creds", sourceCredentials));
    } else {
      args.add("--src-no-creds");
    }
    args.add(sourceRef);
    args.add(destinationRef);
    return run(args);
  }

  /** {@code skopeo inspect --raw REF}: the top-level manifest bytes as a string. */
  public ProcessResult inspectRaw(String ref) {
    List<String> args = new ArrayList<>(List.of("inspect", "--raw", "--tls-verify=false"));
    args.addAll(List.of("--retry-times", "0"));
    if (sourceCredentials != null) {
      args.addAll(List.of("--creds", sourceCredentials));
    } else {
      args.add("--no-creds");
    }
    args.add(ref);
    return run(args);
  }

  /** Runs skopeo with {@code --insecure-policy} and the given arguments. */
  public ProcessResult run(List<String> arguments) {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "The integration tests need skopeo at "
              + binary
              + " (Debian: apt-get install skopeo), or set -Dstevedore.it.skopeo");
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--insecure-policy");
    command.addAll(arguments);

    Path outputFile = workDir.resolve("skopeo-" + RUNS.incrementAndGet() + ".log");
    return ProcessResult.run(command, workDir, outputFile, timeout, this::isolate);
  }

  private void isolate(Map<String, String> environment) {
    Path home = workDir.resolve("skopeo-home");
    Path runtime = workDir.resolve("skopeo-run");
    Path tmp = workDir.resolve("skopeo-tmp");
    Path registriesConf = workDir.resolve("skopeo-registries.conf");
    try {
      Files.createDirectories(home);
      Files.createDirectories(tmp);
      if (!Files.exists(runtime)) {
        Files.createDirectories(
            runtime,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.exists(registriesConf)) {
        Files.writeString(registriesConf, "unqualified-search-registries = []\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare skopeo's directories in " + workDir, e);
    }
    environment
        .keySet()
        .removeIf(name -> name.startsWith("CONTAINERS_") || name.startsWith("DOCKER_"));
    environment.put("HOME", home.toString());
    environment.put("XDG_RUNTIME_DIR", runtime.toString());
    environment.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    environment.put("REGISTRY_AUTH_FILE", home.resolve("auth.json").toString());
    environment.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    environment.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
    environment.put("TMPDIR", tmp.toString());
  }

  private static Path binary() {
    return Path.of(System.getProperty("stevedore.it.skopeo", DEFAULT_BINARY.toString()));
  }
}
