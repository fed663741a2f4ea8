package io.tidewire.gateway.server;

import io.tidewire.gateway.session.OutboundFrame;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.memory.ByteBufferWrapper;
import org.glassfish.grizzly.memory.CompositeBuffer;

/**
 * The Grizzly connection under one WebSocket session, which Tyrus hides: to write complete,
 * already encoded WebSocket frames straight to the transport's asynchronous write queue, to close
 * it without a reset ({@link LingeringClose}), and to drop the TCP connection of a client that does
 * not read.
 *
 * <p>Writing past Tyrus is what makes a broadcast cheap: Tyrus's {@code sendText} encodes the text
 * again for every session (a new UTF-8 encoder, a frame object, a buffer) and restarts the
 * session's idle timer (a lock and a scheduler task), and Grizzly's filter chain adds per-write
 * bookkeeping; a shared, pre-encoded frame written to the transport's queue costs one small
 * wrapper object per session. Grizzly's queue keeps each write whole and in order with the ones
 * Tyrus itself makes (pong, close), so frames never interleave. The caller must not write after
 * the session's close frame (see {@link TyrusTransport}).
 *
 * <p>Thread-safe.
 */
final class RawConnection {

  private final Connection<?> connection;
  private final boolean writesFrames;
  private final LingeringClose lingeringClose;

  /**
   * @param writesFrames false when the connection's chain encrypts: {@link #write} would bypass
   *     the SSL filter, so only {@link #close} and {@link #abort} may be used
   */
  RawConnection(final Connection<?> connection, final boolean writesFrames,
      final LingeringClose lingeringClose) {
    this.connection = connection;
    this.writesFrames = writesFrames;
    this.lingeringClose = lingeringClose;
  }

  /** Whether {@link #write} may be used (false behind an SSL filter: frames go through Tyrus). */
  boolean writesFrames() {
    return writesFrames;
  }

  /**
   * Queues a complete frame ({@code wire} is shared: it is wrapped, never copied or changed);
   * {@code done} is called once, possibly on this thread, when it was written or failed.
   */
  void write(final byte[] wire, final Consumer<Optional<Throwable>> done) {
    // A plain wrapper: Buffers.wrap goes through the memory manager's thread-local cache.
    write(new ByteBufferWrapper(ByteBuffer.wrap(wire)), done);
  }

  /**
   * Queues several complete frames as one write: one composite buffer of their shared wire forms
   * (wrapped, not copied), which Grizzly writes with a gathering write; {@code done} as above, once
   * all were written or the write failed.
   */
  void write(final List<OutboundFrame> frames, final Consumer<Optional<Throwable>> done) {
    final CompositeBuffer buffer = CompositeBuffer.newBuffer(connection.getMemoryManager());
    for (final OutboundFrame frame : frames) {
      buffer.append(new ByteBufferWrapper(ByteBuffer.wrap(frame.wire())));
    }
    write(buffer, done);
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // Grizzly's Writer is generic in the address type
  private void write(final WritableMessage message, final Consumer<Optional<Throwable>> done) {
    if (!writesFrames) {
      throw new IllegalStateException("raw frame writes would bypass the SSL filter");
    }
    if (!connection.isOpen()) {
      done.accept(Optional.of(new IOException("connection closed")));
      return;
    }
    final Connection c = connection;
    c.getTransport().getWriter(c).write(c, message,
        new CompletionHandler<WriteResult>() {
          @Override
          public void cancelled() {
            done.accept(Optional.of(new IOException("write cancelled")));
          }

          @Override
          public void failed(final Throwable throwable) {
            done.accept(Optional.of(throwable));
          }

          @Override
          public void completed(final WriteResult result) {
            done.accept(Optional.empty());
          }

          @Override
          public void updated(final WriteResult result) {
            // partial progress: wait for completed
          }
        });
  }

  /**
   * Sends the close frame for {@code code} and closes without a reset beating it to a client that
   * is still sending ({@link LingeringClose}); returns false if the connection was already closing.
   * Works behind an SSL filter too: the frame goes through the connection's filter chain.
   */
  boolean close(final CloseCode code) {
    return lingeringClose.close(connection, LingeringClose.closeFrame(code));
  }

  /** Drops the TCP connection at once if it is still open; returns whether it was. */
  boolean abort() {
    if (!connection.isOpen()) {
      return false;
    }
    connection.terminateSilently();
    return true;
  }
}
