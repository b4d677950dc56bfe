package dev.stevedore.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * build/TestsRanCheck.java, which every module's {@code verify} runs, on a module made up here: a
 * test class the runners did not report fails the build whatever its name (a contract suite's
 * implementations included), a skipped test fails it only under {@code CI=true}, and classes
 * without tests, abstract contract bases and reports older than the build are not counted.
 */
class TestsRanCheckTest {
  private static final Path CHECK = DeployFiles.REPOSITORY.resolve("build/TestsRanCheck.java");
  private static final Instant BUILD_START = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @TempDir Path module;

  @BeforeEach
  void moduleWithEveryKindOfTestSource() throws IOException {
    source("a/PlainTest.java", "class PlainTest {\n  @Test\n  void works() {}\n}");
    source("a/GrammarProperties.java", "class GrammarProperties {\n  @Property\n  void p() {}\n}");
    source("a/StoreContract.java", "abstract class StoreContract {\n  @Test\n  void c() {}\n}");
    source("a/FileStoreTest.java", "class FileStoreTest extends StoreContract {}");
    source("a/Fake.java", "final class Fake {\n  // mentions @Test only in a comment\n}");
    source("a/it/PullIT.java", "class PullIT {\n  @ParameterizedTest\n  void pull() {}\n}");
    report("surefire", "a.PlainTest", passed("works"));
    report("surefire", "a.FileStoreTest", passed("c"));
    report("failsafe", "a.it.PullIT", passed("pull[1]"));
  }

  @Test
  void classWithTestsButNoReport_failsNamingIt_whateverItsName() throws IOException {
    ScriptRun run = check(false);

    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(failures(run))
        .containsExactly(
            "a.GrammarProperties has tests but did not run: Surefire has no report of it (its"
                + " includes?)");
  }

  @Test
  void contractSuiteImplementation_withNoTestsOfItsOwn_mustRunToo() throws IOException {
    report("surefire", "a.GrammarProperties", passed("p"));
    Files.delete(module.resolve("target/surefire-reports/TEST-a.FileStoreTest.xml"));

    ScriptRun run = check(false);

    assertThat(failures(run))
        .containsExactly(
            "a.FileStoreTest has tests but did not run: Surefire has no report of it (its"
                + " includes?)");
  }

  @Test
  void everyClassReported_passes_andSaysWhatRan() throws IOException {
    report("surefire", "a.GrammarProperties", passed("p"));

    ScriptRun run = check(true);

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
        .isEqualTo("tests-ran: %s: 4 test classes in the tree, 4 tests ran, 0 skipped\n", name());
  }

  @Test
  void skippedTest_failsUnderCi() throws IOException {
    report("surefire", "a.GrammarProperties", skipped("p", "needs openssl"));

    ScriptRun run = check(true);

    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(failures(run)).containsExactly("skipped a.GrammarProperties#p: needs openssl");
  }

  @Test
  void skippedTest_isAWarningOutsideCi() throws IOException {
    report("surefire", "a.GrammarProperties", skipped("p", "needs openssl"));

    ScriptRun run = check(false);

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
        .contains(
            "tests-ran: " + name() + ": WARNING skipped a.GrammarProperties#p: needs openssl");
  }

  @Test
  void classSkippedAsAWhole_reportedWithNoTestCase_failsUnderCi() throws IOException {
    report("surefire", "a.GrammarProperties", passed("p"));
    report("failsafe", "a.it.PullIT", "");

    ScriptRun run = check(true);

    assertThat(failures(run))
        .containsExactly(
            "skipped a.it.PullIT: no test ran (the whole class was skipped, e.g. in @BeforeAll)");
  }

  @Test
  void reportWrittenBeforeTheBuild_doesNotCount() throws IOException {
    Path stale = report("surefire", "a.GrammarProperties", passed("p"));
    Files.setLastModifiedTime(stale, FileTime.from(BUILD_START.minusSeconds(60)));

    ScriptRun run = check(false);

    assertThat(failures(run)).singleElement().asString().startsWith("a.GrammarProperties ");
  }

  @Test
  void narrowedRun_checksOnlySkips() throws IOException {
    ScriptRun run = check(false, "--test=PlainTest", "--it.test=${it.test}");

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).startsWith("tests-ran: " + name() + ": narrowed run");
  }

  @Test
  void integrationTestsSwitchedOff_areNotAskedFor() throws IOException {
    report("surefire", "a.GrammarProperties", passed("p"));
    Files.delete(module.resolve("target/failsafe-reports/TEST-a.it.PullIT.xml"));

    ScriptRun run = check(true, "--skipITs=true");

    assertThat(run.exitCode()).as(run.output()).isZero();
  }

  private ScriptRun check(boolean ci, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CHECK.toString(),
                module.toString(),
                BUILD_START.toString()));
    command.addAll(List.of(options));
    Map<String, String> environment = new HashMap<>();
    environment.put("CI", ci ? "true" : null);
    return ScriptRun.of(command, environment);
  }

  private static List<String> failures(ScriptRun run) {
    return run.output()
        .lines()
        .filter(line -> line.contains(": FAILED "))
        .map(line -> line.substring(line.indexOf(": FAILED ") + ": FAILED ".length()))
        .toList();
  }

  private String name() {
    return module.getFileName().toString();
  }

  private void source(String path, String body) throws IOException {
    Path file = module.resolve("src/test/java").resolve(path);
    Files.createDirectories(file.getParent());
    String pkg = module.resolve("src/test/java").relativize(file.getParent()).toString();
    Files.writeString(file, "package " + pkg.replace('/', '.') + ";\n\n" + body + "\n");
  }

  private Path report(String runner, String testClass, String testCases) throws IOException {
    Path file = module.resolve("target/" + runner + "-reports/TEST-" + testClass + ".xml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\""
            + testClass
            + "\">\n"
            + testCases.replace("CLASS", testClass)
            + "</testsuite>\n");
    return file;
  }

  private static String passed(String test) {
    return "  <testcase name=\"" + test + "\" classname=\"CLASS\" time=\"0.1\"/>\n";
  }

  private static String skipped(String test, String why) {
    return "  <testcase name=\""
        + test
        + "\" classname=\"CLASS\"><skipped message=\""
        + why
        + "\"/></testcase>\n";
  }
}
