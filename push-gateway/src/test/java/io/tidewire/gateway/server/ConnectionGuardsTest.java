package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connection limits of a real gateway, set small: caps, the handshake deadline, pings, frames. */
class ConnectionGuardsTest {

  private static final int PER_USER = 3;
  private static final int MAX_FRAME = 1024;
  private static SimpleMeterRegistry registry;
  private static Gateway gateway;
  private static URI endpoint;

  @BeforeAll
  static void start() {
    registry = new SimpleMeterRegistry();
    gateway = new Gateway(TestKit.config(Map.of(
        "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_USER", Integer.toString(PER_USER),
        "TIDEWIRE_GATEWAY_HANDSHAKE_TIMEOUT_SECONDS", "1",
        "TIDEWIRE_GATEWAY_PING_INTERVAL_SECONDS", "1",
        "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "200",
        "TIDEWIRE_GATEWAY_RETRY_AFTER_SECONDS", "7",
        "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES", Integer.toString(MAX_FRAME))), registry, StaticContent.none());
    gateway.start();
    endpoint = WsClient.endpoint(gateway.port());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static double count(final String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void upgradeOverTheUserCapIsRefusedWith429AndRetryAfterAndAdmittedAgainOnceOneCloses() throws Exception {
    final String token = Tokens.valid(TestKit.newUser());
    final List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_USER; i++) {
        open.add(WsClient.connect(endpoint, token));
      }

      final String refused = WsClient.upgradeResponseHead(endpoint, token);

      assertThat(refused).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 7");
      assertThat(count("tidewire.gateway.connection.refusals")).isGreaterThanOrEqualTo(1);
      assertThat(open.get(0).answersPing("still")).isTrue();
      assertThat(WsClient.upgradeResponseHead(endpoint, Tokens.valid(TestKit.newUser()))).startsWith("HTTP/1.1 101");

      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> WsClient.upgradeResponseHead(endpoint, token).startsWith("HTTP/1.1 101"));
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void silentConnectionAndHalfARequestLineAreClosedAtTheDeadline() throws Exception {
    final double before = count("tidewire.gateway.handshake.timeouts");
    try (WsClient silent = WsClient.rawSocket(endpoint); WsClient half = WsClient.rawSocket(endpoint)) {
      half.sendBytes("GET /v1/realtime?acc".getBytes(StandardCharsets.US_ASCII));

      assertThat(silent.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
      assertThat(half.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
    }
    assertThat(count("tidewire.gateway.handshake.timeouts") - before).isGreaterThanOrEqualTo(2);
  }

  @Test
  void upgradedSessionOutlivesTheDeadline() throws Exception {
    try (WsClient client = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      final long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
      await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() > until);
      assertThat(client.answersPing("after-deadline")).isTrue();
    }
  }

  @Test
  void clientThatStopsAnsweringPingsIsClosedAndOneThatAnswersStays() {
    final double before = count("tidewire.gateway.ping.timeouts");
    try (WsClient deaf = WsClient.raw(endpoint, Tokens.valid(TestKit.newUser()));
         WsClient answering = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      // raw clients read nothing (so answer no ping) until told to
      await().atMost(Duration.ofSeconds(10))
          .until(() -> count("tidewire.gateway.ping.timeouts") - before >= 1);
      assertThat(deaf.readsToTheEnd(Duration.ofSeconds(5))).isTrue();
      assertThat(answering.isOpen()).isTrue();
      assertThat(answering.answersPing("alive")).isTrue();
    }
  }

  @Test
  void frameFarOverTheLimitClosesWith1009NotWithTheTransportsError() {
    try (WsClient big = WsClient.connect(endpoint, Tokens.valid(TestKit.newUser()))) {
      big.sendExpectingClose("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(MAX_FRAME * 8) + "\"}");

      assertThat(big.awaitClose()).isEqualTo(1009);
    }
  }
}
