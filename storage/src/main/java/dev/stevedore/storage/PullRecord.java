package dev.stevedore.storage;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The text of one replica's pull record ({@code <prefix>/pulls/<replicaId>}): one {@code <digest>
 * <epochSeconds>} a line, the last time the replica served that blob. Another replica, or anyone
 * with write access to the bucket, may have written it, so it is read defensively: an object larger
 * than {@link #MAX_BYTES} or not UTF-8 is ignored whole, a line that does not parse is skipped, and
 * either is logged once; neither ever throws.
 */
final class PullRecord {
  private static final Logger log = LoggerFactory.getLogger(PullRecord.class);

  /** 64 MiB: about 700,000 lines of a sha256 digest, far more than any cache holds blobs. */
  static final int MAX_BYTES = 64 * 1024 * 1024;

  private PullRecord() {}

  /** The text of {@code pulls}, one line per digest. */
  static String format(Map<Digest, Instant> pulls) {
    StringBuilder text = new StringBuilder(pulls.size() * 84);
    pulls.forEach(
        (digest, at) -> text.append(digest).append(' ').append(at.getEpochSecond()).append('\n'));
    return text.toString();
  }

  /** The pulls in {@code bytes} (the object at {@code key}); what does not parse is left out. */
  static Map<Digest, Instant> parse(String key, byte[] bytes) {
    Map<Digest, Instant> pulls = new HashMap<>();
    if (bytes.length > MAX_BYTES) {
      log.warn("Ignoring pull record {}: larger than {} bytes", key, MAX_BYTES);
      return pulls;
    }
    String text;
    try {
      text = LineRecords.strictUtf8(bytes);
    } catch (CharacterCodingException e) {
      log.warn("Ignoring pull record {}: not UTF-8", key);
      return pulls;
    }
    int skipped = 0;
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      Optional<Instant> at = Optional.empty();
      int space = line.indexOf(' ');
      if (space > 0 && Digest.isValid(line.substring(0, space))) {
        at = epochSeconds(line.substring(space + 1));
      }
      if (at.isEmpty()) {
        skipped++;
        continue;
      }
      pulls.merge(Digest.parse(line.substring(0, space)), at.get(), PullRecord::later);
    }
    if (skipped > 0) {
      log.warn("Skipped {} malformed lines of pull record {}", skipped, key);
    }
    return pulls;
  }

  /**
   * The pulls of the record at {@code key}, empty when there is none; an unreadable object is empty
   * too (and logged). Only a failure to reach the bucket is an {@link IOException}.
   */
  static Map<Digest, Instant> read(S3Client s3, String bucket, String key) throws IOException {
    GetObjectRequest get = GetObjectRequest.builder().bucket(bucket).key(key).build();
    Optional<byte[]> bytes = S3Calls.ifPresent("GET", key, () -> readCapped(s3, get));
    return bytes.map(b -> parse(key, b)).orElseGet(HashMap::new);
  }

  /** The object's bytes, but never more than one past {@link #MAX_BYTES}, whatever it claims. */
  private static byte[] readCapped(S3Client s3, GetObjectRequest get) {
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(get)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        in.abort();
      }
      return bytes;
    } catch (IOException e) {
      throw SdkClientException.create("reading " + get.key() + " failed", e);
    }
  }

  static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Optional<Instant> epochSeconds(String text) {
    if (text.isEmpty() || text.length() > 12) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return Optional.empty();
      }
    }
    return Optional.of(Instant.ofEpochSecond(Long.parseLong(text)));
  }
}
