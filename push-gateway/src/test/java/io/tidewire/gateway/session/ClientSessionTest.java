package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.protocol.ProtocolCodes.CloseCode;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientSessionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Cursor SEAM = new Cursor(Uuid.randomUuid(), 1, 42);

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    final Thread t = new Thread(r, "test-timer");
    t.setDaemon(true);
    return t;
  });
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Hub hub = new Hub((key, registration) -> registration.accept(Optional.of(SEAM)),
      DispatchSeam.immediate());
  private final JwtVerifier verifier = new JwtVerifier(Tokens.SECRET.getBytes(StandardCharsets.UTF_8),
      Clock.systemUTC(), Duration.ZERO);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private final GatewayMetrics metrics = new GatewayMetrics(registry);

  private SessionContext context(final int queueMessages) {
    return new SessionContext(hub, verifier, metrics, timer, Clock.systemUTC(),
        1024, queueMessages, 1_000_000, Duration.ofMillis(300));
  }

  private ClientSession open(final FakeTransport transport, final String user, final Instant expiry,
      final int queueMessages) {
    final ClientSession session = new ClientSession(transport, new Principal(user, expiry), context(queueMessages));
    session.open();
    return session;
  }

  private ClientSession open(final FakeTransport transport, final String user) {
    return open(transport, user, Instant.now().plusSeconds(3600), 100);
  }

  private static JsonNode last(final FakeTransport transport) throws Exception {
    final List<String> sent = transport.sent();
    return JSON.readTree(sent.get(sent.size() - 1));
  }

  @Test
  void answersPingWithPong() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    open(transport, "u").onText("{\"op\":\"ping\",\"ref\":\"p1\"}");

    assertThat(last(transport)).isEqualTo(JSON.readTree("{\"op\":\"pong\",\"ref\":\"p1\"}"));
  }

  @Test
  void malformedFrameGetsBadRequestAndTheSessionKeepsAnswering() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{nope");
    assertThat(last(transport).get("code").textValue()).isEqualTo("bad_request");
    session.onText("{\"op\":\"jump\",\"ref\":\"r2\"}");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("r2");
    session.onBinary(10);
    assertThat(last(transport).get("code").textValue()).isEqualTo("bad_request");
    session.onText("{\"op\":\"ping\",\"ref\":\"r3\"}");

    assertThat(last(transport).get("op").textValue()).isEqualTo("pong");
    assertThat(transport.closed()).isEmpty();
    assertThat(registry.get("tidewire.gateway.errors").tag("code", "bad_request").counter().count()).isEqualTo(3);
  }

  @Test
  void subscribingToAnotherUsersChannelIsForbidden() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user:bob\"}");

    assertThat(last(transport)).isEqualTo(JSON.readTree(
        "{\"op\":\"error\",\"ref\":\"s\",\"code\":\"forbidden\",\"message\":\"the channel belongs to another user\"}"));
    assertThat(hub.hasUserSubscribers("bob")).isFalse();
    assertThat(hub.hasUserSubscribers("alice")).isFalse();
  }

  @Test
  void subscribedReplyCarriesTheSeamCursorAndPrecedesEvents() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");

    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user:alice\",\"cursor\":\""
        + CursorCodec.encode(new Cursor(Uuid.randomUuid(), 0, 1)) + "\"}");
    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "generation.progress", "{\"op\":\"event\"}"));

    assertThat(JSON.readTree(transport.sent().get(0))).isEqualTo(JSON.readTree(
        "{\"op\":\"subscribed\",\"ref\":\"s\",\"channel\":\"user:alice\",\"recovered\":false,\"cursor\":\""
            + CursorCodec.encode(SEAM) + "\"}"));
    assertThat(transport.sent()).hasSize(2).last().isEqualTo("{\"op\":\"event\"}");
  }

  @Test
  void typesFilterSelectsEventsAndUnsubscribeStopsThem() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"types\":[\"credits.*\"]}");

    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "generation.progress", "g"));
    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "credits.updated", "c"));
    session.onText("{\"op\":\"unsubscribe\",\"ref\":\"u\",\"channel\":\"user\"}");
    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "credits.updated", "c2"));

    assertThat(transport.sent()).hasSize(3);
    assertThat(transport.sent().get(1)).isEqualTo("c");
    assertThat(last(transport)).isEqualTo(JSON.readTree("{\"op\":\"unsubscribed\",\"ref\":\"u\",\"channel\":\"user\"}"));
  }

  @Test
  void refusesToDeliverAUserEventOfSomeoneElseEvenIfAsked() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "alice");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");

    assertThat(session.deliver(Kind.USER, EncodedEvent.of(Optional.of("bob"), "x", "bob's"))).isFalse();
    assertThat(transport.sent()).doesNotContain("bob's");
  }

  @Test
  void oversizedFrameClosesWith1009() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{\"op\":\"ping\",\"ref\":\"" + "é".repeat(600) + "\"}");

    assertThat(transport.closed()).contains(CloseCode.MESSAGE_TOO_BIG);
    assertThat(transport.sent()).isEmpty();
  }

  @Test
  void oversizedBinaryFrameClosesWith1009Too() {
    final FakeTransport transport = new FakeTransport(true);

    open(transport, "u").onBinary(1025);

    assertThat(transport.closed()).contains(CloseCode.MESSAGE_TOO_BIG);
  }

  @Test
  void slowConsumerIsToldAndClosedWhileOthersKeepReceiving() throws Exception {
    final FakeTransport slow = new FakeTransport(false);
    final FakeTransport fast = new FakeTransport(true);
    final ClientSession slowSession = open(slow, "slow", Instant.now().plusSeconds(3600), 3);
    final ClientSession fastSession = open(fast, "fast", Instant.now().plusSeconds(3600), 3);
    slowSession.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");
    fastSession.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");

    for (int i = 0; i < 20; i++) {
      hub.deliverToFeed(EncodedEvent.of(Optional.empty(), "feed.counts", "e" + i));
    }

    assertThat(slow.sent()).hasSize(1); // only the subscribed reply is in flight
    slow.completeNext(); // the client finally reads it...
    slow.completeNext(); // ...and the error that replaced the queue
    assertThat(JSON.readTree(slow.sent().get(slow.sent().size() - 1)).get("code").textValue())
        .isEqualTo("slow_consumer");
    assertThat(slow.closed()).contains(CloseCode.SLOW_CONSUMER);
    assertThat(slow.sent()).noneMatch(frame -> frame.startsWith("e"));
    assertThat(fast.sent()).filteredOn(frame -> frame.startsWith("e")).hasSize(20);
    assertThat(fast.closed()).isEmpty();
    assertThat(registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count()).isEqualTo(1);
  }

  @Test
  void slowConsumerIsClosedAfterTheGraceEvenIfItNeverReads() {
    final FakeTransport stuck = new FakeTransport(false);
    final ClientSession session = open(stuck, "stuck", Instant.now().plusSeconds(3600), 2);
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"feed\"}");

    for (int i = 0; i < 5; i++) {
      hub.deliverToFeed(EncodedEvent.of(Optional.empty(), "feed.counts", "e" + i));
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> stuck.closed().isPresent());
    assertThat(stuck.closed()).contains(CloseCode.SLOW_CONSUMER);
  }

  @Test
  void expiredTokenClosesWith4001AfterSayingSo() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    open(transport, "u", Instant.now().plusMillis(200), 100);

    await().atMost(Duration.ofSeconds(5)).until(() -> transport.closed().isPresent());

    assertThat(transport.closed()).contains(CloseCode.TOKEN_EXPIRED);
    assertThat(last(transport).get("code").textValue()).isEqualTo("token_expired");
  }

  @Test
  void authWithFreshTokenOfTheSameUserExtendsTheSession() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u", Instant.now().plusMillis(300), 100);

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\"" + Tokens.valid("u") + "\"}");

    assertThat(last(transport).get("op").textValue()).isEqualTo("authenticated");
    assertThat(session.principal().expiresAt()).isAfter(Instant.now().plusSeconds(3000));
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
        .until(() -> transport.closed().isEmpty());
  }

  @Test
  void authWithAnotherUsersTokenIsForbiddenAndChangesNothing() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");
    final Instant before = session.principal().expiresAt();

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\"" + Tokens.valid("someone-else") + "\"}");

    assertThat(last(transport).get("code").textValue()).isEqualTo("forbidden");
    assertThat(last(transport).get("ref").textValue()).isEqualTo("a");
    assertThat(session.principal().expiresAt()).isEqualTo(before);
  }

  @Test
  void authWithForgedOrExpiredTokenIsRefused() throws Exception {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");

    session.onText("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\""
        + Tokens.hs256(Tokens.OTHER_SECRET, "u", Instant.now().plusSeconds(60)) + "\"}");
    assertThat(last(transport).get("code").textValue()).isEqualTo("unauthorized");
    session.onText("{\"op\":\"auth\",\"ref\":\"b\",\"token\":\""
        + Tokens.hs256(Tokens.SECRET, "u", Instant.now().minusSeconds(60)) + "\"}");
    assertThat(last(transport).get("code").textValue()).isEqualTo("token_expired");
    assertThat(transport.closed()).isEmpty();
  }

  @Test
  void goAwayClosesWith1001AndOnClosedForgetsTheSession() {
    final FakeTransport transport = new FakeTransport(true);
    final ClientSession session = open(transport, "u");
    session.onText("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");

    session.goAway();
    session.onClosed();

    assertThat(transport.closed()).contains(CloseCode.GOING_AWAY);
    assertThat(hub.size()).isZero();
    assertThat(hub.hasUserSubscribers("u")).isFalse();
  }
}
