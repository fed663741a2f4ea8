package io.tidewire.gateway.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.HttpRoute;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.session.SessionContext;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.server.ServerConfiguration;
import org.glassfish.grizzly.http.server.StaticHttpHandler;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Grizzly HTTP server on one port for everything: the WebSocket endpoint
 * {@value RealtimeEndpoint#PATH} (Tyrus, behind {@link UpgradeGuard}), {@code GET /health},
 * {@code GET /metrics} and the static content at {@code /}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class HttpFront implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
  private static final String LISTENER = "tidewire-gateway";
  /** Read buffer beyond the frame limit, so frames over the limit still reach the 1009 check. */
  private static final int READ_BUFFER_SLACK = 1024 * 1024;

  private final HttpServer server;
  private final NetworkListener listener;
  private final GatewayServerContainer container;
  private boolean closed;

  private HttpFront(final HttpServer server, final NetworkListener listener,
      final GatewayServerContainer container) {
    this.server = server;
    this.listener = listener;
    this.container = container;
  }

  /**
   * Binds and starts the server.
   *
   * @param host interface to bind
   * @param port port, 0 for any free one (see {@link #port()})
   * @param context what sessions share (verifier, hub, metrics, limits)
   * @param staticContent what to serve at {@code /}
   * @param routes extra HTTP endpoints
   * @param registry the registry {@code /metrics} scrapes
   * @param checks health checks by name, evaluated per request
   * @throws GatewayException if the port cannot be bound or the endpoint not deployed
   */
  public static HttpFront start(final String host, final int port, final SessionContext context,
      final StaticContent staticContent, final List<HttpRoute> routes,
      final MeterRegistry registry, final Supplier<Map<String, Boolean>> checks) {
    final GatewayServerContainer container =
        new GatewayServerContainer((int) Math.min(Integer.MAX_VALUE,
            (long) context.maxFrameBytes() + READ_BUFFER_SLACK));
    final RealtimeEndpoint endpoint = new RealtimeEndpoint(context);
    final ConnectionRegistry connections = new ConnectionRegistry();
    try {
      container.deploy(ServerEndpointConfig.Builder.create(RealtimeEndpoint.class, RealtimeEndpoint.PATH)
          .configurator(new HandshakeAuthenticator(context.verifier(), endpoint, connections))
          .build());
    } catch (DeploymentException e) {
      container.stop();
      throw new GatewayException("cannot deploy " + RealtimeEndpoint.PATH + ": " + e.getMessage(), e);
    }

    final HttpServer server = new HttpServer();
    final NetworkListener listener = new NetworkListener(LISTENER, host, port);
    server.addListener(listener);
    // As Tyrus's own container does: handlers may block briefly, and WebSocket connections must
    // not be cut by the HTTP keep-alive timeout.
    listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    listener.registerAddOn(new WebSocketAddOn(container, GatewayServerContainer.CONTEXT_PATH));
    listener.registerAddOn(new UpgradeGuardAddOn(
        new UpgradeGuard(context.verifier(), context.metrics(), connections)));

    final ServerConfiguration config = server.getServerConfiguration();
    config.setJmxEnabled(false);
    config.addHttpHandler(new HealthHandler(
        () -> new HealthHandler.Report(checks.get(), context.metrics().connections())), "/health");
    config.addHttpHandler(new MetricsHandler(registry), "/metrics");
    for (final HttpRoute route : routes) {
      config.addHttpHandler(new RouteHandler(route), route.path());
    }
    if (staticContent instanceof StaticContent.Directory dir) {
      config.addHttpHandler(new StaticHttpHandler(dir.directory().toAbsolutePath().toString()), "/");
    } else if (staticContent instanceof StaticContent.Classpath cp) {
      config.addHttpHandler(new CLStaticHttpHandler(cp.loader(), "/" + cp.root()), "/");
    }
    try {
      server.start();
    } catch (IOException e) {
      server.shutdownNow();
      container.stop();
      throw new GatewayException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
    }
    final HttpFront front = new HttpFront(server, listener, container);
    LOG.info("Gateway listening on {}:{} (WebSocket {})", host, front.port(), RealtimeEndpoint.PATH);
    return front;
  }

  /** The bound port (the actual one when 0 was asked for). */
  public int port() {
    return listener.getPort();
  }

  /** Whether the server is started and not closed. */
  public synchronized boolean isRunning() {
    return !closed && server.isStarted();
  }

  /** Stops the server at once (sessions should be closed before); idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdownNow();
    container.stop();
  }
}
