package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {

  @TempDir Path dir;

  private Path write(String json) throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return file;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void load_base64AuthAndUsernamePassword_bothRead() throws IOException {
    Path file =
        write(
            "{\"auths\": {"
                + "\"https://index.docker.io/v1/\": {\"auth\": \""
                + base64("alice:s3cr:et")
                + "\"},"
                + "\"ghcr.io\": {\"username\": \"bob\", \"password\": \"pw\"},"
                + "\"quay.io\": {}"
                + "}, \"credsStore\": \"desktop\"}");

    Map<String, Credentials> auths = DockerConfigCredentials.load(file);

    assertThat(auths)
        .containsOnly(
            Map.entry("https://index.docker.io/v1/", new Credentials("alice", "s3cr:et")),
            Map.entry("ghcr.io", new Credentials("bob", "pw")));
  }

  @Test
  void load_noAuths_isEmpty() throws IOException {
    assertThat(DockerConfigCredentials.load(write("{\"credsStore\": \"x\"}"))).isEmpty();
  }

  @Test
  void lookup_dockerHubAliases_allMeanDockerIo() {
    Credentials credentials = new Credentials("alice", "pw");
    for (String key :
        new String[] {
          "https://index.docker.io/v1/",
          "index.docker.io",
          "docker.io",
          "registry-1.docker.io",
          "https://registry-1.docker.io/v2/",
          "http://docker.io"
        }) {
      assertThat(DockerConfigCredentials.lookup(Map.of(key, credentials), "docker.io"))
          .as(key)
          .contains(credentials);
    }
  }

  @Test
  void lookup_otherRegistries_matchByHostAndPort() {
    Credentials ghcr = new Credentials("g", "1");
    Credentials local = new Credentials("l", "2");
    Map<String, Credentials> auths =
        Map.of("https://ghcr.io/v2/", ghcr, "http://127.0.0.1:5001", local);

    assertThat(DockerConfigCredentials.lookup(auths, "ghcr.io")).contains(ghcr);
    assertThat(DockerConfigCredentials.lookup(auths, "GHCR.io")).contains(ghcr);
    assertThat(DockerConfigCredentials.lookup(auths, "127.0.0.1:5001")).contains(local);
    assertThat(DockerConfigCredentials.lookup(auths, "127.0.0.1")).isEmpty();
    assertThat(DockerConfigCredentials.lookup(auths, "docker.io")).isEmpty();
  }

  @Test
  void load_missingFile_oneLineMessageNamingFile() {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> DockerConfigCredentials.load(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("unreadable")
        .hasMessageNotContaining("\n");
  }

  @Test
  void load_notJson_oneLineMessage() throws IOException {
    Path file = write("{\"auths\": {\n  oops\n}");

    assertThatThrownBy(() -> DockerConfigCredentials.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not JSON")
        .hasMessageNotContaining("\n");
  }

  @Test
  void load_badBase64_oneLineMessage() throws IOException {
    Path file = write("{\"auths\": {\"ghcr.io\": {\"auth\": \"!!!not base64!!!\"}}}");

    assertThatThrownBy(() -> DockerConfigCredentials.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("ghcr.io")
        .hasMessageContaining("base64")
        .hasMessageNotContaining("\n");
  }

  @Test
  void load_authWithoutColon_oneLineMessageWithoutSecret() throws IOException {
    Path file = write("{\"auths\": {\"ghcr.io\": {\"auth\": \"" + base64("justatoken") + "\"}}}");

    assertThatThrownBy(() -> DockerConfigCredentials.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("':'")
        .hasMessageNotContaining("justatoken")
        .hasMessageNotContaining("\n");
  }

  @Test
  void load_authsNotAnObject_oneLineMessage() throws IOException {
    Path file = write("{\"auths\": []}");

    assertThatThrownBy(() -> DockerConfigCredentials.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("\n");
  }

  @Test
  void credentials_toStringHidesPassword_basicAuthorizationEncodes() {
    Credentials credentials = new Credentials("alice", "hunter2");

    assertThat(credentials.toString()).contains("alice").doesNotContain("hunter2");
    assertThat(credentials.basicAuthorization()).isEqualTo("Basic " + base64("alice:hunter2"));
    assertThat(
            UpstreamConfig.of("docker.io", java.net.URI.create("https://registry-1.docker.io"))
                .withCredentials(credentials)
                .toString())
        .doesNotContain("hunter2");
  }
}
