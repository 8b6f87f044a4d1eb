package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Real misbehaviour on the wire for {@code test-byzantine}; construct it only when the node runs
 * with {@code byzantine-testing = on}. These votes bypass the local tally on purpose, so the peers'
 * detection is what gets tested.
 */
public final class ByzantineActions {
  /** What was sent to which peer. */
  public record Sent(List<Vote> votes, TreeMap<Integer, Long> valueByPeer) {}

  private final Membership membership;
  private final VoteSigner signer;
  private final Broadcaster broadcaster;
  private final LongSupplier clock;
  private final Set<String> silencedTxs = ConcurrentHashMap.newKeySet();

  public ByzantineActions(
      Membership membership, VoteSigner signer, Broadcaster broadcaster, LongSupplier clock) {
    this.membership = Objects.requireNonNull(membership, "membership");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Signs {@code a} and {@code b}; the first half of the peers (by id) get a, the rest b. */
  public Sent doubleVote(String txId, long a, long b) {
    Vote va = sign(txId, a);
    Vote vb = sign(txId, b);
    List<Integer> peers = peers();
    TreeMap<Integer, Long> sent = new TreeMap<>();
    for (int i = 0; i < peers.size(); i++) {
      Vote v = i < (peers.size() + 1) / 2 ? va : vb;
      if (broadcaster.sendTo(peers.get(i), v)) {
        sent.put(peers.get(i), v.value());
      }
    }
    return new Sent(List.of(va, vb), sent);
  }

  /** Votes against the value the others lean to ({@code observedLeading + 1}) and broadcasts it. */
  public Vote minorityAttack(String txId, long observedLeading) {
    Vote v = sign(txId, observedLeading + 1);
    broadcaster.broadcast(v);
    return v;
  }

  /** Broadcasts a vote whose signature has one bit flipped. */
  public Vote invalidSignature(String txId, long value) {
    Vote good = sign(txId, value);
    byte[] sig = good.signature();
    sig[0] ^= 0x01;
    Vote bad = good.withSignature(sig);
    broadcaster.broadcast(bad);
    return bad;
  }

  /** From now on this node does not vote on {@code txId} (see {@link VoteCaster}). */
  public void silent(String txId) {
    silencedTxs.add(txId);
  }

  public boolean silenced(String txId) {
    return silencedTxs.contains(txId);
  }

  private Vote sign(String txId, long value) {
    return signer.sign(membership.clusterId(), txId, membership.selfId(), value, clock.getAsLong());
  }

  private List<Integer> peers() {
    List<Integer> peers = new ArrayList<>(membership.members());
    peers.remove(Integer.valueOf(membership.selfId()));
    return peers;
  }
}
