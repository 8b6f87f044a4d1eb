package io.mtlsvoting.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ClientRequest;
import io.mtlsvoting.protocol.ErrorReply;
import io.mtlsvoting.protocol.InvalidInputException;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.StatusRequest;
import io.mtlsvoting.protocol.TxIds;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that talk to a node: shared options, output through picocli's writers, and
 * the one place where failures become a message on stderr and an exit code (1 failure, 2 usage).
 */
abstract class ClientCommand implements Callable<Integer> {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).findAndRegisterModules();

  @Mixin ClientOptions options;

  @Spec CommandSpec spec;

  /** Runs the command; returns the exit code. */
  abstract int execute();

  @Override
  public final Integer call() {
    try {
      return execute();
    } catch (CliFailure e) {
      err().println("mtls-voting " + spec.name() + ": " + e.getMessage());
      return e.exitCode();
    } catch (InvalidInputException e) {
      err().println("mtls-voting " + spec.name() + ": " + e.getMessage());
      return CliFailure.USAGE;
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Prints {@code value} as JSON on stdout. */
  void printJson(Object value) {
    try {
      out().println(JSON.writeValueAsString(value));
      out().flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw CliFailure.failed("cannot print JSON: " + e.getMessage());
    }
  }

  /** One request to {@code node}; an {@link ErrorReply} becomes a {@link CliFailure}. */
  <R extends ClientReply> R request(
      NodeAddress node, ClientRequest request, Class<R> type, Duration timeout) {
    try (ControlClient client = options.connect(node)) {
      return expect(node, client.call(request, timeout), type);
    }
  }

  /** The chosen node's status of {@code txId} (validated before connecting). */
  StatusReply fetchStatus(String txId) {
    TxIds.validate(txId);
    return request(
        options.target(),
        new StatusRequest(ControlClient.nextRequestId(), txId),
        StatusReply.class,
        DEFAULT_TIMEOUT);
  }

  static <R extends ClientReply> R expect(NodeAddress node, ClientReply reply, Class<R> type) {
    if (reply instanceof ErrorReply e) {
      throw CliFailure.failed(node.describe() + ": " + e.code() + ": " + e.message());
    }
    if (!type.isInstance(reply)) {
      throw CliFailure.failed(
          node.describe() + " answered " + reply.getClass().getSimpleName() + ", not expected");
    }
    return type.cast(reply);
  }
}
