package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import io.mtlsvoting.protocol.VoteVerifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** In-process Ed25519 keys for members 1..n (deterministic from a seed), for pure unit tests. */
final class TestMembers {
  final String clusterId;
  final Map<Integer, VoteSigner> signers = new HashMap<>();
  final Map<Integer, VoteVerifier> verifiers = new HashMap<>();

  TestMembers(String clusterId, int n, long seed) {
    this.clusterId = clusterId;
    Random r = new Random(seed);
    for (int i = 1; i <= n; i++) {
      byte[] s = new byte[32];
      r.nextBytes(s);
      VoteSigner signer = VoteSigner.fromSeed(s);
      signers.put(i, signer);
      verifiers.put(i, VoteVerifier.fromRaw(signer.publicKey()));
    }
  }

  Vote vote(String txId, int node, long value) {
    return signers.get(node).sign(clusterId, txId, node, value, 1_700_000_000_000L + node);
  }
}
