package io.mtlsvoting.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes a vote signature covers, independent of CBOR. Layout (all integers big-endian):
 *
 * <pre>
 *   "mtls-voting/vote/v1" (19 ASCII bytes) 0x00
 *   u16 length, UTF-8 cluster id
 *   u16 length, UTF-8 tx id
 *   u32 node id
 *   u64 value (unsigned)
 *   i64 issuedAt (epoch millis)
 * </pre>
 *
 * The domain tag keeps these signatures apart from any other use of the key, and the cluster id
 * stops a vote from being replayed in another cluster.
 */
public final class CanonicalVote {
  /** The domain tag, without its terminating zero byte. */
  public static final String DOMAIN_TAG = "mtls-voting/vote/v1";

  private static final byte[] TAG = (DOMAIN_TAG + "\0").getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_FIELD = 0xFFFF;

  private CanonicalVote() {}

  /**
   * The canonical bytes of a vote.
   *
   * @throws InvalidInputException if the cluster id or tx id is longer than 65535 UTF-8 bytes
   */
  public static byte[] bytes(String clusterId, String txId, int nodeId, long value, long issuedAt) {
    byte[] cluster = clusterId.getBytes(StandardCharsets.UTF_8);
    byte[] tx = txId.getBytes(StandardCharsets.UTF_8);
    if (cluster.length > MAX_FIELD || tx.length > MAX_FIELD) {
      throw new InvalidInputException("cluster id or tx id longer than 65535 bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate(TAG.length + 2 + cluster.length + 2 + tx.length + 20);
    buf.put(TAG);
    buf.putShort((short) cluster.length).put(cluster);
    buf.putShort((short) tx.length).put(tx);
    buf.putInt(nodeId).putLong(value).putLong(issuedAt);
    return buf.array();
  }

  /** The canonical bytes of {@code vote} under {@code clusterId}. */
  public static byte[] bytes(String clusterId, Vote vote) {
    return bytes(clusterId, vote.txId(), vote.nodeId(), vote.value(), vote.issuedAt());
  }
}
