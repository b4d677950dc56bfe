package dev.stevedore.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Conditional writes whose answer is lost on the way back, as happens when a server answers a
 * losing claim with {@code 412} before reading the body and closes the connection: the client then
 * sees a failed write, not the answer (CI saw it under S3Proxy with concurrent claims).
 */
class S3RecordsTest {
  private static final String KEY = "records/claim";

  private S3TestServer server;
  private String bucket;
  private S3Records healthy;

  @BeforeEach
  void setUp() throws IOException {
    server = S3TestServer.shared();
    bucket = server.newBucket();
    healthy = new S3Records(server.client(), bucket);
  }

  @Test
  void writeIfAbsent_answerLostAfterAnotherClaimWon_reportsTheLoss() throws IOException {
    healthy.writeIfAbsent(KEY, "theirs");

    assertThat(faulty(new AnswerLost()).writeIfAbsent(KEY, "ours")).isFalse();
    assertThat(healthy.read(KEY, 1)).contains(List.of("theirs"));
  }

  @Test
  void writeIfAbsent_answerLostAfterOurWriteLanded_reportsTheWin() throws IOException {
    assertThat(faulty(new AnswerLost()).writeIfAbsent(KEY, "ours")).isTrue();
    assertThat(healthy.read(KEY, 1)).contains(List.of("ours"));
  }

  @Test
  void writeIfAbsent_requestNeverArrived_isAnError() {
    assertThatThrownBy(() -> faulty(new RequestLost()).writeIfAbsent(KEY, "ours"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("conditional PUT of " + KEY);
  }

  private S3Records faulty(ExecutionInterceptor network) {
    S3Client client = server.clientThrough(network);
    return new S3Records(client, bucket);
  }

  /** The server handles the conditional PUT; its answer never reaches the client. */
  private static final class AnswerLost implements ExecutionInterceptor {
    @Override
    public void afterTransmission(
        Context.AfterTransmission context, ExecutionAttributes attributes) {
      if (context.httpRequest().firstMatchingHeader("If-None-Match").isPresent()) {
        throw SdkClientException.create("Error writing request body to server");
      }
    }
  }

  /** The conditional PUT never reaches the server. */
  private static final class RequestLost implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(
        Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (context.httpRequest().firstMatchingHeader("If-None-Match").isPresent()) {
        throw SdkClientException.create("Error writing request body to server");
      }
    }
  }
}
