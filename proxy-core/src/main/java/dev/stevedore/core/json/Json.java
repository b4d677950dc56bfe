package dev.stevedore.core.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one plain JSON mapper, made when JSON is first read or written: a class that may read JSON
 * (error bodies, token responses, tag lists) costs nothing until it does, so {@code serve} starts
 * without Jackson's classes and the mapper's set-up. Mappers with other settings (parse limits,
 * duplicate keys, YAML) stay with the code that needs them.
 */
public final class Json {

  /** Thread-safe once made, as Jackson's mappers are. */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
