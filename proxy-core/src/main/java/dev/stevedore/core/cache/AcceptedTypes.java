package dev.stevedore.core.cache;

import java.util.ArrayList;
import java.util.List;

/** The manifest media types a client accepts, from its {@code Accept} headers. */
public record AcceptedTypes(List<String> mediaTypes) {

  public AcceptedTypes {
    mediaTypes = List.copyOf(mediaTypes);
  }

  public static final AcceptedTypes ANY = new AcceptedTypes(List.of());

  /** Parses {@code Accept} header values: comma-separated, parameters such as {@code q} dropped. */
  public static AcceptedTypes parse(List<String> headerValues) {
    if (headerValues.isEmpty()) {
      return ANY;
    }
    List<String> types = new ArrayList<>();
    for (String value : headerValues) {
      int start = 0;
      while (start <= value.length()) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        int parameters = value.indexOf(';', start);
        String type =
            value.substring(start, parameters >= 0 && parameters < end ? parameters : end).trim();
        if (!type.isEmpty() && !types.contains(type)) {
          types.add(type);
        }
        start = end + 1;
      }
    }
    return new AcceptedTypes(types);
  }

  /** True when the client takes {@code mediaType} (or sent no preference). */
  public boolean accepts(String mediaType) {
    return mediaTypes.isEmpty() || mediaTypes.contains("*/*") || mediaTypes.contains(mediaType);
  }
}
