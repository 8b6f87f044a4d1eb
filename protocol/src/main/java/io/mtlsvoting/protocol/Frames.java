package io.mtlsvoting.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** Length-prefixed framing: a 4-byte big-endian payload length, then the payload. */
public final class Frames {
  /** Default largest payload, in bytes. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 65536;

  /** Size of the length prefix. */
  public static final int LENGTH_BYTES = 4;

  private Frames() {}

  /** {@code payload} with its 4-byte big-endian length in front. */
  public static byte[] frame(byte[] payload) {
    return ByteBuffer.allocate(LENGTH_BYTES + payload.length)
        .putInt(payload.length)
        .put(payload)
        .array();
  }

  /**
   * Reads one frame's payload, blocking.
   *
   * @throws EOFException if the stream ends before or inside a frame
   * @throws DecodeException {@code OVERSIZE} if the announced length exceeds {@code maxFrameBytes},
   *     {@code EMPTY} if it is zero
   */
  public static byte[] readFrame(InputStream in, int maxFrameBytes)
      throws IOException, DecodeException {
    byte[] header = in.readNBytes(LENGTH_BYTES);
    if (header.length < LENGTH_BYTES) {
      throw new EOFException(
          header.length == 0 ? "end of stream" : "end of stream inside a frame header");
    }
    long length = Integer.toUnsignedLong(ByteBuffer.wrap(header).getInt());
    if (length > maxFrameBytes) {
      throw new DecodeException(
          DecodeException.Kind.OVERSIZE,
          "frame of " + length + " bytes exceeds the limit of " + maxFrameBytes + " bytes");
    }
    if (length == 0) {
      throw new DecodeException(DecodeException.Kind.EMPTY, "empty frame");
    }
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new EOFException(
          "end of stream after " + payload.length + " of " + length + " frame bytes");
    }
    return payload;
  }
}
