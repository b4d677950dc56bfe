package dev.stevedore.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Manifest media types as one-line files at {@link FsLayout#mediaType}. Each put atomically
 * replaces the file; a file that does not parse reads as absent.
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
  public void put(Digest manifest, String mediaType) throws IOException {
    Objects.requireNonNull(mediaType, "mediaType");
    LineRecords.write(layout.tmpDir(), layout.mediaType(manifest), mediaType);
  }
}
