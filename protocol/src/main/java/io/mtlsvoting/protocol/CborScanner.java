package io.mtlsvoting.protocol;

import io.mtlsvoting.protocol.DecodeException.Kind;

/**
 * Checks that a frame is exactly one well-formed CBOR item (RFC 8949) before Jackson sees it:
 * declared lengths fit in the frame, nesting is bounded, text is valid UTF-8, no reserved headers.
 * This keeps hostile length fields from costing memory and gives precise refusal kinds.
 */
final class CborScanner {
  static final int MAX_DEPTH = 32;

  private final byte[] in;
  private int pos;

  private CborScanner(byte[] in) {
    this.in = in;
  }

  /** Throws MALFORMED for a bad item, TRAILING_BYTES for data after the first item. */
  static void check(byte[] payload) throws DecodeException {
    CborScanner s = new CborScanner(payload);
    if (s.item(0)) {
      throw malformed("unexpected break at the top level");
    }
    if (s.pos != payload.length) {
      throw new DecodeException(
          Kind.TRAILING_BYTES, (payload.length - s.pos) + " bytes after the message");
    }
  }

  /** Scans one item; returns true if it was a break (0xff) instead. */
  private boolean item(int depth) throws DecodeException {
    if (depth > MAX_DEPTH) {
      throw malformed("nested deeper than " + MAX_DEPTH);
    }
    int initial = u8();
    int major = initial >>> 5;
    int info = initial & 0x1f;
    if (initial == 0xff) {
      return true;
    }
    if (info == 31) {
      return indefinite(major, depth);
    }
    long arg = argument(major, info);
    switch (major) {
      case 0, 1 -> {}
      case 2 -> skip(arg);
      case 3 -> utf8(skip(arg), (int) arg);
      case 4 -> items(arg, depth);
      case 5 -> items(arg > Long.MAX_VALUE / 2 ? -1 : arg * 2, depth);
      case 6 -> requireItem(depth + 1);
      default -> {} // simple values and floats: argument() already consumed them
    }
    return false;
  }

  private long argument(int major, int info) throws DecodeException {
    if (info < 24) {
      return info;
    }
    int bytes =
        switch (info) {
          case 24 -> 1;
          case 25 -> 2;
          case 26 -> 4;
          case 27 -> 8;
          default -> throw malformed("reserved additional information " + info);
        };
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v = (v << 8) | u8();
    }
    if (major == 7 && info == 24 && v < 32) {
      throw malformed("simple value " + v + " in two-byte form");
    }
    return v;
  }

  private boolean indefinite(int major, int depth) throws DecodeException {
    switch (major) {
      case 2, 3 -> {
        while (true) {
          int initial = u8();
          if (initial == 0xff) {
            return false;
          }
          if (initial >>> 5 != major || (initial & 0x1f) == 31) {
            throw malformed("bad chunk in indefinite-length string");
          }
          long len = argument(major, initial & 0x1f);
          int start = skip(len);
          if (major == 3) {
            utf8(start, (int) len);
          }
        }
      }
      case 4, 5 -> {
        int n = 0;
        while (!item(depth + 1)) {
          n++;
        }
        if (major == 5 && n % 2 != 0) {
          throw malformed("indefinite-length map with a key but no value");
        }
        return false;
      }
      default -> throw malformed("indefinite length not allowed for major type " + major);
    }
  }

  private void items(long count, int depth) throws DecodeException {
    if (count < 0 || count > in.length - pos) {
      throw malformed("container declares " + count + " items, more than the frame holds");
    }
    for (long i = 0; i < count; i++) {
      requireItem(depth + 1);
    }
  }

  private void requireItem(int depth) throws DecodeException {
    if (item(depth)) {
      throw malformed("unexpected break");
    }
  }

  private int skip(long len) throws DecodeException {
    if (len < 0 || len > in.length - pos) {
      throw malformed("string declares " + len + " bytes, more than the frame holds");
    }
    int start = pos;
    pos += (int) len;
    return start;
  }

  private int u8() throws DecodeException {
    if (pos >= in.length) {
      throw malformed("unexpected end of frame");
    }
    return in[pos++] & 0xff;
  }

  /** Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF. */
  private void utf8(int start, int len) throws DecodeException {
    int i = start;
    int end = start + len;
    while (i < end) {
      int b = in[i++] & 0xff;
      if (b < 0x80) {
        continue;
      }
      int extra;
      int min;
      int cp;
      if (b >= 0xc2 && b <= 0xdf) {
        extra = 1;
        min = 0x80;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        extra = 2;
        min = 0x800;
        cp = b & 0x0f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        extra = 3;
        min = 0x10000;
        cp = b & 0x07;
      } else {
        throw malformed("invalid UTF-8 in text string");
      }
      if (end - i < extra) {
        throw malformed("truncated UTF-8 in text string");
      }
      for (int k = 0; k < extra; k++) {
        int c = in[i++] & 0xff;
        if ((c & 0xc0) != 0x80) {
          throw malformed("invalid UTF-8 in text string");
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw malformed("invalid UTF-8 in text string");
      }
    }
  }

  private static DecodeException malformed(String message) {
    return new DecodeException(Kind.MALFORMED, message);
  }
}
