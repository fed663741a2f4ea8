package io.tidewire.gateway.session;

import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The connection as {@link ClientSession} sees it: send a text frame asynchronously, close with a
 * code, or abort. Implemented over a WebSocket session in production and by fakes in tests.
 *
 * <p>Implementations must be thread-safe; {@link OutboundQueue} keeps at most one send (of one or
 * several frames) outstanding.
 */
public interface Transport {

  /**
   * Starts sending one text frame; {@code done} is called exactly once, possibly on the calling
   * thread, with the failure if the send failed.
   */
  void send(String text, Consumer<Optional<Throwable>> done);

  /**
   * Starts sending one frame, as {@link #send(String, Consumer)}; a transport that can write the
   * frame's shared {@link OutboundFrame#wire() wire form} as is overrides this, so a frame sent to
   * many sessions is encoded once.
   */
  default void send(final OutboundFrame frame, final Consumer<Optional<Throwable>> done) {
    send(frame.text(), done);
  }

  /**
   * Starts sending several frames, in order, as one write where the transport can (a backlogged
   * connection then costs one write and one completion for many frames); {@code done} is called
   * exactly once, after the last frame or with the first failure. The default sends them one after
   * another.
   */
  default void send(final List<OutboundFrame> frames, final Consumer<Optional<Throwable>> done) {
    sendFrom(frames, 0, done);
  }

  private void sendFrom(final List<OutboundFrame> frames, final int index,
      final Consumer<Optional<Throwable>> done) {
    if (index == frames.size()) {
      done.accept(Optional.empty());
      return;
    }
    send(frames.get(index), result -> {
      if (result.isPresent()) {
        done.accept(result);
      } else {
        sendFrom(frames, index + 1, done);
      }
    });
  }

  /** Closes the connection with {@code code} (a close frame, then TCP); harmless if already closed. */
  void close(CloseCode code);

  /**
   * Drops the TCP connection at once if it is still open, discarding whatever is still waiting to
   * be written: for a client that stopped reading, whose close frame can never be delivered.
   *
   * @return whether the connection was still open (and is aborted now)
   */
  boolean abort();

  /** An id for logs. */
  String id();
}
