package dev.stevedore.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small text records on disk: a fixed number of fields, one per line, each non-empty and free of
 * control characters, UTF-8, ending with a newline. Written atomically; a file that does not parse
 * reads as absent.
 */
final class LineRecords {

  private static final Logger log = LoggerFactory.getLogger(LineRecords.class);

  /** Records are a few hundred bytes; anything much larger is not one of ours. */
  static final int MAX_RECORD_BYTES = 8192;

  private LineRecords() {}

  /**
   * Atomically writes {@code fields} to {@code target}, one per line.
   *
   * @throws IllegalArgumentException if a field is empty or holds a control character (such as a
   *     line break), which would corrupt the record
   */
  static void write(Path tmpDir, Path target, String... fields) throws IOException {
    AtomicFiles.writeString(tmpDir, target, format(fields));
  }

  /**
   * Atomically writes {@code fields} to {@code target} unless a file is there already.
   *
   * @return whether this call wrote the record
   * @throws IllegalArgumentException as {@link #write}
   */
  static boolean writeIfAbsent(Path tmpDir, Path target, String... fields) throws IOException {
    return AtomicFiles.writeStringIfAbsent(tmpDir, target, format(fields));
  }

  /**
   * Reads a record of exactly {@code fieldCount} fields. Empty when the file does not exist, and
   * also when it is corrupt (too large, not UTF-8, wrong number of lines, bad field), which is
   * logged at warn. Other I/O failures are thrown.
   */
  static Optional<List<String>> read(Path file, int fieldCount) throws IOException {
    Objects.requireNonNull(file, "file");
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_RECORD_BYTES) {
        return corrupt(file, "larger than " + MAX_RECORD_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String text;
    try {
      text = strictUtf8(bytes);
    } catch (CharacterCodingException e) {
      return corrupt(file, "not UTF-8");
    }
    try {
      return Optional.of(parse(text, fieldCount));
    } catch (IllegalArgumentException e) {
      return corrupt(file, e.getMessage());
    }
  }

  static String format(String... fields) {
    StringBuilder text = new StringBuilder();
    for (String field : fields) {
      text.append(requireField(field)).append('\n');
    }
    return text.toString();
  }

  static List<String> parse(String text, int fieldCount) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("no final line break");
    }
    List<String> fields = List.of(text.substring(0, text.length() - 1).split("\n", -1));
    if (fields.size() != fieldCount) {
      throw new IllegalArgumentException(
          "expected " + fieldCount + " lines, found " + fields.size());
    }
    fields.forEach(LineRecords::requireField);
    return fields;
  }

  private static String requireField(String field) {
    Objects.requireNonNull(field, "field");
    if (field.isEmpty()) {
      throw new IllegalArgumentException("empty field");
    }
    if (field.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("control character in field");
    }
    return field;
  }

  private static <T> Optional<T> corrupt(Path file, String reason) {
    log.warn("Ignoring corrupt record {}: {}", file, reason);
    return Optional.empty();
  }

  /** {@code bytes} as UTF-8 text; malformed or unmappable input is an error, never replaced. */
  static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
