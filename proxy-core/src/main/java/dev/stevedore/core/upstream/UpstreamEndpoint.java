package dev.stevedore.core.upstream;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.metrics.UpstreamKind;
import java.net.http.HttpRequest;

/**
 * One upstream endpoint, described in one place (Jib's {@code RegistryEndpointProvider} is the
 * model): the method and {@link UpstreamTarget} of its request, how its body is read and how it
 * passes the upstream's gate, what its statuses mean, whether it updates the rate limit, how a
 * successful reply becomes the result, and the bounded metric tag it is counted under. The code
 * that sends requests knows no verb: a new verb is a new endpoint (the registry API's are in {@link
 * RegistryEndpoints}).
 *
 * @param <B> the 200 body as its {@link BodyHandling} reads it
 * @param <R> the result a successful reply becomes
 */
interface UpstreamEndpoint<B, R> {

  /** The metric tag this endpoint's requests are counted under. */
  UpstreamKind kind();

  /** {@code GET} unless the endpoint says otherwise ({@code HEAD}). */
  default String method() {
    return "GET";
  }

  /** Where the request goes and what it asks for. */
  UpstreamTarget target();

  /** How the 200 body is read and how the exchange passes the upstream's gate. */
  BodyHandling<B> body();

  /** What a 404 means here; {@link ErrorCode#UNAVAILABLE} where there must always be an answer. */
  ErrorCode notFound();

  /** Whether the reply's rate-limit headers, whatever its status, update the upstream's budget. */
  default boolean observesRateLimit() {
    return false;
  }

  /**
   * Whether {@code status} is an answer {@link #read} understands; any other status is an upstream
   * error (401 and 403 {@link ErrorCode#DENIED}, 404 {@link #notFound()}, 429 {@link
   * ErrorCode#TOOMANYREQUESTS}, 5xx {@link ErrorCode#UNAVAILABLE}: see {@link UpstreamErrors}).
   */
  default boolean answers(int status) {
    return status == 200;
  }

  /** The result of a reply whose status this endpoint {@link #answers}. */
  R read(Reply<B> reply, String upstream);

  /** The request to send; the sender adds any Authorization header. */
  default HttpRequest.Builder request(UpstreamConfig upstream, RedirectingTransport transport) {
    UpstreamTarget target = target();
    HttpRequest.Builder request = transport.newRequest(target.uri(upstream));
    if (!target.accept().isEmpty()) {
      request.header("Accept", String.join(", ", target.accept()));
    }
    return method().equals("GET")
        ? request.GET()
        : request.method(method(), HttpRequest.BodyPublishers.noBody());
  }

  /** The result of the final {@code reply}, or the upstream error it means. */
  default R answer(Reply<B> reply, String upstream, UpstreamErrors errors) {
    if (!answers(reply.status())) {
      throw errors.forStatus(notFound(), target().what(), reply);
    }
    return read(reply, upstream);
  }
}
