package dev.stevedore.server.cli;

import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.UpstreamSettings;
import dev.stevedore.server.containerd.HostsToml;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stevedore containerd-config}: writes containerd hosts.toml files that use the mirror. */
@Command(
    name = "containerd-config",
    mixinStandardHelpOptions = true,
    description = {
      "Write containerd certs.d/<registry>/hosts.toml files that pull through Stevedore.",
      "Point containerd's registry config_path at --out (e.g. /etc/containerd/certs.d)."
    })
public final class ContainerdConfigCommand implements Callable<Integer> {

  @Option(
      names = "--mirror",
      required = true,
      paramLabel = "URL",
      description = "Stevedore's address as nodes reach it, e.g. http://stevedore.internal:5000.")
  String mirror;

  @Option(
      names = "--registry",
      paramLabel = "NAME",
      description = "A registry to mirror, repeatable (default: docker.io).")
  List<String> registries = new ArrayList<>();

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Where to write <registry>/hosts.toml.")
  Path out;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description = "CA certificate that signed the mirror's TLS certificate.")
  Path ca;

  @Option(names = "--skip-verify", description = "Do not verify the mirror's TLS certificate.")
  boolean skipVerify;

  @Override
  public Integer call() {
    URI mirrorUri;
    try {
      mirrorUri = UpstreamSettings.parseUrl("mirror", mirror);
    } catch (ConfigException e) {
      throw new ConfigException("invalid --mirror '" + mirror + "' (use http(s)://host[:port])");
    }
    if (ca != null && !Files.isReadable(ca)) {
      throw new ConfigException("CA file " + ca + " is not readable");
    }
    LinkedHashSet<String> names =
        new LinkedHashSet<>(registries.isEmpty() ? List.of("docker.io") : registries);
    for (String registry : names) {
      UpstreamSettings.checkName(registry);
      HostsToml hosts =
          HostsToml.of(
              registry,
              mirrorUri,
              Optional.ofNullable(ca).map(path -> path.toAbsolutePath().toString()),
              skipVerify);
      Path file = out.resolve(registry).resolve("hosts.toml");
      try {
        Files.createDirectories(file.getParent());
        Files.writeString(file, hosts.render());
      } catch (IOException e) {
        throw new ConfigException("cannot write " + file + ": " + e.getMessage());
      }
      System.out.println("wrote " + file);
    }
    return 0;
  }
}
