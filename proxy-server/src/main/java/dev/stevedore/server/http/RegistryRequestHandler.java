package dev.stevedore.server.http;

import dev.stevedore.core.error.ErrorCode;
import dev.stevedore.core.error.RegistryException;
import dev.stevedore.core.model.RepositoryName;
import dev.stevedore.core.upstream.Upstream;
import dev.stevedore.server.auth.AccessControl;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each registry request to its endpoint after validating method, upstream, name and
 * reference; nothing invalid reaches the disk or the upstream. The target is parsed once ({@link
 * RequestTarget}), a non-canonical one refused with 400, and authentication is decided on the
 * parsed route's kind: every route but the operators' endpoints needs credentials. Endpoints answer
 * asynchronously, so this handler never blocks the event loop. Request bodies (pushes) are dropped.
 */
@ChannelHandler.Sharable
public final class RegistryRequestHandler extends SimpleChannelInboundHandler<HttpObject> {
  private static final Logger log = LoggerFactory.getLogger(RegistryRequestHandler.class);
  private static final Map<String, String> ALLOW_PULL = Map.of("Allow", "GET, HEAD");

  private final RegistryServices services;
  private final ManifestEndpoint manifests;
  private final BlobEndpoint blobs;
  private final TagsEndpoint tags = new TagsEndpoint();
  private final ReferrersEndpoint referrers;
  private final OperatorEndpoints operator;
  private final RelayEndpoint relay;
  private final SetupEndpoint setup;

  private final AccessControl access;

  public RegistryRequestHandler(RegistryServices services) {
    this(services, AccessControl.OPEN);
  }

  public RegistryRequestHandler(RegistryServices services, AccessControl access) {
    this.services = services;
    this.access = access;
    this.manifests =
        new ManifestEndpoint(services.manifests(), services.pulls(), services.clients());
    this.referrers = new ReferrersEndpoint(services.manifests().referrers());
    this.blobs = new BlobEndpoint(services.blobs(), services.disk(), services.blobRedirects());
    this.operator =
        new OperatorEndpoints(
            services.metrics(), services.health(), services.statusPage(), services.setup());
    this.setup = new SetupEndpoint(services.setup());
    this.relay =
        new RelayEndpoint(
            services.blobs(), services.upstreams(), services.disk(), services.relayAccess());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
    if (!(message instanceof HttpRequest request)) {
      return;
    }
    boolean head = HttpMethod.HEAD.equals(request.method());
    RequestContext context = RequestContext.open(ctx.channel(), request);
    try {
      if (request.decoderResult().isFailure()) {
        ctx.writeAndFlush(
                ErrorResponses.of(
                    ErrorCode.UNSUPPORTED.exception(400, "malformed HTTP request"), head))
            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        return;
      }
      RequestTarget target = RequestTarget.parse(request.uri());
      Route route = target.route();
      context.routed(route.kind());
      if (!route.kind().needsCredentials()) {
        dispatch(ctx, context, request, head, target);
        return;
      }
      CompletableFuture<Void> admitted =
          access.authenticate(
              ClientAddress.of(ctx.channel()),
              Optional.ofNullable(request.headers().get("Authorization")));
      BiConsumer<Void, Throwable> answer =
          (allowed, refused) -> {
            if (refused != null) {
              Responses.send(ctx, ErrorResponses.of(refused, head));
              return;
            }
            try {
              dispatch(ctx, context, request, head, target);
            } catch (RuntimeException e) {
              Responses.send(ctx, ErrorResponses.of(e, head));
            }
          };
      if (admitted.isDone()) {
        admitted.whenComplete(answer);
      } else { // a password check ran elsewhere: route back on this connection's event loop
        admitted.whenCompleteAsync(answer, ctx.executor());
      }
    } catch (RegistryException e) {
      Responses.send(ctx, ErrorResponses.of(e, head));
    }
  }

  private void dispatch(
      ChannelHandlerContext ctx,
      RequestContext context,
      HttpRequest request,
      boolean head,
      RequestTarget target) {
    Route route = target.route();
    boolean read = head || HttpMethod.GET.equals(request.method());
    switch (route.kind()) {
      case STATUS_PAGE -> {
        requireRead(read, request);
        operator.statusPage(ctx, request, head);
      }
      case METRICS -> {
        requireRead(read, request);
        operator.metrics(ctx, head);
      }
      case HEALTH -> {
        requireRead(read, request);
        operator.health(ctx, head);
      }
      case READY -> {
        requireRead(read, request);
        operator.ready(ctx, head);
      }
      case BASE -> {
        requireRead(read, request);
        Responses.send(ctx, Responses.json(HttpResponseStatus.OK, "{}", head));
      }
      case MANIFEST -> {
        // a reference that cannot exist is unknown whatever the method: the conformance suite's
        // PUT of sha256:totallywrong expects 400 or 404 with a spec code, not 405
        ManifestEndpoint.parseReference(route.reference());
        requireRead(read, request);
        manifests.handle(registryRequest(ctx, context, request, head, target));
      }
      case BLOB -> {
        requireRead(read, request);
        blobs.handle(registryRequest(ctx, context, request, head, target));
      }
      case TAGS -> {
        requireRead(read, request);
        tags.handle(registryRequest(ctx, context, request, head, target), target);
      }
      case SETUP -> {
        requireRead(read, request);
        setup.handle(ctx, request, head, route.reference());
      }
      case BLOB_UPLOAD, CATALOG -> throw unsupported(request);
      case RELAY -> {
        requireRead(read, request);
        relay.handle(ctx, context, request, head, target);
      }
      case REFERRERS -> {
        requireRead(read, request);
        referrers.handle(registryRequest(ctx, context, request, head, target));
      }
      case NOT_FOUND -> throw noSuchEndpoint(target);
    }
  }

  private RegistryRequest registryRequest(
      ChannelHandlerContext ctx,
      RequestContext context,
      HttpRequest request,
      boolean head,
      RequestTarget target) {
    String name = target.route().name();
    Optional<String> ns = target.namespace();
    if (ns.isEmpty() && name != null) {
      ns = services.upstreams().namedInPath(name);
      name = ns.map(prefix -> target.route().name().substring(prefix.length() + 1)).orElse(name);
    }
    Upstream upstream = services.upstreams().select(ns);
    context.upstream(
        ns, upstream.name()); // before anything can refuse: errors answer OCI-Namespace
    RepositoryName repository = repositoryName(name).normalizedFor(upstream.name());
    context.repository(repository);
    if (!access.allows(upstream.name(), repository)) {
      throw ErrorCode.DENIED.exception(
          "pulling " + upstream.name() + "/" + repository + " through this proxy is not allowed");
    }
    log.debug("{} {} via {}", request.method(), request.uri(), upstream.name());
    return new RegistryRequest(
        ctx,
        context,
        request.headers(),
        head,
        upstream,
        repository,
        target.route().reference(),
        target.forwardedQuery());
  }

  /**
   * A path that is no endpoint: 404 with {@code UNSUPPORTED}, the spec's code for a "missing
   * implementation" (it names none for an unknown path). {@link RelayEndpoint} answers exactly this
   * to hide itself.
   */
  static RegistryException noSuchEndpoint(RequestTarget target) {
    return ErrorCode.UNSUPPORTED.exception(404, "no such endpoint: " + target.path());
  }

  /**
   * The repository in a registry path. A name outside the spec's grammar names no repository: 404
   * {@code NAME_UNKNOWN}, as for a GET of any name the registry does not know.
   */
  private static RepositoryName repositoryName(String name) {
    try {
      return RepositoryName.parse(name);
    } catch (RegistryException e) {
      throw ErrorCode.NAME_UNKNOWN.exception("no repository has this name, " + e.getMessage());
    }
  }

  private static void requireRead(boolean read, HttpRequest request) {
    if (!read) {
      throw unsupported(request);
    }
  }

  private static RegistryException unsupported(HttpRequest request) {
    return new RegistryException(
        ErrorCode.UNSUPPORTED,
        request.method() + " is not supported: this is a pull-through cache",
        ALLOW_PULL,
        null);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
