package io.mtlsvoting.node.tally;

/** The Byzantine behaviours a node detects, named as in the audit table byzantine_violations. */
public enum ViolationType {
  DOUBLE_VOTING,
  MINORITY_VOTE,
  INVALID_SIGNATURE,
  SILENT_FAILURE
}
