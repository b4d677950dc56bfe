package dev.stevedore.server.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The name this replica's records have in the shared store (its pull record): random, made once and
 * kept in the data directory's {@value #FILE}, so a restart continues its own record instead of
 * leaving an orphan behind.
 */
public final class ReplicaId {
  static final String FILE = "replica-id";
  private static final Pattern VALID = Pattern.compile("[a-z0-9-]{8,64}");

  private ReplicaId() {}

  /** The replica id kept in {@code dataDir}, made now if there is none (or it is unreadable). */
  public static String of(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    try {
      String kept = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (VALID.matcher(kept).matches()) {
        return kept;
      }
    } catch (NoSuchFileException e) {
      // first start with a store
    } catch (IOException e) {
      // unreadable: make a new one below
    }
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    String id = "replica-" + HexFormat.of().formatHex(random);
    Files.createDirectories(dataDir);
    Path temp = Files.createTempFile(dataDir, FILE, ".tmp");
    Files.writeString(temp, id + "\n", StandardCharsets.US_ASCII);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return id;
  }
}
