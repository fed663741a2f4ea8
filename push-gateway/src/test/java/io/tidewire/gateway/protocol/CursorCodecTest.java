package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorCodecTest {

  private static final Uuid TOPIC = Uuid.fromString("kq3WhqaRTiG5hnz4Rlc1yQ");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final CursorCodec CODEC = new CursorCodec(KEY);

  /** {@code bytes} as a cursor's position, correctly signed: the decoder's structural checks. */
  private static String raw(final byte[] bytes) {
    return CODEC.text(bytes);
  }

  /** {@code bytes} as they are, unsigned or wrongly signed. */
  private static String unsigned(final byte[] bytes) {
    return CursorCodec.PREFIX + B64.encodeToString(bytes);
  }

  /** The bytes of a one-partition cursor with single-byte varints. */
  private static ByteBuffer header(final Uuid epoch, final int scope) {
    return ByteBuffer.allocate(64).putLong(epoch.getMostSignificantBits())
        .putLong(epoch.getLeastSignificantBits()).putInt(scope);
  }

  private static byte[] bytes(final ByteBuffer buffer) {
    buffer.flip();
    final byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  @Test
  void roundTripsUserAndFeedCursors() {
    final Cursor user = Cursor.of(TOPIC, Cursor.scopeOf("alice"), 2, 1_234_567_890_123L);
    final Cursor feed = Cursor.of(TOPIC, Cursor.FEED_SCOPE, Map.of(0, 0L, 1, 7L, 2, 300L));
    final Cursor extremes = Cursor.of(TOPIC, Integer.MIN_VALUE,
        Map.of(0, Long.MAX_VALUE, Integer.MAX_VALUE, 0L));

    for (final Cursor cursor : new Cursor[] {user, feed, extremes}) {
      assertThat(CODEC.decode(CODEC.encode(cursor))).isEqualTo(cursor);
    }
  }

  @Test
  void roundTripsRandomCursors() {
    final Random random = new Random(42);
    for (int i = 0; i < 1_000; i++) {
      final TreeMap<Integer, Long> offsets = new TreeMap<>();
      final int partitions = 1 + random.nextInt(20);
      for (int p = 0; p < partitions; p++) {
        offsets.put(random.nextInt(100_000), random.nextLong() & Long.MAX_VALUE >>> random.nextInt(63));
      }
      final Cursor cursor = new Cursor(Uuid.randomUuid(), random.nextInt(), offsets);

      assertThat(CODEC.decode(CODEC.encode(cursor))).isEqualTo(cursor);
    }
  }

  @Test
  void writesVersionedUrlSafeCompactString() {
    final String user = CODEC.encode(Cursor.of(TOPIC, Cursor.scopeOf("alice"), 1, 42));
    final String feed = CODEC.encode(Cursor.of(TOPIC, 0, Map.of(0, 100_000L, 1, 5L, 2, 9L)));

    assertThat(user).startsWith("v3.").matches("v3\\.[A-Za-z0-9_-]+").hasSizeLessThanOrEqualTo(66);
    assertThat(feed).matches("v3\\.[A-Za-z0-9_-]+");
  }

  @Test
  void differentIncarnationsScopesAndPositionsGiveDifferentCursors() {
    final String base = CODEC.encode(Cursor.of(TOPIC, 1, 0, 5));

    assertThat(CODEC.encode(Cursor.of(Uuid.randomUuid(), 1, 0, 5))).isNotEqualTo(base);
    assertThat(CODEC.encode(Cursor.of(TOPIC, 2, 0, 5))).isNotEqualTo(base);
    assertThat(CODEC.encode(Cursor.of(TOPIC, 1, 1, 5))).isNotEqualTo(base);
    assertThat(CODEC.encode(Cursor.of(TOPIC, 1, 0, 6))).isNotEqualTo(base);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v2.", "garbage", "v2.!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "v2.AAAA",
      "V2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "v3.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "v1.kq3WhqaRTiG5hnz4Rlc1yQAAAAAAAAAAAAAAAAAAAAAAAA", // the unreleased single-partition format
      "v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // zero topic id, no count
      "v2.kq3WhqaRTiG5hnz4Rlc1yQ==", "v2.kq3WhqaRTiG5hnz4Rlc1yQ", " v2.kq3WhqaRTiG5hnz4Rlc1yQ",
      "v2.kq3WhqaRTiG5hnz4Rlc1yQAAAAAA\n"})
  void refusesGarbageWithAMessageAboutTheCursor(final String text) {
    assertThatThrownBy(() -> CODEC.decode(text))
        .isInstanceOf(InvalidCursorException.class)
        .hasMessageContaining("cursor");
    assertThat(CODEC.tryDecode(text)).isEmpty();
  }

  @Test
  void refusesRandomBytesWithoutCrashing() {
    final Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      final byte[] noise = new byte[random.nextInt(60)];
      random.nextBytes(noise);
      final String text = unsigned(noise);
      // Either a clean refusal or (by a rare chance) a valid cursor, never another exception.
      CODEC.tryDecode(text).ifPresent(c -> assertThat(CODEC.encode(c)).isEqualTo(text));
    }
  }

  @Test
  void refusesZeroTopicAndEmptyOrHugePartitionLists() {
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(Uuid.ZERO_UUID, 0).put((byte) 1)
        .put((byte) 0).put((byte) 0))))).hasMessageContaining("no topic");
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 0)))))
        .hasMessageContaining("partitions");
    // a count of 20000 partitions (varint 0xA0 0x9C 0x01) is refused before reading them
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0)
        .put((byte) 0xA0).put((byte) 0x9C).put((byte) 0x01))))).hasMessageContaining("partitions");
  }

  @Test
  void refusesTruncatedTrailingAndUnorderedContent() {
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 2)
        .put((byte) 0).put((byte) 1))))).hasMessageContaining("truncated");
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 1)
        .put((byte) 0).put((byte) 1).put((byte) 9))))).hasMessageContaining("trailing");
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 2)
        .put((byte) 1).put((byte) 1).put((byte) 0).put((byte) 1))))).hasMessageContaining("ascending");
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 2)
        .put((byte) 1).put((byte) 1).put((byte) 1).put((byte) 1))))).hasMessageContaining("ascending");
  }

  @Test
  void refusesOverlongVarintsAndNonCanonicalSpelling() {
    // offset 1 spelled with a redundant continuation byte (0x81 0x00)
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(header(TOPIC, 0).put((byte) 1)
        .put((byte) 0).put((byte) 0x81).put((byte) 0x00))))).hasMessageContaining("canonical");
    // ten continuation bytes: more than 63 bits
    final ByteBuffer tooLong = header(TOPIC, 0).put((byte) 1).put((byte) 0);
    for (int i = 0; i < 10; i++) {
      tooLong.put((byte) 0xFF);
    }
    assertThatThrownBy(() -> CODEC.decode(raw(bytes(tooLong)))).hasMessageContaining("too large");
    // The last base64 character carries unused bits; flipping them keeps the bytes but not the text.
    final String canonical = CODEC.encode(Cursor.of(TOPIC, 0, 1, 1));
    final char last = canonical.charAt(canonical.length() - 1);
    assertThat(CODEC.tryDecode(canonical.substring(0, canonical.length() - 1) + (char) (last + 1)))
        .isEmpty();
  }

  @Test
  void refusesOverlongStringsBeforeDecoding() {
    assertThatThrownBy(() -> CODEC.decode("v3." + "A".repeat(CursorCodec.MAX_LENGTH)))
        .hasMessageContaining("too long");
  }

  @Test
  void nullIsEmptyNotCrash() {
    assertThat(CODEC.tryDecode(null)).isEmpty();
  }

  @Test
  void cursorValueTypeRejectsImpossiblePositions() {
    assertThatThrownBy(() -> Cursor.of(TOPIC, 0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursor.of(TOPIC, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursor.of(TOPIC, 0, Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThat(Cursor.of(TOPIC, 0, Map.of(0, 1L, 1, 2L)).only(1)).isEqualTo(Cursor.of(TOPIC, 0, 1, 2));
  }

  @Test
  void changingAnyByteOfACursorIsDetected() {
    final Cursor cursor = Cursor.of(TOPIC, Cursor.FEED_SCOPE, Map.of(0, 300L, 1, 7L, 2, 1_000_000L));
    final byte[] signed = Base64.getUrlDecoder().decode(CODEC.encode(cursor).substring(3));
    // Every bit of every field (epoch, scope, count, partitions, offsets) and of the MAC itself.
    for (int i = 0; i < signed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        final byte[] tampered = signed.clone();
        tampered[i] ^= (byte) (1 << bit);
        final String text = unsigned(tampered);
        assertThatThrownBy(() -> CODEC.decode(text)).as("byte %d bit %d", i, bit)
            .isInstanceOf(TamperedCursorException.class);
      }
    }
  }

  @Test
  void aCursorWithTheMacStrippedOrAppendedBytesIsRefused() {
    final byte[] signed = Base64.getUrlDecoder().decode(CODEC.encode(Cursor.of(TOPIC, 1, 0, 5)).substring(3));
    final byte[] stripped = java.util.Arrays.copyOf(signed, signed.length - CursorCodec.MAC_BYTES);
    final byte[] longer = java.util.Arrays.copyOf(signed, signed.length + 1);

    assertThatThrownBy(() -> CODEC.decode(unsigned(stripped))).isInstanceOf(TamperedCursorException.class);
    assertThatThrownBy(() -> CODEC.decode(unsigned(longer))).isInstanceOf(TamperedCursorException.class);
  }

  @Test
  void gatewaysWithTheSameKeyReadEachOthersCursorsAndOthersDoNot() {
    final Cursor cursor = Cursor.of(TOPIC, Cursor.scopeOf("alice"), 2, 42);
    final CursorCodec otherGateway = new CursorCodec(KEY.clone());
    final CursorCodec otherDeployment =
        new CursorCodec("another deployment's key, 32+ bytes".getBytes(StandardCharsets.UTF_8));

    assertThat(otherGateway.decode(CODEC.encode(cursor))).isEqualTo(cursor);
    assertThatThrownBy(() -> otherDeployment.decode(CODEC.encode(cursor)))
        .isInstanceOf(TamperedCursorException.class);
  }

  @Test
  void tamperedCursorsAreCountedAndTheDerivedKeyIsStable() {
    final int[] tampered = {0};
    final CursorCodec counting = new CursorCodec(KEY, () -> tampered[0]++);
    final String text = CODEC.encode(Cursor.of(TOPIC, 1, 0, 5));
    counting.tryDecode(text.substring(0, text.length() - 2) + (text.endsWith("AA") ? "BA" : "AA"));

    assertThat(tampered[0]).isEqualTo(1);
    assertThat(CursorCodec.deriveKey(KEY)).isEqualTo(CursorCodec.deriveKey(KEY.clone())).hasSize(32)
        .isNotEqualTo(KEY);
    assertThatThrownBy(() -> new CursorCodec(new byte[31])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unsignedCursorsOfEarlierReleasesAreRecognisedNotDecoded() {
    assertThat(CursorCodec.isUnsigned("v2.kq3WhqaRTiG5hnz4Rlc1yQAAAAABASo")).isTrue();
    assertThat(CursorCodec.isUnsigned(CODEC.encode(Cursor.of(TOPIC, 1, 0, 5)))).isFalse();
    assertThat(CursorCodec.isUnsigned("v2.not-a-cursor")).isFalse();
    assertThat(CursorCodec.isUnsigned("v2.kq3WhqaRTiG5hnz4Rlc1yQAAAAABASoA")).isFalse(); // trailing byte
    assertThatThrownBy(() -> CODEC.decode("v2.kq3WhqaRTiG5hnz4Rlc1yQAAAAABASo"))
        .hasMessageContaining("version");
  }
}
