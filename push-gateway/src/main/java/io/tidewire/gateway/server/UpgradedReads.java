package io.tidewire.gateway.server;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.Protocol;

/**
 * A Grizzly filter right before the HTTP codec that takes a WebSocket connection's reads past the
 * codec once its upgrade is done: the bytes go straight to Tyrus's WebSocket filter, and the
 * codec's upgrade request and response, which it would otherwise keep for the connection's whole
 * life to wrap each read (~7 KB per idle connection), are let go at the first read after the
 * upgrade. Also drops what a {@linkplain LingeringClose closing} connection still reads (any
 * connection: the codec never parses it either), and closes with 1009 a connection whose next frame announces a payload over the limit
 * ({@link FrameScanner}, started by {@link UpgradeGuard} when it admits the upgrade), before Tyrus
 * buffers any of it.
 *
 * <p>Only the reads change: writes, the close and the connection's other events still go through
 * the whole chain. A connection counts as upgraded when {@link UpgradeGuard} admitted it and Tyrus
 * has its WebSocket connection (Tyrus's own connection attribute, looked up by name); reads until
 * then, including any frame bytes in the same read as the request, take the codec's path.
 *
 * <p>Thread-safe: a connection's reads come one at a time.
 */
final class UpgradedReads extends BaseFilter {

  /** The frame scanner of an admitted upgrade: set by {@link UpgradeGuard}, kept per connection. */
  private static final Attribute<FrameScanner> FRAMES =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradedReads.class.getName() + ".frames");
  /**
   * Tyrus's WebSocket connection, which its filter sets when the handshake succeeded (attributes
   * are shared by name: this is the very attribute {@code GrizzlyServerFilter} uses).
   */
  private static final Attribute<Object> WEBSOCKET = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(
      "org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter.Connection");
  /** The HTTP codec's request in progress: for an upgrade, the upgrade request and its response. */
  private static final Attribute<Object> CODEC_REQUEST =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
  /** The header of every read handed to Tyrus (it only reads the content once it has a connection). */
  private static final HttpRequestPacket UPGRADED = HttpRequestPacket.builder()
      .method(Method.GET).uri("/").protocol(Protocol.HTTP_1_1).upgrade("websocket").build();
  private static final byte[] CLOSE_TOO_BIG = LingeringClose.closeFrame(CloseCode.MESSAGE_TOO_BIG);

  private final GatewayMetrics metrics;
  private final LingeringClose lingeringClose;
  private final int maxFrameBytes;
  private volatile Filter websocket;

  UpgradedReads(final GatewayMetrics metrics, final LingeringClose lingeringClose, final int maxFrameBytes) {
    this.metrics = metrics;
    this.lingeringClose = lingeringClose;
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Sets Tyrus's WebSocket filter, where upgraded reads go (once the chain is built). */
  void websocket(final Filter filter) {
    this.websocket = filter;
  }

  /** Starts following the frames of a connection whose upgrade was admitted. */
  void admitted(final Connection<?> connection) {
    FRAMES.set(connection, new FrameScanner(maxFrameBytes));
  }

  /** Whether this connection's reads now bypass the HTTP codec. */
  static boolean upgraded(final Connection<?> connection) {
    return FRAMES.isSet(connection) && WEBSOCKET.isSet(connection);
  }

  /** Whether the codec still holds a request for this connection (for tests). */
  static boolean codecHoldsRequest(final Connection<?> connection) {
    return CODEC_REQUEST.isSet(connection);
  }

  @Override
  public NextAction handleRead(final FilterChainContext ctx) throws IOException {
    final Connection<?> connection = ctx.getConnection();
    if (LingeringClose.lingers(connection)) {
      return ctx.getStopAction(); // closing: what the client still sends is dropped
    }
    final Filter target = websocket;
    final FrameScanner frames = FRAMES.get(connection);
    if (target == null || frames == null || !WEBSOCKET.isSet(connection)
        || !(ctx.getMessage() instanceof Buffer buffer)) {
      return ctx.getInvokeAction();
    }
    if (CODEC_REQUEST.isSet(connection)) {
      CODEC_REQUEST.remove(connection);
    }
    if (!withinLimit(connection, frames, buffer)) {
      return ctx.getStopAction();
    }
    ctx.setMessage(HttpContent.create(UPGRADED, false, buffer));
    return target.handleRead(ctx);
  }

  /**
   * Whether the frames in {@code buffer} stay within the limit; if one announces a payload over
   * it, the connection gets a close frame with 1009 and is closed ({@link LingeringClose}: the rest
   * of the frame, and anything after it, is dropped). True for a connection not admitted.
   */
  boolean withinLimit(final Connection<?> connection, final Buffer buffer) {
    final FrameScanner frames = FRAMES.get(connection);
    return frames == null || withinLimit(connection, frames, buffer);
  }

  private boolean withinLimit(final Connection<?> connection, final FrameScanner frames, final Buffer buffer) {
    if (buffer == null || !buffer.hasRemaining()) {
      return true;
    }
    final int start = buffer.position();
    final int length = buffer.remaining();
    if (frames.accept(new FrameScanner.Bytes() {
      @Override
      public int length() {
        return length;
      }

      @Override
      public byte at(final int index) {
        return buffer.get(start + index);
      }
    })) {
      return true;
    }
    metrics.oversizedFrame(); // the scanner stays, so later reads still bypass the codec (and are dropped)
    lingeringClose.close(connection, CLOSE_TOO_BIG);
    return false;
  }
}
