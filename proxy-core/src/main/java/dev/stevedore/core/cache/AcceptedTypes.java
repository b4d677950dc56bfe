package dev.stevedore.core.cache;

import java.util.List;

/** The manifest media types a client accepts, from its {@code Accept} headers. */
public record AcceptedTypes(List<String> mediaTypes) {

  public AcceptedTypes {
    mediaTypes = List.copyOf(mediaTypes);
  }

  public static final AcceptedTypes ANY = new AcceptedTypes(List.of());

  /** Parses {@code Accept} header values: comma-separated, parameters such as {@code q} dropped. */
  public static AcceptedTypes parse(List<String> headerValues) {
    return new AcceptedTypes(
        headerValues.stream()
            .flatMap(value -> java.util.Arrays.stream(value.split(",")))
            .map(part -> part.split(";", 2)[0].trim())
            .filter(part -> !part.isEmpty())
            .distinct()
            .toList());
  }

  /** True when the client takes {@code mediaType} (or sent no preference). */
  public boolean accepts(String mediaType) {
    return mediaTypes.isEmpty() || mediaTypes.contains("*/*") || mediaTypes.contains(mediaType);
  }
}
