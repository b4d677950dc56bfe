package dev.stevedore.server.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.core.json.Json;
import dev.stevedore.server.config.ByteSize;
import dev.stevedore.storage.Digest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code stevedore bundle ls} shows of a bundle file, read without hashing its blobs or
 * touching a cache: each image (name, digest, platforms, size), the blobs it carries, what it
 * builds on, and who signed it. The images come from the bundle's record when it has one (an
 * incremental bundle may omit a manifest), else from walking {@code index.json}.
 */
public final class BundleListing {
  private BundleListing() {}

  /** The listing's lines. */
  public static List<String> of(Path file) throws IOException {
    BundleScan scan = BundleScan.of(file, false);
    Optional<BundleRecord> record = scan.record();
    List<BundleRecord.Image> images =
        record.isPresent() ? record.get().images() : BundleVerification.images(scan);
    List<String> lines = new ArrayList<>();
    lines.add("bundle " + scan.fileDigest());
    for (BundleRecord.Image image : images) {
      lines.add(
          "image "
              + image.name()
              + " "
              + image.digest()
              + " "
              + (image.platforms().isEmpty() ? "-" : String.join(",", image.platforms()))
              + " "
              + (image.size() < 0 ? "?" : ByteSize.format(image.size())));
    }
    long bytes = scan.blobs().values().stream().mapToLong(Long::longValue).sum();
    lines.add("holds " + scan.blobs().size() + " manifests and blobs, " + ByteSize.format(bytes));
    lines.add(buildsOn(record));
    lines.add("signed " + signer(scan.signature()));
    return lines;
  }

  private static String buildsOn(Optional<BundleRecord> record) {
    if (record.isEmpty() || !record.get().incremental()) {
      return "builds on nothing (a full bundle)";
    }
    return "builds on "
        + record.get().buildsOn().stream().map(Digest::toString).collect(Collectors.joining(", "))
        + " (leaves out "
        + record.get().omitted().size()
        + " manifests and blobs they hold)";
  }

  /** "unsigned", "by KEY" from the signature's key id or fingerprint, else "(key not named)". */
  static String signer(Optional<byte[]> signature) {
    if (signature.isEmpty()) {
      return "unsigned";
    }
    try {
      JsonNode root = Json.MAPPER.readTree(signature.get());
      for (String field : List.of("keyId", "fingerprint", "keyFingerprint")) {
        JsonNode value = root == null ? null : root.get(field);
        if (value != null && value.isTextual() && !value.asText().isBlank()) {
          return "by " + TarReader.printable(value.asText());
        }
      }
    } catch (IOException e) {
      // not JSON: signed all the same, by a key it does not name
    }
    return "(key not named)";
  }
}
