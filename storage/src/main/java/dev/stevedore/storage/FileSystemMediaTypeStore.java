package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Manifest media types as one-line files at {@link FsLayout#mediaType}. A file is written once,
 * atomically, and never replaced; a file that does not parse reads as absent (and is then replaced
 * by the next record, since it holds no claim a reader could see).
 */
public final class FileSystemMediaTypeStore implements MediaTypeStore {

  private final FsLayout layout;

  private FileSystemMediaTypeStore(FsLayout layout) {
    this.layout = layout;
  }

  /**
   * Opens (creating its directories if needed) the media type store of the data directory {@code
   * root}.
   */
  public static FileSystemMediaTypeStore open(Path root) throws IOException {
    Objects.requireNonNull(root, "root");
    FsLayout layout = new FsLayout(root);
    AtomicFiles.createDirectories(layout.mediaTypesDir());
    AtomicFiles.createDirectories(layout.tmpDir());
    return new FileSystemMediaTypeStore(layout);
  }

  @Override
  public Optional<String> get(Digest manifest) throws IOException {
    return LineRecords.read(layout.mediaType(manifest), 1).map(fields -> fields.get(0));
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code mediaType} is empty or holds a control character
   */
  @Override
  public String putIfAbsent(Digest manifest, String mediaType) throws IOException {
    Objects.requireNonNull(mediaType, "mediaType");
    Path file = layout.mediaType(manifest);
    for (int attempt = 0; attempt < 2; attempt++) {
      if (LineRecords.writeIfAbsent(layout.tmpDir(), file, mediaType)) {
        return mediaType;
      }
      Optional<String> recorded = get(manifest);
      if (recorded.isPresent()) {
        return recorded.get();
      }
      // a corrupt record claims nothing: clear it and try once more
      AtomicFiles.deleteQuietly(file);
    }
    throw new IOException("cannot record the media type of " + manifest);
  }
}
