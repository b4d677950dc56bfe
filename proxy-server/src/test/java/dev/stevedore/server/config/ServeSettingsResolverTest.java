package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.upstream.Credentials;
import dev.stevedore.server.config.ServeSettingsResolver.Flags;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeSettingsResolverTest {
  private static final Map<String, String> NO_ENV = Map.of();
  private static final URI HUB = URI.create("https://registry-1.docker.io");

  @TempDir Path dir;

  /** Builds {@link Flags}; every field starts empty, as when no flag is given. */
  private static final class FlagsBuilder {
    Optional<Path> config = Optional.empty();
    Optional<String> listen = Optional.empty();
    Optional<Path> data = Optional.empty();
    List<String> upstreams = new ArrayList<>();
    Optional<Path> credentialsFile = Optional.empty();
    Optional<String> tagTtl = Optional.empty();

    FlagsBuilder config(Path file) {
      config = Optional.of(file);
      return this;
    }

    FlagsBuilder listen(String value) {
      listen = Optional.of(value);
      return this;
    }

    FlagsBuilder data(Path value) {
      data = Optional.of(value);
      return this;
    }

    FlagsBuilder upstream(String value) {
      upstreams.add(value);
      return this;
    }

    FlagsBuilder credentialsFile(Path file) {
      credentialsFile = Optional.of(file);
      return this;
    }

    FlagsBuilder tagTtl(String value) {
      tagTtl = Optional.of(value);
      return this;
    }

    Flags build() {
      return new Flags(config, listen, data, List.copyOf(upstreams), credentialsFile, tagTtl);
    }
  }

  private static FlagsBuilder flags() {
    return new FlagsBuilder();
  }

  private Path configFile(String yaml) throws IOException {
    return Files.writeString(dir.resolve("stevedore.yml"), yaml);
  }

  private Path dockerConfig(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private static String auth(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static ServeSettings resolve(FlagsBuilder flags) {
    return ServeSettingsResolver.resolve(flags.build(), NO_ENV);
  }

  @Test
  void tlsAndAccessSections_areReadFromTheFile() throws IOException {
    Path file =
        configFile(
            """
            tls:
              self-signed: true
              san: [cache.lan, 10.0.0.5]
            access:
              htpasswd: /etc/stevedore/htpasswd
              allow:
                - docker.io/library/*
                - ghcr.io/myorg/**
            """);

    ServeSettings settings = resolve(flags().config(file));

    assertThat(settings.tls())
        .isEqualTo(
            new TlsSettings(
                Optional.empty(), Optional.empty(), true, List.of("cache.lan", "10.0.0.5")));
    assertThat(settings.access())
        .isEqualTo(
            new AccessSettings(
                Optional.of(Path.of("/etc/stevedore/htpasswd")),
                List.of("docker.io/library/*", "ghcr.io/myorg/**")));
  }

  @Test
  void ownCertificateInTheFile_isRead() throws IOException {
    Path file = configFile("tls:\n  cert: /etc/tls.crt\n  key: /etc/tls.key\n");

    TlsSettings tls = resolve(flags().config(file)).tls();

    assertThat(tls.certificate()).contains(Path.of("/etc/tls.crt"));
    assertThat(tls.key()).contains(Path.of("/etc/tls.key"));
    assertThat(tls.selfSigned()).isFalse();
  }

  @Test
  void withoutTheSections_plainHttpAndOpenAccess() {
    ServeSettings settings = ServeSettingsResolver.resolve(Flags.none(), NO_ENV);

    assertThat(settings.tls()).isEqualTo(TlsSettings.NONE);
    assertThat(settings.access()).isEqualTo(AccessSettings.OPEN);
  }

  @Test
  void unknownKeyInTheTlsSection_isNamedWithItsLine() throws IOException {
    Path file = configFile("listen: 127.0.0.1:5000\ntls:\n  certificate: /etc/tls.crt\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown key 'certificate' in config file " + file + " (line 3)");
  }

  @Test
  void resolve_nothingGiven_usesDefaults() {
    ServeSettings settings = ServeSettingsResolver.resolve(Flags.none(), NO_ENV);

    assertThat(settings.listen()).isEqualTo(new HostPort("0.0.0.0", 5000));
    assertThat(settings.dataDir()).isEqualTo(Path.of("./stevedore-data"));
    assertThat(settings.upstreams())
        .containsExactly(
            Map.entry("docker.io", new UpstreamSettings("docker.io", HUB, Optional.empty())));
    assertThat(settings.defaultUpstream()).isEqualTo("docker.io");
    assertThat(settings.tagTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.connectTimeout()).isPositive();
    assertThat(settings.requestTimeout()).isPositive();
  }

  @Test
  void resolve_configFile_valuesAreUsed() throws IOException {
    Path file =
        configFile(
            """
            listen: 127.0.0.1:5001
            data: /srv/cache
            tag-ttl: 30s
            connect-timeout: 2s
            request-timeout: 90s
            default-upstream: ghcr.io
            upstreams:
              docker.io:
                url: https://mirror.gcr.io
              ghcr.io:
                url: https://ghcr.io/
                username: bot
                password: ghp_x
            """);

    ServeSettings settings = resolve(flags().config(file));

    assertThat(settings.listen()).isEqualTo(new HostPort("127.0.0.1", 5001));
    assertThat(settings.dataDir()).isEqualTo(Path.of("/srv/cache"));
    assertThat(settings.tagTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.defaultUpstream()).isEqualTo("ghcr.io");
    assertThat(settings.upstreams()).containsOnlyKeys("docker.io", "ghcr.io");
    assertThat(settings.upstreams().get("docker.io").url())
        .isEqualTo(URI.create("https://mirror.gcr.io"));
    assertThat(settings.upstreams().get("ghcr.io"))
        .isEqualTo(
            new UpstreamSettings(
                "ghcr.io",
                URI.create("https://ghcr.io"),
                Optional.of(new Credentials("bot", "ghp_x"))));
  }

  @Test
  void resolve_flagsAndFile_flagsWin() throws IOException {
    Path file = configFile("listen: 127.0.0.1:5001\ndata: /srv/cache\ntag-ttl: 30s\n");

    ServeSettings settings =
        resolve(flags().config(file).listen(":6000").data(dir.resolve("d")).tagTtl("1h"));

    assertThat(settings.listen()).isEqualTo(new HostPort("0.0.0.0", 6000));
    assertThat(settings.dataDir()).isEqualTo(dir.resolve("d"));
    assertThat(settings.tagTtl()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void resolve_fileWithoutUpstreams_defaultsToDockerHub() throws IOException {
    ServeSettings settings = resolve(flags().config(configFile("tag-ttl: 1m\n")));

    assertThat(settings.upstreams()).containsOnlyKeys("docker.io");
    assertThat(settings.defaultUpstream()).isEqualTo("docker.io");
  }

  @Test
  void resolve_emptyConfigFile_usesDefaults() throws IOException {
    ServeSettings settings = resolve(flags().config(configFile("")));

    assertThat(settings).isEqualTo(ServeSettingsResolver.resolve(Flags.none(), NO_ENV));
  }

  @Test
  void resolve_upstreamFlag_addsBesideDockerHub() {
    ServeSettings settings = resolve(flags().upstream("ghcr.io=https://ghcr.io"));

    assertThat(settings.upstreams()).containsOnlyKeys("docker.io", "ghcr.io");
    assertThat(settings.upstreams().get("ghcr.io").url()).isEqualTo(URI.create("https://ghcr.io"));
    assertThat(settings.defaultUpstream()).isEqualTo("docker.io");
  }

  @Test
  void resolve_upstreamFlagForDockerHub_replacesItsUrl() {
    ServeSettings settings = resolve(flags().upstream("docker.io=http://127.0.0.1:5001"));

    assertThat(settings.upstreams()).containsOnlyKeys("docker.io");
    assertThat(settings.upstreams().get("docker.io").url())
        .isEqualTo(URI.create("http://127.0.0.1:5001"));
  }

  @Test
  void resolve_upstreamFlagForFileUpstream_replacesFileUrl() throws IOException {
    Path file = configFile("upstreams:\n  ghcr.io:\n    url: https://ghcr.io\n");

    ServeSettings settings =
        resolve(flags().config(file).upstream("ghcr.io=http://127.0.0.1:5002"));

    assertThat(settings.upstreams()).containsOnlyKeys("ghcr.io");
    assertThat(settings.upstreams().get("ghcr.io").url())
        .isEqualTo(URI.create("http://127.0.0.1:5002"));
  }

  @Test
  void resolve_onlyNonHubUpstreams_firstIsDefault() throws IOException {
    Path file =
        configFile(
            """
            upstreams:
              quay.io:
                url: https://quay.io
              ghcr.io:
                url: https://ghcr.io
            """);

    assertThat(resolve(flags().config(file)).defaultUpstream()).isEqualTo("quay.io");
  }

  @Test
  void resolve_repeatedUpstreamFlag_lastWins() {
    ServeSettings settings =
        resolve(
            flags().upstream("ghcr.io=https://a.example").upstream("ghcr.io=https://b.example"));

    assertThat(settings.upstreams().get("ghcr.io").url())
        .isEqualTo(URI.create("https://b.example"));
  }

  @Test
  void resolve_badUpstreamFlag_isConfigException() {
    assertThatThrownBy(() -> resolve(flags().upstream("docker.io=ftp://x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ftp://x");
  }

  @Test
  void resolve_fileUpstreamWithoutUrl_isConfigException() throws IOException {
    Path file = configFile("upstreams:\n  ghcr.io:\n    username: bot\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ghcr.io")
        .hasMessageContaining("url");
  }

  @Test
  void resolve_fileUpstreamEmptyEntry_isConfigException() throws IOException {
    Path file = configFile("upstreams:\n  ghcr.io:\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ghcr.io");
  }

  @Test
  void resolve_fileUpstreamInvalidName_isConfigException() throws IOException {
    Path file = configFile("upstreams:\n  \"https://ghcr.io\":\n    url: https://ghcr.io\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("invalid upstream name");
  }

  @Test
  void resolve_fileUpstreamUsernameWithoutPassword_isConfigException() throws IOException {
    Path file = configFile("upstreams:\n  ghcr.io:\n    url: https://ghcr.io\n    username: bot\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ghcr.io")
        .hasMessageContaining("together");
  }

  @Test
  void resolve_defaultUpstreamNotConfigured_isConfigException() throws IOException {
    Path file = configFile("default-upstream: quay.io\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("quay.io");
  }

  @Test
  void resolve_badTagTtlFlag_isConfigException() {
    assertThatThrownBy(() -> resolve(flags().tagTtl("banana")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("banana");
  }

  @Test
  void resolve_badTagTtlInFile_isConfigException() throws IOException {
    Path file = configFile("tag-ttl: soon\n");

    assertThatThrownBy(() -> resolve(flags().config(file)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("soon");
  }

  @Test
  void resolve_badListenFlag_isConfigException() {
    assertThatThrownBy(() -> resolve(flags().listen("localhost")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("localhost");
  }

  @Test
  void resolve_missingConfigFile_isConfigException() {
    Path missing = dir.resolve("missing.yml");

    assertThatThrownBy(() -> resolve(flags().config(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void resolve_dockerConfigHubKey_appliesToDockerHub() throws IOException {
    Path credentials =
        dockerConfig(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + auth("user", "pass")
                + "\"}}}");

    ServeSettings settings = resolve(flags().credentialsFile(credentials));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("user", "pass"));
  }

  @Test
  void resolve_dockerConfigHubKey_appliesToReplacedDockerHubUrl() throws IOException {
    Path credentials =
        dockerConfig(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + auth("user", "pass")
                + "\"}}}");

    ServeSettings settings =
        resolve(
            flags()
                .credentialsFile(credentials)
                .upstream("docker.io=https://registry-1.docker.io/"));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("user", "pass"));
  }

  @Test
  void resolve_dockerConfigHostPortKey_appliesToUpstreamWithThatAuthority() throws IOException {
    Path credentials =
        dockerConfig(
            "{\"auths\":{\"127.0.0.1:5001\":{\"auth\":\"" + auth("local", "secret") + "\"}}}");

    ServeSettings settings =
        resolve(flags().credentialsFile(credentials).upstream("local.test=http://127.0.0.1:5001"));

    assertThat(settings.upstreams().get("local.test").credentials())
        .contains(new Credentials("local", "secret"));
    assertThat(settings.upstreams().get("docker.io").credentials()).isEmpty();
  }

  @Test
  void resolve_dockerConfigKeyForOtherPort_doesNotApply() throws IOException {
    Path credentials =
        dockerConfig(
            "{\"auths\":{\"127.0.0.1:5002\":{\"auth\":\"" + auth("local", "secret") + "\"}}}");

    ServeSettings settings =
        resolve(flags().credentialsFile(credentials).upstream("local.test=http://127.0.0.1:5001"));

    assertThat(settings.upstreams().get("local.test").credentials()).isEmpty();
  }

  @Test
  void resolve_dockerConfigUsernamePassword_applies() throws IOException {
    Path credentials =
        dockerConfig("{\"auths\":{\"ghcr.io\":{\"username\":\"bot\",\"password\":\"ghp_x\"}}}");

    ServeSettings settings =
        resolve(flags().credentialsFile(credentials).upstream("ghcr.io=https://ghcr.io"));

    assertThat(settings.upstreams().get("ghcr.io").credentials())
        .contains(new Credentials("bot", "ghp_x"));
  }

  @Test
  void resolve_credentialsFileFromConfigFile_isApplied() throws IOException {
    Path credentials =
        dockerConfig(
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
                + auth("user", "pass")
                + "\"}}}");
    Path file = configFile("credentials-file: " + credentials + "\n");

    ServeSettings settings = resolve(flags().config(file));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("user", "pass"));
  }

  @Test
  void resolve_credentialsFileFlag_overridesConfigFileKey() throws IOException {
    Path fromFile = Files.writeString(dir.resolve("file.json"), "{\"auths\":{}}");
    Path fromFlag =
        dockerConfig("{\"auths\":{\"docker.io\":{\"auth\":\"" + auth("flag", "pw") + "\"}}}");
    Path file = configFile("credentials-file: " + fromFile + "\n");

    ServeSettings settings = resolve(flags().config(file).credentialsFile(fromFlag));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("flag", "pw"));
  }

  @Test
  void resolve_credentialsFileWithoutAuths_leavesUpstreamsAnonymous() throws IOException {
    ServeSettings settings =
        resolve(flags().credentialsFile(dockerConfig("{\"credsStore\":\"desktop\"}")));

    assertThat(settings.upstreams().get("docker.io").credentials()).isEmpty();
  }

  @Test
  void resolve_missingCredentialsFile_isConfigExceptionNamingIt() {
    Path missing = dir.resolve("missing.json");

    assertThatThrownBy(() -> resolve(flags().credentialsFile(missing)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageNotContaining("\n");
  }

  @Test
  void resolve_credentialsFileIsDirectory_isConfigException() {
    assertThatThrownBy(() -> resolve(flags().credentialsFile(dir)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void resolve_credentialsFileNotJson_isConfigException() throws IOException {
    Path credentials = dockerConfig("auths: yes\n");

    assertThatThrownBy(() -> resolve(flags().credentialsFile(credentials)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(credentials.toString());
  }

  @Test
  void resolve_credentialsFileAuthNotBase64_isConfigException() throws IOException {
    Path credentials = dockerConfig("{\"auths\":{\"docker.io\":{\"auth\":\"%%%\"}}}");

    assertThatThrownBy(() -> resolve(flags().credentialsFile(credentials)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("base64");
  }

  @Test
  void resolve_environmentToken_appliesToDockerHub() {
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            Flags.none(),
            Map.of(
                "STEVEDORE_DOCKERHUB_USERNAME", "me", "STEVEDORE_DOCKERHUB_TOKEN", "dckr_pat_x"));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("me", "dckr_pat_x"));
  }

  @Test
  void resolve_environmentToken_notAppliedToOtherUpstreams() {
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            flags().upstream("ghcr.io=https://ghcr.io").build(),
            Map.of(
                "STEVEDORE_DOCKERHUB_USERNAME", "me", "STEVEDORE_DOCKERHUB_TOKEN", "dckr_pat_x"));

    assertThat(settings.upstreams().get("ghcr.io").credentials()).isEmpty();
  }

  @Test
  void resolve_environmentToken_overridesCredentialsFile() throws IOException {
    Path credentials =
        dockerConfig("{\"auths\":{\"docker.io\":{\"auth\":\"" + auth("file", "pw") + "\"}}}");

    ServeSettings settings =
        ServeSettingsResolver.resolve(
            flags().credentialsFile(credentials).build(),
            Map.of("STEVEDORE_DOCKERHUB_USERNAME", "env", "STEVEDORE_DOCKERHUB_TOKEN", "tok"));

    assertThat(settings.upstreams().get("docker.io").credentials())
        .contains(new Credentials("env", "tok"));
  }

  @Test
  void resolve_environmentUsernameOnly_isConfigException() {
    assertThatThrownBy(
            () ->
                ServeSettingsResolver.resolve(
                    Flags.none(), Map.of("STEVEDORE_DOCKERHUB_USERNAME", "me")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("STEVEDORE_DOCKERHUB_TOKEN");
  }

  @Test
  void resolve_environmentTokenOnly_isConfigException() {
    assertThatThrownBy(
            () ->
                ServeSettingsResolver.resolve(
                    Flags.none(), Map.of("STEVEDORE_DOCKERHUB_TOKEN", "dckr_pat_x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("STEVEDORE_DOCKERHUB_USERNAME")
        .hasMessageNotContaining("dckr_pat_x");
  }

  @Test
  void resolve_environmentBothEmpty_isAnonymous() {
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            Flags.none(),
            Map.of("STEVEDORE_DOCKERHUB_USERNAME", "", "STEVEDORE_DOCKERHUB_TOKEN", ""));

    assertThat(settings.upstreams().get("docker.io").credentials()).isEmpty();
  }

  @Test
  void resolve_settings_upstreamsAreImmutable() {
    ServeSettings settings = ServeSettingsResolver.resolve(Flags.none(), NO_ENV);

    assertThatThrownBy(() -> settings.upstreams().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
