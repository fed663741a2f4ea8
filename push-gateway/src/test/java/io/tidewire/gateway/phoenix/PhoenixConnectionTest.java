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
import io.tidewire.gateway.session.ClientSession;
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
    return connect(transport, codec, config);
  }

  private PhoenixConnection connect(final FakeTransport to, final PhxCodec codec, final PhoenixConfig config) {
    return new PhoenixConnection(to, codec, new Principal(JwtVerifier.ANONYMOUS,
        Instant.now().plusSeconds(3600)), context, config, new PhoenixMetrics(new SimpleMeterRegistry()));
  }

  /** A join as realtime-js sends it, with its broadcast and presence config. */
  private static String join(final String topic, final String ref, final String token, final boolean self,
      final boolean ack, final boolean presence, final String key) {
    return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"ack\":" + ack
        + ",\"self\":" + self + "},\"presence\":{\"key\":\"" + key + "\",\"enabled\":" + presence
        + "},\"postgres_changes\":[],\"private\":false},\"access_token\":\"" + token + "\"}]";
  }

  private static List<JsonNode> sent(final FakeTransport from) throws Exception {
    final List<JsonNode> frames = new java.util.ArrayList<>();
    for (final String text : from.sent()) {
      frames.add(JSON.readTree(text));
    }
    return frames;
  }

  /** The first frame {@code from} sent with {@code event} after the first {@code skip} frames. */
  private static Optional<JsonNode> find(final FakeTransport from, final String event, final int skip)
      throws Exception {
    return sent(from).stream().skip(skip).filter(f -> f.get(3).asText().equals(event)).findFirst();
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
    return sent(transport);
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
    final String token = Tokens.valid("alice");
    final PhoenixConnection few = connect(PhxCodec.V2,
        new PhoenixConfig(PhoenixConfig.DEFAULTS.tables(), 2, 100, 1024));
    few.onText(join("realtime:room:a", "1", token, "[]"));
    few.onText(join("realtime:room:b", "2", token, "[]"));
    few.onText(join("realtime:room:c", "3", token, "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .isEqualTo("ChannelRateLimitReached: Too many channels");
    few.onText("[\"1\",\"4\",\"realtime:room:a\",\"phx_leave\",{}]");
    few.onText(join("realtime:room:c", "5", token, "[]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("ok");

    final PhoenixConnection slow = connect(PhxCodec.V2,
        new PhoenixConfig(PhoenixConfig.DEFAULTS.tables(), 100, 2, 1024));
    slow.onText(join("realtime:room:a", "1", token, "[]"));
    slow.onText(join("realtime:room:b", "2", token, "[]"));
    slow.onText(join("realtime:room:c", "3", token, "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .isEqualTo("ClientJoinRateLimitReached: Too many joins per second");
  }

  @Test
  void answersMessagesToTopicsNotJoinedAndBroadcastsOnChannelsTheRulesDoNotOpen() throws Exception {
    final PhoenixConnection connection = connect();
    connection.onText("[\"1\",\"2\",\"realtime:nope\",\"broadcast\",{}]");
    assertThat(last().get(4).get("response").get("reason").asText()).isEqualTo("unmatched topic");
    // a channel no rule opens still serves postgres_changes; its broadcasts and tracks are refused
    connection.onText(join("realtime:jobs", "3", Tokens.valid("alice"),
        "[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"generation_jobs\"}]"));
    assertThat(find(transport, "phx_reply", 1).orElseThrow().get(4).get("status").asText()).isEqualTo("ok");
    final int before = transport.sent().size();
    connection.onText("[\"3\",\"4\",\"realtime:jobs\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"x\"}]");
    final JsonNode refused = find(transport, "phx_reply", before).orElseThrow();
    assertThat(refused.get(1).asText()).isEqualTo("4");
    assertThat(refused.get(4).get("status").asText()).isEqualTo("error");
    assertThat(refused.get(4).get("response").get("reason").asText())
        .isEqualTo("Unauthorized: broadcast is not open on this channel (no rule of TIDEWIRE_GATEWAY_CHANNELS lets you"
            + " join jobs)");
  }

  @Test
  void refusesJoinsOfBroadcastChannelsTheRulesOrTheKeyDoNotOpen() throws Exception {
    final PhoenixConnection connection = connect();
    connection.onText(join("realtime:lobby", "1", Tokens.valid("alice"), "[]"));
    assertThat(last().get(4).get("response").get("reason").asText()).isEqualTo("Unauthorized: You do not have"
        + " permissions to read from this Channel topic: lobby (no rule of TIDEWIRE_GATEWAY_CHANNELS lets you join"
        + " lobby)");
    connection.onText(join("realtime:user:bob", "2", Tokens.valid("alice"), "[]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("error"); // user:{sub}=owner
    connection.onText(join("realtime:room:a", "3", null, "[]"));
    assertThat(last().get(4).get("response").get("reason").asText())
        .endsWith("(broadcast and presence need a user's access token)");
    connection.onText(join("realtime:room a", "4", Tokens.valid("alice"), "[]"));
    assertThat(last().get(4).get("response").get("reason").asText()).contains("channel name is 1 to 200");
    // presence asked for on a channel the rules do not open: refused though it has bindings
    connection.onText(join("realtime:jobs", "5", Tokens.valid("alice"), false, false, true, "")
        .replace("\"postgres_changes\":[]",
            "\"postgres_changes\":[{\"event\":\"*\",\"schema\":\"public\",\"table\":\"generation_jobs\"}]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("error");
    connection.onText(join("realtime:user:alice", "6", Tokens.valid("alice"), "[]"));
    assertThat(last().get(4).get("status").asText()).isEqualTo("ok");
  }

  @Test
  void broadcastsReachTheOtherMembersWithSelfAndAckAsAsked() throws Exception {
    final FakeTransport bobs = new FakeTransport(true);
    final PhoenixConnection alice = connect();
    final PhoenixConnection bob = connect(bobs, PhxCodec.V1, PhoenixConfig.DEFAULTS);
    alice.onText(join("realtime:room:b1", "1", Tokens.valid("alice"), false, true, false, ""));
    bob.onText("{\"topic\":\"realtime:room:b1\",\"event\":\"phx_join\",\"ref\":\"1\",\"join_ref\":\"1\","
        + "\"payload\":{\"config\":{\"broadcast\":{\"self\":true},\"presence\":{}},\"access_token\":\""
        + Tokens.valid("bob") + "\"}}");
    alice.onText("[\"1\",\"2\",\"realtime:room:b1\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"typing\","
        + "\"payload\":{\"item\":7}}]");
    await().until(() -> sent(bobs).stream().anyMatch(f -> f.get("event").asText().equals("broadcast")));
    final JsonNode received = sent(bobs).stream().filter(f -> f.get("event").asText().equals("broadcast"))
        .findFirst().orElseThrow();
    assertThat(received.get("topic").asText()).isEqualTo("realtime:room:b1");
    assertThat(received.get("payload").get("type").asText()).isEqualTo("broadcast");
    assertThat(received.get("payload").get("event").asText()).isEqualTo("typing");
    assertThat(received.get("payload").get("payload").toString()).isEqualTo("{\"item\":7}");
    assertThat(received.get("payload").get("meta").get("id").asText()).isNotEmpty();
    // ack: Alice's push is answered; self false: she does not get her own broadcast
    await().until(() -> find(transport, "phx_reply", 1).isPresent());
    final JsonNode ack = find(transport, "phx_reply", 1).orElseThrow();
    assertThat(ack.get(1).asText()).isEqualTo("2");
    assertThat(ack.get(4).get("status").asText()).isEqualTo("ok");
    assertThat(find(transport, "broadcast", 0)).isEmpty();

    // self true, ack false: Bob gets his own, and no reply
    final int before = bobs.sent().size();
    bob.onText("{\"topic\":\"realtime:room:b1\",\"event\":\"broadcast\",\"ref\":\"2\",\"join_ref\":\"1\","
        + "\"payload\":{\"type\":\"broadcast\",\"event\":\"wave\",\"payload\":{}}}");
    await().until(() -> find(transport, "broadcast", 0).isPresent());
    assertThat(sent(bobs).stream().skip(before).map(f -> f.get("event").asText())).containsExactly("broadcast");
  }

  @Test
  void takesRealtimeJsBinaryBroadcastPushWithVsn2AndRefusesBinaryPayloads() throws Exception {
    final FakeTransport bobs = new FakeTransport(true);
    final PhoenixConnection alice = connect();
    connect(bobs, PhxCodec.V2, PhoenixConfig.DEFAULTS)
        .onText(join("realtime:room:b2", "1", Tokens.valid("bob"), false, false, false, ""));
    alice.onText(join("realtime:room:b2", "1", Tokens.valid("alice"), false, true, false, ""));
    alice.onBinary(java.nio.ByteBuffer.wrap(PhxCodecTest.userBroadcastPush("1", "2", "realtime:room:b2", "typing", "",
        1, "{\"x\":1}".getBytes(StandardCharsets.UTF_8))));
    await().until(() -> find(bobs, "broadcast", 0).isPresent());
    assertThat(find(bobs, "broadcast", 0).orElseThrow().get(4).get("payload").toString()).isEqualTo("{\"x\":1}");

    alice.onBinary(java.nio.ByteBuffer.wrap(PhxCodecTest.userBroadcastPush("1", "3", "realtime:room:b2", "file", "",
        0, new byte[] {1, 2})));
    await().until(() -> sent().stream().anyMatch(f -> f.get(1).asText().equals("3")));
    assertThat(last().get(4).get("response").get("reason").asText()).contains("JSON payloads only");
  }

  @Test
  void sendsThePresenceStateAfterTheJoinThenDiffsInPhoenixPresencesShape() throws Exception {
    final FakeTransport bobs = new FakeTransport(true);
    final PhoenixConnection alice = connect();
    final PhoenixConnection bob = connect(bobs, PhxCodec.V2, PhoenixConfig.DEFAULTS);
    alice.onText(join("realtime:room:p1", "1", Tokens.valid("alice"), false, false, true, "ada"));
    alice.onText("[\"1\",\"2\",\"realtime:room:p1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"name\":\"Ada\"}}]");
    await().until(() -> find(transport, "presence_diff", 0).isPresent());
    assertThat(sent().get(0).get(3).asText()).isEqualTo("phx_reply");
    assertThat(sent().get(1).get(3).asText()).isEqualTo("presence_state");
    assertThat(sent().get(1).get(4).toString()).isEqualTo("{}");
    assertThat(find(transport, "phx_reply", 1).orElseThrow().get(4).get("status").asText()).isEqualTo("ok");

    bob.onText(join("realtime:room:p1", "1", Tokens.valid("bob"), false, false, true, ""));
    await().until(() -> find(bobs, "presence_state", 0).isPresent());
    final JsonNode state = find(bobs, "presence_state", 0).orElseThrow().get(4);
    assertThat(state.fieldNames()).toIterable().containsExactly("ada");
    final JsonNode meta = state.get("ada").get("metas").get(0);
    assertThat(meta.get("name").asText()).isEqualTo("Ada");
    final String phxRef = meta.get("phx_ref").asText();
    assertThat(phxRef).isNotEmpty();

    alice.onText("[\"1\",\"3\",\"realtime:room:p1\",\"presence\",{\"type\":\"presence\",\"event\":\"untrack\"}]");
    await().until(() -> find(bobs, "presence_diff", 0).isPresent());
    final JsonNode diff = find(bobs, "presence_diff", 0).orElseThrow().get(4);
    assertThat(diff.get("joins").toString()).isEqualTo("{}");
    assertThat(diff.get("leaves").get("ada").get("metas").get(0).get("phx_ref").asText()).isEqualTo(phxRef);

    // Bob joined without a key: his presences go under a fresh UUID, as Supabase's
    bob.onText("[\"1\",\"2\",\"realtime:room:p1\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{}}]");
    await().until(() -> sent().stream().filter(f -> f.get(3).asText().equals("presence_diff")).count() == 3);
    final JsonNode joined = sent().stream().filter(f -> f.get(3).asText().equals("presence_diff"))
        .reduce((a, b) -> b).orElseThrow().get(4).get("joins");
    assertThat(java.util.UUID.fromString(joined.fieldNames().next())).isNotNull();
  }

  @Test
  void sharesTheChannelWithTidewireProtocolClients() throws Exception {
    final FakeTransport carols = new FakeTransport(true);
    final ClientSession carol = new ClientSession(carols, new Principal("carol", Instant.now().plusSeconds(3600)),
        context);
    carol.open();
    carol.onText("{\"op\":\"join\",\"ref\":\"j\",\"channel\":\"room:both\"}");
    final PhoenixConnection alice = connect();
    alice.onText(join("realtime:room:both", "1", Tokens.valid("alice"), false, false, true, "ada"));
    await().until(() -> carols.sent().stream().anyMatch(f -> f.contains("\"op\":\"joined\"")));

    alice.onText("[\"1\",\"2\",\"realtime:room:both\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"hi\","
        + "\"payload\":{\"n\":1}}]");
    await().until(() -> carols.sent().stream().anyMatch(f -> f.contains("\"op\":\"broadcast\"")));
    final JsonNode got = JSON.readTree(carols.sent().stream().filter(f -> f.contains("\"op\":\"broadcast\""))
        .findFirst().orElseThrow());
    assertThat(got.get("from").asText()).isEqualTo("alice");
    assertThat(got.get("event").asText()).isEqualTo("hi");
    assertThat(got.get("payload").toString()).isEqualTo("{\"n\":1}");

    carol.onText("{\"op\":\"broadcast\",\"ref\":\"b\",\"channel\":\"room:both\",\"event\":\"yo\",\"payload\":{}}");
    carol.onText("{\"op\":\"track\",\"ref\":\"t\",\"channel\":\"room:both\",\"meta\":{\"name\":\"Carol\"}}");
    await().until(() -> find(transport, "broadcast", 0).isPresent() && find(transport, "presence_diff", 0).isPresent());
    assertThat(find(transport, "broadcast", 0).orElseThrow().get(4).get("event").asText()).isEqualTo("yo");
    final JsonNode joins = find(transport, "presence_diff", 0).orElseThrow().get(4).get("joins");
    assertThat(joins.get("carol").get("metas").get(0).get("name").asText()).isEqualTo("Carol");

    // and a Phoenix presence reaches the Tidewire client under its verified user id
    alice.onText("[\"1\",\"3\",\"realtime:room:both\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"name\":\"Ada\"}}]");
    await().until(() -> carols.sent().stream().anyMatch(f -> f.contains("\"presence_diff\"") && f.contains("Ada")));
    assertThat(carols.sent().stream().filter(f -> f.contains("Ada")).findFirst().orElseThrow())
        .contains("\"alice\":[{");
  }

  @Test
  void refusesTracksOverTheCoresLimitsWithItsReason() throws Exception {
    final PhoenixConnection alice = connect();
    alice.onText(join("realtime:room:p2", "1", Tokens.valid("alice"), false, false, false, ""));
    alice.onText("[\"1\",\"2\",\"realtime:room:p2\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":{\"bio\":\"" + "x".repeat(2_000) + "\"}}]");
    await().until(() -> sent().stream().anyMatch(f -> f.get(1).asText().equals("2")));
    assertThat(last().get(4).get("status").asText()).isEqualTo("error");
    assertThat(last().get(4).get("response").get("reason").asText())
        .startsWith("payload_too_large: meta of 2010 bytes; at most 1024");
    alice.onText("[\"1\",\"3\",\"realtime:room:p2\",\"presence\",{\"type\":\"presence\",\"event\":\"track\","
        + "\"payload\":[1]}]");
    assertThat(last().get(4).get("response").get("reason").asText()).isEqualTo("Presence track payload must be a map");

    // the core's track rate (2/s, burst 10) applies too: thirty at once cannot all pass
    for (int i = 0; i < 30; i++) {
      alice.onText("[\"1\",\"r" + i + "\",\"realtime:room:p2\",\"presence\",{\"type\":\"presence\","
          + "\"event\":\"track\",\"payload\":{\"i\":" + i + "}}]");
    }
    await().until(() -> sent().stream().anyMatch(f -> f.get(3).asText().equals("phx_reply")
        && f.get(4).path("response").path("reason").asText().startsWith("rate_limited: too many tracks")));
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
