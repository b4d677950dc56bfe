package dev.stevedore.server.config;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads {@link ConfigFile}'s YAML with SnakeYAML's composer alone: the node tree, walked against
 * the keys each section has. No data binding: Jackson's, with its YAML module, was 560 classes and
 * about 10 MiB of every {@code serve --config} (the image, the systemd unit, the DaemonSet; issue
 * 20). A key the section does not have is refused with its line, store credentials with a message
 * of their own; a value of the wrong shape names its key and line.
 */
final class ConfigFileReader {
  private static final Set<String> TOP =
      Set.of(
          "listen",
          "data",
          "tag-ttl",
          "credentials-file",
          "default-upstream",
          "connect-timeout",
          "request-timeout",
          "offline",
          "upstreams",
          "max-cache-size",
          "tls",
          "access",
          "max-connections-per-client",
          "store",
          "cluster");
  private static final Set<String> UPSTREAM =
      Set.of("url", "username", "password", "max-connections", "queue-timeout", "bandwidth");
  private static final Set<String> TLS = Set.of("cert", "key", "self-signed", "san");
  private static final Set<String> ACCESS = Set.of("htpasswd", "allow");
  private static final Set<String> STORE =
      Set.of(
          "url",
          "s3-endpoint",
          "s3-region",
          "s3-public-endpoint",
          "blob-redirect",
          "max-store-size");
  private static final Set<String> CLUSTER = Set.of("secret-file", "advertise");

  private final Path file;

  private ConfigFileReader(Path file) {
    this.file = file;
  }

  /** The configuration {@code text} of {@code file} (named in errors) holds. */
  static ConfigFile read(Path file, String text) {
    return new ConfigFileReader(file).read(text);
  }

  private ConfigFile read(String text) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      root =
          new Composer(
                  new ParserImpl(new StreamReader(new StringReader(text)), options),
                  new Resolver(),
                  options)
              .getSingleNode();
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw invalid(line, String.valueOf(e.getProblem()));
    } catch (YAMLException e) {
      throw invalid(0, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (root == null || isNull(root)) {
      return ConfigFile.EMPTY;
    }
    Section top = section(root, "the file", TOP, false);
    return new ConfigFile(
        top.text("listen"),
        top.text("data"),
        top.text("tag-ttl"),
        top.text("credentials-file"),
        top.text("default-upstream"),
        top.text("connect-timeout"),
        top.text("request-timeout"),
        top.bool("offline"),
        top.upstreams(),
        top.text("max-cache-size"),
        top.child(
            "tls",
            TLS,
            false,
            tls ->
                new ConfigFile.TlsEntry(
                    tls.text("cert"), tls.text("key"), tls.bool("self-signed"), tls.texts("san"))),
        top.child(
            "access",
            ACCESS,
            false,
            access -> new ConfigFile.AccessEntry(access.text("htpasswd"), access.texts("allow"))),
        top.integer("max-connections-per-client"),
        top.child(
            "store",
            STORE,
            true,
            store ->
                new ConfigFile.StoreEntry(
                    store.text("url"),
                    store.text("s3-endpoint"),
                    store.text("s3-region"),
                    store.text("s3-public-endpoint"),
                    store.bool("blob-redirect"),
                    store.text("max-store-size"))),
        top.child(
            "cluster",
            CLUSTER,
            false,
            cluster ->
                new ConfigFile.ClusterEntry(
                    cluster.text("secret-file"), cluster.text("advertise"))));
  }

  /** The keys of one mapping, checked against those it may have. */
  private final class Section {
    private final Map<String, Node> values = new LinkedHashMap<>();

    Section(MappingNode node, Set<String> keys, boolean store) {
      for (NodeTuple tuple : node.getValue()) {
        Node keyNode = tuple.getKeyNode();
        if (!(keyNode instanceof ScalarNode key)) {
          throw invalid(line(keyNode), "a key must be text");
        }
        String name = key.getValue();
        if (!keys.contains(name)) {
          throw unknownKey(name, line(keyNode), store);
        }
        values.put(name, tuple.getValueNode());
      }
    }

    /** The value of {@code key}, or null when the key is missing or its value is YAML's null. */
    private Node present(String key) {
      Node node = values.get(key);
      return node == null || isNull(node) ? null : node;
    }

    String text(String key) {
      Node node = present(key);
      if (node == null) {
        return null;
      }
      if (node instanceof ScalarNode scalar) {
        return scalar.getValue();
      }
      throw invalid(line(node), "'" + key + "' must be a single value");
    }

    Boolean bool(String key) {
      String value = text(key);
      if (value == null) {
        return null;
      }
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw invalid(line(values.get(key)), "'" + key + "' must be true or false");
      };
    }

    Integer integer(String key) {
      String value = text(key);
      if (value == null) {
        return null;
      }
      try {
        return Integer.valueOf(value.trim());
      } catch (NumberFormatException e) {
        throw invalid(line(values.get(key)), "'" + key + "' must be a whole number");
      }
    }

    List<String> texts(String key) {
      Node node = present(key);
      if (node == null) {
        return null;
      }
      if (!(node instanceof SequenceNode sequence)) {
        throw invalid(line(node), "'" + key + "' must be a list");
      }
      List<String> texts = new ArrayList<>();
      for (Node item : sequence.getValue()) {
        if (!(item instanceof ScalarNode scalar)) {
          throw invalid(line(item), "'" + key + "' must be a list of single values");
        }
        texts.add(isNull(item) ? null : scalar.getValue());
      }
      return texts;
    }

    <T> T child(String key, Set<String> keys, boolean store, SectionReader<T> reader) {
      Node node = present(key);
      return node == null ? null : reader.read(section(node, key, keys, store));
    }

    Map<String, ConfigFile.UpstreamEntry> upstreams() {
      Node node = present("upstreams");
      if (node == null) {
        return null;
      }
      if (!(node instanceof MappingNode mapping)) {
        throw invalid(line(node), "'upstreams' must map names to upstreams");
      }
      Map<String, ConfigFile.UpstreamEntry> upstreams = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode name)) {
          throw invalid(line(tuple.getKeyNode()), "an upstream's name must be text");
        }
        Node entry = tuple.getValueNode();
        upstreams.put(
            name.getValue(),
            isNull(entry)
                ? null
                : upstream(section(entry, "upstream " + name.getValue(), UPSTREAM, false)));
      }
      return upstreams;
    }
  }

  /** Makes one section's entry from its keys. */
  @FunctionalInterface
  private interface SectionReader<T> {
    T read(Section section);
  }

  private static ConfigFile.UpstreamEntry upstream(Section upstream) {
    return new ConfigFile.UpstreamEntry(
        upstream.text("url"),
        upstream.text("username"),
        upstream.text("password"),
        upstream.integer("max-connections"),
        upstream.text("queue-timeout"),
        upstream.text("bandwidth"));
  }

  private Section section(Node node, String what, Set<String> keys, boolean store) {
    if (!(node instanceof MappingNode mapping)) {
      throw invalid(line(node), what + " must hold keys and values");
    }
    return new Section(mapping, keys, store);
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private ConfigException invalid(int line, String problem) {
    return new ConfigException(
        "invalid config file " + file + (line > 0 ? " (line " + line + ")" : "") + ": " + problem);
  }

  /**
   * An unknown key; store credentials (a key, secret, token or password in the {@code store:}
   * section, or an AWS or S3 one anywhere) get a message of their own that never echoes the value.
   */
  private ConfigException unknownKey(String name, int line, boolean store) {
    String where = " (line " + line + ")";
    String flat = name.toLowerCase(Locale.ROOT).replaceAll("[-_]", "");
    boolean secretLike =
        flat.contains("key")
            || flat.contains("secret")
            || flat.contains("token")
            || flat.contains("password")
            || flat.contains("credential");
    boolean storeRelated = store || flat.contains("aws") || flat.startsWith("s3");
    if (secretLike && storeRelated) {
      return new ConfigException(
          "store credentials do not belong in config file "
              + file
              + where
              + ": remove '"
              + name
              + "'; Stevedore takes them from the AWS chain (AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY, a profile, web identity)");
    }
    return new ConfigException("unknown key '" + name + "' in config file " + file + where);
  }
}
