package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.AccessLogCapture;
import dev.stevedore.server.it.support.InProcessStevedore;
import dev.stevedore.server.it.support.RawHttpConnection;
import dev.stevedore.server.it.support.RawHttpConnection.Response;
import dev.stevedore.server.it.support.StevedoreProcess;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, finding 10 (part): a raw NUL in a request line reached the access log. No control
 * character a client sends may reach a log line: the request is refused and the line shows it
 * escaped.
 */
class AttackLogInjectionIT {
  /** C0 controls but tab and line feed, DEL and the C1 controls. */
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]");

  private static final List<String> HOSTILE_TARGETS =
      List.of(
          "/v2/library/alpine/manifests/3.19\u0000",
          "/v2/a\u001b[2J/manifests/x",
          "/v2/a/manifests/x\rFAKE",
          "/healthz\u0085\u007f");

  @TempDir Path work;

  /** Access-log lines in a process log (the first answers the readiness probe). */
  private static long accessLines(String log) {
    return log.lines().filter(line -> line.contains(" stevedore.access - ")).count();
  }

  private static void sendHostileRequests(URI server) throws Exception {
    for (String target : HOSTILE_TARGETS) {
      try (RawHttpConnection connection = RawHttpConnection.open(server)) {
        Response response = connection.send(RawHttpConnection.get(target)).read();
        assertThat(response.status()).as(target).isBetween(400, 499);
      }
    }
  }

  @Test
  void controlCharactersInTheRequestLine_neverReachTheAccessLog() throws Exception {
    try (InProcessStevedore proxy =
            InProcessStevedore.on(work.resolve("data"))
                .upstream("docker.io", URI.create("http://127.0.0.1:9"))
                .start();
        AccessLogCapture log = new AccessLogCapture()) {
      sendHostileRequests(proxy.uri());

      int expected = HOSTILE_TARGETS.size();
      for (int attempt = 0; attempt < 500 && log.lines().size() < expected; attempt++) {
        Thread.sleep(10);
      }
      assertThat(log.lines()).hasSize(HOSTILE_TARGETS.size());
      assertThat(log.lines()).noneMatch(line -> CONTROL.matcher(line).find());
      // Each line is written when its response is sent, on the connection's event loop: in the
      // order the responses finished, which need not be the order of the requests.
      assertThat(log.lines())
          .anyMatch(
              line -> line.contains("\"GET /v2/library/alpine/manifests/3.19\\x00 HTTP/1.1\""));
    }
  }

  @Test
  void controlCharactersInTheRequestLine_neverReachTheProcessLog() throws Exception {
    Path logFile = work.resolve("stevedore.log");
    try (StevedoreProcess stevedore =
        StevedoreProcess.serve(work.resolve("data"), URI.create("http://127.0.0.1:9"), logFile)) {
      sendHostileRequests(stevedore.uri());

      String log = "";
      int expected = HOSTILE_TARGETS.size() + 1;
      for (int attempt = 0; attempt < 500 && accessLines(log) < expected; attempt++) {
        Thread.sleep(10);
        log = stevedore.log();
      }
      assertThat(accessLines(log)).as(log).isEqualTo(expected);
      assertThat(log).contains("3.19\\x00 HTTP/1.1");
      assertThat(CONTROL.matcher(log).results().map(match -> match.group()).toList())
          .as("raw control characters in the log")
          .isEmpty();
    }
  }
}
