package io.mtlsvoting.protocol;

import java.util.Objects;
import java.util.Set;

/**
 * Makes a node started with {@code byzantine-testing = on} misbehave on the wire. {@code testType}
 * is one of {@link #TEST_TYPES}; an empty {@code txId} lets the node pick a fresh one ({@code null}
 * is normalised to empty).
 */
public record TestByzantineRequest(long requestId, String testType, String txId)
    implements ClientRequest {
  public static final String DOUBLE_VOTE = "double-vote";
  public static final String MINORITY_ATTACK = "minority-attack";
  public static final String INVALID_SIGNATURE = "invalid-signature";
  public static final String SILENT = "silent";

  /** Accepted values of {@code testType}. */
  public static final Set<String> TEST_TYPES =
      Set.of(DOUBLE_VOTE, MINORITY_ATTACK, INVALID_SIGNATURE, SILENT);

  public TestByzantineRequest {
    Objects.requireNonNull(testType, "testType");
    txId = txId == null ? "" : txId;
  }
}
