package io.mtlsvoting.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mtlsvoting.protocol.QuorumCertificate.VerificationResult;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.ViolationView;
import io.mtlsvoting.protocol.VoteView;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code status}: one node's view of a transaction, with its certificate checked offline. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Show a node's view of a transaction: state, votes per value, who voted what and when,",
      "the quorum certificate (verified here against the CA and member certificates), violations."
    })
final class StatusCommand extends ClientCommand {
  @Option(names = "--tx-id", required = true, paramLabel = "T", description = "Transaction id")
  String txId;

  @Override
  int execute() {
    NodeAddress node = options.target();
    StatusReply s = fetchStatus(txId);
    VerificationResult check =
        s.certificate().isEmpty()
            ? null
            : CertificateCheck.verify(
                s, options.ca, certsDir(options.ca), options.cluster().threshold());
    if (options.json) {
      ObjectNode json = JSON.valueToTree(s);
      json.put("node", node.describe());
      if (check != null) {
        json.putObject("certificateVerification")
            .put("valid", check.valid())
            .put("reason", check.reason());
      }
      printJson(json);
    } else {
      print(out(), node, s, check);
    }
    return 0;
  }

  static Path certsDir(Path ca) {
    Path parent = ca.toAbsolutePath().getParent();
    return parent == null ? Path.of(".") : parent;
  }

  static void print(PrintWriter out, NodeAddress node, StatusReply s, VerificationResult check) {
    out.printf("tx %s at %s: %s%n", s.txId(), node.describe(), s.state());
    if (s.openedAtMillis() > 0) {
      out.printf(
          "  opened %s, deadline %s%n",
          Instant.ofEpochMilli(s.openedAtMillis()), Instant.ofEpochMilli(s.deadlineMillis()));
    }
    out.printf("  votes per value: %s%n", s.countsByValue());
    for (VoteView v : s.votes()) {
      out.printf(
          "    node %d voted %s at %s%n",
          v.nodeId(), v.value(), Instant.ofEpochMilli(v.issuedAt()));
    }
    if (!s.decidedValue().isEmpty()) {
      out.printf(
          "  decided %s; quorum certificate of %d signed votes: %s%n",
          s.decidedValue(),
          s.certificate().size(),
          check == null ? "-" : check.valid() ? "VALID" : "INVALID (" + check.reason() + ")");
    }
    if (s.violations().isEmpty()) {
      out.println("  violations: none");
    } else {
      out.println("  violations:");
      for (ViolationView v : s.violations()) {
        out.printf("    %s by node %d: %s%n", v.type(), v.offenderNodeId(), v.detail());
      }
    }
    if (!s.safetyAlarm().isEmpty()) {
      out.printf("  SAFETY ALARM: %s%n", s.safetyAlarm());
    }
  }
}
