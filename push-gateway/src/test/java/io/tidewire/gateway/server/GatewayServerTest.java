package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.RowChange;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway as a client sees it: a real Tyrus server on a real port, real WebSocket clients, a
 * real Kafka broker from embedded-infra; events are produced straight to the event topics.
 */
class GatewayServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int MAX_FRAME = 4096;
  private static final int QUEUE_BYTES = 256 * 1024;

  private static Gateway gateway;
  private static PrometheusMeterRegistry registry;
  private static KafkaProducer<String, UserEvent> users;
  private static KafkaProducer<String, FeedEvent> feed;
  private static KafkaProducer<String, byte[]> raw;
  private static int port;

  @BeforeAll
  static void start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    gateway = new Gateway(TestKit.config(Map.of(
        "TIDEWIRE_JWT_CLOCK_SKEW_SECONDS", "0",
        "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES", String.valueOf(MAX_FRAME),
        "TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES", "50",
        "TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES", String.valueOf(QUEUE_BYTES),
        // a resumed slow client must drain megabytes before it reaches its close frame: on a loaded
        // 2-core machine the default 2 s (and the abort one grace later) cut it off with 1006
        "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "5000")),
        registry, StaticContent.classpath(GatewayServerTest.class.getClassLoader(), "web/"));
    gateway.start();
    port = gateway.port();
    users = TestKit.producer(Topics.USER_EVENTS.valueSerde().serializer());
    feed = TestKit.producer(Topics.FEED_EVENTS.valueSerde().serializer());
    raw = TestKit.producer(new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    TestKit.closeAll(users, feed, raw, gateway);
  }

  private static String newUser() {
    return TestKit.newUser();
  }

  private static RecordMetadata produce(final UserEvent event) throws Exception {
    return users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), event.getUserId(), event)).get();
  }

  private static WsClient subscribed(final String user, final String channel) {
    final WsClient client = WsClient.connect(port, Tokens.valid(user));
    client.send("{\"op\":\"subscribe\",\"ref\":\"sub\",\"channel\":\"" + channel + "\"}");
    assertThat(client.reply("sub").get("op").textValue()).isEqualTo("subscribed");
    return client;
  }

  private static HttpResponse<String> get(final String path) throws Exception {
    return get(port, path);
  }

  private static HttpResponse<String> get(final int toPort, final String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + toPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void neverDeliversAnotherUsersEvents() throws Exception {
    final String alice = newUser();
    final String bob = newUser();
    try (WsClient aliceClient = subscribed(alice, "user");
         WsClient bobClient = subscribed(bob, "user:" + bob)) {

      for (int i = 0; i < 3; i++) {
        produce(Events.progress(alice, alice + "-" + i, i * 10));
        produce(Events.progress(bob, bob + "-" + i, i * 10));
      }

      await().atMost(Duration.ofSeconds(20))
          .until(() -> aliceClient.events().size() >= 3 && bobClient.events().size() >= 3);
      assertThat(aliceClient.events()).extracting(e -> e.get("id").textValue())
          .containsExactly(alice + "-0", alice + "-1", alice + "-2");
      assertThat(bobClient.events()).extracting(e -> e.get("id").textValue())
          .containsExactly(bob + "-0", bob + "-1", bob + "-2");
      assertThat(bobClient.events()).allSatisfy(e -> assertThat(e.get("channel").textValue()).isEqualTo("user"));
    }
  }

  @Test
  void everyEventCarriesTheCursorOfItsRecordAfterTheSubscribedCursor() throws Exception {
    final String user = newUser();
    try (WsClient client = WsClient.connect(port, Tokens.valid(user))) {
      client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
      final JsonNode reply = client.reply("s");
      assertThat(reply.get("recovered").booleanValue()).isFalse();
      final Cursor seam = TestKit.CURSORS.decode(reply.get("cursor").textValue());

      final RecordMetadata written = produce(Events.progress(user, "e-1", 50));

      final JsonNode event = client.awaitFrame(f -> "event".equals(f.path("op").textValue()));
      final Cursor cursor = TestKit.CURSORS.decode(event.get("cursor").textValue());
      final int partition = Topics.partitionOf(user, 3);
      assertThat(written.partition()).isEqualTo(partition);
      assertThat(seam).isEqualTo(Cursor.of(seam.epoch(), Cursor.scopeOf(user), partition,
          seam.offset(partition).orElseThrow()));
      assertThat(written.offset()).isGreaterThanOrEqualTo(seam.offset(partition).orElseThrow());
      assertThat(cursor).isEqualTo(Cursor.of(seam.epoch(), Cursor.scopeOf(user), partition,
          written.offset() + 1));
      assertThat(event.get("type").textValue()).isEqualTo("generation.progress");
      assertThat(event.get("ts").longValue()).isEqualTo(1_700_000_000_000L);
      assertThat(event.get("data")).isEqualTo(JSON.readTree(
          "{\"jobId\":\"job-e-1\",\"kind\":\"image\",\"status\":\"active\",\"progress\":50}"));
    }
  }

  @Test
  void undecodableRecordIsSkippedAndTheTailKeepsGoing() throws Exception {
    final String user = newUser();
    try (WsClient client = subscribed(user, "user")) {
      raw.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user, new byte[] {0x01, 0x02})).get();
      produce(Events.progress(user, "after-poison", 1));

      client.awaitFrame(f -> "after-poison".equals(f.path("id").textValue()));
      assertThat(client.events()).hasSize(1);
      assertThat(gateway.isHealthy()).isTrue();
    }
  }

  @Test
  void typesFilterAndJsonRowsWorkEndToEnd() throws Exception {
    final String user = newUser();
    try (WsClient client = WsClient.connect(port, Tokens.valid(user))) {
      client.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\",\"types\":[\"row.*\"]}");
      client.reply("s");

      produce(Events.progress(user, "filtered-out", 1));
      produce(UserEvent.newBuilder(Events.progress(user, "row-1", 0)).setType("row.images")
          .setData(RowChange.newBuilder().setTable("images").setOp("insert")
              .setRow("{\"id\":\"i-1\",\"is_public\":false}").build()).build());

      final JsonNode event = client.awaitFrame(f -> "row-1".equals(f.path("id").textValue()));
      assertThat(event.get("data").get("row")).isEqualTo(JSON.readTree("{\"id\":\"i-1\",\"is_public\":false}"));
      assertThat(client.events()).extracting(e -> e.get("id").textValue()).containsExactly("row-1");
    }
  }

  @Test
  void feedIsBroadcastToEverySubscriber() throws Exception {
    try (WsClient one = subscribed(newUser(), "feed");
         WsClient two = subscribed(newUser(), "feed");
         WsClient userOnly = subscribed(newUser(), "user")) {
      final String contentId = UUID.randomUUID().toString();

      feed.send(new ProducerRecord<>(Topics.FEED_EVENTS.name(), "video:" + contentId,
          Events.published(contentId))).get();

      for (final WsClient client : List.of(one, two)) {
        final JsonNode event = client.awaitFrame(f -> ("feed-" + contentId).equals(f.path("id").textValue()));
        assertThat(event.get("channel").textValue()).isEqualTo("feed");
        assertThat(event.get("data").get("contentId").textValue()).isEqualTo(contentId);
        assertThat(event.get("data").has("caption")).isFalse();
      }
      assertThat(userOnly.answersPing("p")).isTrue();
      assertThat(userOnly.events()).isEmpty();
    }
  }

  @Test
  void missingForgedOrExpiredTokenIsRefusedWith401AtUpgrade() {
    final URI endpoint = URI.create("ws://127.0.0.1:" + port + "/v1/realtime");
    final String user = newUser();
    final List<String> badTokens = List.of(
        Tokens.hs256(Tokens.OTHER_SECRET, user, Instant.now().plusSeconds(600)),
        Tokens.hs256(Tokens.SECRET, user, Instant.now().minusSeconds(60)),
        Tokens.hs256(Tokens.SECRET, null, Instant.now().plusSeconds(600)),
        Tokens.unsigned(user),
        "garbage");

    assertThat(WsClient.upgradeStatus(endpoint, Optional.empty())).isEqualTo(401);
    for (final String token : badTokens) {
      assertThat(WsClient.upgradeStatus(URI.create(endpoint + "?token=" + token), Optional.empty()))
          .as(token).isEqualTo(401);
      assertThat(WsClient.upgradeStatus(endpoint, Optional.of("Bearer " + token))).as(token).isEqualTo(401);
    }
    assertThat(WsClient.upgradeStatus(endpoint, Optional.of("Bearer " + Tokens.valid(user)))).isEqualTo(101);
    assertThat(registry.get("tidewire.gateway.upgrade.rejections").tag("reason", "bad_signature")
        .counter().count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void badFramesGetErrorsWithTheirRefAndTheConnectionKeepsAnswering() {
    final String user = newUser();
    try (WsClient client = WsClient.connect(port, Tokens.valid(user))) {
      client.send("{this is not json");
      client.send("{\"op\":\"teleport\",\"ref\":\"r1\"}");
      client.send("{\"op\":\"subscribe\",\"ref\":\"r2\",\"channel\":\"admin\"}");
      client.send("{\"op\":\"subscribe\",\"ref\":\"r3\"}");
      client.send("{\"op\":\"subscribe\",\"ref\":\"r4\",\"channel\":\"user:" + newUser() + "\"}");
      client.send("{\"op\":\"subscribe\",\"ref\":\"r5\",\"channel\":\"feed\",\"cursor\":\"v1.bogus\"}");

      assertThat(client.reply("r1").get("code").textValue()).isEqualTo("bad_request");
      assertThat(client.reply("r2").get("message").textValue()).isEqualTo("unknown channel");
      assertThat(client.reply("r3").get("code").textValue()).isEqualTo("bad_request");
      assertThat(client.reply("r4").get("code").textValue()).isEqualTo("forbidden");
      assertThat(client.reply("r5").get("code").textValue()).isEqualTo("bad_request");
      assertThat(client.frames()).anySatisfy(f -> {
        assertThat(f.get("code").textValue()).isEqualTo("bad_request");
        assertThat(f.has("ref")).isFalse();
      });
      assertThat(client.answersPing("still-there")).isTrue();
    }
  }

  @Test
  void oversizedFrameClosesOnlyThatConnectionWith1009() {
    try (WsClient big = WsClient.connect(port, Tokens.valid(newUser()));
         WsClient other = WsClient.connect(port, Tokens.valid(newUser()))) {

      big.send("{\"op\":\"ping\",\"ref\":\"" + "x".repeat(MAX_FRAME) + "\"}");

      assertThat(big.awaitClose()).isEqualTo(1009);
      assertThat(other.answersPing("alive")).isTrue();
    }
  }

  @Test
  void slowConsumerIsToldAndDisconnectedWhileOthersAreUnaffected() throws Exception {
    final String slowUser = newUser();
    final String fastUser = newUser();
    try (WsClient slow = subscribed(slowUser, "user");
         WsClient fast = subscribed(fastUser, "user")) {
      slow.pause();
      final String row = "{\"blob\":\"" + "z".repeat(60_000) + "\"}";
      final double before = registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count();

      for (int i = 0; i < 300; i++) {
        users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), slowUser,
            UserEvent.newBuilder(Events.progress(slowUser, "big-" + i, 0)).setType("row.blobs")
                .setData(RowChange.newBuilder().setTable("blobs").setOp("insert").setRow(row).build()).build()));
      }
      users.flush();
      await().atMost(Duration.ofSeconds(30)).until(() ->
          registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count() > before);

      // reads again at once, before the socket is aborted one close grace after the close
      slow.resume();
      produce(Events.progress(fastUser, "fast-1", 1));
      fast.awaitFrame(f -> "fast-1".equals(f.path("id").textValue()));
      assertThat(fast.answersPing("ok")).isTrue();

      assertThat(slow.awaitClose()).isEqualTo(4008);
      assertThat(slow.frames()).anySatisfy(f -> assertThat(f.path("code").textValue()).isEqualTo("slow_consumer"));
      assertThat(slow.events().size()).isLessThan(300);
      // 18 MB were produced for it; what ever waited for it on the server stayed within the bound
      await().atMost(Duration.ofSeconds(10)).until(() ->
          registry.get("tidewire.gateway.send.queue.peak.bytes").summary().count() > 0);
      assertThat(registry.get("tidewire.gateway.send.queue.peak.bytes").summary().max())
          .isLessThanOrEqualTo(QUEUE_BYTES + 1024);
    }
  }

  @Test
  void clientThatNeverReadsIsCutOffAndItsSocketAbortedWithinBoundedTime() throws Exception {
    final String user = newUser();
    final double abortedBefore = registry.get("tidewire.gateway.aborted.connections").counter().count();
    try (WsClient frozen = WsClient.raw(port, Tokens.valid(user));
         WsClient other = subscribed(newUser(), "user")) {
      frozen.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
      final String row = "{\"blob\":\"" + "z".repeat(60_000) + "\"}";

      // Keep writing until the gateway gives up on it: it never reads, so its socket buffers fill,
      // its queue overflows, and its close frame can never be delivered either.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        for (int i = 0; i < 20; i++) {
          users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user,
              UserEvent.newBuilder(Events.progress(user, "big", 0)).setType("row.blobs")
                  .setData(RowChange.newBuilder().setTable("blobs").setOp("insert").setRow(row).build())
                  .build()));
        }
        users.flush();
        return registry.get("tidewire.gateway.aborted.connections").counter().count() > abortedBefore;
      });

      assertThat(frozen.readsToTheEnd(Duration.ofSeconds(10))).isTrue();
      assertThat(other.answersPing("unaffected")).isTrue();
    }
  }

  @Test
  void replayRespectsTheSendQueueBoundInsteadOfOverflowingIt() throws Exception {
    final String user = newUser();
    final String cursor;
    try (WsClient first = WsClient.connect(port, Tokens.valid(user))) {
      first.send("{\"op\":\"subscribe\",\"ref\":\"s\",\"channel\":\"user\"}");
      cursor = first.reply("s").get("cursor").textValue();
    }
    for (int i = 0; i < 500; i++) { // ten times the queue's 50 frames
      users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user, Events.progress(user, "m-" + i, i % 100)));
    }
    users.flush();
    final double slowBefore = registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count();

    try (WsClient resumed = WsClient.connect(port, Tokens.valid(user))) {
      resumed.send("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\"" + cursor + "\"}");

      await().atMost(Duration.ofSeconds(30)).until(() -> resumed.events().size() >= 500);
      assertThat(resumed.reply("r").get("recovered").booleanValue()).isTrue();
      assertThat(resumed.events()).extracting(e -> e.get("id").textValue())
          .containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> "m-" + i).toList());
      assertThat(resumed.answersPing("still-open")).isTrue();
    }
    assertThat(registry.get("tidewire.gateway.slow.consumer.disconnects").counter().count()).isEqualTo(slowBefore);
  }

  @Test
  void sessionIsClosedWith4001WhenItsTokenExpires() {
    final String user = newUser();
    try (WsClient client = WsClient.connect(port,
        Tokens.hs256(Tokens.SECRET, user, Instant.now().plusSeconds(2)))) {

      assertThat(client.awaitClose()).isEqualTo(4001);
      assertThat(client.frames()).anySatisfy(f -> assertThat(f.path("code").textValue()).isEqualTo("token_expired"));
    }
  }

  @Test
  void authOpRefreshesTheTokenSoTheSessionOutlivesItsFirstExpiry() {
    final String user = newUser();
    final Instant firstExpiry = Instant.now().plusSeconds(2);
    try (WsClient client = WsClient.connect(port, Tokens.hs256(Tokens.SECRET, user, firstExpiry))) {
      client.send("{\"op\":\"auth\",\"ref\":\"a\",\"token\":\"" + Tokens.valid(user) + "\"}");
      assertThat(client.reply("a").get("op").textValue()).isEqualTo("authenticated");

      await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(firstExpiry.plusMillis(700)));

      assertThat(client.answersPing("after-first-expiry")).isTrue();
      assertThat(client.frames()).noneSatisfy(f -> assertThat(f.path("op").textValue()).isEqualTo("error"));
    }
  }

  @Test
  void bearerHeaderAuthenticatesToo() {
    final String user = newUser();
    try (WsClient client = WsClient.connectWithBearer(URI.create("ws://127.0.0.1:" + port + "/v1/realtime"),
        Tokens.valid(user))) {
      assertThat(client.answersPing("h")).isTrue();
    }
  }

  @Test
  void healthAndMetricsAreOnTheOpsListenerStaticFilesOnTheMainPort() throws Exception {
    assertThat(gateway.opsPort()).isNotEqualTo(port);
    assertThat(get("/health").statusCode()).isEqualTo(404);
    assertThat(get("/metrics").statusCode()).isEqualTo(404);
    final HttpResponse<String> health = get(gateway.opsPort(), "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    final JsonNode body = JSON.readTree(health.body());
    assertThat(body.get("status").textValue()).isEqualTo("UP");
    assertThat(body.get("checks").get("realtime.user-events").booleanValue()).isTrue();

    // HTTP is the JDK client's default (HTTP/2, so it asks for an h2c upgrade): see PlainHttp.
    final HttpResponse<String> metrics = get(gateway.opsPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValue(MetricsHandler.CONTENT_TYPE);
    assertThat(metrics.body()).contains("tidewire_gateway_connections", "tidewire_gateway_frames_in_total");

    assertThat(get("/").body()).contains("tidewire-static-ok");
    assertThat(get("/index.html").statusCode()).isEqualTo(200);
    assertThat(get("/nope.txt").statusCode()).isEqualTo(404);
    assertThat(get("/v1/realtime").statusCode()).isEqualTo(404);
  }
}
