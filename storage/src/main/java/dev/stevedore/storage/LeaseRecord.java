package dev.stevedore.storage;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text of a lease object: four lines, the holder's URL, its replica id, the expiry in epoch
 * milliseconds and a random token. The token makes every write's body, and so its ETag, unique: an
 * {@code If-Match} can never match an older write that happened to hold the same fields, and a
 * writer whose answer was lost recognises its own write by the body alone. Anyone with write access
 * to the bucket may have written a lease, so it is parsed defensively: larger than {@link
 * LineRecords#MAX_RECORD_BYTES}, not UTF-8, the wrong number of lines, a bad URL, id or number —
 * all read as corrupt (logged, never thrown), which {@link S3Leases} treats as expired.
 */
final class LeaseRecord {
  private static final Logger log = LoggerFactory.getLogger(LeaseRecord.class);
  private static final int FIELDS = 4;

  /** Expiry in epoch milliseconds has at most this many digits (year 2286 and beyond). */
  private static final int MAX_MILLIS_DIGITS = 13;

  private LeaseRecord() {}

  /** The body of a new write of a lease: its fields and a fresh token. */
  static byte[] format(String holder, String replicaId, Instant expires) {
    String text =
        LineRecords.format(
            holder,
            replicaId,
            Long.toString(Math.max(0, expires.toEpochMilli())),
            UUID.randomUUID().toString());
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The lease {@code bytes} (the object of lease {@code name} with {@code etag}) hold, if valid.
   */
  static Optional<Lease> parse(String name, String etag, byte[] bytes) {
    if (bytes.length > LineRecords.MAX_RECORD_BYTES) {
      return corrupt(name, "larger than " + LineRecords.MAX_RECORD_BYTES + " bytes");
    }
    List<String> fields;
    try {
      fields = LineRecords.parse(LineRecords.strictUtf8(bytes), FIELDS);
    } catch (CharacterCodingException e) {
      return corrupt(name, "not UTF-8");
    } catch (IllegalArgumentException e) {
      return corrupt(name, e.getMessage());
    }
    Optional<Instant> expires = epochMillis(fields.get(2));
    if (expires.isEmpty()) {
      return corrupt(name, "bad expiry");
    }
    if (!Lease.isHolder(fields.get(0))) {
      return corrupt(name, "bad holder URL");
    }
    if (!S3Layout.isReplicaId(fields.get(1))) {
      return corrupt(name, "bad replica id");
    }
    return Optional.of(new Lease(name, fields.get(0), fields.get(1), expires.get(), etag));
  }

  private static Optional<Instant> epochMillis(String text) {
    if (text.isEmpty() || text.length() > MAX_MILLIS_DIGITS) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return Optional.empty();
      }
    }
    return Optional.of(Instant.ofEpochMilli(Long.parseLong(text)));
  }

  private static Optional<Lease> corrupt(String name, String reason) {
    log.warn("Lease {} is corrupt ({}); it counts as expired and may be taken over", name, reason);
    return Optional.empty();
  }
}
