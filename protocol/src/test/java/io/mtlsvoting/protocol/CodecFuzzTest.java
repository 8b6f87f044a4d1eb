package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated frames to the decoder: the only allowed outcomes are a message or a
 * {@link DecodeException}. Seeded; set {@code -Dfuzz.seed=N} to replay a reported failure.
 */
class CodecFuzzTest {
  private static final int ITERATIONS = 100_000;
  private static final byte[] SPECIAL = {
    (byte) 0xff, (byte) 0x1f, (byte) 0x1b, (byte) 0x3b, (byte) 0x5a, (byte) 0x5b, (byte) 0x5f,
    (byte) 0x7a, (byte) 0x7b, (byte) 0x7f, (byte) 0x9a, (byte) 0x9b, (byte) 0x9f, (byte) 0xba,
    (byte) 0xbb, (byte) 0xbf, (byte) 0xc2, (byte) 0xd9, (byte) 0xf6, (byte) 0xf7, (byte) 0xf9,
    (byte) 0xfb, (byte) 0x00, (byte) 0x80, (byte) 0xa0
  };

  @Test
  void randomAndMutatedFramesNeverEscapeAsOtherExceptions() {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    SplittableRandom rnd = new SplittableRandom(seed);
    List<byte[]> seeds = Samples.all().stream().map(MessageCodec::encode).toList();
    int decoded = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] input = mutate(rnd, seeds);
      try {
        Message m = MessageCodec.decode(input);
        decoded++;
        // Whatever decodes must re-encode to something that decodes to the same message.
        assertEquals(m, MessageCodec.decode(MessageCodec.encode(m)));
      } catch (DecodeException expected) {
        // the defined answer for bad input
      } catch (Throwable t) {
        fail(
            "seed="
                + seed
                + " iteration="
                + i
                + " input="
                + HexFormat.of().formatHex(input)
                + " escaped: "
                + t,
            t);
      }
    }
    System.out.printf(
        "fuzz seed=%d iterations=%d decoded=%d refused=%d%n",
        seed, ITERATIONS, decoded, ITERATIONS - decoded);
  }

  private static byte[] mutate(SplittableRandom rnd, List<byte[]> seeds) {
    byte[] base = seeds.get(rnd.nextInt(seeds.size()));
    int op = rnd.nextInt(8);
    switch (op) {
      case 0: // fully random bytes
        return randomBytes(rnd, rnd.nextInt(1, 200));
      case 1: // truncation
        return Arrays.copyOf(base, rnd.nextInt(base.length));
      case 2: // insertion of random bytes
        {
          int at = rnd.nextInt(base.length + 1);
          byte[] ins = randomBytes(rnd, rnd.nextInt(1, 9));
          return splice(base, at, at, ins);
        }
      case 3: // deletion of a range
        {
          int from = rnd.nextInt(base.length);
          int to = Math.min(base.length, from + rnd.nextInt(1, 9));
          return splice(base, from, to, new byte[0]);
        }
      case 4: // special CBOR header bytes written over the encoding
        {
          byte[] out = base.clone();
          for (int k = rnd.nextInt(1, 4); k > 0; k--) {
            out[rnd.nextInt(out.length)] = SPECIAL[rnd.nextInt(SPECIAL.length)];
          }
          return out;
        }
      case 5: // crossover of two encodings
        {
          byte[] other = seeds.get(rnd.nextInt(seeds.size()));
          int cut = rnd.nextInt(base.length);
          int cut2 = rnd.nextInt(other.length);
          return splice(base, cut, base.length, Arrays.copyOfRange(other, cut2, other.length));
        }
      default: // bit flips
        {
          byte[] out = base.clone();
          for (int k = rnd.nextInt(1, 5); k > 0; k--) {
            int bit = rnd.nextInt(out.length * 8);
            out[bit / 8] ^= (byte) (1 << (bit % 8));
          }
          return out;
        }
    }
  }

  private static byte[] randomBytes(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) rnd.nextInt(256);
    }
    return b;
  }

  private static byte[] splice(byte[] base, int from, int to, byte[] insert) {
    byte[] out = new byte[from + insert.length + (base.length - to)];
    System.arraycopy(base, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(base, to, out, from + insert.length, base.length - to);
    return out;
  }
}
