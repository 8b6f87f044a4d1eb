package io.mtlsvoting.node.control;

import io.mtlsvoting.node.mesh.ClientConnectionHandler;
import io.mtlsvoting.node.runtime.NodeContext;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ClientRequest;
import io.mtlsvoting.protocol.DecodeException;
import io.mtlsvoting.protocol.ErrorReply;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control protocol of a node: serves each connection made with a client certificate (the CLI)
 * as a session of request frames, each answered by a reply frame with the same request id. Up to
 * {@code mtls-voting.control.max-requests-in-flight} requests of a session are served at once and
 * answered as they complete, so a client may pipeline (a vote waiting for its decision does not
 * hold up the requests behind it). An undecodable frame or a peer message is answered with an
 * {@link ErrorReply} and closes the session.
 */
public final class ControlService {
  private static final Logger log = LoggerFactory.getLogger(ControlService.class);

  private final NodeContext ctx;
  private final ControlHandlers handlers;
  private final int maxInFlight;

  private ControlService(NodeContext ctx, ActivityLog activity) {
    this.ctx = ctx;
    this.handlers = new ControlHandlers(ctx, activity);
    this.maxInFlight =
        ctx.system().settings().config().getInt("mtls-voting.control.max-requests-in-flight");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException(
          "mtls-voting.control.max-requests-in-flight must be at least 1, got " + maxInFlight);
    }
  }

  /** The handler to pass to {@code NodeRuntime.serveClients}, with an empty activity log. */
  public static ClientConnectionHandler handler(NodeContext ctx) {
    return handler(ctx, new ActivityLog(ctx.nodeId()));
  }

  /**
   * The handler to pass to {@code NodeRuntime.serveClients}; {@code activity} should be one of the
   * node's tally listeners so {@code monitor} shows recent transactions and violations.
   */
  public static ClientConnectionHandler handler(NodeContext ctx, ActivityLog activity) {
    Objects.requireNonNull(ctx, "ctx");
    Objects.requireNonNull(activity, "activity");
    ControlService service = new ControlService(ctx, activity);
    return (identity, certificate) -> {
      if (identity.isNode()) {
        return Optional.empty();
      }
      log.debug("control session for client-{}", identity.clientName());
      return Optional.of(service.session());
    };
  }

  /** One client's session: frame bodies in, frame bodies out; ends after a protocol error. */
  Flow<ByteString, ByteString, NotUsed> session() {
    return Flow.<ByteString>create()
        .mapAsyncUnordered(maxInFlight, bytes -> answer(bytes.toArray()))
        .takeWhile(answer -> !answer.closeAfter(), true)
        .map(answer -> ByteString.fromArrayUnsafe(MessageCodec.encode(answer.reply())));
  }

  private record Answer(ClientReply reply, boolean closeAfter) {}

  private CompletionStage<Answer> answer(byte[] frame) {
    Message message;
    try {
      message = MessageCodec.decode(frame, ctx.settings().maxFrameBytes());
    } catch (DecodeException e) {
      return CompletableFuture.completedFuture(
          new Answer(
              new ErrorReply(
                  0, ErrorReply.INVALID_ARGUMENT, "undecodable request (" + e.getMessage() + ")"),
              true));
    }
    if (!(message instanceof ClientRequest request)) {
      return CompletableFuture.completedFuture(
          new Answer(
              new ErrorReply(
                  0,
                  ErrorReply.FORBIDDEN,
                  message.getClass().getSimpleName()
                      + " is peer traffic; client certificates may only send control requests"),
              true));
    }
    CompletionStage<? extends ClientReply> reply;
    try {
      reply = handlers.handle(request);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply
        .<ClientReply>thenApply(r -> r)
        .exceptionally(e -> ControlFailure.toReply(request.requestId(), ctx.nodeId(), e))
        .thenApply(r -> new Answer(r, false));
  }
}
