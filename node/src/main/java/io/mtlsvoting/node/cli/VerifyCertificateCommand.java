package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.QuorumCertificate.VerificationResult;
import io.mtlsvoting.protocol.StatusReply;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code verify-certificate}: fetches a tx's quorum certificate and verifies it offline. */
@Command(
    name = "verify-certificate",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch the quorum certificate of a transaction from a node and verify it here, against the",
      "CA (--ca) and the members' certificates node<ID>.crt (--certs-dir, default: the CA's",
      "directory). Exit 0 when valid, 1 when not (with the reason)."
    })
final class VerifyCertificateCommand extends ClientCommand {
  @Option(names = "--tx-id", required = true, paramLabel = "T", description = "Transaction id")
  String txId;

  @Option(
      names = "--certs-dir",
      paramLabel = "DIR",
      description = "Directory holding node<ID>.crt (default: the directory of --ca)")
  Path certsDir;

  @Option(
      names = "--threshold",
      paramLabel = "T",
      description = "Votes required (default: threshold of the cluster configuration)")
  Integer threshold;

  @Override
  int execute() {
    NodeAddress node = options.target();
    StatusReply s = fetchStatus(txId);
    int t = threshold != null ? threshold : options.cluster().threshold();
    Path dir = certsDir != null ? certsDir : StatusCommand.certsDir(options.ca);
    VerificationResult r = CertificateCheck.verify(s, options.ca, dir, t);
    if (options.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("txId", txId);
      json.put("node", node.describe());
      json.put("value", s.decidedValue());
      json.put("votes", s.certificate().size());
      json.put("threshold", t);
      json.put("valid", r.valid());
      json.put("reason", r.reason());
      printJson(json);
    } else if (r.valid()) {
      out()
          .printf(
              "VALID: tx %s decided %s, %d signed votes (threshold %d) verified against %s%n",
              txId, s.decidedValue(), s.certificate().size(), t, options.ca);
    } else {
      out().printf("INVALID: tx %s: %s%n", txId, r.reason());
    }
    return r.valid() ? 0 : CliFailure.FAILED;
  }
}
