package dev.stevedore.server.it.support;

import dev.stevedore.server.ServerOptions;
import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.config.ServeSettings;
import dev.stevedore.server.config.ServeSettingsResolver;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Stevedore started in-process as {@code serve --listen 127.0.0.1:0} would start it: an ephemeral
 * port, no config file, no environment; every other flag is empty unless set on the {@link
 * Builder}. Closing stops it (again is a no-op).
 */
public final class InProcessStevedore implements AutoCloseable {
  private final StevedoreProxy proxy;
  private final URI uri;

  private InProcessStevedore(StevedoreProxy proxy, String scheme) {
    this.proxy = proxy;
    this.uri = URI.create(scheme + "://127.0.0.1:" + proxy.address().getPort());
  }

  /** A Stevedore keeping its cache in {@code dataDir} ({@code --data}). */
  public static Builder on(Path dataDir) {
    return new Builder(dataDir);
  }

  /** {@code http://127.0.0.1:PORT}, or {@code https://…} when started with TLS. */
  public URI uri() {
    return uri;
  }

  public StevedoreProxy proxy() {
    return proxy;
  }

  @Override
  public void close() {
    proxy.close();
  }

  /** The {@code serve} flags of one start; each setter is the flag of the same name. */
  public static final class Builder {
    private final Path dataDir;
    private final List<String> upstreams = new ArrayList<>();
    private Optional<Path> configFile = Optional.empty();
    private Optional<Path> credentialsFile = Optional.empty();
    private Optional<String> tagTtl = Optional.empty();
    private boolean offline;
    private Optional<String> maxCacheSize = Optional.empty();
    private Optional<Integer> maxConnectionsPerClient = Optional.empty();
    private Function<ServeSettings, ServerOptions> options = settings -> ServerOptions.PLAIN;

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** {@code --config FILE}: a YAML config file, under the other settings of this builder. */
    public Builder configFile(Path file) {
      this.configFile = Optional.of(file);
      return this;
    }

    /** {@code --upstream name=url}; repeatable, in order. */
    public Builder upstream(String name, URI url) {
      upstreams.add(name + "=" + url);
      return this;
    }

    public Builder credentialsFile(Optional<Path> file) {
      this.credentialsFile = Objects.requireNonNull(file, "file");
      return this;
    }

    public Builder tagTtl(String ttl) {
      this.tagTtl = Optional.of(ttl);
      return this;
    }

    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    public Builder maxCacheSize(String size) {
      this.maxCacheSize = Optional.of(size);
      return this;
    }

    public Builder maxConnectionsPerClient(int max) {
      this.maxConnectionsPerClient = Optional.of(max);
      return this;
    }

    /** How the server faces clients (TLS, access); {@link ServerOptions#PLAIN} unless set. */
    public Builder options(ServerOptions options) {
      Objects.requireNonNull(options, "options");
      return options(settings -> options);
    }

    /**
     * Like {@link #options(ServerOptions)}, from the resolved settings (TLS reads the data dir).
     */
    public Builder options(Function<ServeSettings, ServerOptions> options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    public InProcessStevedore start() throws Exception {
      ServeSettings settings =
          ServeSettingsResolver.resolve(
              new ServeSettingsResolver.Flags(
                  configFile,
                  Optional.of("127.0.0.1:0"),
                  Optional.of(dataDir),
                  List.copyOf(upstreams),
                  credentialsFile,
                  tagTtl,
                  offline,
                  maxCacheSize,
                  maxConnectionsPerClient),
              Map.of());
      ServerOptions server = options.apply(settings);
      return new InProcessStevedore(
          StevedoreProxy.start(settings, server), server.tls().isPresent() ? "https" : "http");
    }
  }
}
