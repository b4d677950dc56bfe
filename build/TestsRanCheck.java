import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The tests-ran check, run by Maven at the end of each module's {@code verify} (see the parent
 * pom): every test class in the module's {@code src/test/java} ran in this build, and, when {@code
 * CI=true}, no test was skipped. Runners pick classes by name patterns and tests skip themselves
 * with assumptions; both can leave a green build that tested less than the tree holds.
 *
 * <p>A test class is a top-level class, not abstract and not an interface, whose file has a JUnit
 * Jupiter or jqwik test method (contract base classes run through their subclasses; support classes
 * have no tests). Classes named {@code *IT} are Failsafe's, the others Surefire's. The runners' XML
 * reports written since the build started (an earlier build's may still be in {@code target/}) say
 * what ran. A class without a report fails the build. A skipped test fails it under {@code CI=true}
 * and is a warning elsewhere. A narrowed run ({@code -Dtest}, {@code -Dit.test}) checks only skips;
 * classes whose runner was switched off ({@code -DskipTests}, {@code -DskipITs}, {@code
 * -Dmaven.test.skip}) are not asked for.
 *
 * <pre>
 * java build/TestsRanCheck.java MODULE_DIR BUILD_START [--test=PATTERN] [--it.test=PATTERN]
 *     [--skipTests=true] [--skipITs=true] [--maven.test.skip=true]
 * </pre>
 *
 * {@code BUILD_START} is an ISO-8601 instant ({@code ${maven.build.timestamp}} in that format). An
 * option whose value is an unresolved Maven expression ({@code ${test}}) counts as not given.
 */
public final class TestsRanCheck {
  private static final Pattern TEST_METHOD =
      Pattern.compile(
          "(?m)^\\s*@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate"
              + "|Property|Example)\\b");

  enum Runner {
    SUREFIRE("Surefire", "surefire-reports"),
    FAILSAFE("Failsafe", "failsafe-reports");

    final String pluginName;
    final String reportDir;

    Runner(String pluginName, String reportDir) {
      this.pluginName = pluginName;
      this.reportDir = reportDir;
    }

    static Runner of(String className) {
      return className.endsWith("IT") ? FAILSAFE : SUREFIRE;
    }
  }

  /** What one report says of its class: how many tests ran, and each skipped test with why. */
  record Report(int ran, List<String> skipped) {}

  public static void main(String[] args) throws Exception {
    Path module = Path.of(args[0]);
    Instant buildStart = Instant.parse(args[1]);
    Map<String, String> options = options(args);
    boolean ci = isTrue(System.getenv("CI"));
    String name = module.toAbsolutePath().normalize().getFileName().toString();

    Path sources = module.resolve("src/test/java");
    if (!Files.isDirectory(sources) || isTrue(options.get("maven.test.skip"))) {
      return;
    }
    Map<String, Runner> classes = testClasses(sources);
    Map<String, Report> reports = new TreeMap<>();
    for (Runner runner : Runner.values()) {
      reports.putAll(reports(module.resolve("target").resolve(runner.reportDir), buildStart));
    }

    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    boolean narrowed = options.containsKey("test") || options.containsKey("it.test");
    classes.forEach(
        (testClass, runner) -> {
          if (!narrowed && expected(runner, options) && !reported(reports, testClass)) {
            problems.add(
                testClass
                    + " has tests but did not run: "
                    + runner.pluginName
                    + " has no report of it (its includes?)");
          }
        });
    reports.forEach(
        (testClass, report) ->
            report.skipped().forEach(skip -> (ci ? problems : warnings).add("skipped " + skip)));

    String prefix = "tests-ran: " + name + ": ";
    warnings.forEach(warning -> System.out.println(prefix + "WARNING " + warning));
    problems.forEach(problem -> System.out.println(prefix + "FAILED " + problem));
    if (!problems.isEmpty()) {
      System.out.println(
          prefix
              + problems.size()
              + " problem(s); every test class must run"
              + (ci ? " and, with CI=true, no test may be skipped" : ""));
      System.exit(1);
    }
    int ran = reports.values().stream().mapToInt(Report::ran).sum();
    System.out.println(
        prefix
            + (narrowed ? "narrowed run (-Dtest/-Dit.test), only skips checked; " : "")
            + (isTrue(options.get("skipTests")) ? "tests switched off (-DskipTests); " : "")
            + (isTrue(options.get("skipITs")) ? "integration tests switched off (-DskipITs); " : "")
            + classes.size()
            + " test classes in the tree, "
            + ran
            + " tests ran, "
            + warnings.size()
            + " skipped");
  }

  /** Whether the runner of such classes was meant to run in this build. */
  private static boolean expected(Runner runner, Map<String, String> options) {
    return !isTrue(options.get("skipTests"))
        && !(runner == Runner.FAILSAFE && isTrue(options.get("skipITs")));
  }

  /** Whether a runner reported on the class or one of its nested classes. */
  private static boolean reported(Map<String, Report> reports, String testClass) {
    return reports.keySet().stream()
        .anyMatch(name -> name.equals(testClass) || name.startsWith(testClass + "$"));
  }

  /** What a source file declares: its top-level type and the simple name of what it extends. */
  record Source(
      String className,
      String simpleName,
      boolean testMethods,
      boolean concrete,
      String superclass) {

    static Source read(Path sources, Path file) {
      String simpleName = file.getFileName().toString().replaceFirst("\\.java$", "");
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String quoted = Pattern.quote(simpleName);
      boolean notConcrete =
          Pattern.compile(
                  "\\b(abstract\\s+class|interface|@interface|enum|record)\\s+" + quoted + "\\b")
              .matcher(text)
              .find();
      Matcher extension =
          Pattern.compile("\\bclass\\s+" + quoted + "\\b[^{]*?\\bextends\\s+([\\w.]+)")
              .matcher(text);
      String className =
          sources
              .relativize(file)
              .toString()
              .replace(file.getFileSystem().getSeparator(), ".")
              .replaceFirst("\\.java$", "");
      return new Source(
          className,
          simpleName,
          TEST_METHOD.matcher(text).find(),
          !notConcrete,
          extension.find() ? extension.group(1).replaceFirst(".*\\.", "") : "");
    }
  }

  /**
   * Top-level test classes under {@code sources}, each with the runner that should run it: concrete
   * classes with test methods of their own or inherited from a class in the same tree (a contract
   * suite's implementations).
   */
  static Map<String, Runner> testClasses(Path sources) throws IOException {
    List<Source> all;
    try (Stream<Path> files = Files.walk(sources)) {
      all =
          files
              .filter(file -> file.toString().endsWith(".java"))
              .map(file -> Source.read(sources, file))
              .toList();
    }
    Map<String, List<Source>> bySimpleName = new HashMap<>();
    all.forEach(
        source ->
            bySimpleName
                .computeIfAbsent(source.simpleName(), name -> new ArrayList<>())
                .add(source));
    Map<String, Runner> classes = new TreeMap<>();
    for (Source source : all) {
      if (source.concrete() && hasTests(source, bySimpleName, 0)) {
        classes.put(source.className(), Runner.of(source.className()));
      }
    }
    return classes;
  }

  /** Whether the class or a superclass in the tree (by simple name) declares test methods. */
  private static boolean hasTests(
      Source source, Map<String, List<Source>> bySimpleName, int depth) {
    return source.testMethods()
        || (depth < 20
            && bySimpleName.getOrDefault(source.superclass(), List.of()).stream()
                .anyMatch(parent -> hasTests(parent, bySimpleName, depth + 1)));
  }

  /** The reports in {@code dir} written since {@code buildStart}, by the class they report on. */
  static Map<String, Report> reports(Path dir, Instant buildStart) throws Exception {
    Map<String, Report> reports = new HashMap<>();
    if (!Files.isDirectory(dir)) {
      return reports;
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml"))
              .filter(f -> !modified(f).isBefore(buildStart))
              .toList();
    }
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    for (Path file : files) {
      Element suite = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
      int ran = 0;
      List<String> skipped = new ArrayList<>();
      NodeList cases = suite.getElementsByTagName("testcase");
      for (int i = 0; i < cases.getLength(); i++) {
        Element testCase = (Element) cases.item(i);
        NodeList skips = testCase.getElementsByTagName("skipped");
        if (skips.getLength() == 0) {
          ran++;
        } else {
          String why = reason((Element) skips.item(0));
          skipped.add(
              testCase.getAttribute("classname")
                  + "#"
                  + testCase.getAttribute("name")
                  + (why.isEmpty() ? "" : ": " + why));
        }
      }
      String name = suite.getAttribute("name");
      if (cases.getLength() == 0) {
        // Surefire reports a class skipped as a whole (an assumption in @BeforeAll) as 0 tests.
        skipped.add(name + ": no test ran (the whole class was skipped, e.g. in @BeforeAll)");
      }
      reports.put(name, new Report(ran, List.copyOf(skipped)));
    }
    return reports;
  }

  /** The skip's message, else the first line of what it holds (an assumption's exception). */
  private static String reason(Element skip) {
    String message = skip.getAttribute("message");
    return message.isEmpty()
        ? skip.getTextContent().strip().lines().findFirst().orElse("")
        : message;
  }

  private static Instant modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code --name=value} options; values that are unresolved Maven expressions or empty dropped.
   */
  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] option = args[i].replaceFirst("^--", "").split("=", 2);
      String value = option.length == 2 ? option[1].trim() : "true";
      if (!value.isEmpty() && !value.contains("${")) {
        options.put(option[0], value);
      }
    }
    return options;
  }

  private static boolean isTrue(String value) {
    return value != null && List.of("true", "1", "yes").contains(value.toLowerCase(Locale.ROOT));
  }
}
