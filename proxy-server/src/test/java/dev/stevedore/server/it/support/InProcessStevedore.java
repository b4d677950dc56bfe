package dev.stevedore.server.it.support;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.stevedore.server.StevedoreProxy;
import dev.stevedore.server.TimeSource;
import dev.stevedore.server.cli.ServeCommand;
import dev.stevedore.server.cli.StevedoreCommand;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Stevedore started in-process by the real {@code stevedore serve} command: the arguments a user
 * would type, {@code serve --listen 127.0.0.1:0 --data DIR} and the flags set on the {@link
 * Builder}, parsed by {@link StevedoreCommand#commandLine()} and started by {@link
 * ServeCommand#start} — what {@code main} runs, minus waiting for shutdown and exiting. The
 * environment is empty (no {@code STEVEDORE_*} variable of the test JVM leaks in). Closing stops it
 * (again is a no-op).
 */
public final class InProcessStevedore implements AutoCloseable {
  private final StevedoreProxy proxy;
  private final List<String> commandLine;
  private final URI uri;

  private InProcessStevedore(StevedoreProxy proxy, List<String> commandLine) {
    this.proxy = proxy;
    this.commandLine = commandLine;
    this.uri =
        URI.create((proxy.tls() ? "https" : "http") + "://127.0.0.1:" + proxy.address().getPort());
  }

  /** A Stevedore keeping its cache in {@code dataDir} ({@code --data}). */
  public static Builder on(Path dataDir) {
    return new Builder(dataDir);
  }

  /** {@code http://127.0.0.1:PORT}, or {@code https://…} when {@code serve} chose TLS. */
  public URI uri() {
    return uri;
  }

  public StevedoreProxy proxy() {
    return proxy;
  }

  /** The arguments it was started with, {@code serve} first. */
  public List<String> commandLine() {
    return commandLine;
  }

  @Override
  public void close() {
    proxy.close();
  }

  /** The {@code serve} flags of one start; each method adds the flag of the same name. */
  public static final class Builder {
    private final List<String> args = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();

    private Builder(Path dataDir) {
      Objects.requireNonNull(dataDir, "dataDir");
      flag("--listen", "127.0.0.1:0", "--data", dataDir.toString());
    }

    /** Any flags, as typed after {@code serve}: {@code flag("--allow", "docker.io/library/*")}. */
    public Builder flag(String... flags) {
      args.addAll(Arrays.asList(flags));
      return this;
    }

    /** {@code --config FILE}: a YAML config file; the other flags override it. */
    public Builder configFile(Path file) {
      return flag("--config", file.toString());
    }

    /** {@code --upstream name=url}; repeatable, in order. */
    public Builder upstream(String name, URI url) {
      return flag("--upstream", name + "=" + url);
    }

    /** {@code --credentials-file FILE} when present. */
    public Builder credentialsFile(Optional<Path> file) {
      file.ifPresent(path -> flag("--credentials-file", path.toString()));
      return this;
    }

    public Builder tagTtl(String ttl) {
      return flag("--tag-ttl", ttl);
    }

    /** {@code --offline} when {@code offline}. */
    public Builder offline(boolean offline) {
      return offline ? flag("--offline") : this;
    }

    public Builder maxCacheSize(String size) {
      return flag("--max-cache-size", size);
    }

    public Builder maxConnectionsPerClient(int max) {
      return flag("--max-connections-per-client", Integer.toString(max));
    }

    /**
     * The elapsed time of the sign-in backoff and the stall detection (not a flag: {@link
     * ServeCommand.Surroundings}), so a test drives them instead of sleeping through them; the
     * system ticker unless set.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The wall time of tag TTLs (not a flag: {@link ServeCommand.Surroundings}), so a test moves
     * past a TTL instead of sleeping through it; the system clock unless set.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Parses {@code serve} and these flags as {@code stevedore} does and starts it.
     *
     * @throws CommandLine.ParameterException on a flag {@code serve} does not take
     * @throws dev.stevedore.server.config.ConfigException on a bad value or file
     */
    public InProcessStevedore start() throws Exception {
      List<String> commandLine = new ArrayList<>();
      commandLine.add("serve");
      commandLine.addAll(args);
      CommandLine.ParseResult parsed =
          StevedoreCommand.commandLine().parseArgs(commandLine.toArray(String[]::new));
      Object command = parsed.subcommand().commandSpec().userObject();
      StevedoreProxy proxy =
          ((ServeCommand) command)
              .start(new ServeCommand.Surroundings(Map.of(), new TimeSource(clock, ticker)));
      return new InProcessStevedore(proxy, List.copyOf(commandLine));
    }
  }
}
