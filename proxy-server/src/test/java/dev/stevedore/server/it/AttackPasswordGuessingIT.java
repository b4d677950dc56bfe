package dev.stevedore.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.server.it.support.HtpasswdFile;
import dev.stevedore.server.it.support.InProcessStevedore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: guess a {@code --htpasswd} password many times at once from one address, so that the
 * guesses are all in flight before the first one has failed. Each guess must count from when its
 * check starts: exactly the free failures (5) are checked with bcrypt and answered {@code 401}, the
 * rest are answered {@code 429} with {@code Retry-After} and cost nothing. The backoff's clock is
 * frozen, so the first wait (1 s) never ends during the test, however slow the machine: a guess
 * checked after it would be a fair sixth check, not a bypass.
 */
class AttackPasswordGuessingIT {
  private static final int GUESSES = 100;
  private static final int FREE_FAILURES = 5;

  @TempDir Path work;
  private InProcessStevedore proxy;

  @BeforeEach
  void start() throws Exception {
    Path htpasswd = HtpasswdFile.write(work.resolve("htpasswd"), "bob", "the real password");
    proxy =
        InProcessStevedore.on(work.resolve("data"))
            .upstream("docker.io", URI.create("http://127.0.0.1:9")) // never reached: all refused
            .flag("--htpasswd", htpasswd.toString())
            .ticker(() -> 0L)
            .start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void hundredConcurrentWrongPasswords_atMostFreeFailuresAreChecked() throws Exception {
    URI uri = proxy.uri();
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < GUESSES; i++) {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(30_000);
        sockets.add(socket);
      }
      // Every guess is on the wire before any answer is read: all of them are in flight at once.
      for (int i = 0; i < GUESSES; i++) {
        String credentials =
            Base64.getEncoder().encodeToString(("bob:guess-" + i).getBytes(StandardCharsets.UTF_8));
        String request =
            "GET /v2/ HTTP/1.1\r\nHost: "
                + uri.getAuthority()
                + "\r\nAuthorization: Basic "
                + credentials
                + "\r\nConnection: close\r\n\r\n";
        sockets.get(i).getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        sockets.get(i).getOutputStream().flush();
      }
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (Socket socket : sockets) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String statusLine = in.readLine();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        statuses.merge(status, 1, Integer::sum);
        if (status == 429) {
          assertThat(headersOf(in)).anyMatch(line -> line.toLowerCase().startsWith("retry-after:"));
        }
      }

      assertThat(statuses)
          .as("statuses: 401 for a guess checked with bcrypt, 429 for one refused unchecked")
          .isEqualTo(Map.of(401, FREE_FAILURES, 429, GUESSES - FREE_FAILURES));
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  private static List<String> headersOf(BufferedReader in) throws Exception {
    List<String> headers = new ArrayList<>();
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      headers.add(line);
    }
    return headers;
  }
}
