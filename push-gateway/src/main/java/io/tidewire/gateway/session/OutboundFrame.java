package io.tidewire.gateway.session;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A text frame on its way to one or many clients: the JSON text, its size in UTF-8 bytes (for
 * queue accounting), and its complete WebSocket wire form (an unmasked, final text frame: header
 * and UTF-8 payload), encoded at most once however many sessions send it. A live event is one
 * {@code OutboundFrame} shared by every session that receives it, so a broadcast to N sessions
 * encodes once, not N times.
 *
 * <p>Immutable apart from the lazily encoded wire form; thread-safe (two threads may both encode
 * it the first time, with equal results).
 */
public final class OutboundFrame {

  private final String text;
  private final int bytes;
  private volatile byte[] wire;

  private OutboundFrame(final String text, final int bytes) {
    this.text = Objects.requireNonNull(text, "text");
    this.bytes = bytes;
  }

  /** A frame of {@code text}, its UTF-8 size computed. */
  public static OutboundFrame of(final String text) {
    return new OutboundFrame(text, Utf8.length(text));
  }

  /** A frame of {@code text} whose UTF-8 size the caller knows. */
  public static OutboundFrame of(final String text, final int bytes) {
    return new OutboundFrame(text, bytes);
  }

  /** The JSON text. */
  public String text() {
    return text;
  }

  /** The text's size in UTF-8 bytes. */
  public int bytes() {
    return bytes;
  }

  /**
   * The frame as it goes on the wire from a server (RFC 6455: FIN, opcode text, no mask). The
   * array is shared: callers must not modify it.
   */
  public byte[] wire() {
    byte[] w = wire;
    if (w == null) {
      w = encode(text.getBytes(StandardCharsets.UTF_8));
      wire = w;
    }
    return w;
  }

  static byte[] encode(final byte[] payload) {
    final int n = payload.length;
    final int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    final byte[] out = new byte[header + n];
    out[0] = (byte) 0x81;
    if (n < 126) {
      out[1] = (byte) n;
    } else if (n <= 0xFFFF) {
      out[1] = 126;
      out[2] = (byte) (n >>> 8);
      out[3] = (byte) n;
    } else {
      out[1] = 127;
      for (int i = 0; i < 8; i++) {
        out[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, 0, out, header, n);
    return out;
  }
}
