package io.tidewire.gateway.server;

import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseListener;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.transport.TCPNIOConnection;

/**
 * Closes a WebSocket connection from the server side so that the client reads the close frame
 * even while it is still sending: the close frame is written, then the output is shut down (a FIN
 * follows the frame), and everything the client still sends is read and dropped
 * ({@link UpgradedReads} drops it before the HTTP codec and Tyrus) until the client closes its side, or until the
 * grace has passed ({@code TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS}).
 *
 * <p>Why: closing the socket at once while the client's data is still arriving makes the kernel
 * answer with a reset, and a reset can reach the client before it has read the close frame, which
 * it then reports as 1006 instead of the code the gateway chose (a flooding client, a frame over
 * the limit). The server closes its side first, as RFC 6455 asks, and no reset is sent unless
 * the client goes on sending past the grace period.
 *
 * <p>Thread-safe; a connection is closed this way at most once.
 */
final class LingeringClose {

  private static final Attribute<Boolean> LINGERING =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(LingeringClose.class.getName() + ".lingering");

  private final ScheduledExecutorService timer;
  private final Duration grace;

  /**
   * @param grace how long a closed connection keeps reading before it is dropped: the gateway's
   *     close grace, after which a session's close aborts a connection still open anyway
   */
  LingeringClose(final ScheduledExecutorService timer, final Duration grace) {
    this.timer = timer;
    this.grace = grace;
  }

  /** Whether {@code connection} is closing: what it reads is dropped. */
  static boolean lingers(final Connection<?> connection) {
    return Boolean.TRUE.equals(LINGERING.get(connection));
  }

  /** The close frame a server sends for {@code code} (unmasked, with the code's reason). */
  static byte[] closeFrame(final CloseCode code) {
    final byte[] reason = code.reason().getBytes(StandardCharsets.UTF_8);
    final byte[] frame = new byte[4 + reason.length];
    frame[0] = (byte) 0x88; // FIN, close
    frame[1] = (byte) (2 + reason.length);
    frame[2] = (byte) (code.code() >> 8);
    frame[3] = (byte) code.code();
    System.arraycopy(reason, 0, frame, 4, reason.length);
    return frame;
  }

  /**
   * Writes {@code closeFrame} through the connection's filter chain (behind any frame written
   * before it, encrypted if the chain encrypts), then lingers as described above. Returns false,
   * writing nothing, when the connection is already closing or closed.
   */
  @SuppressWarnings({"rawtypes", "unchecked"}) // Grizzly's write() takes a raw CompletionHandler
  boolean close(final Connection<?> connection, final byte[] closeFrame) {
    if (!connection.isOpen() || !start(connection)) {
      return false;
    }
    final Buffer frame = Buffers.wrap(connection.getMemoryManager(), closeFrame);
    ((Connection) connection).write(frame, new EmptyCompletionHandler<WriteResult>() {
      @Override
      public void completed(final WriteResult result) {
        linger(connection);
      }

      @Override
      public void failed(final Throwable throwable) {
        connection.closeSilently();
      }
    });
    return true;
  }

  private static boolean start(final Connection<?> connection) {
    synchronized (connection) {
      if (lingers(connection)) {
        return false;
      }
      LINGERING.set(connection, Boolean.TRUE);
      return true;
    }
  }

  private void linger(final Connection<?> connection) {
    if (!(connection instanceof TCPNIOConnection tcp) || !(tcp.getChannel() instanceof SocketChannel channel)) {
      connection.closeSilently();
      return;
    }
    try {
      channel.shutdownOutput();
    } catch (IOException | RuntimeException e) {
      connection.closeSilently();
      return;
    }
    final ScheduledFuture<?> deadline;
    try {
      deadline = timer.schedule(connection::closeSilently, grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) { // shutting down
      connection.closeSilently();
      return;
    }
    // the client's FIN closes the connection (Grizzly reads the end of the stream): free the timer
    connection.addCloseListener((CloseListener<Closeable, ICloseType>) (c, type) -> deadline.cancel(false));
  }
}
