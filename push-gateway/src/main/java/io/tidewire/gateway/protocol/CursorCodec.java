package io.tidewire.gateway.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Writes a {@link Cursor} as an opaque, URL-safe string and reads it back.
 *
 * <p>Format {@code v2.} + base64url without padding of: the 16-byte epoch (topic id), the 4-byte
 * big-endian scope, the number of partitions as an unsigned LEB128 varint, then per partition in
 * ascending order its number and its offset, both unsigned LEB128 varints. A user channel's cursor
 * is 27 to 45 characters long. Only canonical strings decode (ascending partitions, minimal
 * varints, no trailing bytes), so every cursor has exactly one spelling. Clients must treat
 * cursors as opaque; the version prefix lets the format change without breaking stored cursors.
 * ({@code v1.} was the single-partition format of an unreleased build; it is refused.)
 *
 * <p>Stateless and thread-safe.
 */
public final class CursorCodec {

  /** Prefix of the current cursor format. */
  public static final String PREFIX = "v2.";
  /** Most partitions a cursor may name. */
  public static final int MAX_PARTITIONS = 10_000;
  /** Longest string {@link #decode} looks at. */
  public static final int MAX_LENGTH = 4 + (16 + 4 + 3 + MAX_PARTITIONS * 15) * 4 / 3 + 4;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private CursorCodec() {}

  /** The cursor's string form. */
  public static String encode(final Cursor cursor) {
    final ByteBuffer bytes = ByteBuffer.allocate(16 + 4 + 5 + cursor.offsets().size() * 15);
    bytes.putLong(cursor.epoch().getMostSignificantBits());
    bytes.putLong(cursor.epoch().getLeastSignificantBits());
    bytes.putInt(cursor.scope());
    writeVarlong(bytes, cursor.offsets().size());
    for (final Map.Entry<Integer, Long> entry : cursor.offsets().entrySet()) {
      writeVarlong(bytes, entry.getKey());
      writeVarlong(bytes, entry.getValue());
    }
    bytes.flip();
    final byte[] raw = new byte[bytes.remaining()];
    bytes.get(raw);
    return PREFIX + ENCODER.encodeToString(raw);
  }

  /**
   * Reads a cursor.
   *
   * @throws InvalidCursorException if {@code text} is not a cursor this codec wrote
   */
  public static Cursor decode(final String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidCursorException("cursor is empty");
    }
    if (!text.startsWith(PREFIX)) {
      throw new InvalidCursorException("unknown cursor version (expected prefix " + PREFIX + ")");
    }
    if (text.length() > MAX_LENGTH) {
      throw new InvalidCursorException("cursor is too long");
    }
    final byte[] raw;
    try {
      raw = DECODER.decode(text.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException("cursor is not base64url");
    }
    final Cursor cursor;
    try {
      cursor = read(ByteBuffer.wrap(raw));
    } catch (BufferUnderflowException e) {
      throw new InvalidCursorException("cursor is truncated");
    }
    if (!encode(cursor).equals(text)) {
      throw new InvalidCursorException("cursor is not in canonical form");
    }
    return cursor;
  }

  /** Reads a cursor, or empty if {@code text} is not one. */
  public static Optional<Cursor> tryDecode(final String text) {
    try {
      return Optional.of(decode(text));
    } catch (InvalidCursorException e) {
      return Optional.empty();
    }
  }

  private static Cursor read(final ByteBuffer bytes) {
    final Uuid epoch = new Uuid(bytes.getLong(), bytes.getLong());
    if (Uuid.ZERO_UUID.equals(epoch)) {
      throw new InvalidCursorException("cursor names no topic");
    }
    final int scope = bytes.getInt();
    final long count = readVarlong(bytes);
    if (count < 1 || count > MAX_PARTITIONS) {
      throw new InvalidCursorException("cursor must name 1 to " + MAX_PARTITIONS + " partitions");
    }
    final TreeMap<Integer, Long> offsets = new TreeMap<>();
    long previous = -1;
    for (long i = 0; i < count; i++) {
      final long partition = readVarlong(bytes);
      final long offset = readVarlong(bytes);
      if (partition <= previous || partition > Integer.MAX_VALUE) {
        throw new InvalidCursorException("cursor partitions are not ascending");
      }
      previous = partition;
      offsets.put((int) partition, offset);
    }
    if (bytes.hasRemaining()) {
      throw new InvalidCursorException("cursor has trailing bytes");
    }
    return new Cursor(epoch, scope, offsets);
  }

  /** Unsigned LEB128; values are at least 0. */
  private static void writeVarlong(final ByteBuffer out, final long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  private static long readVarlong(final ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      final byte b = in.get();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new InvalidCursorException("cursor number is too large");
  }
}
