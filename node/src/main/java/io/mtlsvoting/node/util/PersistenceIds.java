package io.mtlsvoting.node.util;

/**
 * The start of every persistence id of one node ({@code node-<id>|}): its tallies, etcd outbox and
 * ban authority, so that several nodes can share one journal, the audit writer can pick its own
 * node's events, and the journal's filter of known ids can hold only them.
 */
public final class PersistenceIds {

  private PersistenceIds() {}

  /** {@code node-<nodeId>|}. */
  public static String nodePrefix(int nodeId) {
    return "node-" + nodeId + "|";
  }
}
