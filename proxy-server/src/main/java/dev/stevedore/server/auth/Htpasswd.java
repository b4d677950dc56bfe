package dev.stevedore.server.auth;

import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The users of an htpasswd file as {@code htpasswd -B} writes it ({@code user:$2y$10$…}). Only
 * bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) is accepted: MD5, SHA-1, crypt and plain text
 * are refused when the file is read, naming the line. {@link #verify} is deliberately slow (one
 * bcrypt, tens of milliseconds): never call it on an event loop.
 */
public final class Htpasswd {

  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

  private final Map<String, String> hashes;

  /** Checked for an unknown user, at the file's cost, so it takes as long as a known one. */
  private final String unknownUserHash;

  private Htpasswd(Map<String, String> hashes) {
    this.hashes = Map.copyOf(hashes);
    int cost = Integer.parseInt(hashes.values().iterator().next().substring(4, 6));
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    this.unknownUserHash = OpenBSDBCrypt.generate("2y", "unknown".toCharArray(), salt, cost);
  }

  /** Reads {@code file}; throws a {@link ConfigException} naming the file and line on any error. */
  public static Htpasswd read(Path file) {
    Objects.requireNonNull(file, "file");
    String content;
    try {
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new ConfigException("cannot read htpasswd file " + file + ": " + e.getMessage(), e);
    }
    return parse(content, file.toString());
  }

  /** Parses htpasswd {@code content}; {@code source} names it in error messages. */
  public static Htpasswd parse(String content, String source) {
    Map<String, String> hashes = new LinkedHashMap<>();
    Map<String, Integer> lineOfUser = new LinkedHashMap<>();
    String[] lines = content.split("\n", -1);
    for (int index = 0; index < lines.length; index++) {
      int number = index + 1;
      String line = lines[index].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw error(source, number, "expected user:bcrypt-hash as 'htpasswd -B' writes it");
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      if (!BCRYPT.matcher(hash).matches()) {
        throw error(
            source,
            number,
            "user '"
                + user
                + "' has "
                + describe(hash)
                + "; only bcrypt is supported (recreate it with 'htpasswd -B')");
      }
      Integer first = lineOfUser.putIfAbsent(user, number);
      if (first != null) {
        throw error(source, number, "user '" + user + "' is already defined on line " + first);
      }
      hashes.put(user, hash);
    }
    if (hashes.isEmpty()) {
      throw new ConfigException(
          "htpasswd file " + source + " defines no users: every client would be refused");
    }
    return new Htpasswd(hashes);
  }

  /** How many users the file defines. */
  public int size() {
    return hashes.size();
  }

  /**
   * Whether {@code password} is {@code user}'s. Takes one bcrypt whether or not the user exists, so
   * response times do not reveal user names.
   */
  public boolean verify(String user, String password) {
    String hash = hashes.get(user);
    boolean matches = check(hash == null ? unknownUserHash : hash, password);
    return hash != null && matches;
  }

  private static boolean check(String hash, String password) {
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (IllegalArgumentException unusable) { // e.g. a password bcrypt cannot take
      return false;
    }
  }

  private static String describe(String hash) {
    if (hash.startsWith("$apr1$")) {
      return "an MD5 ($apr1$) hash";
    }
    if (hash.startsWith("{SHA}")) {
      return "a SHA-1 ({SHA}) hash";
    }
    if (hash.startsWith("$1$") || hash.startsWith("$5$") || hash.startsWith("$6$")) {
      return "a crypt(3) " + hash.substring(0, 3) + " hash";
    }
    if (hash.startsWith("$2")) {
      return "a malformed bcrypt hash";
    }
    return "a plain-text or crypt(3) password";
  }

  private static ConfigException error(String source, int line, String problem) {
    return new ConfigException("htpasswd file " + source + " line " + line + ": " + problem);
  }
}
