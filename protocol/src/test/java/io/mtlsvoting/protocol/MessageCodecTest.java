package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mtlsvoting.protocol.DecodeException.Kind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  @Test
  void everyMessageTypeRoundTrips() throws DecodeException {
    Set<Class<?>> seen = new HashSet<>();
    for (Message m : Samples.all()) {
      byte[] bytes = MessageCodec.encode(m);
      assertEquals(m, MessageCodec.decode(bytes), () -> "round trip of " + m);
      seen.add(m.getClass());
    }
    for (Class<?> family :
        new Class<?>[] {PeerMessage.class, ClientRequest.class, ClientReply.class}) {
      for (Class<?> c : family.getPermittedSubclasses()) {
        assertEquals(true, seen.contains(c), "no sample for " + c.getSimpleName());
      }
    }
  }

  @Test
  void voteValueKeepsAllUnsignedBits() throws DecodeException {
    Vote v = Samples.vote(1, UnsignedValues.parse(UnsignedValues.MAX_DECIMAL));
    Vote back = (Vote) MessageCodec.decode(MessageCodec.encode(v));
    assertEquals(UnsignedValues.MAX_DECIMAL, UnsignedValues.format(back.value()));
  }

  @Test
  void framedMessageReadsBack() throws Exception {
    Message m = new Ping(1, 2);
    byte[] framed = Frames.frame(MessageCodec.encode(m));
    byte[] payload =
        Frames.readFrame(new java.io.ByteArrayInputStream(framed), Frames.DEFAULT_MAX_FRAME_BYTES);
    assertEquals(m, MessageCodec.decode(payload));
  }

  @Test
  void readFrameRefusesOversizeEmptyAndTruncated() {
    byte[] huge = {0, 1, 0, 1};
    DecodeException e =
        assertThrows(
            DecodeException.class,
            () -> Frames.readFrame(new java.io.ByteArrayInputStream(huge), 65536));
    assertEquals(Kind.OVERSIZE, e.kind());
    byte[] negative = {(byte) 0xff, 0, 0, 0};
    assertEquals(
        Kind.OVERSIZE,
        assertThrows(
                DecodeException.class,
                () -> Frames.readFrame(new java.io.ByteArrayInputStream(negative), 65536))
            .kind());
    byte[] empty = {0, 0, 0, 0};
    assertEquals(
        Kind.EMPTY,
        assertThrows(
                DecodeException.class,
                () -> Frames.readFrame(new java.io.ByteArrayInputStream(empty), 65536))
            .kind());
    byte[] truncated = {0, 0, 0, 5, 1, 2};
    assertThrows(
        java.io.EOFException.class,
        () -> Frames.readFrame(new java.io.ByteArrayInputStream(truncated), 65536));
  }
}
