package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.ProtocolCodes.CloseCode;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One client connection as the session sees it: send a text frame asynchronously, close with a
 * code. Implemented over a WebSocket session in production and by fakes in tests.
 *
 * <p>Implementations must be thread-safe; {@link OutboundQueue} keeps at most one send outstanding.
 */
public interface Transport {

  /**
   * Starts sending one text frame; {@code done} is called exactly once, possibly on the calling
   * thread, with the failure if the send failed.
   */
  void send(String text, Consumer<Optional<Throwable>> done);

  /** Closes the connection with {@code code}; harmless if already closed. */
  void close(CloseCode code);

  /** An id for logs. */
  String id();
}
