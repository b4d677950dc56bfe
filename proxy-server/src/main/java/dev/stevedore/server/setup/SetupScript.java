package dev.stevedore.server.setup;

import static dev.stevedore.server.setup.ShellText.heredoc;
import static dev.stevedore.server.setup.ShellText.quoted;

import dev.stevedore.core.upstream.Upstreams;
import dev.stevedore.server.containerd.HostsToml;
import dev.stevedore.server.tls.ClientTrust;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The POSIX {@code sh} script of {@code GET /setup/<kind>}: the shared part ({@code prelude.sh}:
 * options, the check that Stevedore answers, staging, backups, applying) and what one kind of node
 * needs. Every value written into it comes from the configuration or a validated {@link
 * MirrorAddress}; files go in quoted here-documents, so nothing in them is expanded.
 *
 * @param registries the upstream names nodes pull through Stevedore (containerd and k3s name the
 *     registry with {@code ?ns=})
 * @param defaultRegistry the upstream that answers a client sending no {@code ?ns=} (Docker,
 *     Podman)
 */
record SetupScript(List<String> registries, String defaultRegistry, Optional<ClientTrust> trust) {
  private static final String PRELUDE = ShellText.resource("prelude.sh");
  private static final String DOCKER_MERGE = ShellText.resource("docker-daemon-json.awk");
  private static final String CONTAINERD_CONFIG = ShellText.resource("containerd-config.awk");

  static final String CONTAINERD_CERTS = "/etc/containerd/certs.d";
  static final String CONTAINERD_CONFIG_FILE = "/etc/containerd/config.toml";
  static final String MICROK8S_CERTS = "/var/snap/microk8s/current/args/certs.d";
  static final String K3S_REGISTRIES = "/etc/rancher/k3s/registries.yaml";
  static final String K3S_CA = "/etc/rancher/k3s/stevedore-ca.crt";
  static final String DOCKER_DAEMON_JSON = "/etc/docker/daemon.json";
  static final String PODMAN_DROP_IN = "/etc/containers/registries.conf.d/50-stevedore.conf";

  /** The name of the CA file next to each {@code hosts.toml}, which reads it relative to itself. */
  static final String HOSTS_CA = "stevedore-ca.crt";

  SetupScript {
    registries = List.copyOf(registries);
    Objects.requireNonNull(defaultRegistry, "defaultRegistry");
    Objects.requireNonNull(trust, "trust");
  }

  String render(NodeKind kind, MirrorAddress mirror) {
    String source = mirror.url() + "/setup/" + kind.path();
    StringBuilder script = new StringBuilder();
    script
        .append("#!/bin/sh\n")
        .append("# Stevedore node setup: ")
        .append(kind.title())
        .append(" pulls through ")
        .append(mirror.url())
        .append(", falling back to each registry itself.\n")
        .append("# Run: curl -fsSL ")
        .append(source)
        .append(" | sudo sh   (options after: sh -s -- --dry-run, --root DIR, --restart)\n")
        .append("set -eu\n")
        .append(
            "# One block: sh reads all of it before running any, so a cut download runs nothing.\n")
        .append("{\n")
        .append("STEVEDORE_URL=")
        .append(quoted(mirror.url()))
        .append("\nsd_kind=")
        .append(quoted(kind.path()))
        .append("\nsd_kind_name=")
        .append(quoted(kind.title()))
        .append("\n\n")
        .append(PRELUDE)
        .append("\n# ---- this server and this kind of node ----\n");
    trust.ifPresent(
        t ->
            script
                .append(heredoc("cat >\"$sd_stage/ca.crt\"", t.anchorPem()))
                .append("sd_ca_file=$sd_stage/ca.crt\n"));
    script.append("sd_check_mirror\n");
    String writer = "Stevedore's node setup (" + source + ")";
    switch (kind) {
      case CONTAINERD -> {
        hostsFiles(script, CONTAINERD_CERTS, mirror, writer);
        containerdConfig(script);
        script.append("sd_apply\nsd_finish systemctl restart containerd\n");
      }
      case MICROK8S -> {
        hostsFiles(script, MICROK8S_CERTS, mirror, writer);
        script.append("sd_apply\nsd_finish snap restart microk8s.daemon-containerd\n");
      }
      case K3S -> {
        script.append(
            heredoc(
                "sd_stage_own_file " + K3S_REGISTRIES + " restart", k3sRegistries(mirror, writer)));
        trust.ifPresent(t -> script.append("sd_stage_ca ").append(K3S_CA).append(" restart\n"));
        script
            .append("sd_service=k3s\n")
            .append("[ ! -e \"$sd_root/etc/systemd/system/k3s-agent.service\" ]")
            .append(
                " || [ -e \"$sd_root/etc/systemd/system/k3s.service\" ] || sd_service=k3s-agent\n")
            .append("sd_apply\nsd_finish systemctl restart \"$sd_service\"\n");
      }
      case DOCKER -> docker(script, mirror);
      case PODMAN -> {
        script.append(heredoc("sd_stage_file " + PODMAN_DROP_IN, podmanDropIn(mirror, writer)));
        trust.ifPresent(
            t ->
                script
                    .append("sd_stage_ca /etc/containers/certs.d/")
                    .append(mirror.authority())
                    .append("/ca.crt\n"));
        script.append("sd_apply\nsd_finish\n");
      }
    }
    return script.append("}\n").toString();
  }

  /** containerd's {@code certs.d/<registry>/hosts.toml} for every registry, and the CA by each. */
  private void hostsFiles(StringBuilder script, String certs, MirrorAddress mirror, String writer) {
    for (String registry : registries) {
      String dir = certs + "/" + registry;
      HostsToml hosts =
          new HostsToml(
              registry,
              HostsToml.serverFor(registry),
              URI.create(mirror.url()),
              trust.map(t -> HOSTS_CA),
              false,
              writer);
      script.append(heredoc("sd_stage_file " + dir + "/hosts.toml", hosts.render()));
      trust.ifPresent(
          t -> script.append("sd_stage_ca ").append(dir).append('/').append(HOSTS_CA).append('\n'));
    }
  }

  /**
   * containerd's CRI plugin reads {@code certs.d} only when its {@code config_path} says so (1.x):
   * set it in an existing {@code config.toml} ({@code containerd-config.awk}), or write a minimal
   * one where there is none and containerd is not 2.x (which reads {@code certs.d} by default).
   */
  private static void containerdConfig(StringBuilder script) {
    script
        .append(heredoc("cat >\"$sd_stage/config.awk\"", CONTAINERD_CONFIG))
        .append("sd_config=")
        .append(CONTAINERD_CONFIG_FILE)
        .append('\n')
        .append(
            """
            if [ -f "$sd_root$sd_config" ]; then
              sd_rc=0
              awk -v CERTS=%1$s -f "$sd_stage/config.awk" "$sd_root$sd_config" \\
                >"$sd_stage/config.toml" 2>"$sd_stage/config.err" || sd_rc=$?
              case $sd_rc in
                0) sd_stage_file "$sd_config" restart <"$sd_stage/config.toml" ;;
                3) sd_stage_file "$sd_config" restart <"$sd_root$sd_config" ;;
                4) sd_say "WARNING: left $sd_root$sd_config alone, so kubelet's pulls may not use Stevedore: $(cat "$sd_stage/config.err")" ;;
                *) sd_die "cannot read $sd_root$sd_config: $(cat "$sd_stage/config.err"); nothing was changed" ;;
              esac
            elif [ -z "$sd_root" ] && command -v containerd >/dev/null 2>&1 \\
              && containerd --version 2>/dev/null | grep -Eq ' v?2\\.[0-9]'; then
              : # containerd 2 reads %1$s without a config.toml
            else
            """
                .formatted(CONTAINERD_CERTS))
        .append(
            heredoc(
                "  sd_stage_file \"$sd_config\" restart",
                """
                # Written by Stevedore's node setup: containerd's CRI plugin reads registry hosts from certs.d.
                version = 2

                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "%s"
                """
                    .formatted(CONTAINERD_CERTS)))
        .append("fi\n");
  }

  /** k3s's {@code registries.yaml}: Stevedore as every registry's mirror. */
  private String k3sRegistries(MirrorAddress mirror, String writer) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Written by ")
        .append(writer)
        .append(":\n# pull through Stevedore, falling back to each registry itself.\nmirrors:\n");
    for (String registry : registries) {
      yaml.append("  \"")
          .append(registry)
          .append("\":\n    endpoint:\n      - \"")
          .append(mirror.url())
          .append("\"\n");
    }
    trust.ifPresent(
        t ->
            yaml.append("configs:\n  \"")
                .append(mirror.authority())
                .append("\":\n    tls:\n      ca_file: \"")
                .append(K3S_CA)
                .append("\"\n"));
    return yaml.toString();
  }

  /**
   * Docker mirrors Docker Hub only, through {@code registry-mirrors} in {@code daemon.json}, merged
   * into the file there ({@code docker-daemon-json.awk}) with every other key kept.
   */
  private void docker(StringBuilder script, MirrorAddress mirror) {
    if (!defaultRegistry.equals("docker.io")) {
      script.append(
          "sd_die "
              + quoted(
                  "Docker mirrors Docker Hub only, and this Stevedore answers clients that name no"
                      + " registry from "
                      + defaultRegistry
                      + "; nothing was changed")
              + "\n");
      return;
    }
    script
        .append(heredoc("cat >\"$sd_stage/merge.awk\"", DOCKER_MERGE))
        .append("sd_daemon=")
        .append(DOCKER_DAEMON_JSON)
        .append('\n')
        .append("sd_in=/dev/null\n")
        .append("[ ! -f \"$sd_root$sd_daemon\" ] || sd_in=$sd_root$sd_daemon\n")
        .append("sd_rc=0\n")
        .append("awk -v MIRROR=")
        .append(quoted(mirror.url()))
        .append(" -v INSECURE=")
        .append(quoted(mirror.tls() ? "" : mirror.authority()))
        .append(
            """
             -f "$sd_stage/merge.awk" "$sd_in" >"$sd_stage/daemon.json" 2>"$sd_stage/daemon.err" || sd_rc=$?
            case $sd_rc in
              0) sd_stage_file "$sd_daemon" restart <"$sd_stage/daemon.json" ;;
              3) sd_stage_file "$sd_daemon" restart <"$sd_in" ;;
              *) sd_die "$sd_root$sd_daemon: $(cat "$sd_stage/daemon.err"); nothing was changed" ;;
            esac
            """);
    trust.ifPresent(
        t ->
            script
                .append("sd_stage_ca /etc/docker/certs.d/")
                .append(mirror.authority())
                .append("/ca.crt\n"));
    script.append("sd_apply\nsd_finish systemctl reload docker\n");
  }

  /**
   * Podman's drop-in: Stevedore as the mirror of every registry, the one it answers without {@code
   * ?ns=} at its root, the others under their name as the first path component ({@code
   * HOST:PORT/ghcr.io}, see {@code Upstreams.namedInPath}).
   */
  private String podmanDropIn(MirrorAddress mirror, String writer) {
    StringBuilder toml = new StringBuilder();
    toml.append("# Written by ")
        .append(writer)
        .append(":\n# pull through Stevedore, falling back to each registry itself.\n");
    for (String registry : podmanRegistries()) {
      String location =
          registry.equals(defaultRegistry)
              ? mirror.authority()
              : mirror.authority() + "/" + registry;
      toml.append("\n[[registry]]\nprefix = \"")
          .append(registry)
          .append("\"\nlocation = \"")
          .append(registry)
          .append("\"\n\n[[registry.mirror]]\nlocation = \"")
          .append(location)
          .append("\"\n")
          .append(mirror.tls() ? "" : "insecure = true\n");
    }
    return toml.toString();
  }

  /** The default registry first, then those a path can name ({@link Upstreams#nameablePath}). */
  private List<String> podmanRegistries() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(defaultRegistry),
            registries.stream()
                .filter(name -> !name.equals(defaultRegistry))
                .filter(Upstreams::nameablePath))
        .toList();
  }
}
