package io.tidewire.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare socket that reads nothing after the handshake unless told to: the
 * client that stops reading altogether (a frozen tab, a dead NAT), which no well-behaved WebSocket
 * library can play.
 */
public final class RawWsClient implements AutoCloseable {

  private final Socket socket;

  private RawWsClient(final Socket socket) {
    this.socket = socket;
  }

  /** Connects with a small receive buffer and completes the handshake (reading only its response). */
  public static RawWsClient connect(final int port, final String token) {
    try {
      final Socket socket = new Socket();
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(20_000);
      final OutputStream out = socket.getOutputStream();
      out.write(("GET /v1/realtime?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      final String response = readHead(socket.getInputStream());
      if (!response.startsWith("HTTP/1.1 101")) {
        throw new IllegalStateException("upgrade refused: " + response);
      }
      return new RawWsClient(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readHead(final InputStream in) throws IOException {
    final ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    final byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      final int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Sends one masked text frame (payload under 64 KiB). */
  public void sendText(final String text) {
    final byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    final ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xFF);
    }
    final byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    try {
      socket.getOutputStream().write(frame.toByteArray());
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads whatever the server left in the socket until the connection ends.
   *
   * @return whether the server closed (or reset) the connection within {@code timeout}
   */
  public boolean readsToTheEnd(final Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      final byte[] buffer = new byte[64 * 1024];
      while (socket.getInputStream().read(buffer) >= 0) {
        // discard
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // best effort
    }
  }
}
