package dev.stevedore.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs Stevedore's node setup scripts ({@code GET /setup/<kind>}) the way a node does, but with
 * {@code --root DIR} so that everything lands under a test directory: either fetched with the JDK
 * client and piped into {@code sh -s -- --root DIR}, or as the exact one-liner {@code GET /setup/}
 * prints, with its {@code | sudo sh} replaced by {@code | sh -s -- --root DIR}. The scripts run
 * with no HTTP proxy in the environment (their own {@code curl} check must reach loopback) and
 * temporary files under the work directory.
 */
public final class SetupScripts {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String SUDO_SH = " | sudo sh";

  private final Path workDir;

  /** Scripts and their output go in {@code workDir}. */
  public SetupScripts(Path workDir) {
    this.workDir = workDir;
  }

  /** {@code GET URI} with {@code client}; fails unless it answers 200. */
  public static String get(HttpClient client, URI uri) {
    try {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError(
            "GET " + uri + " answered " + response.statusCode() + ":\n" + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during GET " + uri, e);
    }
  }

  /** Runs {@code script} as {@code sh -s -- --root ROOT} (the script on standard input). */
  public ProcessResult run(String script, Path root) {
    return run(script, root, Map.of());
  }

  /**
   * Runs {@code script} as {@code sh -s -- --root ROOT OPTIONS...} with {@code environment} added
   * (a {@code PATH} with a fake {@code systemctl}, say).
   */
  public ProcessResult run(
      String script, Path root, Map<String, String> environment, String... options) {
    Path file = workDir.resolve("setup-" + System.nanoTime() + ".sh");
    try {
      Files.writeString(file, script);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "sh",
            "-c",
            "script=$1; shift; exec sh -s -- \"$@\" < \"$script\"",
            "setup",
            file.toString(),
            "--root",
            root.toString()));
    command.addAll(List.of(options));
    return ProcessResult.runWithTransientLog(
        command,
        workDir,
        TIMEOUT,
        env -> {
          isolate(env);
          env.putAll(environment);
        });
  }

  /**
   * The one-liner for {@code kind} from the index of {@code GET /setup/} (for example {@code curl
   * -fsSL --pinnedpubkey 'sha256//…' -k https://…/setup/podman | sudo sh}), exactly as printed.
   */
  public static String oneLiner(String index, String kind) {
    String marker = "/setup/" + kind + SUDO_SH;
    return index
        .lines()
        .filter(line -> line.endsWith(marker))
        .map(line -> line.substring(line.indexOf("curl ")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no one-liner for " + kind + " in:\n" + index));
  }

  /** Runs {@code oneLiner} in {@code sh -c} with {@code | sudo sh} as {@code | sh -s -- --root}. */
  public ProcessResult runOneLiner(String oneLiner, Path root) {
    if (!oneLiner.endsWith(SUDO_SH)) {
      throw new IllegalArgumentException("not a setup one-liner: " + oneLiner);
    }
    String command =
        oneLiner.substring(0, oneLiner.length() - SUDO_SH.length()) + " | sh -s -- --root \"$1\"";
    return shell(List.of("sh", "-c", command, "setup", root.toString()));
  }

  /** Runs only the {@code curl} of {@code oneLiner}, its download discarded: curl's exit code. */
  public ProcessResult runCurlOf(String oneLiner) {
    if (!oneLiner.endsWith(SUDO_SH)) {
      throw new IllegalArgumentException("not a setup one-liner: " + oneLiner);
    }
    String curl = oneLiner.substring(0, oneLiner.length() - SUDO_SH.length());
    return shell(List.of("sh", "-c", curl + " -o /dev/null"));
  }

  private ProcessResult shell(List<String> command) {
    return ProcessResult.runWithTransientLog(command, workDir, TIMEOUT, this::isolate);
  }

  private void isolate(Map<String, String> environment) {
    environment.keySet().removeIf(name -> name.toLowerCase(Locale.ROOT).endsWith("_proxy"));
    environment.keySet().removeIf(name -> name.startsWith("CURL_"));
    environment.put("TMPDIR", workDir.toString());
    environment.put("HOME", workDir.toString()); // no ~/.curlrc of the machine's user
  }
}
