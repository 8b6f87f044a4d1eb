package io.mtlsvoting.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Answer to {@link TestByzantineRequest}: what the node did on the wire ({@code performed}) and
 * what its peers detected ({@code detections}).
 */
public record TestByzantineReply(
    long requestId, String testType, String txId, String performed, List<ViolationView> detections)
    implements ClientReply {
  public TestByzantineReply {
    Objects.requireNonNull(testType, "testType");
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(performed, "performed");
    detections = List.copyOf(detections);
  }
}
