package io.mtlsvoting.node.cli;

import java.net.InetSocketAddress;
import java.util.OptionalInt;

/** Where the CLI connects: a node's address and, when known, its id (checked against its CN). */
record NodeAddress(OptionalInt nodeId, InetSocketAddress address) {
  /** "node 3 at 127.0.0.1:9003" or "127.0.0.1:9003". */
  String describe() {
    String where = address.getHostString() + ":" + address.getPort();
    return nodeId.isPresent() ? "node " + nodeId.getAsInt() + " at " + where : where;
  }
}
