package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs Debian's {@code podman} (4.3, rootful) with nothing of the machine's configuration: its own
 * storage root and run root ({@code vfs}, which needs no overlay mounts), its own {@code
 * registries.conf}, {@code containers.conf}, {@code storage.conf}, signature policy, auth file and
 * temp files, all in one directory under {@code /tmp}. Podman has no daemon; {@link #close()}
 * unmounts anything left there and deletes the directory.
 */
public final class Podman implements AutoCloseable {
  /** Override with {@code -Dstevedore.it.podman=/path/to/podman}. */
  public static final Path DEFAULT_BINARY = Path.of("/usr/bin/podman");

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final Path binary;
  private final Path dir;
  private final Path registriesConf;
  private volatile Path registriesConfInUse;

  private Podman(Path binary, Path dir) {
    this.binary = binary;
    this.dir = dir;
    this.registriesConf = dir.resolve("registries.conf");
    this.registriesConfInUse = registriesConf;
  }

  /**
   * A Podman with a fresh directory and an empty {@code registries.conf} (no search registries, no
   * mirrors).
   *
   * @throws IllegalStateException when podman is not installed (run-tests installs it)
   */
  public static Podman create() {
    Path binary = Path.of(System.getProperty("stevedore.it.podman", DEFAULT_BINARY.toString()));
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "Podman ITs need "
              + binary
              + " (Debian: apt-get install podman), or set -Dstevedore.it.podman");
    }
    try {
      Podman podman = new Podman(binary, Files.createTempDirectory(Path.of("/tmp"), "podman"));
      podman.prepare();
      return podman;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare podman's directory under /tmp", e);
    }
  }

  /**
   * Writes {@code registries.conf} so that images of {@code registry} are pulled from {@code
   * mirror} ({@code HOST:PORT}, plain HTTP): the {@code [[registry.mirror]]} setup the README
   * gives.
   */
  public void mirror(String registry, String mirror) {
    write(
        registriesConf,
        String.join(
            "\n",
            "unqualified-search-registries = []",
            "",
            "[[registry]]",
            "location = \"" + registry + "\"",
            "",
            "[[registry.mirror]]",
            "location = \"" + mirror + "\"",
            "insecure = true",
            ""));
  }

  /**
   * Reads {@code file} as its {@code registries.conf} ({@code CONTAINERS_REGISTRIES_CONF}) from now
   * on, instead of its own: for example a drop-in of {@code registries.conf.d}, which has the same
   * format, to pull with only what a setup wrote.
   */
  public void useRegistriesConf(Path file) {
    registriesConfInUse = file.toAbsolutePath();
  }

  /** {@code podman pull [EXTRA...] REF}. */
  public ProcessResult pull(String reference, String... extra) {
    List<String> args = new ArrayList<>(List.of("pull"));
    args.addAll(List.of("--signature-policy", dir.resolve("policy.json").toString()));
    args.addAll(List.of(extra));
    args.add(reference);
    return run(args);
  }

  /** {@code podman image inspect --format {{.Digest}} REF}: the digest the image was pulled by. */
  public String digest(String reference) {
    return run(List.of("image", "inspect", "--format", "{{.Digest}}", reference))
        .requireSuccess()
        .output()
        .strip();
  }

  /** Runs {@code podman} with this instance's storage and config and the given arguments. */
  public ProcessResult run(List<String> arguments) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(List.of("--root", dir.resolve("root").toString()));
    command.addAll(List.of("--runroot", dir.resolve("runroot").toString()));
    command.addAll(List.of("--storage-driver", "vfs"));
    command.addAll(List.of("--tmpdir", dir.resolve("libpod-tmp").toString()));
    command.addAll(List.of("--events-backend", "file"));
    command.addAll(List.of("--cgroup-manager", "cgroupfs"));
    command.addAll(arguments);
    return ProcessResult.runWithTransientLog(command, dir, TIMEOUT, this::isolate);
  }

  /** Unmounts whatever podman left mounted under its directory and deletes the directory. */
  @Override
  public void close() {
    Mounts.unmountAndDelete(dir);
  }

  private void prepare() throws IOException {
    Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("tmp"));
    Files.createDirectories(
        dir.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    write(
        dir.resolve("home/auth.json"),
        "{}\n"); // podman refuses a REGISTRY_AUTH_FILE that is not there
    write(registriesConf, "unqualified-search-registries = []\n");
    write(dir.resolve("containers.conf"), "[engine]\nevents_logger = \"file\"\n");
    write(
        dir.resolve("storage.conf"),
        String.join(
            "\n",
            "[storage]",
            "driver = \"vfs\"",
            "graphroot = \"" + dir.resolve("root") + "\"",
            "runroot = \"" + dir.resolve("runroot") + "\"",
            ""));
    write(dir.resolve("policy.json"), "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}\n");
  }

  private void isolate(Map<String, String> environment) {
    environment
        .keySet()
        .removeIf(name -> name.startsWith("CONTAINERS_") || name.startsWith("DOCKER_"));
    environment.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    Path home = dir.resolve("home");
    environment.put("HOME", home.toString());
    environment.put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
    environment.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    environment.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
    environment.put("REGISTRY_AUTH_FILE", home.resolve("auth.json").toString());
    environment.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    environment.put("CONTAINERS_REGISTRIES_CONF", registriesConfInUse.toString());
    environment.put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
    environment.put("CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString());
    environment.put("TMPDIR", dir.resolve("tmp").toString());
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
