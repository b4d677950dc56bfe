package dev.stevedore.core.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.json.Json;
import dev.stevedore.storage.text.Printable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads registry credentials from a Docker {@code config.json}: the {@code auths} map, each entry
 * holding either a base64 {@code auth} ({@code user:password}) or {@code username} and {@code
 * password}. Entries with neither (credential helpers, identity tokens) are skipped.
 */
public final class DockerConfigCredentials {

  /** The name {@link #lookup} takes for Docker Hub. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Set<String> DOCKER_HUB_HOSTS =
      Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

  private DockerConfigCredentials() {}

  /**
   * Loads the {@code auths} of a Docker config file, keyed as written in the file.
   *
   * @throws IllegalArgumentException with a one-line message naming the file and the problem
   */
  public static Map<String, Credentials> load(Path file) {
    Objects.requireNonNull(file, "file");
    JsonNode root = parse(file, read(file));
    if (!root.isObject()) {
      throw problem(file, "top level is not a JSON object");
    }
    JsonNode auths = root.path("auths");
    if (auths.isMissingNode() || auths.isNull()) {
      return Map.of();
    }
    if (!auths.isObject()) {
      throw problem(file, "\"auths\" is not a JSON object");
    }
    Map<String, Credentials> result = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      entryCredentials(file, entry.getKey(), entry.getValue())
          .ifPresent(credentials -> result.put(entry.getKey(), credentials));
    }
    return Collections.unmodifiableMap(result);
  }

  /**
   * Finds the credentials for {@code registry} ({@code docker.io}, {@code ghcr.io}, {@code
   * host:port}). Keys match by host[:port] after dropping any scheme and path; every Docker Hub
   * alias ({@code https://index.docker.io/v1/}, {@code registry-1.docker.io}, …) means {@code
   * docker.io}. An exact key match wins over a normalized one.
   */
  public static Optional<Credentials> lookup(Map<String, Credentials> auths, String registry) {
    Objects.requireNonNull(auths, "auths");
    Objects.requireNonNull(registry, "registry");
    Credentials exact = auths.get(registry);
    if (exact != null) {
      return Optional.of(exact);
    }
    String wanted = normalize(registry);
    return auths.entrySet().stream()
        .filter(entry -> normalize(entry.getKey()).equals(wanted))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /** Host[:port] of a config key or registry name, lowercased; Docker Hub aliases → docker.io. */
  static String normalize(String key) {
    String rest = key.strip();
    int scheme = rest.indexOf("://");
    if (scheme >= 0) {
      rest = rest.substring(scheme + 3);
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      rest = rest.substring(0, slash);
    }
    String host = rest.toLowerCase(Locale.ROOT);
    return DOCKER_HUB_HOSTS.contains(host) ? DOCKER_HUB : host;
  }

  private static Optional<Credentials> entryCredentials(Path file, String key, JsonNode entry) {
    if (!entry.isObject()) {
      throw problem(file, "auths entry \"" + oneLine(key) + "\" is not a JSON object");
    }
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      return Optional.of(fromAuth(file, key, auth));
    }
    String username = entry.path("username").asText("");
    JsonNode password = entry.path("password");
    if (username.isEmpty() || !password.isTextual()) {
      return Optional.empty();
    }
    return Optional.of(credentials(file, key, username, password.asText()));
  }

  private static Credentials fromAuth(Path file, String key, String auth) {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw problem(
          file, "auths entry \"" + oneLine(key) + "\" has an \"auth\" that is not base64");
    }
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw problem(
          file, "auths entry \"" + oneLine(key) + "\" has an \"auth\" without ':' (user:password)");
    }
    return credentials(file, key, pair.substring(0, colon), pair.substring(colon + 1));
  }

  private static Credentials credentials(Path file, String key, String username, String password) {
    try {
      return new Credentials(username, password);
    } catch (IllegalArgumentException e) {
      throw problem(file, "auths entry \"" + oneLine(key) + "\": " + e.getMessage());
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException | SecurityException e) {
      throw problem(file, "unreadable (" + describe(e) + ")");
    }
  }

  private static JsonNode parse(Path file, byte[] content) {
    try {
      JsonNode root = Json.MAPPER.readTree(content);
      if (root == null || root.isMissingNode()) {
        throw problem(file, "empty, not JSON");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw problem(file, "not JSON (" + oneLine(e.getOriginalMessage()) + ")");
    } catch (IOException e) {
      throw problem(file, "unreadable (" + describe(e) + ")");
    }
  }

  private static IllegalArgumentException problem(Path file, String problem) {
    return new IllegalArgumentException("Docker config " + file + ": " + problem);
  }

  private static String describe(Exception e) {
    return e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage()));
  }

  private static String oneLine(String text) {
    return Printable.oneLine(text, 200);
  }
}
