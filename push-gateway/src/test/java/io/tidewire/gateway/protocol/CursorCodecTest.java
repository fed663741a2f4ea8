package io.tidewire.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorCodecTest {

  private static final Uuid TOPIC = Uuid.fromString("kq3WhqaRTiG5hnz4Rlc1yQ");

  @Test
  void roundTripsEveryField() {
    final Cursor cursor = new Cursor(TOPIC, 2, 1_234_567_890_123L);

    assertThat(CursorCodec.decode(CursorCodec.encode(cursor))).isEqualTo(cursor);
    assertThat(CursorCodec.decode(CursorCodec.encode(new Cursor(TOPIC, 0, 0)))).isEqualTo(new Cursor(TOPIC, 0, 0));
    assertThat(CursorCodec.decode(CursorCodec.encode(new Cursor(TOPIC, Integer.MAX_VALUE, Long.MAX_VALUE))))
        .isEqualTo(new Cursor(TOPIC, Integer.MAX_VALUE, Long.MAX_VALUE));
  }

  @Test
  void writesVersionedUrlSafeString() {
    final String text = CursorCodec.encode(new Cursor(TOPIC, 1, 42));

    assertThat(text).startsWith("v1.").matches("v1\\.[A-Za-z0-9_-]+").hasSize(41);
  }

  @Test
  void differentTopicIncarnationsGiveDifferentCursors() {
    assertThat(CursorCodec.encode(new Cursor(Uuid.randomUuid(), 0, 5)))
        .isNotEqualTo(CursorCodec.encode(new Cursor(Uuid.randomUuid(), 0, 5)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v1.", "v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "garbage",
      "v1.!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "v1.AAAA", "V1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // zero topic id
      "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      "v1.kq3WhqaRTiG5hnz4Rlc1yQ=="})
  void refusesGarbageWithClearMessage(final String text) {
    assertThatThrownBy(() -> CursorCodec.decode(text))
        .isInstanceOf(InvalidCursorException.class)
        .hasMessageContaining("cursor");
    assertThat(CursorCodec.tryDecode(text)).isEmpty();
  }

  @Test
  void refusesNegativePositions() {
    final String negativePartition = CursorCodec.encode(new Cursor(TOPIC, 0, 0)).substring(0, 3)
        + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            java.nio.ByteBuffer.allocate(28).putLong(TOPIC.getMostSignificantBits())
                .putLong(TOPIC.getLeastSignificantBits()).putInt(-1).putLong(0).array());

    assertThatThrownBy(() -> CursorCodec.decode(negativePartition))
        .isInstanceOf(InvalidCursorException.class).hasMessageContaining("negative");
  }

  @Test
  void refusesNonCanonicalSpelling() {
    final String canonical = CursorCodec.encode(new Cursor(TOPIC, 1, 1));
    final char last = canonical.charAt(canonical.length() - 1);
    // The last base64 character carries 2 unused bits; flipping them keeps the bytes but not the text.
    final String alias = canonical.substring(0, canonical.length() - 1) + (char) (last + 1);

    assertThat(CursorCodec.tryDecode(alias)).isEmpty();
  }

  @Test
  void nullIsEmptyNotCrash() {
    assertThat(CursorCodec.tryDecode(null)).isEmpty();
  }
}
