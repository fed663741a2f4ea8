package io.tidewire.gateway.server;

import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.protocol.Protocol;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint at {@value #PATH}, kept thin: it takes the principal the handshake put
 * in the session's properties, creates a {@link ClientSession} and forwards frames and the close
 * to it. One instance serves every connection.
 *
 * <p>Thread-safe (stateless apart from the shared context).
 */
public final class RealtimeEndpoint extends Endpoint {

  /** The endpoint's path. */
  public static final String PATH = Protocol.PATH;

  static final String PRINCIPAL = "io.tidewire.gateway.principal";
  static final String CONNECTION = "io.tidewire.gateway.connection";
  private static final String CLIENT = "io.tidewire.gateway.client";
  private static final Logger LOG = LoggerFactory.getLogger(RealtimeEndpoint.class);

  private final SessionContext context;

  RealtimeEndpoint(final SessionContext context) {
    this.context = context;
  }

  @Override
  public void onOpen(final Session session, final EndpointConfig config) {
    final Object principal = session.getUserProperties().get(PRINCIPAL);
    if (!(principal instanceof Principal)) {
      // The upgrade guard refuses such requests with 401; this only defends in depth.
      new TyrusTransport(session, Optional.empty()).close(CloseCode.UNAUTHORIZED);
      return;
    }
    // Fragmented messages over the limit make Tyrus close with 1009; whole ones are checked by
    // the session.
    session.setMaxTextMessageBufferSize(context.maxFrameBytes());
    session.setMaxBinaryMessageBufferSize(context.maxFrameBytes());
    final Optional<RawConnection> raw = Optional.ofNullable(session.getUserProperties().remove(CONNECTION))
        .filter(RawConnection.class::isInstance).map(RawConnection.class::cast);
    final ClientSession client =
        new ClientSession(new TyrusTransport(session, raw), (Principal) principal, context);
    session.getUserProperties().put(CLIENT, client);
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) client::onText);
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> client.onBinary(b.remaining()));
    context.metrics().connectionOpened();
    client.open();
  }

  @Override
  public void onClose(final Session session, final CloseReason closeReason) {
    final Object client = session.getUserProperties().remove(CLIENT);
    if (client instanceof ClientSession) {
      ((ClientSession) client).onClosed();
      context.metrics().connectionClosed();
    }
  }

  @Override
  public void onError(final Session session, final Throwable error) {
    LOG.debug("WebSocket error on {}: {}", session.getId(), error.toString());
  }
}
