package io.tidewire.gateway.protocol;

import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Writes a {@link Cursor} as an opaque, URL-safe, signed string and reads it back.
 *
 * <p>Format {@code v3.} + base64url without padding of the position then its MAC. The position: the
 * 16-byte epoch (topic id), the 4-byte big-endian scope, the number of partitions as an unsigned
 * LEB128 varint, then per partition in ascending order its number and its offset, both unsigned
 * LEB128 varints. The MAC: HMAC-SHA256 under the deployment's cursor key of the prefix and the
 * position, its first {@value #MAC_BYTES} bytes. A user channel's cursor is 48 to 66 characters
 * long. Only cursors whose MAC verifies decode ({@link TamperedCursorException} otherwise), and
 * only canonical ones (ascending partitions, minimal varints, no trailing bytes), so every cursor
 * has exactly one spelling. Every gateway of a deployment has the same key, so a client resumes on
 * any of them. Clients must treat cursors as opaque.
 *
 * <p>Earlier formats: {@code v2.} was the same position without a MAC (before issue 12); such a
 * cursor is recognised by {@link #isUnsigned} and answered without recovery, not refused.
 * {@code v1.} was the single-partition format of an unreleased build; it is refused.
 *
 * <p>Immutable and thread-safe.
 */
public final class CursorCodec {

  /** Prefix of the current cursor format. */
  public static final String PREFIX = "v3.";
  /** Prefix of the unsigned format written before cursors carried a MAC. */
  public static final String UNSIGNED_PREFIX = "v2.";
  /** Bytes of the MAC kept. */
  public static final int MAC_BYTES = 16;
  /** Shortest key accepted. */
  public static final int MIN_KEY_BYTES = 32;
  /** Most partitions a cursor may name. */
  public static final int MAX_PARTITIONS = 10_000;
  /** Longest string {@link #decode} looks at. */
  public static final int MAX_LENGTH = 4 + (16 + 4 + 3 + MAX_PARTITIONS * 15 + MAC_BYTES) * 4 / 3 + 4;

  private static final String HMAC = "HmacSHA256";
  private static final String DERIVED_KEY_LABEL = "tidewire cursor key v3";
  private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final ThreadLocal<Mac> macs;
  private final Runnable onTampered;

  /**
   * @param key the deployment's cursor key, at least {@value #MIN_KEY_BYTES} bytes
   */
  public CursorCodec(final byte[] key) {
    this(key, () -> { });
  }

  /**
   * @param key the deployment's cursor key, at least {@value #MIN_KEY_BYTES} bytes
   * @param onTampered runs for every cursor whose MAC does not verify (a meter)
   */
  public CursorCodec(final byte[] key, final Runnable onTampered) {
    this.onTampered = onTampered;
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("a cursor key needs at least " + MIN_KEY_BYTES + " bytes");
    }
    final SecretKeySpec spec = new SecretKeySpec(key.clone(), HMAC);
    this.macs = ThreadLocal.withInitial(() -> mac(spec));
  }

  /**
   * The cursor MAC key derived from {@code secret} (HMAC-SHA256 of a fixed label under it), for a
   * deployment that sets no key of its own: every gateway sharing the secret derives the same key,
   * and the key reveals nothing of the secret.
   */
  public static byte[] deriveKey(final byte[] secret) {
    return mac(new SecretKeySpec(secret, HMAC)).doFinal(DERIVED_KEY_LABEL.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code text} is a well-formed cursor of the unsigned format of earlier releases
   * ({@code v2.}, the same position without a MAC). Its position cannot be trusted, so it is never
   * replayed from; a malformed {@code v2.} string is not one.
   */
  public static boolean isUnsigned(final String text) {
    if (text == null || !text.startsWith(UNSIGNED_PREFIX) || text.length() > MAX_LENGTH) {
      return false;
    }
    try {
      final Cursor cursor = read(ByteBuffer.wrap(DECODER.decode(text.substring(UNSIGNED_PREFIX.length()))));
      return (UNSIGNED_PREFIX + ENCODER.encodeToString(position(cursor))).equals(text);
    } catch (IllegalArgumentException | BufferUnderflowException | InvalidCursorException e) {
      return false;
    }
  }

  /** The cursor's string form. */
  public String encode(final Cursor cursor) {
    return text(position(cursor));
  }

  /**
   * Reads a cursor.
   *
   * @throws TamperedCursorException if its MAC does not verify (edited, or another deployment's)
   * @throws InvalidCursorException if {@code text} is not a cursor this codec wrote
   */
  public Cursor decode(final String text) {
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
    if (raw.length <= MAC_BYTES) {
      throw new InvalidCursorException("cursor is truncated");
    }
    final byte[] position = Arrays.copyOf(raw, raw.length - MAC_BYTES);
    final byte[] mac = Arrays.copyOfRange(raw, raw.length - MAC_BYTES, raw.length);
    if (!MessageDigest.isEqual(Arrays.copyOf(sign(position), MAC_BYTES), mac)) {
      onTampered.run();
      throw new TamperedCursorException();
    }
    final Cursor cursor;
    try {
      cursor = read(ByteBuffer.wrap(position));
    } catch (BufferUnderflowException e) {
      throw new InvalidCursorException("cursor is truncated");
    }
    if (!encode(cursor).equals(text)) {
      throw new InvalidCursorException("cursor is not in canonical form");
    }
    return cursor;
  }

  /** Reads a cursor, or empty if {@code text} is not one this codec wrote. */
  public Optional<Cursor> tryDecode(final String text) {
    try {
      return Optional.of(decode(text));
    } catch (InvalidCursorException e) {
      return Optional.empty();
    }
  }

  /** The unsigned position bytes of {@code cursor}. */
  static byte[] position(final Cursor cursor) {
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
    return raw;
  }

  /** The text of {@code position} bytes, signed (for tests of the decoder's structural checks). */
  String text(final byte[] position) {
    final byte[] signed = Arrays.copyOf(position, position.length + MAC_BYTES);
    System.arraycopy(sign(position), 0, signed, position.length, MAC_BYTES);
    return PREFIX + ENCODER.encodeToString(signed);
  }

  private byte[] sign(final byte[] position) {
    final Mac mac = macs.get();
    mac.update(PREFIX_BYTES);
    return mac.doFinal(position);
  }

  private static Mac mac(final SecretKeySpec key) {
    try {
      final Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(HMAC + " is not available", e);
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
