package dev.stevedore.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.server.it.support.TestPki;
import dev.stevedore.server.it.support.TokenServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The IT harness's {@link TokenServer} as a process of its own, for {@code bench/perf}: there the
 * upstream {@code docker-registry} asks for Docker-Hub-style token auth as in the integration
 * tests, and the Python benchmark has no JWT signer. Docker Hub makes every client (Stevedore, the
 * CNCF distribution proxy) fetch a token before it pulls; without token auth, distribution's proxy
 * pings {@code /v2/} again before each upstream request, which Docker Hub never makes it do.
 *
 * <p>Usage: {@code TokenService DIR}. It generates a fresh signing key ({@link TestPki}), writes
 * its certificate to {@code DIR/token-signer.pem} (the registry's {@code rootcertbundle}), starts
 * the token server on 127.0.0.1 and then writes {@code DIR/token-service.json} (realm, service,
 * issuer, push credentials, certificate path) in one rename, so that a reader sees the whole file
 * or none. It serves until the process is stopped. Its name keeps surefire and failsafe away.
 */
public final class TokenService {
  private TokenService() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: TokenService DIR");
      System.exit(64);
    }
    Path dir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
    TestPki pki = TestPki.generate();
    Path certificate = pki.writeCertificatePem(dir.resolve("token-signer.pem"));
    TokenServer tokens = TokenServer.start(pki);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  tokens.close();
                  stopped.countDown();
                },
                "stop-token-service"));
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("realm", tokens.realm().toString());
    description.put("service", TokenServer.SERVICE);
    description.put("issuer", TokenServer.ISSUER);
    description.put("username", tokens.username());
    description.put("password", tokens.password());
    description.put("rootcertbundle", certificate.toString());
    Path temp = dir.resolve("token-service.json.tmp");
    new ObjectMapper().writeValue(temp.toFile(), description);
    Files.move(temp, dir.resolve("token-service.json"), StandardCopyOption.ATOMIC_MOVE);
    stopped.await();
  }
}
