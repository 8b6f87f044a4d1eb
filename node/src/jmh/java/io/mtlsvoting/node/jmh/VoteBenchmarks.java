package io.mtlsvoting.node.jmh;

import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.TallyRules;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.protocol.DecodeException;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import io.mtlsvoting.protocol.VoteVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Micro-benchmarks of the per-vote work: Ed25519 sign and verify (BouncyCastle), CBOR encode and
 * decode of a Vote, and one tally decision (five votes through the pure {@link TallyRules}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VoteBenchmarks {
  private static final String CLUSTER = "mtls-voting";

  private VoteSigner signer;
  private VoteVerifier verifier;
  private Vote vote;
  private byte[] encoded;
  private TallyRules rules;
  private List<Vote> fiveVotes;
  private long counter;

  @Setup
  public void setup() {
    byte[] seed = new byte[32];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) (i * 7 + 1);
    }
    signer = VoteSigner.fromSeed(seed);
    verifier = VoteVerifier.fromRaw(signer.publicKey());
    vote = signer.sign(CLUSTER, "tx-000001", 1, 42L, 1_700_000_000_000L);
    encoded = MessageCodec.encode(vote);
    rules = new TallyRules(Membership.of(CLUSTER, 1, 5, 4), 30_000);
    fiveVotes = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      fiveVotes.add(
          VoteSigner.fromSeed(seedFor(id)).sign(CLUSTER, "tx-1", id, 42L, 1_700_000_000_000L));
    }
  }

  private static byte[] seedFor(int id) {
    byte[] s = new byte[32];
    s[0] = (byte) id;
    return s;
  }

  @Benchmark
  public Vote sign() {
    return signer.sign(CLUSTER, "tx-" + (counter++), 1, 42L, 1_700_000_000_000L);
  }

  @Benchmark
  public boolean verify() {
    return verifier.verify(CLUSTER, vote);
  }

  @Benchmark
  public byte[] encode() {
    return MessageCodec.encode(vote);
  }

  @Benchmark
  public Message decode() throws DecodeException {
    return MessageCodec.decode(encoded);
  }

  /** Five votes into an empty tally: Opened, 5 x VoteCounted, ThresholdReached at the 4th. */
  @Benchmark
  public TallyState tallyFiveVotes() {
    TallyState s = TallyState.empty("tx-1");
    for (Vote v : fiveVotes) {
      s = TallyRules.applyAll(s, rules.onVote(s, v, 1_700_000_000_000L, id -> false).events());
    }
    return s;
  }
}
