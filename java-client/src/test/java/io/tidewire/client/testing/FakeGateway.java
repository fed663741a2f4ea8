package io.tidewire.client.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * A scripted stand-in for the push gateway on a real WebSocket server (Tyrus on Grizzly, on a free
 * port of 127.0.0.1): it records every connection's frames and handshake, answers them through a
 * replaceable {@link Responder}, and lets a test push frames, close with any code, or kill the
 * server abruptly and start it again on the same port.
 */
public final class FakeGateway implements AutoCloseable {

  /** The endpoint path, as on the real gateway. */
  public static final String PATH = "/v1/realtime";

  /** How the fake answers one frame from a client. */
  @FunctionalInterface
  public interface Responder {
    void respond(FakeSession session, JsonNode frame);
  }

  /**
   * Answers like the gateway: {@code subscribe} → {@code subscribed} (recovered iff a cursor was
   * sent), {@code ping} → {@code pong}, {@code auth} → {@code authenticated}.
   */
  public static final Responder STANDARD = (session, frame) -> {
    final String op = frame.path("op").asText();
    final String ref = frame.path("ref").asText();
    switch (op) {
      case "subscribe" -> session.send(FakeSession.json()
          .put("op", "subscribed").put("ref", ref).put("channel", frame.path("channel").asText())
          .put("recovered", frame.has("cursor")));
      case "ping" -> session.send(FakeSession.json().put("op", "pong").put("ref", ref));
      case "auth" -> session.send(FakeSession.json().put("op", "authenticated").put("ref", ref)
          .put("exp", 0));
      default -> { }
    }
  };

  private final List<FakeSession> sessions = new CopyOnWriteArrayList<>();
  private final List<Optional<String>> authorizations = new CopyOnWriteArrayList<>();
  private volatile Responder responder = STANDARD;
  private int port;
  private HttpServer server;
  private Container container;

  private FakeGateway() {}

  /** Starts a fake gateway on a free port. */
  public static FakeGateway start() {
    final FakeGateway gateway = new FakeGateway();
    gateway.bind(0);
    return gateway;
  }

  /** {@code ws://127.0.0.1:PORT/v1/realtime}. */
  public URI uri() {
    return URI.create("ws://127.0.0.1:" + port + PATH);
  }

  /** Replaces how frames are answered (for connections open now and later). */
  public void respondWith(final Responder next) {
    this.responder = next;
  }

  /** Every connection so far, in the order they opened. */
  public List<FakeSession> sessions() {
    return List.copyOf(sessions);
  }

  /** Waits until connection number {@code index} (0-based) has opened, and returns it. */
  public FakeSession awaitSession(final int index) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> sessions.size() > index);
    return sessions.get(index);
  }

  /** The {@code Authorization} header of every upgrade request, in order. */
  public List<Optional<String>> authorizations() {
    return List.copyOf(authorizations);
  }

  /** Stops the server at once: connections drop without a close frame. */
  public synchronized void kill() {
    server.shutdownNow();
    container.stop();
  }

  /** Starts the server again on the same port. */
  public synchronized void restart() {
    bind(port);
  }

  @Override
  public synchronized void close() {
    kill();
  }

  private synchronized void bind(final int requestedPort) {
    final Container next = new Container();
    try {
      next.register(ServerEndpointConfig.Builder.create(Handler.class, PATH)
          .configurator(new ServerEndpointConfig.Configurator() {
            @Override
            public <T> T getEndpointInstance(final Class<T> endpointClass) {
              return endpointClass.cast(new Handler());
            }

            @Override
            public void modifyHandshake(final ServerEndpointConfig config, final HandshakeRequest request,
                final HandshakeResponse response) {
              final List<String> values = request.getHeaders().get("Authorization");
              authorizations.add(values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0)));
            }
          })
          .build());
      next.doneDeployment();
    } catch (DeploymentException e) {
      throw new IllegalStateException(e);
    }
    final HttpServer http = new HttpServer();
    final NetworkListener listener = new NetworkListener("fake-gateway", "127.0.0.1", requestedPort);
    http.addListener(listener);
    listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    listener.registerAddOn(new WebSocketAddOn(next, "/"));
    http.getServerConfiguration().setJmxEnabled(false);
    try {
      http.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.server = http;
    this.container = next;
    this.port = listener.getPort();
  }

  /** One endpoint instance per connection. */
  public final class Handler extends Endpoint {
    private FakeSession fake;

    @Override
    public void onOpen(final Session session, final EndpointConfig config) {
      fake = new FakeSession(session);
      sessions.add(fake);
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
        final JsonNode frame = fake.received(text);
        responder.respond(fake, frame);
      });
    }

    @Override
    public void onClose(final Session session, final CloseReason reason) {
      fake.closed(reason.getCloseCode().getCode());
    }
  }

  /** The Tyrus container behind our own Grizzly server (as the gateway's). */
  private static final class Container extends TyrusServerContainer {
    private final WebSocketEngine engine;

    Container() {
      super((Set<Class<?>>) null);
      this.engine = TyrusWebSocketEngine.builder(this).build();
    }

    @Override
    public void register(final Class<?> endpointClass) throws DeploymentException {
      engine.register(endpointClass, "/");
    }

    @Override
    public void register(final ServerEndpointConfig serverEndpointConfig) throws DeploymentException {
      engine.register(serverEndpointConfig, "/");
    }

    @Override
    public Map<String, Object> getProperties() {
      return Map.of();
    }

    @Override
    public WebSocketEngine getWebSocketEngine() {
      return engine;
    }
  }

  /** An event frame. */
  public static String event(final String channel, final String id, final String cursor) {
    final ObjectNode frame = FakeSession.json().put("op", "event").put("channel", channel).put("id", id)
        .put("type", "test.happened").put("cursor", cursor).put("ts", 1_700_000_000_000L);
    frame.putObject("data").put("id", id);
    return frame.toString();
  }
}
