package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameScannerTest {

  private static final int MAX = 1000;

  /** A masked client text frame (FIN set) with a payload of {@code length} bytes. */
  private static byte[] frame(final int length) {
    return frame(0x81, length);
  }

  /** A masked client frame with the first byte {@code first} (FIN and opcode). */
  private static byte[] frame(final int first, final int length) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    if (length < 126) {
      out.write(0x80 | length);
    } else if (length <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(length >> 8);
      out.write(length);
    } else {
      out.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) ((long) length >> (8 * i)));
      }
    }
    out.writeBytes(new byte[] {1, 2, 3, 4});
    out.writeBytes(new byte[length]);
    return out.toByteArray();
  }

  private static FrameScanner.Bytes bytes(final byte[] data, final int from, final int to) {
    final byte[] chunk = Arrays.copyOfRange(data, from, to);
    return new FrameScanner.Bytes() {
      @Override
      public int length() {
        return chunk.length;
      }

      @Override
      public byte at(final int index) {
        return chunk[index];
      }
    };
  }

  private static byte[] concat(final byte[]... parts) {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (final byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void framesUpToTheLimitPassHoweverTheStreamIsCut() {
    final byte[] stream = concat(frame(10), frame(MAX), frame(200), frame(0), frame(125), frame(126));
    for (int step = 1; step <= 17; step++) {
      final FrameScanner scanner = new FrameScanner(MAX);
      for (int i = 0; i < stream.length; i += step) {
        assertThat(scanner.accept(bytes(stream, i, Math.min(stream.length, i + step)))).isTrue();
      }
    }
  }

  @Test
  void aHeaderOverTheLimitIsRefusedBeforeItsPayload() {
    final byte[] big = frame(MAX + 1);
    final FrameScanner scanner = new FrameScanner(MAX);

    assertThat(scanner.accept(bytes(frame(5), 0, frame(5).length))).isTrue();
    assertThat(scanner.accept(bytes(big, 0, 8))).isFalse();
  }

  @Test
  void sixtyFourBitLengthsAreRead() {
    final FrameScanner scanner = new FrameScanner(100_000);
    final byte[] big = frame(100_001);

    assertThat(scanner.accept(bytes(big, 0, 14))).isFalse();
    assertThat(new FrameScanner(200_000).accept(bytes(big, 0, big.length))).isTrue();
  }

  @Test
  void aLengthWithTheTopBitSetIsRefused() {
    final byte[] header = {(byte) 0x81, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};

    assertThat(new FrameScanner(Long.MAX_VALUE).accept(bytes(header, 0, header.length))).isFalse();
  }

  @Test
  void aMessageSplitIntoFramesCountsAsOneAgainstTheLimit() {
    // text without FIN, continuation, a ping between the fragments, the last continuation with FIN
    final byte[] atLimit = concat(frame(0x01, 400), frame(0x00, 400), frame(0x89, 100), frame(0x80, 200));
    final byte[] overLimit = concat(frame(0x01, 400), frame(0x00, 400), frame(0x89, 100), frame(0x80, 201));

    final FrameScanner fits = new FrameScanner(MAX);
    assertThat(fits.accept(bytes(atLimit, 0, atLimit.length))).isTrue();
    assertThat(fits.accept(bytes(frame(MAX), 0, frame(MAX).length))).as("a new message starts at zero").isTrue();
    assertThat(new FrameScanner(MAX).accept(bytes(overLimit, 0, overLimit.length))).isFalse();
  }
}
