package dev.stevedore.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServePreinitializerTest {

  @Test
  void await_returnsWhenTheHeadStartIsDone_andAStartedOneRunsOnce() throws Exception {
    ServePreinitializer.start();
    ServePreinitializer.start();

    ServePreinitializer.await();

    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(thread -> thread.getName().equals("stevedore-preinit"));
    ServePreinitializer.await();
  }

  @Test
  void aServeCommandLine_startsIt_otherCommandsDoNot() throws Exception {
    StevedoreCommand.commandLine("containerd-config");
    StevedoreCommand.commandLine("serve");

    ServePreinitializer.await();
  }
}
