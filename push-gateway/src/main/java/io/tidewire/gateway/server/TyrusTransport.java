package io.tidewire.gateway.server;

import io.tidewire.gateway.protocol.ProtocolCodes.CloseCode;
import io.tidewire.gateway.session.Transport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over a WebSocket session's async remote, with the connection's abort task
 * from the {@link ConnectionRegistry}. Thread-safe.
 */
final class TyrusTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(TyrusTransport.class);

  private final Session session;
  private final Optional<BooleanSupplier> abort;

  TyrusTransport(final Session session, final Optional<BooleanSupplier> abort) {
    this.session = session;
    this.abort = abort;
  }

  @Override
  public void send(final String text, final Consumer<Optional<Throwable>> done) {
    session.getAsyncRemote().sendText(text, result -> done.accept(result.isOK() ? Optional.empty()
        : Optional.of(result.getException() != null ? result.getException()
            : new IOException("send failed"))));
  }

  @Override
  public void close(final CloseCode code) {
    if (!session.isOpen()) {
      return;
    }
    try {
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code.code()), code.reason()));
    } catch (IOException | IllegalStateException e) {
      LOG.debug("closing {}: {}", session.getId(), e.toString());
    }
  }

  @Override
  public boolean abort() {
    if (abort.isPresent()) {
      return abort.get().getAsBoolean();
    }
    LOG.warn("cannot abort the connection of {}: no handle on it", session.getId());
    return false;
  }

  @Override
  public String id() {
    return session.getId();
  }
}
