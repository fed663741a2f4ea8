package io.tidewire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.glassfish.tyrus.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both fleets against a Tyrus server that plays the gateway's part of the protocol. */
class FleetTest {

  private static final int EVENTS = 3;
  private static Server server;

  @BeforeAll
  static void start() throws Exception {
    server = new Server("127.0.0.1", 0, "/", null, Gateway.class);
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  /**
   * Answers a subscribe with {@code subscribed}, then sends events e0, e1, … carrying the
   * channel, of every length form (7, 16 and 64 bits), and closes with 4008.
   */
  @ServerEndpoint("/v1/realtime")
  public static final class Gateway {
    @OnMessage
    public void onText(final String text, final Session session) throws IOException {
      final String channel = Frame.of(text).text("channel").orElseThrow();
      session.getBasicRemote().sendText("{\"op\":\"subscribed\",\"ref\":\"s\"}");
      for (int i = 0; i < EVENTS; i++) {
        session.getBasicRemote().sendText("{\"op\":\"event\",\"channel\":\"" + channel
            + "\",\"id\":\"e" + i + "\",\"pad\":\"" + "x".repeat(i == 0 ? 1 : i == 1 ? 300 : 70_000)
            + "\"}");
      }
      session.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(4008), "bye"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "nio"})
  void handsEveryFrameAfterTheSubscribedReplyToTheHandlerInOrder(final String kind)
      throws Exception {
    final URI endpoint = URI.create("ws://127.0.0.1:" + server.getPort() + "/v1/realtime");
    final List<String> received = Collections.synchronizedList(new ArrayList<>());
    final Fleet.FrameHandler handler = (connection, frame, at) -> received.add(
        connection + ":" + frame.text("channel").orElse("?") + ":" + frame.text("id").orElse("?"));
    final Function<Fleet.FrameHandler, Fleet> fleets = "jdk".equals(kind)
        ? h -> new WsFleet(endpoint, h, 2) : h -> new FanoutNioFleet(endpoint, h, 2);
    final int connections = 4;
    try (Fleet fleet = fleets.apply(handler)) {
      fleet.open(IntStream.range(0, connections).mapToObj(i ->
          new Fleet.Subscription("t" + i, "ch" + i, Optional.empty())).toList(), 2,
          Duration.ofSeconds(30));

      await().atMost(Duration.ofSeconds(30)).until(() -> fleet.closedByServer() == connections);
      assertThat(fleet.frames()).isEqualTo(connections * EVENTS);
      for (int c = 0; c < connections; c++) {
        final String prefix = c + ":ch" + c + ":";
        assertThat(received.stream().filter(r -> r.startsWith(prefix)).toList())
            .containsExactly(prefix + "e0", prefix + "e1", prefix + "e2");
      }
      assertThat(fleet.cpuNanos()).isPositive();
    }
  }
}
