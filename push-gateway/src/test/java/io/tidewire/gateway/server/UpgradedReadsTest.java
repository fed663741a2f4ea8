package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.ConnectionLimits;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.testing.WsClient;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UpgradedReads} in a real Grizzly server with Tyrus and the guard, as the gateway builds
 * it, with an echo endpoint, real WebSocket clients and the server side's Grizzly connections
 * (from a connection probe) to look at.
 */
class UpgradedReadsTest {

  private static final int MAX_FRAME = 1024;

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
  private final ConnectionRegistry connections = new ConnectionRegistry(new LingeringClose(timer, Duration.ofSeconds(2)));
  private final UpgradeGuard guard = new UpgradeGuard(
      new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ZERO),
      metrics, connections, ConnectionLimits.DEFAULTS,
      new HandshakeDeadline(timer, Duration.ofSeconds(10), metrics), MAX_FRAME);
  private final List<Connection<?>> accepted = new CopyOnWriteArrayList<>();
  private GatewayServerContainer container;
  private HttpServer server;
  private URI endpoint;

  /** Echoes text; "close" closes the session from the server side with 4000. */
  public static final class Echo extends Endpoint {
    static final AtomicInteger OPEN = new AtomicInteger();
    static final Map<Session, CloseReason> CLOSED = new ConcurrentHashMap<>();

    @Override
    public void onOpen(final Session session, final EndpointConfig config) {
      OPEN.incrementAndGet();
      session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
        try {
          if (text.contains("close")) {
            session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(4000), "asked"));
          } else {
            session.getBasicRemote().sendText(text);
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
    }

    @Override
    public void onClose(final Session session, final CloseReason reason) {
      OPEN.decrementAndGet();
      CLOSED.put(session, reason);
    }
  }

  @BeforeEach
  void start() throws Exception {
    Echo.OPEN.set(0);
    Echo.CLOSED.clear();
    container = new GatewayServerContainer(MAX_FRAME + HttpFront.READ_BUFFER_SLACK + HttpFront.READ_BYTES);
    container.deploy(ServerEndpointConfig.Builder.create(Echo.class, WsClient.PATH).build());
    server = new HttpServer();
    final NetworkListener listener = new NetworkListener("upgraded-reads", "127.0.0.1", 0);
    server.addListener(listener);
    listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
    listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
    listener.registerAddOn(new WebSocketAddOn(container, GatewayServerContainer.CONTEXT_PATH));
    listener.registerAddOn(new UpgradeGuardAddOn(guard));
    listener.getTransport().getConnectionMonitoringConfig().addProbes(new ConnectionProbe.Adapter() {
      @Override
      public void onAcceptEvent(final Connection serverConnection, final Connection clientConnection) {
        accepted.add(clientConnection);
      }
    });
    server.start();
    endpoint = WsClient.endpoint(listener.getPort());
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
    container.stop();
    timer.shutdownNow();
  }

  private WsClient echoing() {
    final WsClient client = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()));
    client.send("{\"op\":\"ping\",\"ref\":\"first\"}");
    client.awaitFrame(frame -> "first".equals(frame.path("ref").asText()));
    return client;
  }

  private Connection<?> theOnlyConnection() {
    await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() == 1);
    return accepted.get(0);
  }

  @Test
  void theAttributeLookedUpByNameIsTyrussOwn() throws Exception {
    final Field field = GrizzlyServerFilter.class.getDeclaredField("TYRUS_CONNECTION");
    field.setAccessible(true);
    final Attribute<?> tyrus = (Attribute<?>) field.get(null);

    assertThat(tyrus.name()).isEqualTo("org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter.Connection");
  }

  @Test
  void afterTheUpgradeReadsSkipTheCodecWhichLetsGoOfTheUpgradeRequest() {
    try (WsClient client = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      final Connection<?> connection = theOnlyConnection();
      await().atMost(Duration.ofSeconds(10)).until(() -> UpgradedReads.upgraded(connection));
      // the upgrade's own read went through the codec, which keeps its request until the next read
      assertThat(UpgradedReads.codecHoldsRequest(connection)).isTrue();

      for (int i = 0; i < 3; i++) {
        final String ref = "r" + i;
        client.send("{\"op\":\"ping\",\"ref\":\"" + ref + "\"}");
        assertThat(client.awaitFrame(frame -> ref.equals(frame.path("ref").asText()))).isNotNull();
        assertThat(UpgradedReads.codecHoldsRequest(connection)).isFalse();
      }
    }
  }

  @Test
  void aFrameOverTheLimitAfterTheUpgradeStillClosesWith1009() {
    try (WsClient client = echoing()) {
      client.sendExpectingClose("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(MAX_FRAME * 8) + "\"}");

      assertThat(client.awaitClose()).isEqualTo(1009);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !theOnlyConnection().isOpen());
  }

  @Test
  void connectionsClosedEitherWayAreReleased() {
    final List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      clients.add(echoing());
    }
    assertThat(Echo.OPEN.get()).isEqualTo(20);
    assertThat(guard.caps().total()).isEqualTo(20);
    assertThat(accepted).allMatch(c -> UpgradedReads.upgraded(c) && !UpgradedReads.codecHoldsRequest(c));

    for (int i = 0; i < clients.size(); i++) {
      if (i % 2 == 0) {
        clients.get(i).close(); // the client closes
      } else {
        clients.get(i).send("{\"op\":\"close\"}"); // the server closes
        assertThat(clients.get(i).awaitClose()).isEqualTo(4000);
      }
    }

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(accepted).hasSize(20).noneMatch(Connection::isOpen);
      assertThat(Echo.OPEN.get()).isZero();
      assertThat(Echo.CLOSED).hasSize(20);
      assertThat(guard.caps().total()).isZero();
      assertThat(connections.size()).isZero();
    });
    clients.forEach(WsClient::close);
  }
}
