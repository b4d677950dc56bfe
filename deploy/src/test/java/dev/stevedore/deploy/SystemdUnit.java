package dev.stevedore.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A systemd unit file as section → key → values (a key may repeat). */
record SystemdUnit(Map<String, Map<String, List<String>>> sections) {

  static SystemdUnit read(Path file) {
    Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    for (String raw : DeployFiles.read(file).lines().toList()) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current =
            sections.computeIfAbsent(
                line.substring(1, line.length() - 1), name -> new LinkedHashMap<>());
        continue;
      }
      int equals = line.indexOf('=');
      if (current == null || equals <= 0) {
        throw new AssertionError(file + ": not a unit file line: " + raw);
      }
      current
          .computeIfAbsent(line.substring(0, equals).strip(), key -> new ArrayList<>())
          .add(line.substring(equals + 1).strip());
    }
    return new SystemdUnit(sections);
  }

  List<String> values(String section, String key) {
    return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
  }

  /** The single value of a key, or throws. */
  String value(String section, String key) {
    List<String> values = values(section, key);
    if (values.size() != 1) {
      throw new AssertionError(
          "[" + section + "] " + key + ": expected one value, found " + values);
    }
    return values.get(0);
  }
}
