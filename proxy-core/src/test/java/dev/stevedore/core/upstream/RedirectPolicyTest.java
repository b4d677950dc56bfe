package dev.stevedore.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class RedirectPolicyTest {

  private static final URI PUBLIC_UPSTREAM = URI.create("https://registry.example");
  private static final URI LOOPBACK_UPSTREAM = URI.create("http://127.0.0.1:5001");
  private static final URI PRIVATE_UPSTREAM = URI.create("http://harbor.lan");

  private final List<String> lookedUp = new ArrayList<>();
  private final Map<String, List<String>> dns =
      Map.of(
          "registry.example", List.of("93.184.216.34"),
          "harbor.lan", List.of("10.1.2.3"),
          "cdn.example", List.of("104.16.0.1", "2606:4700::1"),
          "rebind.example", List.of("104.16.0.1", "169.254.169.254"),
          "inside.example", List.of("104.16.0.2", "192.168.1.10"),
          "localhost", List.of("127.0.0.1", "::1"));

  private final RedirectPolicy policy =
      new RedirectPolicy(
          host -> {
            lookedUp.add(host);
            List<String> answers = dns.get(host);
            if (answers == null && !Character.isDigit(host.charAt(0)) && host.indexOf(':') < 0) {
              throw new UnknownHostException(host);
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (String answer : answers == null ? List.of(host) : answers) {
              addresses.add(InetAddress.getByName(answer)); // literals only: no DNS
            }
            return addresses;
          },
          Runnable::run);

  private boolean allowed(URI upstream, String target) {
    return policy.refusal(upstream, URI.create(target)).isEmpty();
  }

  @Test
  void publicUpstream_mayRedirectToPublicHosts() {
    assertThat(allowed(PUBLIC_UPSTREAM, "https://cdn.example/blob?sig=x")).isTrue();
    assertThat(allowed(PUBLIC_UPSTREAM, "https://8.8.8.8/x")).isTrue();
  }

  @Test
  void publicUpstream_mayNotRedirectInside() {
    for (String target :
        List.of(
            "http://127.0.0.1/",
            "http://127.1.2.3:8080/",
            "http://localhost/",
            "http://[::1]/",
            "http://0.0.0.0:5000/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://inside.example/")) {
      assertThat(allowed(PUBLIC_UPSTREAM, target)).as(target).isFalse();
    }
    assertThat(allowed(PUBLIC_UPSTREAM, "http://100.128.0.1/")).as("outside 100.64/10").isTrue();
  }

  @Test
  void linkLocal_isRefusedFromAnyUpstream() {
    for (URI upstream : List.of(PUBLIC_UPSTREAM, PRIVATE_UPSTREAM, LOOPBACK_UPSTREAM)) {
      assertThat(allowed(upstream, "http://169.254.169.254/latest/meta-data/")).isFalse();
      assertThat(allowed(upstream, "http://[fe80::1]/")).isFalse();
      assertThat(allowed(upstream, "http://rebind.example/")).as("any address counts").isFalse();
    }
  }

  @Test
  void privateUpstream_mayRedirectToPrivateButNotLoopback() {
    assertThat(allowed(PRIVATE_UPSTREAM, "http://10.9.9.9:9000/bucket")).isTrue();
    assertThat(allowed(PRIVATE_UPSTREAM, "https://cdn.example/")).isTrue();
    assertThat(allowed(PRIVATE_UPSTREAM, "http://127.0.0.1/")).isFalse();
  }

  @Test
  void loopbackUpstream_mayRedirectToLoopback() {
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.1:5002/cdn")).isTrue();
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://10.0.0.1/")).isTrue();
  }

  @Test
  void stevedoresOwnAddress_isRefusedEvenFromLoopback() {
    policy.listeningOn(new InetSocketAddress("127.0.0.1", 5000));

    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.1:5000/v2/x/blobs/y")).isFalse();
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://localhost:5000/")).isFalse();
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.1:5001/")).isTrue();
  }

  @Test
  void wildcardListenAddress_refusesEveryLocalAddressOnThePort() {
    policy.listeningOn(new InetSocketAddress("0.0.0.0", 5000));

    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.5:5000/")).isFalse();
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://[::1]:5000/")).isFalse();
    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.5:5003/")).isTrue();
  }

  @Test
  void defaultPort_isTheSchemes() {
    policy.listeningOn(new InetSocketAddress("127.0.0.1", 80));

    assertThat(allowed(LOOPBACK_UPSTREAM, "http://127.0.0.1/")).isFalse();
    assertThat(allowed(LOOPBACK_UPSTREAM, "https://127.0.0.1/")).isTrue();
  }

  @Test
  void check_failsWithAProtocolErrorNamingOnlyTheHost() {
    assertThatThrownBy(
            () ->
                policy
                    .check(
                        "evil.io",
                        PUBLIC_UPSTREAM,
                        URI.create("http://169.254.169.254/latest?X-Amz-Signature=secret"))
                    .join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(UpstreamProtocolException.class)
        .hasMessageContaining("http://169.254.169.254:80")
        .hasMessageNotContaining("secret");
  }

  @Test
  void check_resolvesOnTheGivenExecutor() {
    List<Runnable> queued = new ArrayList<>();
    RedirectPolicy deferred =
        new RedirectPolicy(host -> List.of(InetAddress.getByName("93.184.216.34")), queued::add);

    var verdict = deferred.check("docker.io", PUBLIC_UPSTREAM, URI.create("https://cdn.example/"));

    assertThat(verdict).isNotDone();
    queued.forEach(Runnable::run);
    assertThat(verdict).isCompleted();
  }
}
