package io.tidewire.gateway.server;

import io.tidewire.gateway.GatewayMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * A Grizzly filter at the front of the chain that closes a connection which has not completed a
 * WebSocket upgrade within the deadline after its TCP accept: an idle socket, half a request
 * line, a slow header. The deadline is armed at accept, disarmed by {@link UpgradeGuard} when it
 * lets an upgrade through, and armed again after each plain HTTP request, so a kept-alive HTTP
 * connection is also closed after that long without a new request (the listener's own idle
 * timeout is off, because it would cut WebSocket sessions too).
 *
 * <p>Thread-safe: a connection's events come one at a time; expiry runs on the timer.
 */
final class HandshakeDeadline extends BaseFilter {

  private static final Attribute<ScheduledFuture<?>> ARMED = Grizzly.DEFAULT_ATTRIBUTE_BUILDER
      .createAttribute(HandshakeDeadline.class.getName() + ".armed");

  private final ScheduledExecutorService timer;
  private final long timeoutMillis;
  private final GatewayMetrics metrics;

  HandshakeDeadline(final ScheduledExecutorService timer, final Duration timeout,
      final GatewayMetrics metrics) {
    this.timer = timer;
    this.timeoutMillis = timeout.toMillis();
    this.metrics = metrics;
  }

  @Override
  public NextAction handleAccept(final FilterChainContext ctx) throws IOException {
    arm(ctx.getConnection());
    return ctx.getInvokeAction();
  }

  @Override
  public NextAction handleClose(final FilterChainContext ctx) throws IOException {
    disarm(ctx.getConnection());
    return ctx.getInvokeAction();
  }

  /** (Re)starts the connection's deadline. */
  void arm(final Connection<?> connection) {
    disarm(connection);
    try {
      ARMED.set(connection, timer.schedule(() -> expire(connection), timeoutMillis, TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException e) {
      connection.closeSilently(); // the gateway is stopping
    }
  }

  /** The connection made it (an upgrade went through): no deadline any more. */
  void disarm(final Connection<?> connection) {
    final ScheduledFuture<?> armed = ARMED.remove(connection);
    if (armed != null) {
      armed.cancel(false);
    }
  }

  private void expire(final Connection<?> connection) {
    if (connection.isOpen()) {
      metrics.handshakeTimeout();
      connection.terminateSilently();
    }
  }
}
