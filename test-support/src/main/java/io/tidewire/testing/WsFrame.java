package io.tidewire.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One RFC 6455 frame: written as a client writes it, including what no well-behaved client
 * writes (any opcode, RSV bits, no FIN, no mask, a declared length that lies), and read as a
 * server sent it ({@link #read}, {@link Header#peek}). Immutable and thread-safe.
 */
public final class WsFrame {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;
  /** The close code reported for a close frame without one (RFC 6455 §7.1.5). */
  public static final int NO_STATUS = 1005;

  private final boolean fin;
  private final int rsv;
  private final int opcode;
  private final boolean masked;
  private final byte[] payload;
  private final long declaredLength;

  private WsFrame(final boolean fin, final int rsv, final int opcode, final boolean masked,
      final byte[] payload, final long declaredLength) {
    this.fin = fin;
    this.rsv = rsv;
    this.opcode = opcode;
    this.masked = masked;
    this.payload = payload;
    this.declaredLength = declaredLength;
  }

  /** A final, masked frame with {@code opcode} (any value, also a reserved one). */
  public static WsFrame of(final int opcode, final byte[] payload) {
    return new WsFrame(true, 0, opcode, true, payload.clone(), payload.length);
  }

  /** A text frame of {@code text} in UTF-8 (any length: 7-, 16- or 64-bit length forms). */
  public static WsFrame text(final String text) {
    return of(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  public static WsFrame binary(final byte[] data) {
    return of(BINARY, data);
  }

  /** A close frame with {@code code} and {@code reason}. */
  public static WsFrame close(final int code, final String reason) {
    final byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    final byte[] body = new byte[2 + text.length];
    body[0] = (byte) (code >>> 8);
    body[1] = (byte) code;
    System.arraycopy(text, 0, body, 2, text.length);
    return of(CLOSE, body);
  }

  /** This frame without FIN: a fragment that more frames should continue. */
  public WsFrame notFinal() {
    return new WsFrame(false, rsv, opcode, masked, payload, declaredLength);
  }

  /** This frame with the RSV1-3 bits set to {@code bits} (0 to 7). */
  public WsFrame withRsv(final int bits) {
    return new WsFrame(fin, bits & 0x7, opcode, masked, payload, declaredLength);
  }

  /** This frame without a mask, which a server must refuse from a client. */
  public WsFrame unmasked() {
    return new WsFrame(fin, rsv, opcode, false, payload, declaredLength);
  }

  /** This frame with a header that declares {@code length} bytes whatever the payload is. */
  public WsFrame declaringLength(final long length) {
    return new WsFrame(fin, rsv, opcode, masked, payload, length);
  }

  public boolean fin() {
    return fin;
  }

  public int opcode() {
    return opcode;
  }

  public byte[] payload() {
    return payload.clone();
  }

  /** The payload as UTF-8 text. */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** A close frame's code, or {@link #NO_STATUS} when it has none. */
  public int closeCode() {
    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : NO_STATUS;
  }

  /** The frame's bytes, masked with a fresh random key unless {@link #unmasked()}. */
  public byte[] encode() {
    final int extended = declaredLength < 126 ? 0 : declaredLength <= 0xFFFF ? 2 : 8;
    final int header = 2 + extended + (masked ? 4 : 0);
    final byte[] out = new byte[header + payload.length];
    out[0] = (byte) ((fin ? 0x80 : 0) | (rsv << 4) | (opcode & 0x0F));
    out[1] = (byte) ((masked ? 0x80 : 0) | (extended == 0 ? declaredLength
        : extended == 2 ? 126 : 127));
    for (int i = 0; i < extended; i++) {
      out[2 + i] = (byte) (declaredLength >>> (8 * (extended - 1 - i)));
    }
    final byte[] key = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(key);
      System.arraycopy(key, 0, out, header - 4, 4);
    }
    for (int i = 0; i < payload.length; i++) {
      out[header + i] = (byte) (payload[i] ^ key[i & 3]);
    }
    return out;
  }

  /**
   * Reads one whole frame from {@code in}, unmasking it if it is masked; blocks until it is there.
   *
   * @throws EOFException if the stream ends first
   */
  public static WsFrame read(final InputStream in) throws IOException {
    final byte[] head = new byte[14];
    readFully(in, head, 0, 2);
    final int length7 = head[1] & 0x7F;
    final int rest = (length7 == 126 ? 2 : length7 == 127 ? 8 : 0)
        + ((head[1] & 0x80) != 0 ? 4 : 0);
    readFully(in, head, 2, rest);
    final Header h = Header.peek(ByteBuffer.wrap(head, 0, 2 + rest)).orElseThrow();
    if (h.length() > Integer.MAX_VALUE - 8) {
      throw new IOException("frame of " + h.length() + " bytes");
    }
    final byte[] payload = new byte[(int) h.length()];
    readFully(in, payload, 0, payload.length);
    if (h.masked()) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= head[h.size() - 4 + (i & 3)];
      }
    }
    return new WsFrame(h.fin(), h.rsv(), h.opcode(), h.masked(), payload, payload.length);
  }

  private static void readFully(final InputStream in, final byte[] into, final int offset,
      final int length) throws IOException {
    if (in.readNBytes(into, offset, length) < length) {
      throw new EOFException("the stream ended inside a frame");
    }
  }

  /**
   * A frame's header as it stands on the wire.
   *
   * @param length the payload's length
   * @param size the header's own length, the masking key included
   */
  public record Header(boolean fin, int rsv, int opcode, boolean masked, long length, int size) {

    /**
     * The header at {@code in}'s position, without moving it; empty while some of its bytes are
     * still to come.
     */
    public static Optional<Header> peek(final ByteBuffer in) {
      if (in.remaining() < 2) {
        return Optional.empty();
      }
      final int p = in.position();
      final int b0 = in.get(p) & 0xFF;
      final int b1 = in.get(p + 1) & 0xFF;
      final boolean masked = (b1 & 0x80) != 0;
      final int length7 = b1 & 0x7F;
      final int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      final int size = 2 + extended + (masked ? 4 : 0);
      if (in.remaining() < size) {
        return Optional.empty();
      }
      long length = extended == 0 ? length7 : 0;
      for (int i = 0; i < extended; i++) {
        length = (length << 8) | (in.get(p + 2 + i) & 0xFF);
      }
      return Optional.of(new Header((b0 & 0x80) != 0, (b0 >>> 4) & 0x7, b0 & 0x0F, masked,
          length, size));
    }
  }
}
