package io.mtlsvoting.persistence.etcd;

import java.util.Objects;

/**
 * Outcome of {@link EtcdCoordinator#putConsensusIfAbsent}: this node stored the decision, an
 * equivalent decision was already stored, or a conflicting one was (a safety alarm).
 */
public sealed interface ConsensusResult {

  /** This call stored the QC. */
  record Created() implements ConsensusResult {}

  /**
   * A QC with the same decided value (or byte-equal JSON) was already stored.
   *
   * @param existingJson the stored JSON, which may name other voters than this node's QC
   */
  record SameExisting(String existingJson) implements ConsensusResult {
    /** Checks for null. */
    public SameExisting {
      Objects.requireNonNull(existingJson, "existingJson");
    }
  }

  /**
   * A QC with a different decided value is stored: a safety violation to log at error.
   *
   * @param existingJson the stored JSON
   */
  record Conflict(String existingJson) implements ConsensusResult {
    /** Checks for null. */
    public Conflict {
      Objects.requireNonNull(existingJson, "existingJson");
    }
  }
}
