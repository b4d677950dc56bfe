package dev.stevedore.storage;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points the AWS SDK's default credential chain at given keys through its system properties, with
 * its other sources (profile files, instance metadata) turned off so nothing leaves loopback, and
 * restores the properties on close. {@link #jvmOptions} gives the same to a child JVM.
 */
public final class AwsChainProperties implements AutoCloseable {
  private final Map<String, String> saved = new HashMap<>();

  private AwsChainProperties(Map<String, String> properties) {
    properties.forEach((name, value) -> saved.put(name, System.setProperty(name, value)));
  }

  /** The test server's own keys. */
  public static AwsChainProperties of(S3TestServer server) {
    return with(server.identity(), server.credential());
  }

  /** Any keys (wrong ones, to see them refused). */
  public static AwsChainProperties with(String accessKeyId, String secretAccessKey) {
    return new AwsChainProperties(properties(accessKeyId, secretAccessKey));
  }

  /** {@code -Dname=value} options that give a child JVM the test server's keys the same way. */
  public static List<String> jvmOptions(S3TestServer server) {
    return properties(server.identity(), server.credential()).entrySet().stream()
        .map(property -> "-D" + property.getKey() + "=" + property.getValue())
        .toList();
  }

  private static Map<String, String> properties(String accessKeyId, String secretAccessKey) {
    Path nowhere = Path.of(System.getProperty("java.io.tmpdir"), "stevedore-no-aws-files");
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("aws.accessKeyId", accessKeyId);
    properties.put("aws.secretAccessKey", secretAccessKey);
    properties.put("aws.sharedCredentialsFile", nowhere.resolve("credentials").toString());
    properties.put("aws.configFile", nowhere.resolve("config").toString());
    properties.put("aws.disableEc2Metadata", "true");
    return properties;
  }

  @Override
  public void close() {
    saved.forEach(
        (name, value) -> {
          if (value == null) {
            System.clearProperty(name);
          } else {
            System.setProperty(name, value);
          }
        });
  }
}
