package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the JVMs that record the archive inherit from the one that starts them. */
class ClassDataArchiveTest {

  @Test
  void childOptions_keepTheJvmSettings_butNotThisJvmsArchive() {
    List<String> options =
        List.of(
            "-XX:+UseSerialGC",
            "-Xms4m",
            "-XX:SharedArchiveFile=/opt/stevedore/stevedore.jsa",
            "-Xshare:auto",
            "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off",
            "-XX:ArchiveClassesAtExit=/tmp/old.jsa",
            "-Dio.netty.allocator.maxOrder=7");

    assertThat(ClassDataArchive.childOptions(options))
        .containsExactly("-XX:+UseSerialGC", "-Xms4m", "-Dio.netty.allocator.maxOrder=7");
  }
}
