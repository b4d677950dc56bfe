package dev.stevedore.server.preload;

import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.ImageReference;
import dev.stevedore.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The images to preload: named on the command line and/or listed in an images file, one per line,
 * where blank lines and {@code #} comments are ignored. Duplicates are dropped, order is kept. A
 * bad name is a {@link ConfigException} naming where it came from.
 */
public final class ImageList {
  private ImageList() {}

  /** The images of the arguments, then those of the file. */
  public static List<ImageReference> of(List<String> arguments, Optional<Path> imagesFile) {
    Objects.requireNonNull(arguments, "arguments");
    Objects.requireNonNull(imagesFile, "imagesFile");
    LinkedHashSet<ImageReference> images = new LinkedHashSet<>();
    for (String argument : arguments) {
      images.add(parseImage(argument, ""));
    }
    if (imagesFile.isPresent()) {
      images.addAll(readFile(imagesFile.get()));
    }
    return List.copyOf(images);
  }

  /** Reads an images file (UTF-8). */
  public static List<ImageReference> readFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("images file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read images file " + file + ": " + e.getMessage());
    }
    return parseLines(file.toString(), lines);
  }

  /** The images of an images file's lines; {@code source} names the file in errors. */
  public static List<ImageReference> parseLines(String source, List<String> lines) {
    LinkedHashSet<ImageReference> images = new LinkedHashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = withoutComment(lines.get(i)).strip();
      if (!line.isEmpty()) {
        images.add(parseImage(line, source + " line " + (i + 1) + ": "));
      }
    }
    return List.copyOf(images);
  }

  private static String withoutComment(String line) {
    int hash = line.indexOf('#');
    return hash < 0 ? line : line.substring(0, hash);
  }

  private static ImageReference parseImage(String text, String where) {
    try {
      return ImageReference.parse(text);
    } catch (RegistryException | IllegalArgumentException e) {
      throw new ConfigException(where + "invalid image '" + text.strip() + "': " + e.getMessage());
    }
  }
}
