package dev.stevedore.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
record Dockerfile(List<Instruction> instructions) {

  /** One instruction: {@code EXPOSE 5000} is ("EXPOSE", "5000"). */
  record Instruction(String keyword, String arguments) {

    /** The JSON (exec) form: {@code ["java", "-jar", "x.jar"]}. */
    List<String> execForm() {
      try {
        return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() {});
      } catch (IOException e) {
        throw new AssertionError(keyword + " is not in exec (JSON array) form: " + arguments, e);
      }
    }

    List<String> words() {
      return List.of(arguments.trim().split("\\s+"));
    }
  }

  static Dockerfile read(Path file) {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : DeployFiles.read(file).lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && pending.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      pending.append(trimmed);
      String instruction = pending.toString().strip();
      pending.setLength(0);
      if (instruction.isEmpty()) {
        continue;
      }
      String[] parts = instruction.split("\\s+", 2);
      instructions.add(
          new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
    }
    return new Dockerfile(List.copyOf(instructions));
  }

  /**
   * The build stages, each from its {@code FROM} to the next; the last is the image. The {@code
   * ARG}s before the first {@code FROM} belong to no stage.
   */
  List<Dockerfile> stages() {
    List<Dockerfile> stages = new ArrayList<>();
    List<Instruction> current = null;
    for (Instruction instruction : instructions) {
      if (instruction.keyword().equals("FROM")) {
        current = new ArrayList<>();
        stages.add(new Dockerfile(current));
      }
      if (current != null) {
        current.add(instruction);
      }
    }
    return stages.stream().map(stage -> new Dockerfile(List.copyOf(stage.instructions()))).toList();
  }

  /** The default of a global {@code ARG NAME=DEFAULT}. */
  String argDefault(String name) {
    return all("ARG").stream()
        .map(Instruction::arguments)
        .filter(argument -> argument.startsWith(name + "="))
        .map(argument -> argument.substring(name.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ARG " + name + "=DEFAULT"));
  }

  List<Instruction> all(String keyword) {
    return instructions.stream()
        .filter(instruction -> instruction.keyword().equals(keyword))
        .toList();
  }

  /** The last instruction of a kind: the one that takes effect. */
  Instruction last(String keyword) {
    List<Instruction> matching = all(keyword);
    if (matching.isEmpty()) {
      throw new AssertionError("no " + keyword + " instruction");
    }
    return matching.get(matching.size() - 1);
  }
}
