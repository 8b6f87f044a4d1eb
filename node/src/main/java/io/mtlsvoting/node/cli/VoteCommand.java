package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.SubmitVoteReply;
import io.mtlsvoting.protocol.SubmitVoteRequest;
import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.UnsignedValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vote}: the chosen node casts its own signed vote, optionally waiting for the decision. */
@Command(
    name = "vote",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a node to sign and cast its vote VALUE (unsigned 64-bit) for a transaction.",
      "With --wait, return once that node reached a decision (or --timeout passed)."
    })
final class VoteCommand extends ClientCommand {
  @Option(names = "--tx-id", required = true, paramLabel = "T", description = "Transaction id")
  String txId;

  @Option(
      names = "--value",
      required = true,
      paramLabel = "V",
      description = "Value, 0..18446744073709551615")
  String value;

  @Option(names = "--wait", description = "Wait for the node's decision")
  boolean await;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      defaultValue = "60",
      description = "Seconds to wait with --wait (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  int execute() {
    TxIds.validate(txId);
    long v = UnsignedValues.parse(value);
    if (timeoutSeconds < 1) {
      throw CliFailure.usage("--timeout must be at least 1 second");
    }
    NodeAddress node = options.target();
    Duration wait = Duration.ofSeconds(timeoutSeconds);
    SubmitVoteReply reply =
        request(
            node,
            new SubmitVoteRequest(
                ControlClient.nextRequestId(), txId, v, await, await ? wait.toMillis() : 0),
            SubmitVoteReply.class,
            await ? wait.plusSeconds(15) : DEFAULT_TIMEOUT);
    if (options.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("node", node.describe());
      json.put("accepted", true);
      json.put("txId", txId);
      json.put("value", UnsignedValues.format(reply.vote().value()));
      json.put("state", reply.state());
      json.put("decidedValue", reply.decidedValue());
      json.put("certificateVotes", reply.certificate().size());
      json.put("waitExpired", reply.waitExpired());
      printJson(json);
    } else {
      out()
          .printf(
              "accepted: %s signed %s for tx %s%n",
              node.describe(), UnsignedValues.format(reply.vote().value()), txId);
      if (await) {
        if (reply.waitExpired()) {
          out().printf("no decision within %ds; state %s%n", timeoutSeconds, reply.state());
        } else {
          out()
              .printf(
                  "decision: %s%s, %d votes in the quorum certificate%n",
                  reply.state(),
                  reply.decidedValue().isEmpty() ? "" : " value " + reply.decidedValue(),
                  reply.certificate().size());
        }
      } else {
        out().printf("state: %s%n", reply.state());
      }
    }
    return await && reply.waitExpired() ? CliFailure.FAILED : 0;
  }
}
