package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.client.testing.FakeGateway;
import io.tidewire.client.testing.FakeSession;
import io.tidewire.client.testing.Jwts;
import io.tidewire.client.testing.Recorder;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client against a real WebSocket server playing the gateway ({@link FakeGateway}). */
class TidewireClientTest {

  private final Recorder recorder = new Recorder();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private FakeGateway gateway;
  private TidewireClient client;

  @BeforeEach
  void startGateway() {
    gateway = FakeGateway.start();
  }

  @AfterEach
  void stopAll() {
    if (client != null) {
      client.close();
    }
    gateway.close();
  }

  /** A client of the user channel with tiny backoff delays and tokens "token-1", "token-2", … */
  private TidewireClient.Builder builder() {
    return recorder.attach(TidewireClient.builder(gateway.uri()))
        .token(() -> "token-" + tokensIssued.incrementAndGet())
        .subscribe(Channel.user())
        .backoff(Duration.ofMillis(5), Duration.ofMillis(50));
  }

  private TidewireClient connect(final TidewireClient.Builder builder) throws Exception {
    client = builder.build();
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return client;
  }

  private static Optional<String> cursorOf(final JsonNode subscribe) {
    return subscribe.has("cursor") ? Optional.of(subscribe.get("cursor").asText()) : Optional.empty();
  }

  @Test
  void resumesFromTheLastHandledCursorAndDropsTheReplayedDuplicate() throws Exception {
    connect(builder());
    final FakeSession first = gateway.awaitSession(0);
    assertThat(cursorOf(first.awaitOp("subscribe"))).isEmpty();

    first.send(FakeGateway.event("user", "e1", "c1"));
    first.send(FakeGateway.event("user", "e2", "c2"));
    await().until(() -> client.cursor(Channel.USER).equals(Optional.of("c2")));
    first.close(1011, "boom");

    final FakeSession second = gateway.awaitSession(1);
    assertThat(cursorOf(second.awaitOp("subscribe"))).contains("c2");
    await().until(() -> client.state() == ConnectionState.CONNECTED);
    second.send(FakeGateway.event("user", "e2", "c2"));
    second.send(FakeGateway.event("user", "e3", "c3"));

    await().until(() -> recorder.events.size() >= 3);
    assertThat(recorder.eventIds()).containsExactly("e1", "e2", "e3");
    assertThat(client.cursor(Channel.USER)).contains("c3");
    assertThat(recorder.states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED,
        ConnectionState.RECONNECTING, ConnectionState.CONNECTED);
    assertThat(recorder.closeCodes()).containsExactly(1011);
  }

  @ParameterizedTest
  @ValueSource(ints = {1001, 1011, 4001, 4002, 4008})
  void reconnectsWithAFreshTokenAfterARetryableClose(final int code) throws Exception {
    connect(builder());
    gateway.awaitSession(0).close(code, "bye");

    gateway.awaitSession(1).awaitOp("subscribe");
    await().until(() -> client.state() == ConnectionState.CONNECTED && recorder.states.size() == 4);
    assertThat(gateway.authorizations()).containsExactly(Optional.of("Bearer token-1"), Optional.of("Bearer token-2"));
    assertThat(recorder.closeCodes()).containsExactly(code);
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 1008, 1009})
  void aTerminalCloseStopsReconnecting(final int code) throws Exception {
    connect(builder());
    gateway.awaitSession(0).close(code, "go away for good");

    await().until(() -> client.state() == ConnectionState.CLOSED);
    // no reconnect: the gateway never sees a second session (the message names what it saw)
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(gateway.sessions()).as("sessions after a terminal close; client states %s, errors %s",
            recorder.states, recorder.errors).hasSize(1));
    assertThat(recorder.states).containsExactly(ConnectionState.CONNECTING, ConnectionState.CONNECTED,
        ConnectionState.CLOSED);
  }

  @Test
  void reconnectsAfterTheGatewayDiesWithoutACloseFrameAndComesBack() throws Exception {
    connect(builder());
    final FakeSession first = gateway.awaitSession(0);
    first.send(FakeGateway.event("user", "e1", "c1"));
    await().until(() -> recorder.events.size() == 1);

    gateway.kill();
    await().until(() -> client.state() == ConnectionState.RECONNECTING);
    await().until(() -> recorder.errors.stream().anyMatch(e -> e.kind() == ClientError.Kind.CONNECT_FAILED));
    gateway.restart();

    final FakeSession second = gateway.awaitSession(1);
    assertThat(cursorOf(second.awaitOp("subscribe"))).contains("c1");
    await().until(() -> client.state() == ConnectionState.CONNECTED);
    assertThat(recorder.closeCodes()).isNotEmpty().doesNotContain(1000);
  }

  @Test
  void startsFromAStoredCursorAndFollowsTheGatewayWhenItCannotResume() throws Exception {
    gateway.respondWith((session, frame) -> {
      if ("subscribe".equals(frame.path("op").asText())) {
        session.send("{\"op\":\"subscribed\",\"ref\":\"" + frame.get("ref").asText()
            + "\",\"channel\":\"user\",\"recovered\":false,\"cursor\":\"live-9\"}");
        session.send("{\"op\":\"snapshot\",\"channel\":\"user\",\"cursor\":\"snap-9\",\"data\":{\"credits\":12}}");
      }
    });
    connect(builder().resumeFrom(Channel.USER, "expired-3"));

    assertThat(cursorOf(gateway.awaitSession(0).awaitOp("subscribe"))).contains("expired-3");
    await().until(() -> recorder.snapshots.size() == 1);
    assertThat(recorder.snapshots.get(0).data().get("credits").asInt()).isEqualTo(12);
    assertThat(recorder.subscribed).containsExactly(new Subscribed("user", false, Optional.of("live-9")));
    assertThat(client.cursor(Channel.USER)).contains("snap-9");
  }

  @Test
  void aFreshSubscriptionAsksForTheInitialStateAndResumesFromTheCursorAfterwards() throws Exception {
    gateway.respondWith((session, frame) -> {
      if ("subscribe".equals(frame.path("op").asText())) {
        final boolean fresh = !frame.has("cursor");
        session.send("{\"op\":\"subscribed\",\"ref\":\"" + frame.get("ref").asText()
            + "\",\"channel\":\"user\",\"recovered\":" + !fresh + ",\"cursor\":\""
            + (fresh ? "live-5" : frame.get("cursor").asText()) + "\"}");
        if (fresh && frame.path("snapshot").asBoolean()) {
          session.send("{\"op\":\"snapshot\",\"channel\":\"user\",\"cursor\":\"live-5\","
              + "\"data\":{\"balance\":42,\"activeJobs\":[]}}");
        }
      }
    });
    connect(recorder.attach(TidewireClient.builder(gateway.uri()))
        .token(() -> "token-" + tokensIssued.incrementAndGet())
        .subscribe(Channel.user().withInitialState())
        .backoff(Duration.ofMillis(5), Duration.ofMillis(50)));

    final FakeSession first = gateway.awaitSession(0);
    final JsonNode fresh = first.awaitOp("subscribe");
    assertThat(fresh.path("snapshot").asBoolean()).isTrue();
    await().until(() -> recorder.snapshots.size() == 1);
    assertThat(recorder.snapshots.get(0).data().get("balance").asInt()).isEqualTo(42);
    assertThat(client.cursor(Channel.USER)).contains("live-5");
    first.send(FakeGateway.event("user", "e6", "c6"));
    await().until(() -> client.cursor(Channel.USER).equals(Optional.of("c6")));
    first.close(1001, "going away");

    final JsonNode resumed = gateway.awaitSession(1).awaitOp("subscribe");
    assertThat(cursorOf(resumed)).contains("c6");
    assertThat(resumed.has("snapshot")).isFalse();
    await().until(() -> client.state() == ConnectionState.CONNECTED && recorder.states.size() == 4);
    assertThat(recorder.snapshots).hasSize(1);
  }

  @Test
  void aRefusedSubscriptionFailsConnectAndCloses() {
    gateway.respondWith((session, frame) -> session.send("{\"op\":\"error\",\"ref\":\""
        + frame.get("ref").asText() + "\",\"code\":\"bad_request\",\"message\":\"malformed cursor\"}"));
    client = builder().resumeFrom(Channel.USER, "garbage").build();

    final CompletableFuture<Void> connected = client.connect().toCompletableFuture();

    await().until(connected::isDone);
    assertThat(connected).isCompletedExceptionally();
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(recorder.errors).anySatisfy(e -> assertThat(e.errorCode()).contains(ErrorCode.BAD_REQUEST));
    await().until(() -> gateway.sessions().get(0).closeCode().equals(Optional.of(1000)));
    assertThat(gateway.sessions()).hasSize(1);
  }

  @Test
  void refreshesTheTokenInBandBeforeItExpires() throws Exception {
    final AtomicInteger issued = new AtomicInteger();
    connect(builder().token(() -> {
      final Instant now = Instant.now();
      return Jwts.token("user-" + issued.incrementAndGet(), now, now.plusMillis(1500));
    }));
    final FakeSession session = gateway.awaitSession(0);

    final JsonNode firstAuth = session.awaitOp("auth");
    assertThat(TokenLifetime.decode(firstAuth.get("token").asText())).isPresent();
    assertThat(firstAuth.get("token").asText()).contains(".").isNotEqualTo(
        gateway.authorizations().get(0).orElseThrow().substring("Bearer ".length()));
    await().atMost(Duration.ofSeconds(5))
        .until(() -> session.frames().stream().filter(f -> "auth".equals(f.path("op").asText())).count() >= 2);
    assertThat(gateway.sessions()).hasSize(1);
    assertThat(issued.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aSilentConnectionIsGivenUpAndReplaced() throws Exception {
    gateway.respondWith((session, frame) -> {
      if (!"ping".equals(frame.path("op").asText())) {
        FakeGateway.STANDARD.respond(session, frame);
      }
    });
    connect(builder().pingInterval(Duration.ofMillis(100)));

    gateway.awaitSession(0).awaitOp("ping");
    gateway.awaitSession(1).awaitOp("subscribe");
    assertThat(recorder.errors).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(ClientError.Kind.DISCONNECTED);
      assertThat(e.message()).contains("no frame from the gateway");
    });
  }

  @Test
  void closeSendsANormalCloseAndLeavesNoThreadBehind() throws Exception {
    final List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
    connect(builder());
    final FakeSession session = gateway.awaitSession(0);

    client.close();

    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    assertThat(recorder.states).endsWith(ConnectionState.CLOSED);
    await().until(() -> session.closeCode().equals(Optional.of(1000)));
    assertThat(client.connect().toCompletableFuture()).isCompletedExceptionally();
    assertThat(ThreadsLeft.startedSince(before, "tidewire-client")).isEmpty();
    client = null; // lets the JDK's HTTP client become garbage, which ends its selector thread on Java 17
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      System.gc();
      return ThreadsLeft.startedSince(before, "HttpClient-").isEmpty();
    });
    await().during(Duration.ofMillis(200)).until(() -> gateway.sessions().size() == 1);
  }

  @Test
  void closeFromInsideAListenerNeitherBlocksNorDeliversMore() throws Exception {
    final List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
    final AtomicInteger delivered = new AtomicInteger();
    connect(builder().onEvent(e -> {
      delivered.incrementAndGet();
      client.close();
    }));
    final FakeSession session = gateway.awaitSession(0);

    session.send(FakeGateway.event("user", "e1", "c1"));
    session.trySend(FakeGateway.event("user", "e2", "c2")); // the client may have closed already

    await().until(() -> session.closeCode().equals(Optional.of(1000)));
    assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
    await().until(() -> ThreadsLeft.startedSince(before, "tidewire-client").isEmpty());
    assertThat(delivered).hasValue(1);
    assertThat(client.cursor(Channel.USER)).contains("c1");
  }

  @Test
  void clientsCanShareOneSchedulerAndOneHttpClient() throws Exception {
    final ScheduledExecutorService shared = Executors.newSingleThreadScheduledExecutor();
    final HttpClient http = HttpClient.newHttpClient();
    final Recorder other = new Recorder();
    try {
      connect(builder().scheduler(shared).httpClient(http));
      final TidewireClient second = other.attach(TidewireClient.builder(gateway.uri()))
          .token(() -> "other").subscribe(Channel.feed()).scheduler(shared).httpClient(http).build();
      second.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);

      gateway.awaitSession(0).send(FakeGateway.event("user", "u1", "c1"));
      gateway.awaitSession(1).send(FakeGateway.event("feed", "f1", "d1"));
      await().until(() -> recorder.events.size() == 1 && other.events.size() == 1);
      second.close();

      assertThat(second.state()).isEqualTo(ConnectionState.CLOSED);
      assertThat(shared.isShutdown()).isFalse();
      gateway.awaitSession(0).send(FakeGateway.event("user", "u2", "c2"));
      await().until(() -> recorder.eventIds().equals(List.of("u1", "u2")));
    } finally {
      shared.shutdownNow();
    }
  }
}
