package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OutboundFrameTest {

  @Test
  void wireFormIsAFinalUnmaskedTextFrameWithTheShortestLengthEncoding() {
    for (final int n : new int[] {0, 1, 125, 126, 65_535, 65_536, 70_000}) {
      final String text = "x".repeat(n);
      final byte[] wire = OutboundFrame.of(text).wire();
      final int header = n < 126 ? 2 : n <= 65_535 ? 4 : 10;
      assertThat(wire[0]).as("FIN + text, n=%d", n).isEqualTo((byte) 0x81);
      assertThat(wire[1] & 0x80).as("no mask, n=%d", n).isZero();
      assertThat(wire.length).isEqualTo(header + n);
      assertThat(payloadLength(wire)).as("length field, n=%d", n).isEqualTo(n);
      assertThat(new String(Arrays.copyOfRange(wire, header, wire.length), StandardCharsets.UTF_8))
          .isEqualTo(text);
    }
  }

  @Test
  void wireFormCarriesUtf8BytesAndIsEncodedOnce() {
    final OutboundFrame frame = OutboundFrame.of("{\"t\":\"é😀\"}");
    assertThat(frame.bytes()).isEqualTo("{\"t\":\"é😀\"}".getBytes(StandardCharsets.UTF_8).length);
    assertThat(payloadLength(frame.wire())).isEqualTo(frame.bytes());
    assertThat(frame.wire()).isSameAs(frame.wire());
  }

  private static long payloadLength(final byte[] wire) {
    final int len = wire[1] & 0x7F;
    if (len < 126) {
      return len;
    }
    if (len == 126) {
      return ((wire[2] & 0xFF) << 8) | (wire[3] & 0xFF);
    }
    long n = 0;
    for (int i = 0; i < 8; i++) {
      n = (n << 8) | (wire[2 + i] & 0xFF);
    }
    return n;
  }
}
