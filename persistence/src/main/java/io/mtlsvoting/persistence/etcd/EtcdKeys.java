package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalInt;

/** The key layout under the prefix, in one place: {@code config}, {@code members/<id>}, ... */
final class EtcdKeys {
  static final String CONFIG = "config";
  static final String MEMBERS = "members/";
  static final String CONSENSUS = "consensus/";
  static final String BANNED = "banned/";

  private final String prefix;

  EtcdKeys(String prefix) {
    this.prefix = prefix;
  }

  String config() {
    return prefix + CONFIG;
  }

  String membersDir() {
    return prefix + MEMBERS;
  }

  String member(int nodeId) {
    return membersDir() + requireNodeId(nodeId);
  }

  String bansDir() {
    return prefix + BANNED;
  }

  String ban(int nodeId) {
    return bansDir() + requireNodeId(nodeId);
  }

  String consensus(String txId) {
    Objects.requireNonNull(txId, "txId");
    // The caller validates tx ids (TxIds); this only keeps the key layout intact.
    if (txId.isEmpty() || txId.length() > 128 || txId.chars().anyMatch(c -> c <= ' ' || c == '/')) {
      throw new IllegalArgumentException("tx id '" + txId + "' cannot be used as an etcd key");
    }
    return prefix + CONSENSUS + txId;
  }

  /** The node id at the end of a {@code members/<id>} or {@code banned/<id>} key, if it is one. */
  static OptionalInt nodeIdOf(String key, String dir) {
    if (!key.startsWith(dir)) {
      return OptionalInt.empty();
    }
    String tail = key.substring(dir.length());
    try {
      int id = Integer.parseInt(tail);
      return id > 0 && Integer.toString(id).equals(tail) ? OptionalInt.of(id) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  private static int requireNodeId(int nodeId) {
    if (nodeId <= 0) {
      throw new IllegalArgumentException("node id must be positive, got " + nodeId);
    }
    return nodeId;
  }
}
