package dev.stevedore.server.cli;

import dev.stevedore.server.logging.StevedoreLogProvider;

/**
 * System properties that spare every command work it does not need at start, each set only when the
 * user has not set it (issue 20).
 */
final class StartProperties {
  /**
   * picocli's built-in converters to leave out. It registers the {@code java.time} and {@code
   * java.sql} types by reflection, which loads and initialises them (about 12 ms of every start,
   * {@code MonthDay}'s formatter most); no option of Stevedore's has such a type.
   */
  static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

  /**
   * SLF4J's provider, named: SLF4J then loads it directly instead of listing every {@code
   * META-INF/services} entry of the jar's 21,000 (about 5 ms).
   */
  static final String SLF4J_PROVIDER = "slf4j.provider";

  /** SLF4J's own messages: warnings and errors only, not the line saying which provider it took. */
  static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  private StartProperties() {}

  /** Sets each property the user has not. */
  static void setDefaults() {
    setUnlessSet(CONVERTER_EXCLUDES, "java\\.(time|sql)\\..*");
    setUnlessSet(SLF4J_PROVIDER, StevedoreLogProvider.class.getName());
    setUnlessSet(SLF4J_VERBOSITY, "WARN");
  }

  private static void setUnlessSet(String name, String value) {
    if (System.getProperty(name) == null) {
      System.setProperty(name, value);
    }
  }
}
