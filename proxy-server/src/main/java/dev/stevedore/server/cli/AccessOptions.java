package dev.stevedore.server.cli;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.server.auth.AccessControl;
import dev.stevedore.server.auth.AllowList;
import dev.stevedore.server.auth.ClientAccessControl;
import dev.stevedore.server.auth.Htpasswd;
import dev.stevedore.server.auth.RepositoryPattern;
import dev.stevedore.server.config.AccessSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code serve}'s client access options: who may use the proxy and what they may pull. */
public final class AccessOptions {
  /**
   * Looked up when first used, not when picocli builds the command line: every command builds this
   * mixin, and the first logger starts logback (420 classes, about 0.2 CPU-seconds), which {@code
   * --help} and the CLI commands do not need.
   */
  private static Logger log() {
    return LoggerFactory.getLogger(AccessOptions.class);
  }

  @Option(
      names = "--htpasswd",
      paramLabel = "FILE",
      description =
          "Clients must sign in (HTTP Basic) as a user of this file; bcrypt entries only, as"
              + " 'htpasswd -B' writes them (default: no sign-in).")
  Path htpasswd;

  @Option(
      names = "--allow",
      paramLabel = "PATTERN",
      description =
          "Only repositories matching a pattern may be pulled, repeatable. A glob on"
              + " registry/repository: * is one path component, ** anything including /, e.g."
              + " docker.io/library/* or ghcr.io/myorg/** (default: everything).")
  List<String> allow = new ArrayList<>();

  /**
   * The access control of these options over the config file's {@code access:} section ({@code
   * --htpasswd} replaces its file, any {@code --allow} its list); {@link AccessControl#OPEN} when
   * neither asks for anything. {@code ticker} times the sign-in backoff. Throws a {@link
   * dev.stevedore.server.config.ConfigException} on a bad file or pattern.
   */
  public AccessControl build(AccessSettings fromFile, Set<String> upstreams, Ticker ticker) {
    AllowList allowList = AllowList.parse(allow.isEmpty() ? fromFile.allow() : allow);
    Optional<Path> htpasswdFile = Optional.ofNullable(htpasswd).or(fromFile::htpasswd);
    Optional<Htpasswd> users = htpasswdFile.map(Htpasswd::read);
    if (users.isEmpty() && allowList.allowsEverything()) {
      return AccessControl.OPEN;
    }
    users.ifPresent(
        file ->
            log().info("clients must sign in: {} users in {}", file.size(), htpasswdFile.get()));
    if (!allowList.allowsEverything()) {
      log().info("clients may pull only {}", allowList.patterns());
      warnAboutUnknownRegistries(allowList, upstreams);
    }
    return ClientAccessControl.of(users, allowList, ticker);
  }

  private static void warnAboutUnknownRegistries(AllowList allowList, Set<String> upstreams) {
    Set<String> known =
        Set.copyOf(upstreams.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList());
    for (RepositoryPattern pattern : allowList.patterns()) {
      String registry = pattern.glob().split("/", 2)[0];
      if (!registry.contains("*") && !known.contains(registry)) {
        log()
            .warn(
                "allowed pattern {} names registry {}, which is no configured upstream ({})",
                pattern.glob(),
                registry,
                known);
      }
    }
  }
}
