package dev.stevedore.server.http;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.server.auth.AccessControl;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An access control that counts the authentications it was asked for and records the allow-list
 * questions; it refuses every client (as a server with {@code --htpasswd} refuses one without
 * credentials) or admits every client.
 */
final class RecordingAccessControl implements AccessControl {
  private final boolean admit;
  private final AtomicInteger authentications = new AtomicInteger();
  private final List<String> allowQuestions = new CopyOnWriteArrayList<>();

  private RecordingAccessControl(boolean admit) {
    this.admit = admit;
  }

  static RecordingAccessControl refusing() {
    return new RecordingAccessControl(false);
  }

  static RecordingAccessControl admitting() {
    return new RecordingAccessControl(true);
  }

  int authenticationsAsked() {
    return authentications.get();
  }

  List<String> allowQuestions() {
    return List.copyOf(allowQuestions);
  }

  @Override
  public CompletableFuture<Void> authenticate(
      String clientAddress, Optional<String> authorization) {
    authentications.incrementAndGet();
    return admit
        ? CompletableFuture.completedFuture(null)
        : CompletableFuture.failedFuture(ErrorCode.UNAUTHORIZED.exception("credentials needed"));
  }

  @Override
  public boolean allows(String registry, RepositoryName repository) {
    allowQuestions.add(registry + "/" + repository);
    return false;
  }
}
