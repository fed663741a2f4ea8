package io.tidewire.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WsFrameTest {

  @Test
  void everyLengthFormReadsBackAsWritten() throws Exception {
    for (final int length : new int[] {0, 1, 125, 126, 127, 0xFFFF, 0x10000, 70_000}) {
      final byte[] payload = new byte[length];
      Arrays.fill(payload, (byte) 'x');
      for (final WsFrame written : new WsFrame[] {WsFrame.binary(payload),
          WsFrame.binary(payload).unmasked()}) {
        final byte[] wire = written.encode();
        final WsFrame read = WsFrame.read(new ByteArrayInputStream(wire));
        assertThat(read.payload()).as("%d bytes", length).isEqualTo(payload);
        assertThat(read.opcode()).isEqualTo(WsFrame.BINARY);
        final WsFrame.Header header = WsFrame.Header.peek(ByteBuffer.wrap(wire)).orElseThrow();
        assertThat(header.length()).isEqualTo(length);
        assertThat(header.size() + length).isEqualTo(wire.length);
      }
    }
  }

  @Test
  void clientFramesAreMaskedUnlessToldOtherwise() {
    final byte[] masked = WsFrame.text("hello").encode();
    final byte[] plain = WsFrame.text("hello").unmasked().encode();
    assertThat(masked[1] & 0x80).isEqualTo(0x80);
    assertThat(masked).hasSize(2 + 4 + 5);
    assertThat(plain[1] & 0x80).isZero();
    assertThat(Arrays.copyOfRange(plain, 2, plain.length)).isEqualTo("hello".getBytes());
  }

  @Test
  void malformedFramesCarryExactlyTheBitsAsked() {
    final byte[] wire = WsFrame.of(0x3, new byte[] {1, 2}).notFinal().withRsv(0b101)
        .declaringLength(300).unmasked().encode();
    assertThat(wire[0] & 0xFF).isEqualTo(0b0101_0011);
    final WsFrame.Header header = WsFrame.Header.peek(ByteBuffer.wrap(wire)).orElseThrow();
    assertThat(header).isEqualTo(new WsFrame.Header(false, 0b101, 0x3, false, 300, 4));
    assertThat(wire).hasSize(4 + 2);
  }

  @Test
  void headerIsEmptyUntilItsLastByteIsThere() {
    final byte[] wire = WsFrame.binary(new byte[70_000]).encode();
    for (int n = 0; n < 14; n++) {
      assertThat(WsFrame.Header.peek(ByteBuffer.wrap(wire, 0, n))).as("%d bytes", n).isEmpty();
    }
    assertThat(WsFrame.Header.peek(ByteBuffer.wrap(wire, 0, 14))).isPresent();
  }

  @Test
  void closeFrameCarriesItsCodeAndATruncatedStreamFails() {
    assertThat(WsFrame.close(4008, "slow").closeCode()).isEqualTo(4008);
    assertThat(WsFrame.of(WsFrame.CLOSE, new byte[0]).closeCode()).isEqualTo(WsFrame.NO_STATUS);
    final byte[] wire = WsFrame.text("cut short").encode();
    assertThatThrownBy(() -> WsFrame.read(new ByteArrayInputStream(wire, 0, wire.length - 1)))
        .isInstanceOf(EOFException.class);
  }
}
