package io.tidewire.gateway.protocol;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Writes a {@link Cursor} as an opaque, URL-safe string and reads it back.
 *
 * <p>Format {@code v1.} + base64url without padding of 28 bytes: the 16-byte topic id, the
 * partition (4 bytes, big-endian) and the offset (8 bytes, big-endian). Only canonical strings
 * decode, so every cursor has exactly one spelling. Clients must treat cursors as opaque.
 *
 * <p>Stateless and thread-safe.
 */
public final class CursorCodec {

  /** Prefix of version 1 cursors. */
  public static final String V1_PREFIX = "v1.";

  private static final int V1_BYTES = 16 + 4 + 8;
  private static final int V1_LENGTH = V1_PREFIX.length() + 38; // ceil(28 * 4 / 3) without padding
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private CursorCodec() {}

  /** The cursor's string form. */
  public static String encode(final Cursor cursor) {
    final ByteBuffer bytes = ByteBuffer.allocate(V1_BYTES);
    bytes.putLong(cursor.topicId().getMostSignificantBits());
    bytes.putLong(cursor.topicId().getLeastSignificantBits());
    bytes.putInt(cursor.partition());
    bytes.putLong(cursor.offset());
    return V1_PREFIX + ENCODER.encodeToString(bytes.array());
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
    if (!text.startsWith(V1_PREFIX)) {
      throw new InvalidCursorException("unknown cursor version (expected prefix " + V1_PREFIX + ")");
    }
    if (text.length() != V1_LENGTH) {
      throw new InvalidCursorException("cursor has the wrong length");
    }
    final byte[] raw;
    try {
      raw = DECODER.decode(text.substring(V1_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidCursorException("cursor is not base64url");
    }
    if (raw.length != V1_BYTES) {
      throw new InvalidCursorException("cursor has the wrong length");
    }
    final ByteBuffer bytes = ByteBuffer.wrap(raw);
    final Uuid topicId = new Uuid(bytes.getLong(), bytes.getLong());
    final int partition = bytes.getInt();
    final long offset = bytes.getLong();
    if (Uuid.ZERO_UUID.equals(topicId)) {
      throw new InvalidCursorException("cursor names no topic");
    }
    if (partition < 0 || offset < 0) {
      throw new InvalidCursorException("cursor position is negative");
    }
    final Cursor cursor = new Cursor(topicId, partition, offset);
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
}
