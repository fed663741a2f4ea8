package io.tidewire.gateway.phoenix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.Principal;
import io.tidewire.gateway.auth.SubjectFormat;
import io.tidewire.gateway.auth.TokenPolicy;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.SessionContext;
import io.tidewire.gateway.testing.FakeRecovery;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PhoenixConnectionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Cursor USER_SEAM = Cursor.of(Uuid.randomUuid(), Cursor.FEED_SCOPE, 1, 42);
  private static final Cursor FEED_SEAM = Cursor.of(Uuid.randomUuid(), Cursor.FEED_SCOPE, 0, 0);
  private static final Cursor PUBLIC_SEAM = Cursor.of(Uuid.randomUuid(), Cursor.FEED_SCOPE, 0, 7);

  private final ScheduledExecutorService timer = TestKit.daemonTimer();
  private final Hub hub = new Hub(DispatchSeam.fixed(USER_SEAM), DispatchSeam.fixed(FEED_SEAM),
      Optional.of(DispatchSeam.fixed(PUBLIC_SEAM)));
  private final JwtVerifier verifier = new JwtVerifier(Optional.of(Tokens.SECRET.getBytes(StandardCharsets.UTF_8)),
      Optional.empty(), TokenPolicy.defaults().withSubjectFormat(SubjectFormat.ANY), Clock.systemUTC(), Duration.ZERO,
      new SimpleMeterRegistry());
  private final SessionContext context = new SessionContext(hub, new FakeRecovery(), verifier,
      new GatewayMetrics(new SimpleMeterRegistry()), timer, Clock.systemUTC(), 64 * 1024, 100, 1_000_000,
      Duration.ofMillis(300), Duration.ofSeconds(30), TestKit.CURSORS);
  private final FakeTransport transport = new FakeTransport(true);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  private PhoenixConnection connect(final PhxCodec codec, final PhoenixConfig config) {
    return new PhoenixConnection(transport, codec, new Principal(JwtVerifier.ANONYMOUS,
        Instant.now().plusSeconds(3600)), context, config, new PhoenixMetrics(new SimpleMeterRegistry()));
  }

  private PhoenixConnection connect() {
    return connect(PhxCodec.V2, PhoenixConfig.DEFAULTS);
  }

  private static String join(final String topic, final String ref, final String token, final String bindings) {
    return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":false,"
        + "\"self\":false},\"presence\":{\"key\":\"\",\"enabled\":false},\"postgres_changes\":" + bindings
        + ",\"private\":false}" + (token == null ? "" : ",\"access_token\":\"" + token + "\"") + "}]";
  }

  private List<JsonNode> sent() throws Exception {
    final List<JsonNode> frames = new java.util.ArrayList<>();
    for (final String text : transport.sent()) {
      frames.add(JSON.readTree(text));
    }
    return frames;
  }

  private JsonNode last() throws Exception {
    final List<JsonNode> frames = sent();
    return frames.get(frames.size() - 1);
  }

  @Test
  void answersHeartbeatsOnThePhoenixTopic() throws Exception {
    connect().onText("[null,\"3\",\"phoenix\",\"heartbeat\",{}]");
    assertThat(last().toString()).isEqualTo("[null,\"3\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
  }

  @Test
  void repliesWithTheBindingsInRequestOrderEachWithAnIdThenSaysSubscribedOnceAttached() throws Exception {
    final PhoenixConnection connection = connect();
    connection.onText(join("realtime:x", "1", Tokens.valid("alice"), "[{\"event\":\"UPDATE\",\"schema\":\"public\","
        + "\"table\":\"generation_jobs\",\"filter\":\"id=eq.7\"},{\"event\":\"INSERT\",\"schema\":\"public\","
        + "\"table\":\"videos\"}]"));
    await().until(() -> transport.sent().size() == 2);
    final JsonNode reply = sent().get(0);
    assertThat(reply.get(3).asText()).isEqualTo("phx_reply");
    assertThat(reply.get(4).get("status").asText()).isEqualTo("ok");
    final JsonNode bindings = reply.get(4).get("response").get("postgres_changes");
    assertThat(bindings).hasSize(2);
    assertThat(bindings.get(0).get("table").asText()).isEqualTo("generation_jobs");
    assertThat(bindings.get(0).get("filter").asText()).isEqualTo("id=eq.7");
    assertThat(bindings.get(1).get("table").asText()).isEqualTo("videos");
    assertThat(bindings.get(0).get("id").asInt()).isNotEqualTo(bindings.get(1).get("id").asInt());
    final JsonNode system = sent().get(1);
    assertThat(system.get(0).asText()).isEqualTo("1"); // the channel's join ref
    assertThat(system.get(3).asText()).isEqualTo("system");
    assertThat(system.get(4).get("message").asText()).isEqualTo("Subscribed to PostgreSQL");
    assertThat(system.get(4).get("extension").asText()).isEqualTo("postgres_changes");

    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "row.generation_jobs", 1, 50,
        "{\"op\":\"event\",\"channel\":\"user\",\"id\":\"e\",\"type\":\"row.generation_jobs\",\"cursor\":\"v3.x\","
            + "\"ts\":1,\"data\":{\"table\":\"generation_jobs\",\"op\":\"update\",\"row\":{\"id\":7,\"progress\":5},"
            + "\"old\":{\"id\":7,\"progress\":0}}}"));
    hub.deliverToUser("alice", EncodedEvent.of(Optional.of("alice"), "row.generation_jobs", 1, 51,
        "{\"op\":\"event\",\"channel\":\"user\",\"id\":\"f\",\"type\":\"row.generation_jobs\",\"cursor\":\"v3.y\","
            + "\"ts\":1,\"data\":{\"table\":\"generation_jobs\",\"op\":\"update\",\"row\":{\"id\":8,\"progress\":5},"
            + "\"old\":{\"id\":8,\"progress\":0}}}"));
    await().until(() -> transport.sent().size() == 3);
    final JsonNode change = last();
    assertThat(change.get(3).asText()).isEqualTo("postgres_changes");
    assertThat(change.get(4).get("ids").get(0).asInt()).isEqualTo(bindings.get(0).get("id").asInt());
    assertThat(change.get(4).get("data").get("record").get("progress").asInt()).isEqualTo(5);
  }

  @Test
  void speaksJsonObjectsWithVsn1() throws Exception {
    connect(PhxCodec.V1, PhoenixConfig.DEFAULTS).onText(
        "{\"topic\":\"phoenix\",\"event\":\"heartbeat\",\"payload\":{},\"ref\":\"9\",\"join_ref\":null}");
    assertThat(last().get("event").asText()).isEqualTo("phx_reply");
    assertThat(last().get("ref").asText()).isEqualTo("9");
  }

  @Test
  void refusesOtherTablesBadTokensAndPrivateChannelsWithSupabasesReasons() throws Exception {
    final PhoenixConnection connection = connect();
    connection.onText(join("realtime:a", "1", Tokens.valid("alice"),
        "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"secrets\"}]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("error");
    assertThat(last().get(4).get("response").get("reason").asText())
        .startsWith("Unable to subscribe to changes with given parameters");
    connection.onText(join("realtime:b", "2", Tokens.hs256(Tokens.OTHER_SECRET, "alice",
        Instant.now().plusSeconds(60)), "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .isEqualTo("JwtSignatureError: Failed to validate JWT signature");
    connection.onText(join("realtime:c", "3", Tokens.hs256(Tokens.SECRET, "alice",
        Instant.now().minusSeconds(60)), "[]"));
    assertThat(last().get(4).get("response").get("reason").asText()).startsWith("InvalidJWTToken: Token has expired");
    connection.onText(join("realtime:d", "4", null,
        "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"generation_jobs\"}]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("error"); // anon: owned tables refused
    connection.onText("[\"5\",\"5\",\"realtime:e\",\"phx_join\",{\"config\":{\"private\":true}}]");
    assertThat(last().get(4).get("response").get("reason").asText()).startsWith("Unauthorized:");
  }

  @Test
  void limitsChannelsPerConnectionAndJoinsPerSecond() throws Exception {
    final PhoenixConnection few = connect(PhxCodec.V2,
        new PhoenixConfig(PhoenixConfig.DEFAULTS.tables(), 2, 100, 1024));
    few.onText(join("realtime:a", "1", null, "[]"));
    few.onText(join("realtime:b", "2", null, "[]"));
    few.onText(join("realtime:c", "3", null, "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .isEqualTo("ChannelRateLimitReached: Too many channels");
    few.onText("[\"1\",\"4\",\"realtime:a\",\"phx_leave\",{}]");
    few.onText(join("realtime:c", "5", null, "[]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("ok");

    final PhoenixConnection slow = connect(PhxCodec.V2,
        new PhoenixConfig(PhoenixConfig.DEFAULTS.tables(), 100, 2, 1024));
    slow.onText(join("realtime:a", "1", null, "[]"));
    slow.onText(join("realtime:b", "2", null, "[]"));
    slow.onText(join("realtime:c", "3", null, "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .isEqualTo("ClientJoinRateLimitReached: Too many joins per second");
  }

  @Test
  void answersMessagesToTopicsNotJoinedAndBroadcastsItDoesNotServe() throws Exception {
    final PhoenixConnection connection = connect();
    connection.onText("[\"1\",\"2\",\"realtime:nope\",\"broadcast\",{}]");
    assertThat(last().get(4).get("response").get("reason").asText()).isEqualTo("unmatched topic");
    connection.onText(join("realtime:a", "3", null, "[]"));
    connection.onText("[\"3\",\"4\",\"realtime:a\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"x\"}]");
    assertThat(last().get(4).get("status").asText()).isEqualTo("error");
  }

  @Test
  void resumesFromThePositionInTheBinding() throws Exception {
    final String position = "tw1~" + TestKit.CURSORS.encode(USER_SEAM.withScope(Cursor.scopeOf("alice"))) + "~";
    connect().onText(join("realtime:x", "1", Tokens.valid("alice"), "[{\"event\":\"*\",\"schema\":\"public\","
        + "\"table\":\"generation_jobs\",\"tidewire_position\":\"" + position + "\"}]"));
    await().until(() -> transport.sent().size() == 2);
    final JsonNode system = last().get(4);
    assertThat(system.get("message").asText()).isEqualTo("Subscribed to PostgreSQL");
    assertThat(system.get("recovered").asBoolean()).isTrue(); // the cursor is at the live position
    assertThat(system.get("position").asText()).isEqualTo(position);
  }

  @Test
  void refusesAnEditedPosition() throws Exception {
    connect().onText(join("realtime:x", "1", Tokens.valid("alice"), "[{\"event\":\"*\",\"schema\":\"public\","
        + "\"table\":\"generation_jobs\",\"tidewire_position\":\"tw1~v3.AAAA~\"}]"));
    assertThat(last().get(4).get("response").get("reason").asText()).contains("tidewire_position");
  }
}
