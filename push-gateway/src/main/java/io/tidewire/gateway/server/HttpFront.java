package io.tidewire.gateway.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.HttpRoute;
import io.tidewire.gateway.OpsListener;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.session.SessionContext;
import jakarta.websocket.DeploymentException;
import io.tidewire.gateway.phoenix.PhoenixConfig;
import io.tidewire.gateway.phoenix.PhoenixMetrics;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * The gateway's HTTP: one Grizzly server on the main port for the WebSocket endpoint
 * {@value RealtimeEndpoint#PATH} (Tyrus, behind {@link UpgradeGuard} and its
 * {@link HandshakeDeadline}), the static content at {@code /} and extra routes; {@code GET /health}
 * and {@code GET /metrics} on a second server, the ops listener (loopback by default), or on the
 * main port if {@link OpsListener#onMainPort()}. Every HTTP handler answers as plain HTTP/1.1
 * ({@link PlainHttp}).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class HttpFront implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
  private static final String LISTENER = "tidewire-gateway";
  private static final String OPS_LISTENER = "tidewire-gateway-ops";
  /**
   * Read buffer beyond the frame limit: a frame header's worth (at most 14 bytes) and some, so a
   * whole frame at the limit fits; a partial frame pins at most this much per connection. A frame
   * announcing more is refused with 1009 by {@link UpgradeGuard} before it reaches Tyrus.
   */
  static final int READ_BUFFER_SLACK = 64;
  /**
   * Most bytes one socket read hands to Tyrus. Tyrus keeps an incomplete frame and appends the next
   * read to it, refusing (1011) when the two pass its incoming buffer; with reads as large as the
   * socket's receive buffer (Grizzly's default, 128 KiB and more) a client that pipelines small
   * frames faster than they are read got 1011. The buffer is sized for a frame at the limit plus
   * one read ({@link GatewayServerContainer}); it is a cap, not an allocation.
   */
  static final int READ_BYTES = 64 * 1024;

  private final HttpServer server;
  private final NetworkListener listener;
  private final GatewayServerContainer container;
  private final Optional<HttpServer> opsServer;
  private boolean closed;

  private HttpFront(final HttpServer server, final NetworkListener listener,
      final GatewayServerContainer container, final Optional<HttpServer> opsServer) {
    this.server = server;
    this.listener = listener;
    this.container = container;
    this.opsServer = opsServer;
  }

  /**
   * Binds and starts the server.
   *
   * @param host interface to bind
   * @param port port, 0 for any free one (see {@link #port()})
   * @param context what sessions share (verifier, hub, metrics, limits)
   * @param limits handshake deadline, pings and connection caps
   * @param ops where {@code /health} and {@code /metrics} go
   * @param staticContent what to serve at {@code /}
   * @param routes extra HTTP endpoints
   * @param registry the registry {@code /metrics} scrapes
   * @param checks health checks by name, evaluated per request
   * @throws GatewayException if the port cannot be bound or the endpoint not deployed
   */
  public static HttpFront start(final String host, final int port, final SessionContext context,
      final ConnectionLimits limits, final OpsListener ops, final StaticContent staticContent,
      final List<HttpRoute> routes, final MeterRegistry registry,
      final Supplier<Map<String, Boolean>> checks) {
    return start(host, port, context, limits, ops, staticContent, routes, registry, checks, PhoenixConfig.DEFAULTS);
  }

  /**
   * As {@link #start(String, int, SessionContext, ConnectionLimits, OpsListener, StaticContent, List,
   * MeterRegistry, Supplier)}, with the Supabase Realtime endpoint's settings.
   */
  public static HttpFront start(final String host, final int port, final SessionContext context,
      final ConnectionLimits limits, final OpsListener ops, final StaticContent staticContent,
      final List<HttpRoute> routes, final MeterRegistry registry,
      final Supplier<Map<String, Boolean>> checks, final PhoenixConfig phoenix) {
    final GatewayServerContainer container =
        new GatewayServerContainer((int) Math.min(Integer.MAX_VALUE,
            (long) context.maxFrameBytes() + READ_BUFFER_SLACK + READ_BYTES));
    final RealtimeEndpoint endpoint = new RealtimeEndpoint(context, limits);
    final ConnectionRegistry connections = new ConnectionRegistry(new LingeringClose(context.timer(), context.closeGrace()));
    try {
      final PhoenixEndpoint supabase = new PhoenixEndpoint(context, limits, phoenix, new PhoenixMetrics(registry));
      container.deploy(
          ServerEndpointConfig.Builder.create(RealtimeEndpoint.class, RealtimeEndpoint.PATH)
              .configurator(new HandshakeAuthenticator(context.verifier(), endpoint, connections)).build(),
          ServerEndpointConfig.Builder.create(PhoenixEndpoint.class, PhoenixEndpoint.PATH)
              .configurator(new HandshakeAuthenticator(request -> context.verifier().verifyApiKey(
                  first(request.getParameterMap(), UpgradeGuard.SUPABASE_API_KEY)
                      .or(() -> first(request.getHeaders(), UpgradeGuard.SUPABASE_API_KEY)).orElse("")),
                  supabase, connections)).build());
    } catch (DeploymentException e) {
      container.stop();
      throw new GatewayException("cannot deploy the WebSocket endpoints: " + e.getMessage(), e);
    }

    final HttpServer server = new HttpServer();
    final NetworkListener listener = new NetworkListener(LISTENER, host, port);
    server.addListener(listener);
    // As Tyrus's own container does: handlers may block briefly, and WebSocket connections must
    // not be cut by the HTTP keep-alive timeout.
    listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
    listener.getTransport().setReadBufferSize(READ_BYTES);
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    listener.registerAddOn(new WebSocketAddOn(container, GatewayServerContainer.CONTEXT_PATH));
    listener.registerAddOn(new UpgradeGuardAddOn(new UpgradeGuard(context.verifier(), context.metrics(),
        connections, limits, new HandshakeDeadline(context.timer(), limits.handshakeTimeout(), context.metrics()),
        context.maxFrameBytes())));

    final ServerConfiguration config = server.getServerConfiguration();
    config.setJmxEnabled(false);
    final Optional<HttpServer> opsServer;
    if (ops.onMainPort()) {
      addOpsHandlers(config, context, registry, checks);
      opsServer = Optional.empty();
    } else {
      final HttpServer separate = new HttpServer();
      separate.addListener(new NetworkListener(OPS_LISTENER, ops.host(), ops.port()));
      separate.getServerConfiguration().setJmxEnabled(false);
      addOpsHandlers(separate.getServerConfiguration(), context, registry, checks);
      opsServer = Optional.of(separate);
    }
    for (final HttpRoute route : routes) {
      config.addHttpHandler(PlainHttp.of(new RouteHandler(route)), route.path());
    }
    if (staticContent instanceof StaticContent.Directory dir) {
      config.addHttpHandler(PlainHttp.of(new StaticHttpHandler(dir.directory().toAbsolutePath().toString())), "/");
    } else if (staticContent instanceof StaticContent.Classpath cp) {
      config.addHttpHandler(PlainHttp.of(new CLStaticHttpHandler(cp.loader(), "/" + cp.root())), "/");
    }
    try {
      server.start();
    } catch (IOException e) {
      server.shutdownNow();
      container.stop();
      throw new GatewayException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
    }
    if (opsServer.isPresent()) {
      try {
        opsServer.get().start();
      } catch (IOException e) {
        opsServer.get().shutdownNow();
        server.shutdownNow();
        container.stop();
        throw new GatewayException("cannot bind the ops listener " + ops.host() + ":" + ops.port() + ": "
            + e.getMessage(), e);
      }
    }
    final HttpFront front = new HttpFront(server, listener, container, opsServer);
    LOG.info("Gateway listening on {}:{} (WebSocket {}), /health and /metrics on {}", host, front.port(),
        RealtimeEndpoint.PATH, ops.onMainPort() ? "the same port" : ops.host() + ":" + front.opsPort());
    return front;
  }

  private static Optional<String> first(final Map<String, List<String>> values, final String name) {
    for (final Map.Entry<String, List<String>> entry : values.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name) && entry.getValue() != null && !entry.getValue().isEmpty()) {
        return Optional.ofNullable(entry.getValue().get(0));
      }
    }
    return Optional.empty();
  }

  private static void addOpsHandlers(final ServerConfiguration config, final SessionContext context,
      final MeterRegistry registry, final Supplier<Map<String, Boolean>> checks) {
    config.addHttpHandler(PlainHttp.of(new HealthHandler(
        () -> new HealthHandler.Report(checks.get(), context.metrics().connections()))), "/health");
    config.addHttpHandler(PlainHttp.of(new MetricsHandler(registry)), "/metrics");
  }

  /** The bound port (the actual one when 0 was asked for). */
  public int port() {
    return listener.getPort();
  }

  /** The ops listener's bound port, or the main port if the ops endpoints are served there. */
  public int opsPort() {
    return opsServer.map(ops -> ops.getListener(OPS_LISTENER).getPort()).orElseGet(this::port);
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
    opsServer.ifPresent(HttpServer::shutdownNow);
    container.stop();
  }
}
