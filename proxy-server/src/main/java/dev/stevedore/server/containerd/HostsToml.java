package dev.stevedore.server.containerd;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * One containerd {@code certs.d/<registry>/hosts.toml}: the registry's real endpoint as {@code
 * server}, and Stevedore as the first host to try for pull and resolve. containerd falls back to
 * the server only when the mirror fails.
 *
 * @param ca the CA certificate that signed the mirror's, as containerd reads it: an absolute path,
 *     or one relative to the directory of this {@code hosts.toml}
 * @param writer who writes the file, named in its first line
 */
public record HostsToml(
    String registry,
    URI server,
    URI mirror,
    Optional<String> ca,
    boolean skipVerify,
    String writer) {

  public HostsToml {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(mirror, "mirror");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(writer, "writer");
  }

  /** The real endpoint containerd would use without a mirror. */
  public static URI serverFor(String registry) {
    return URI.create(
        "docker.io".equals(registry) ? "https://registry-1.docker.io" : "https://" + registry);
  }

  /** The file {@code stevedore containerd-config} writes. */
  public static HostsToml of(String registry, URI mirror, Optional<String> ca, boolean skipVerify) {
    return new HostsToml(
        registry, serverFor(registry), mirror, ca, skipVerify, "stevedore containerd-config");
  }

  /** The file's text. */
  public String render() {
    StringBuilder toml = new StringBuilder();
    toml.append("# Written by ")
        .append(writer)
        .append(": pull ")
        .append(registry)
        .append(" images through Stevedore, falling back to the registry itself.\n");
    toml.append("server = ").append(quote(server.toString())).append("\n\n");
    toml.append("[host.").append(quote(mirror.toString())).append("]\n");
    toml.append("  capabilities = [\"pull\", \"resolve\"]\n");
    ca.ifPresent(path -> toml.append("  ca = ").append(quote(path)).append("\n"));
    if (skipVerify) {
      toml.append("  skip_verify = true\n");
    }
    return toml.toString();
  }

  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
