package dev.stevedore.server.cli;

import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.config.ConfigException;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stevedore serve}: runs the caching proxy until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve the registry pull API, caching what it fetches from the upstreams.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file; flags override it.")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default: 0.0.0.0:5000).")
  String listen;

  @Option(names = "--data", paramLabel = "DIR", description = "Cache directory (default: ./stevedore-data).")
  Path data;

  @Option(
      names = "--upstream",
      paramLabel = "NAME=URL",
      description = "An upstream registry, repeatable (default: docker.io=https://registry-1.docker.io).")
  List<String> upstreams = new ArrayList<>();

  @Option(
      names = "--credentials-file",
      paramLabel = "DOCKER_CONFIG_JSON",
      description = "Docker config.json whose 'auths' hold upstream credentials.")
  Path credentialsFile;

  @Option(
      names = "--tag-ttl",
      paramLabel = "DURATION",
      description = "How long a tag is served without asking upstream, e.g. 30s, 5m, 1h (default: 5m).")
  String tagTtl;

  @Option(
      names = "--offline",
      description = "Serve only what is cached; never contact an upstream (a miss is a 404).")
  boolean offline;

  @Override
  public Integer call() throws Exception {
    ServeSettings settings =
        ServeSettingsResolver.resolve(
            new ServeSettingsResolver.Flags(
                Optional.ofNullable(config),
                Optional.ofNullable(listen),
                Optional.ofNullable(data),
                upstreams,
                Optional.ofNullable(credentialsFile),
                Optional.ofNullable(tagTtl),
                offline),
            System.getenv());
    try (StevedoreProxy proxy = StevedoreProxy.start(settings)) {
      Runtime.getRuntime().addShutdownHook(new Thread(proxy::close, "stevedore-shutdown"));
      proxy.awaitClose();
    } catch (java.net.SocketException | java.nio.channels.UnresolvedAddressException e) {
      String why = e.getMessage() == null ? "unresolvable address" : e.getMessage();
      throw new ConfigException("cannot listen on " + settings.listen() + ": " + why);
    }
    return 0;
  }
}
