package io.tidewire.gateway.server;

/**
 * Follows the WebSocket frame headers in a client's byte stream (RFC 6455 §5.2) without buffering
 * anything, to refuse a frame by the length its header announces before its payload arrives.
 * Tyrus's own limit is on the bytes it buffers, and what it does on overflow is close with 1011;
 * reading the header lets the gateway keep that buffer at the frame limit and still answer every
 * oversized frame with 1009.
 *
 * <p>The limit is on a whole message: the payloads of a data frame and its continuation frames
 * are summed until the frame with FIN (clients such as the JDK's split a large message into
 * frames of a few KiB each, which Tyrus would gather into its buffer and overflow). Control frames
 * may come between the fragments and count apart.
 *
 * <p>Not thread-safe: one instance per connection, fed in order.
 */
final class FrameScanner {

  private final long maxPayload;
  private final byte[] header = new byte[14];
  private int headerBytes;
  private long payloadLeft;
  private long messageBytes;

  /** @param maxPayload the largest payload a frame may announce */
  FrameScanner(final long maxPayload) {
    this.maxPayload = maxPayload;
  }

  /** Byte access to a chunk of the stream, so Grizzly's buffers need no copy. */
  interface Bytes {
    int length();

    byte at(int index);
  }

  /** Feeds the next chunk; returns false as soon as a header announces a payload over the limit. */
  boolean accept(final Bytes chunk) {
    int i = 0;
    final int n = chunk.length();
    while (i < n) {
      if (payloadLeft > 0) {
        final long skip = Math.min(payloadLeft, n - i);
        payloadLeft -= skip;
        i += (int) skip;
        continue;
      }
      header[headerBytes++] = chunk.at(i++);
      final int needed = headerLength();
      if (headerBytes < needed) {
        continue;
      }
      final long length = payloadLength();
      if (length < 0 || length > maxPayload || !countInMessage(length)) {
        return false;
      }
      payloadLeft = length;
      headerBytes = 0;
    }
    return true;
  }

  /**
   * Adds a data frame's payload to its message (a frame with an opcode starts a new message, a
   * continuation frame adds to it, FIN ends it); false when the message goes over the limit.
   */
  private boolean countInMessage(final long length) {
    final int opcode = header[0] & 0x0F;
    if (opcode >= 0x8) {
      return true; // a control frame, between fragments or not
    }
    messageBytes = opcode == 0 ? messageBytes + length : length;
    if (messageBytes > maxPayload) {
      return false;
    }
    if ((header[0] & 0x80) != 0) {
      messageBytes = 0;
    }
    return true;
  }

  /** The whole header's length as far as known (2 until the second byte is in). */
  private int headerLength() {
    if (headerBytes < 2) {
      return 2;
    }
    final int len7 = header[1] & 0x7F;
    final int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    final int mask = (header[1] & 0x80) != 0 ? 4 : 0;
    return 2 + extended + mask;
  }

  private long payloadLength() {
    final int len7 = header[1] & 0x7F;
    if (len7 < 126) {
      return len7;
    }
    final int bytes = len7 == 126 ? 2 : 8;
    long length = 0;
    for (int k = 0; k < bytes; k++) {
      length = (length << 8) | (header[2 + k] & 0xFF);
    }
    return length; // negative if the most significant bit is set, which RFC 6455 forbids
  }
}
