package dev.stevedore.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.server.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepositoryPatternTest {

  private static boolean matches(String glob, String registry, String repository) {
    return RepositoryPattern.parse(glob).matches(registry, RepositoryName.parse(repository));
  }

  @ParameterizedTest(name = "{0} matches {1}/{2}: {3}")
  @CsvSource({
    "docker.io/library/*, docker.io, library/alpine, true",
    "docker.io/library/*, docker.io, alpine, true",
    "docker.io/library/*, docker.io, library/a/b, false",
    "docker.io/library/*, docker.io, bitnami/redis, false",
    "docker.io/library/*, ghcr.io, library/alpine, false",
    "docker.io/library/alp*, docker.io, alpine, true",
    "docker.io/library/alp*, docker.io, busybox, false",
    "docker.io/*, docker.io, alpine, true",
    "docker.io/*, docker.io, bitnami/redis, false",
    "docker.io/alpine, docker.io, alpine, true",
    "docker.io/alpine, docker.io, library/alpine, true",
    "docker.io/alpine, docker.io, library/alpine2, false",
    "docker.io/**, docker.io, bitnami/redis, true",
    "docker.io/**, docker.io, alpine, true",
    "docker.io/*/*, docker.io, bitnami/redis, true",
    "docker.io/*/*, docker.io, alpine, true",
    "ghcr.io/myorg/**, ghcr.io, myorg/app, true",
    "ghcr.io/myorg/**, ghcr.io, myorg/team/app, true",
    "ghcr.io/myorg/**, ghcr.io, myorg, false",
    "ghcr.io/myorg/**, ghcr.io, myorganisation/app, false",
    "ghcr.io/myorg/**, ghcr.io, other/myorg/app, false",
    "ghcr.io/myorg/*, ghcr.io, myorg/team/app, false",
    "ghcr.io/myorg*/**, ghcr.io, myorg-infra/app, true",
    "**, quay.io, anything/at/all, true",
    "*/library/*, quay.io, library/x, true",
    "*/library/*, docker.io, alpine, true",
    "**/app, ghcr.io, a/b/app, true",
    "**/app, ghcr.io, a/b/apps, false",
    "GHCR.io/MyOrg/**, ghcr.io, myorg/app, true",
    "ghcr.io/myorg/**, GHCR.IO, myorg/app, true",
    "127.0.0.1:5001/team/*, 127.0.0.1:5001, team/app, true",
    "127.0.0.1:5001/team/*, 127.0.0.1x5001, team/app, false",
    "registry.k8s.io/pause, registry.k8s.io, pause, true",
    "registry.k8s.io/pause, registry.k8s.io, library/pause, false",
  })
  void globs(String glob, String registry, String repository, boolean expected) {
    assertThat(matches(glob, registry, repository)).isEqualTo(expected);
  }

  @Test
  void dotsAreLiteral() {
    assertThat(matches("docker.io/**", "dockerxio", "x/y")).isFalse();
  }

  @Test
  void dockerHubPatterns_areNormalisedLikeNames() {
    assertThat(RepositoryPattern.parse("docker.io/*").glob()).isEqualTo("docker.io/library/*");
    assertThat(RepositoryPattern.parse("docker.io/alpine").glob())
        .isEqualTo("docker.io/library/alpine");
    assertThat(RepositoryPattern.parse("docker.io/**").glob()).isEqualTo("docker.io/**");
    assertThat(RepositoryPattern.parse("ghcr.io/x").glob()).isEqualTo("ghcr.io/x");
  }

  @Test
  void invalidPatterns_areConfigErrorsNamingThem() {
    for (String bad :
        List.of(
            "",
            "  ",
            "docker.io",
            "docker.io/lib rary/*",
            "a/***",
            "/x",
            "x/",
            "a//b",
            "docker.io/library/[ab]*",
            "docker.io/library/alpine?")) {
      assertThatThrownBy(() -> RepositoryPattern.parse(bad))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("invalid --allow pattern '" + bad + "'");
    }
    assertThatThrownBy(() -> RepositoryPattern.parse("ghcr.io"))
        .hasMessage(
            "invalid --allow pattern 'ghcr.io': it names no repository; write ghcr.io/** to"
                + " allow everything from ghcr.io");
  }

  @Test
  void allowList_emptyAllowsEverything_otherwiseAnyPattern() {
    RepositoryName redis = RepositoryName.parse("bitnami/redis");
    assertThat(AllowList.EVERYTHING.allows("docker.io", redis)).isTrue();
    assertThat(AllowList.parse(List.of()).allowsEverything()).isTrue();

    AllowList list = AllowList.parse(List.of("docker.io/library/*", "ghcr.io/myorg/**"));

    assertThat(list.allows("docker.io", RepositoryName.parse("alpine"))).isTrue();
    assertThat(list.allows("ghcr.io", RepositoryName.parse("myorg/a/b"))).isTrue();
    assertThat(list.allows("docker.io", redis)).isFalse();
    assertThat(list.allows("quay.io", RepositoryName.parse("myorg/a"))).isFalse();
  }
}
