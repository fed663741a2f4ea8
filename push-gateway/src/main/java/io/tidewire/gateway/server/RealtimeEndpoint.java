package io.tidewire.gateway.server;

import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.session.ClientSession;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.protocol.Protocol;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
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

  private static final String HEARTBEAT = "io.tidewire.gateway.heartbeat";
  private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {'t', 'w'}).asReadOnlyBuffer();

  private final SessionContext context;
  private final ConnectionLimits limits;

  RealtimeEndpoint(final SessionContext context, final ConnectionLimits limits) {
    this.context = context;
    this.limits = limits;
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
    final TyrusTransport transport = new TyrusTransport(session, raw);
    final ClientSession client = new ClientSession(transport, (Principal) principal, context);
    final Heartbeat heartbeat = new Heartbeat(limits.maxMissedPongs(), () -> transport.ping(PING.duplicate()),
        () -> {
          context.metrics().pingTimeout();
          LOG.info("closing {} (user {}): {} pings without a pong", session.getId(), client.userId(),
              limits.maxMissedPongs());
          client.goAway();
        });
    session.getUserProperties().put(CLIENT, client);
    session.getUserProperties().put(HEARTBEAT, heartbeat);
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) client::onText);
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> client.onBinary(b.remaining()));
    session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> heartbeat.pong());
    context.metrics().connectionOpened();
    client.open();
    heartbeat.start(context.timer(), limits.pingInterval());
  }

  @Override
  public void onClose(final Session session, final CloseReason closeReason) {
    if (session.getUserProperties().remove(HEARTBEAT) instanceof Heartbeat heartbeat) {
      heartbeat.stop();
    }
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
