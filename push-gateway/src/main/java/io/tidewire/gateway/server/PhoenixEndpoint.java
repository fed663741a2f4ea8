package io.tidewire.gateway.server;

import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.phoenix.PhoenixConfig;
import io.tidewire.gateway.phoenix.PhoenixConnection;
import io.tidewire.gateway.phoenix.PhoenixMetrics;
import io.tidewire.gateway.phoenix.PhxCodec;
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
 * The Supabase Realtime endpoint at {@value #PATH}, kept thin like {@link RealtimeEndpoint}: it
 * takes the principal of the {@code apikey} the handshake verified and the serializer the
 * {@code vsn} parameter names, creates a {@link PhoenixConnection} and forwards frames and the
 * close to it. One instance serves every connection. Thread-safe.
 */
public final class PhoenixEndpoint extends Endpoint {

  /** The endpoint's path. */
  public static final String PATH = Protocol.SUPABASE_PATH;

  /** The query parameter naming the serializer. */
  static final String VSN = "vsn";

  private static final String CONNECTION = "io.tidewire.gateway.phoenix";
  private static final String HEARTBEAT = "io.tidewire.gateway.phoenix.heartbeat";
  private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {'t', 'w'}).asReadOnlyBuffer();
  private static final Logger LOG = LoggerFactory.getLogger(PhoenixEndpoint.class);

  private final SessionContext context;
  private final ConnectionLimits limits;
  private final PhoenixConfig config;
  private final PhoenixMetrics metrics;

  PhoenixEndpoint(final SessionContext context, final ConnectionLimits limits, final PhoenixConfig config,
      final PhoenixMetrics metrics) {
    this.context = context;
    this.limits = limits;
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void onOpen(final Session session, final EndpointConfig endpointConfig) {
    final Object principal = session.getUserProperties().get(RealtimeEndpoint.PRINCIPAL);
    final Optional<RawConnection> raw = Optional.ofNullable(session.getUserProperties().remove(
        RealtimeEndpoint.CONNECTION)).filter(RawConnection.class::isInstance).map(RawConnection.class::cast);
    final TyrusTransport transport = new TyrusTransport(session, raw);
    if (!(principal instanceof Principal)) {
      transport.close(CloseCode.UNAUTHORIZED); // the upgrade guard refuses these with 401 already
      return;
    }
    final Optional<PhxCodec> codec = PhxCodec.of(Optional.ofNullable(
        (String) session.getUserProperties().get(VSN)));
    if (codec.isEmpty()) {
      transport.close(CloseCode.NORMAL); // Phoenix refuses an unknown vsn at the upgrade; we close at once
      return;
    }
    session.setMaxTextMessageBufferSize(context.maxFrameBytes());
    session.setMaxBinaryMessageBufferSize(context.maxFrameBytes());
    final PhoenixConnection connection =
        new PhoenixConnection(transport, codec.get(), (Principal) principal, context, config, metrics);
    final Heartbeat heartbeat = new Heartbeat(limits.maxMissedPongs(), () -> transport.ping(PING.duplicate()),
        () -> {
          context.metrics().pingTimeout();
          LOG.info("closing {}: {} pings without a pong", session.getId(), limits.maxMissedPongs());
          connection.goAway();
        });
    session.getUserProperties().put(CONNECTION, connection);
    session.getUserProperties().put(HEARTBEAT, heartbeat);
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) connection::onText);
    session.addMessageHandler(ByteBuffer.class,
        (MessageHandler.Whole<ByteBuffer>) connection::onBinary);
    session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) pong -> heartbeat.pong());
    context.metrics().connectionOpened();
    heartbeat.start(context.timer(), limits.pingInterval());
  }

  @Override
  public void onClose(final Session session, final CloseReason closeReason) {
    if (session.getUserProperties().remove(HEARTBEAT) instanceof Heartbeat heartbeat) {
      heartbeat.stop();
    }
    if (session.getUserProperties().remove(CONNECTION) instanceof PhoenixConnection connection) {
      connection.onClosed();
      context.metrics().connectionClosed();
    }
  }

  @Override
  public void onError(final Session session, final Throwable error) {
    LOG.debug("WebSocket error on {}: {}", session.getId(), error.toString());
  }
}
