package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ClientRequest;
import io.mtlsvoting.protocol.ErrorReply;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many outstanding control requests on one {@link ControlClient} connection: requests are written
 * as they come, one reader thread matches each reply to its request by request id (the node answers
 * them as they complete). Replies are handed to {@code callbacks}, never run on the reader thread,
 * so a callback that sends another request cannot stall the reading.
 */
final class ControlPipeline implements AutoCloseable {
  private final ControlClient client;
  private final Executor callbacks;
  private final Map<Long, CompletableFuture<ClientReply>> pending = new ConcurrentHashMap<>();
  private final Thread reader;
  private volatile CliFailure broken;

  private ControlPipeline(ControlClient client, Executor callbacks) {
    this.client = client;
    this.callbacks = callbacks;
    this.reader = new Thread(this::readLoop, "control-reader-" + client.node().describe());
    reader.setDaemon(true);
  }

  /** Starts reading replies on {@code client}, which this pipeline now owns. */
  static ControlPipeline start(ControlClient client, Executor callbacks) {
    ControlPipeline p = new ControlPipeline(client, callbacks);
    p.reader.start();
    return p;
  }

  NodeAddress node() {
    return client.node();
  }

  /**
   * Sends {@code request}; the future completes with the node's reply (an {@link ErrorReply} as is)
   * or fails with a {@link CliFailure} when the connection breaks or no reply came within {@code
   * timeout}.
   */
  CompletableFuture<ClientReply> send(ClientRequest request, Duration timeout) {
    CompletableFuture<ClientReply> reply = new CompletableFuture<>();
    CliFailure b = broken;
    if (b != null) {
      reply.completeExceptionally(b);
      return reply;
    }
    long id = request.requestId();
    pending.put(id, reply);
    try {
      client.send(request);
    } catch (CliFailure e) {
      pending.remove(id);
      reply.completeExceptionally(e);
      return reply;
    }
    if (broken != null) {
      // The reader stopped between the check above and put: nobody will answer this one.
      failAll(broken);
    }
    return reply
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (r, e) -> {
              pending.remove(id);
            })
        .exceptionallyCompose(
            e -> {
              Throwable cause = e instanceof CompletionException ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(
                    CliFailure.failed(
                        client.node().describe()
                            + " did not answer request "
                            + id
                            + " within "
                            + timeout.toSeconds()
                            + "s"));
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  private void readLoop() {
    try {
      while (true) {
        ClientReply reply = client.receive(Duration.ZERO);
        CompletableFuture<ClientReply> f = pending.remove(reply.requestId());
        if (f != null) {
          callbacks.execute(() -> f.complete(reply));
        } else if (reply instanceof ErrorReply e) {
          // Not an answer to a request of ours (id 0): the node refused the session and closes it.
          throw CliFailure.failed(
              client.node().describe() + " ended the session: " + e.code() + ": " + e.message());
        }
        // A late reply to a request that already timed out is dropped.
      }
    } catch (CliFailure e) {
      broken = e;
      failAll(e);
    } catch (RuntimeException e) {
      CliFailure f =
          CliFailure.failed("reading from " + client.node().describe() + " failed: " + e);
      broken = f;
      failAll(f);
    }
  }

  private void failAll(CliFailure e) {
    for (Long id : pending.keySet()) {
      CompletableFuture<ClientReply> f = pending.remove(id);
      if (f != null) {
        callbacks.execute(() -> f.completeExceptionally(e));
      }
    }
  }

  @Override
  public void close() {
    if (broken == null) {
      broken = CliFailure.failed("the connection to " + client.node().describe() + " was closed");
    }
    client.close();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failAll(broken);
  }
}
