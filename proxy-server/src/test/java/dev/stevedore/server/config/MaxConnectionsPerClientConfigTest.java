package dev.stevedore.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --max-connections-per-client} and the file key of the same name. */
class MaxConnectionsPerClientConfigTest {
  @TempDir Path dir;

  private static ServeSettings resolve(Optional<Path> file, Optional<Integer> flag) {
    return ServeSettingsResolver.resolve(
        new ServeSettingsResolver.Flags(
            file,
            Optional.empty(),
            Optional.empty(),
            List.of(),
            Optional.empty(),
            Optional.empty(),
            false,
            Optional.empty(),
            flag),
        Map.of());
  }

  private Optional<Path> file(String yaml) throws IOException {
    return Optional.of(Files.writeString(dir.resolve("stevedore.yml"), yaml));
  }

  @Test
  void default_is256() {
    assertThat(resolve(Optional.empty(), Optional.empty()).maxConnectionsPerClient())
        .isEqualTo(ServeSettingsResolver.DEFAULT_MAX_CONNECTIONS_PER_CLIENT)
        .isEqualTo(256);
  }

  @Test
  void fileKey_setsIt_andTheFlagOverridesTheFile() throws IOException {
    Optional<Path> file = file("max-connections-per-client: 64\n");

    assertThat(resolve(file, Optional.empty()).maxConnectionsPerClient()).isEqualTo(64);
    assertThat(resolve(file, Optional.of(1000)).maxConnectionsPerClient()).isEqualTo(1000);
  }

  @Test
  void belowOne_isAConfigError() throws IOException {
    assertThatThrownBy(() -> resolve(Optional.empty(), Optional.of(0)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("max-connections-per-client must be at least 1: 0");
    Optional<Path> file = file("max-connections-per-client: -5\n");
    assertThatThrownBy(() -> resolve(file, Optional.empty()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max-connections-per-client");
  }
}
