package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.server.auth.AccessControl;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import dev.stevedore.server.tls.TlsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The config file's {@code tls:} and {@code access:} sections, and flags over them. */
class ConfigFileServerOptionsTest {
  private static final Set<String> UPSTREAMS = Set.of("docker.io");

  @TempDir Path dir;

  private ServeSettings settings(String yaml) throws IOException {
    Path file = Files.writeString(dir.resolve("stevedore.yml"), yaml);
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
            Optional.of(file),
            Optional.of("127.0.0.1:0"),
            Optional.of(dir.resolve("data")),
            List.of(),
            Optional.empty(),
            Optional.empty()),
        Map.of());
  }

  private static AccessOptions accessFlags(String... flags) {
    return CommandLine.populateCommand(new AccessOptions(), flags);
  }

  private static boolean allows(AccessControl access, String repository) {
    return access.allows("docker.io", RepositoryName.parse(repository));
  }

  @Test
  void selfSignedInTheFile_servesTlsWithTheLocalCa() throws IOException {
    ServeSettings settings = settings("tls:\n  self-signed: true\n  san: [cache.lan]\n");

    assertThat(CommandLine.populateCommand(new TlsOptions()).serverTls(settings)).isPresent();
    assertThat(dir.resolve("data/tls/ca.crt")).isRegularFile();
  }

  @Test
  void noTlsAnywhere_isPlainHttp() throws IOException {
    ServeSettings settings = settings("listen: 127.0.0.1:0\n");

    assertThat(CommandLine.populateCommand(new TlsOptions()).serverTls(settings)).isEmpty();
  }

  @Test
  void allowListInTheFile_limitsWhatMayBePulled() throws IOException {
    ServeSettings settings = settings("access:\n  allow: [docker.io/library/*]\n");

    AccessControl access = accessFlags().build(settings.access(), UPSTREAMS, Ticker.systemTicker());

    assertThat(allows(access, "library/alpine")).isTrue();
    assertThat(allows(access, "someone/tool")).isFalse();
  }

  @Test
  void allowFlags_replaceTheFilesList() throws IOException {
    ServeSettings settings = settings("access:\n  allow: [docker.io/library/*]\n");

    AccessControl access =
        accessFlags("--allow", "docker.io/someone/*")
            .build(settings.access(), UPSTREAMS, Ticker.systemTicker());

    assertThat(allows(access, "someone/tool")).isTrue();
    assertThat(allows(access, "library/alpine")).isFalse();
  }

  @Test
  void htpasswdInTheFile_makesClientsSignIn() throws IOException {
    Path users =
        Files.writeString(
            dir.resolve("htpasswd"),
            "alice:"
                + OpenBSDBCrypt.generate("2y", "secret".toCharArray(), new byte[16], 4)
                + "\n");
    ServeSettings settings = settings("access:\n  htpasswd: " + users + "\n");

    AccessControl access = accessFlags().build(settings.access(), UPSTREAMS, Ticker.systemTicker());

    assertThat(access).isNotSameAs(AccessControl.OPEN);
    assertThat(access.authenticate("127.0.0.1", Optional.empty())).isCompletedExceptionally();
  }

  @Test
  void nothingInTheFileNorTheFlags_isOpen() throws IOException {
    ServeSettings settings = settings("listen: 127.0.0.1:0\n");

    assertThat(accessFlags().build(settings.access(), UPSTREAMS, Ticker.systemTicker()))
        .isSameAs(AccessControl.OPEN);
  }
}
