package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.infra.FreePorts;
import io.tidewire.infra.SharedInfra;
import io.tidewire.launcher.ChildPart;
import io.tidewire.launcher.DevTokens;
import io.tidewire.launcher.TidewireSettings;
import io.tidewire.launcher.TidewireStack;
import io.tidewire.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Broadcast and presence across two gateways that share nothing but Kafka (issue #15): one gateway
 * in this JVM ({@code near}), one a child JVM through the real command line ({@code far}); the
 * crash test SIGKILLs a third, child, gateway. Each test uses its own channels and users.
 */
class BroadcastPresenceIT {

  private static final Logger LOG = LoggerFactory.getLogger(BroadcastPresenceIT.class);
  private static final String SECRET = "broadcast-presence-it-secret-0123456789abcdef";
  private static final DevTokens TOKENS = new DevTokens(SECRET);
  /** The default lease (15 s), plus the expiry check's second and Kafka's delivery on a busy machine. */
  private static final Duration LEASE_AND_SLACK = Duration.ofSeconds(25);

  private static Map<String, String> env;
  private static Gateway near;
  private static ChildPart far;
  private static int farPort;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeAll
  static void startTwoGateways() {
    final SharedInfra infra = SharedInfra.get();
    env = new HashMap<>(TidewireStack.envFor(infra.postgres(), infra.kafka(), SECRET));
    env.put("TIDEWIRE_GATEWAY_HOST", "127.0.0.1");
    near = inProcess(Map.of());
    farPort = FreePorts.any();
    far = child(farPort);
  }

  @AfterAll
  static void stopGateways() {
    if (far != null) {
      far.stop();
    }
    if (near != null) {
      near.close();
    }
  }

  private static Gateway inProcess(final Map<String, String> overrides) {
    final Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.put("TIDEWIRE_GATEWAY_PORT", "0");
    gatewayEnv.putAll(overrides);
    final Gateway gateway = new Gateway(GatewayConfig.fromEnv(gatewayEnv, TidewireSettings.ALL),
        new SimpleMeterRegistry());
    gateway.start();
    return gateway;
  }

  private static ChildPart child(final int port) {
    final Map<String, String> gatewayEnv = new HashMap<>(env);
    gatewayEnv.put("TIDEWIRE_GATEWAY_PORT", Integer.toString(port));
    // a log directory per child (ChildPart numbers its logs per instance); a generous start
    // timeout: the shared build machine is often far beyond its two cores
    return new ChildPart("gateway", List.of(), gatewayEnv, List.of("-Xmx256m"),
        Path.of("target", "child-gateway-" + port), Duration.ofMinutes(3)).start();
  }

  private WsClient client(final int port, final UUID user) {
    final WsClient client = WsClient.connect(port, TOKENS.mint(user.toString(), Duration.ofMinutes(10)));
    clients.add(client);
    return client;
  }

  @AfterEach
  void closeClients() {
    clients.forEach(WsClient::close);
  }

  private static String channel(final String prefix) {
    return prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonNode request(final WsClient client, final String ref, final String json) {
    client.send("{\"ref\":\"" + ref + "\"," + json.substring(1));
    return client.reply(ref);
  }

  private static JsonNode join(final WsClient client, final String ref, final String channel,
      final boolean self, final boolean ack) {
    final JsonNode reply = request(client, ref, "{\"op\":\"join\",\"channel\":\"" + channel + "\",\"self\":" + self
        + ",\"ack\":" + ack + "}");
    assertThat(reply.path("op").textValue()).as("%s", reply).isEqualTo("joined");
    return reply;
  }

  private static Predicate<JsonNode> op(final String op, final String channel) {
    return f -> op.equals(f.path("op").textValue()) && channel.equals(f.path("channel").textValue());
  }

  private static List<JsonNode> all(final WsClient client, final Predicate<JsonNode> match) {
    return client.frames().stream().filter(match).toList();
  }

  private static Predicate<JsonNode> diffWith(final String channel, final String side, final UUID user) {
    return f -> op("presence_diff", channel).test(f) && f.path(side).has(user.toString());
  }

  @Test
  void broadcastReachesTheChannelsMembersOnBothGatewaysButNotTheSenderWithoutSelf() {
    final String room = channel("room:b-");
    final UUID ada = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    final UUID cat = UUID.randomUUID();
    final WsClient adaOnNear = client(near.port(), ada);
    final WsClient bobOnFar = client(farPort, bob);
    final WsClient catOnNear = client(near.port(), cat);
    join(adaOnNear, "1", room, false, true);
    join(bobOnFar, "1", room, false, false);
    join(catOnNear, "1", room, true, false);

    final JsonNode ack = request(adaOnNear, "2",
        "{\"op\":\"broadcast\",\"channel\":\"" + room + "\",\"event\":\"typing\",\"payload\":{\"item\":\"v1\",\"n\":[1,2]}}");
    assertThat(ack.path("op").textValue()).isEqualTo("broadcast_ack");
    final String id = ack.path("id").textValue();

    final JsonNode atBob = bobOnFar.awaitFrame(op("broadcast", room));
    assertThat(atBob.path("id").textValue()).isEqualTo(id);
    assertThat(atBob.path("event").textValue()).isEqualTo("typing");
    assertThat(atBob.path("from").textValue()).isEqualTo(ada.toString());
    assertThat(atBob.path("payload")).isEqualTo(WsClient.JSON.createObjectNode().put("item", "v1")
        .set("n", WsClient.JSON.createArrayNode().add(1).add(2)));
    assertThat(catOnNear.awaitFrame(op("broadcast", room)).path("id").textValue()).isEqualTo(id);

    // cat joined with self: its own message comes back; without ack, no broadcast_ack
    catOnNear.send("{\"op\":\"broadcast\",\"ref\":\"2\",\"channel\":\"" + room + "\",\"event\":\"hello\"}");
    final JsonNode catsOwn = catOnNear.awaitFrame(f -> op("broadcast", room).test(f)
        && "hello".equals(f.path("event").textValue()));
    assertThat(catsOwn.path("from").textValue()).isEqualTo(cat.toString());
    assertThat(catsOwn.path("payload").isObject()).isTrue();
    assertThat(all(catOnNear, f -> "2".equals(f.path("ref").textValue()))).isEmpty();

    // one channel, one order: cat's message reached ada after ada's own would have, had it come
    adaOnNear.awaitFrame(f -> op("broadcast", room).test(f) && "hello".equals(f.path("event").textValue()));
    assertThat(all(adaOnNear, op("broadcast", room))).extracting(f -> f.path("from").textValue())
        .containsExactly(cat.toString());
    assertThat(all(bobOnFar, op("broadcast", room))).extracting(f -> f.path("event").textValue())
        .containsExactly("typing", "hello");
  }

  @Test
  void joinGivesTheStateAndTracksBecomeDiffsOnEveryGateway() {
    final String room = channel("room:p-");
    final UUID ada = UUID.randomUUID();
    final UUID bob = UUID.randomUUID();
    final WsClient adaOnNear = client(near.port(), ada);
    final WsClient bobOnFar = client(farPort, bob);
    assertThat(join(adaOnNear, "1", room, false, false).path("presence").size()).isZero();

    assertThat(request(adaOnNear, "2", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{\"name\":\"Ada\"}}")
        .path("op").textValue()).isEqualTo("tracked");
    final JsonNode adaJoined = adaOnNear.awaitFrame(diffWith(room, "joins", ada));
    final String adaRef = adaJoined.path("joins").path(ada.toString()).get(0).path("ref").textValue();

    // the far gateway knows ada's presence (read from realtime.presence) by the time bob joins
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      final JsonNode joined = join(bobOnFar, "j" + System.nanoTime(), room, false, false);
      assertThat(joined.path("presence").path(ada.toString())).hasSize(1);
      assertThat(joined.path("presence").path(ada.toString()).get(0).path("ref").textValue()).isEqualTo(adaRef);
      assertThat(joined.path("presence").path(ada.toString()).get(0).path("meta").path("name").textValue())
          .isEqualTo("Ada");
    });

    request(bobOnFar, "3", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{\"name\":\"Bob\"}}");
    assertThat(adaOnNear.awaitFrame(diffWith(room, "joins", bob)).path("joins").path(bob.toString()).get(0)
        .path("meta").path("name").textValue()).isEqualTo("Bob");

    // a re-track replaces the connection's presence under a new ref: the old ref leaves
    request(adaOnNear, "4", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{\"name\":\"Ada\",\"typing\":true}}");
    bobOnFar.awaitFrame(f -> diffWith(room, "leaves", ada).test(f)
        && adaRef.equals(f.path("leaves").path(ada.toString()).get(0).path("ref").textValue()));
    final JsonNode retracked = bobOnFar.awaitFrame(f -> diffWith(room, "joins", ada).test(f)
        && f.path("joins").path(ada.toString()).get(0).path("meta").path("typing").asBoolean());
    assertThat(retracked.path("joins").path(ada.toString()).get(0).path("ref").textValue()).isNotEqualTo(adaRef);

    assertThat(request(bobOnFar, "5", "{\"op\":\"untrack\",\"channel\":\"" + room + "\"}").path("op").textValue())
        .isEqualTo("untracked");
    adaOnNear.awaitFrame(diffWith(room, "leaves", bob));

    // a connection that closes leaves its presences at once (its gateway removes them)
    adaOnNear.close();
    bobOnFar.awaitFrame(f -> diffWith(room, "leaves", ada).test(f)
        && f.path("leaves").path(ada.toString()).get(0).path("meta").path("typing").asBoolean());
  }

  @Test
  void presencesOfAKilledGatewayLeaveEveryOtherGatewayWithinTheLease() {
    final String room = channel("room:k-");
    final UUID eve = UUID.randomUUID();
    final UUID fay = UUID.randomUUID();
    final int doomedPort = FreePorts.any();
    final ChildPart doomed = child(doomedPort);
    try {
      final WsClient eveOnDoomed = client(doomedPort, eve);
      final WsClient fayOnNear = client(near.port(), fay);
      final WsClient fayOnFar = client(farPort, fay);
      join(eveOnDoomed, "1", room, false, false);
      join(fayOnNear, "1", room, false, false);
      join(fayOnFar, "1", room, false, false);
      request(eveOnDoomed, "2", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{}}");
      fayOnNear.awaitFrame(diffWith(room, "joins", eve));
      fayOnFar.awaitFrame(diffWith(room, "joins", eve));

      doomed.crash(); // SIGKILL: no untrack, no tombstone, no end of lease
      final long killed = System.nanoTime();

      await().atMost(LEASE_AND_SLACK).pollInterval(Duration.ofMillis(50))
          .until(() -> !all(fayOnNear, diffWith(room, "leaves", eve)).isEmpty()
              && !all(fayOnFar, diffWith(room, "leaves", eve)).isEmpty());
      final JsonNode left = all(fayOnNear, diffWith(room, "leaves", eve)).get(0);
      LOG.info("presence of a SIGKILLed gateway left {} ms after the kill",
          (fayOnNear.receivedAt(left) - killed) / 1_000_000);
      // a new member of the channel does not see the dead gateway's user either
      final WsClient gus = client(near.port(), UUID.randomUUID());
      assertThat(join(gus, "1", room, false, false).path("presence").has(eve.toString())).isFalse();
    } finally {
      doomed.crash();
    }
  }

  @Test
  void channelsAreJoinedOnlyAsTheRulesAllow() {
    final UUID ada = UUID.randomUUID();
    final WsClient adaOnNear = client(near.port(), ada);

    assertThat(request(adaOnNear, "1", "{\"op\":\"join\",\"channel\":\"user:" + UUID.randomUUID() + "\"}")
        .path("code").textValue()).isEqualTo("forbidden");
    assertThat(request(adaOnNear, "2", "{\"op\":\"join\",\"channel\":\"secret:x\"}").path("code").textValue())
        .isEqualTo("forbidden");
    assertThat(request(adaOnNear, "3", "{\"op\":\"join\",\"channel\":\"user:" + ada + "\"}").path("op").textValue())
        .isEqualTo("joined");
    assertThat(request(adaOnNear, "4", "{\"op\":\"join\",\"channel\":\"room:a b\"}").path("code").textValue())
        .isEqualTo("bad_request");
    assertThat(request(adaOnNear, "5", "{\"op\":\"broadcast\",\"channel\":\"room:nope\",\"event\":\"e\"}")
        .path("code").textValue()).isEqualTo("not_joined");
    assertThat(request(adaOnNear, "6", "{\"op\":\"track\",\"channel\":\"user:" + ada + "\",\"meta\":[1]}")
        .path("code").textValue()).isEqualTo("bad_request");
    assertThat(adaOnNear.answersPing("7")).isTrue();
  }

  @Test
  void everyLimitAnswersWithItsErrorAndCountsInItsMetric() {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Map<String, String> tight = new HashMap<>(env);
    tight.putAll(Map.of("TIDEWIRE_GATEWAY_PORT", "0", "TIDEWIRE_GATEWAY_CHANNELS", "room:vip*=deny,room:*=authenticated",
        "TIDEWIRE_GATEWAY_CHANNELS_PER_SESSION", "2", "TIDEWIRE_GATEWAY_BROADCAST_MAX_PAYLOAD_BYTES", "100",
        "TIDEWIRE_GATEWAY_BROADCASTS_PER_SECOND", "1", "TIDEWIRE_GATEWAY_BROADCAST_BURST", "2",
        "TIDEWIRE_GATEWAY_PRESENCE_MAX_META_BYTES", "50", "TIDEWIRE_GATEWAY_PRESENCE_TRACKS_PER_SECOND", "1",
        "TIDEWIRE_GATEWAY_PRESENCE_TRACK_BURST", "3", "TIDEWIRE_GATEWAY_PRESENCE_MAX_KEYS_PER_CHANNEL", "1"));
    try (Gateway limited = new Gateway(GatewayConfig.fromEnv(tight, TidewireSettings.ALL), meters)) {
      limited.start();
      final String room = channel("room:l-");
      final UUID ada = UUID.randomUUID();
      final WsClient adaOnLimited = client(limited.port(), ada);

      assertThat(code(adaOnLimited, "1", "{\"op\":\"join\",\"channel\":\"room:vip-1\"}")).isEqualTo("forbidden");
      join(adaOnLimited, "2", room, false, true);
      join(adaOnLimited, "3", room + "-2", false, false);
      assertThat(code(adaOnLimited, "4", "{\"op\":\"join\",\"channel\":\"" + room + "-3\"}")).isEqualTo("too_many_channels");

      assertThat(code(adaOnLimited, "5", "{\"op\":\"broadcast\",\"channel\":\"" + room + "\",\"event\":\"e\","
          + "\"payload\":{\"x\":\"" + "y".repeat(100) + "\"}}")).isEqualTo("payload_too_large");
      final List<String> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        final JsonNode reply = request(adaOnLimited, "b" + i,
            "{\"op\":\"broadcast\",\"channel\":\"" + room + "\",\"event\":\"e\"}");
        answers.add(reply.path("op").textValue() + "/" + reply.path("code").asText(""));
      }
      assertThat(answers).contains("broadcast_ack/", "error/rate_limited");

      assertThat(code(adaOnLimited, "6", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{\"x\":\""
          + "y".repeat(50) + "\"}}")).isEqualTo("payload_too_large");
      assertThat(request(adaOnLimited, "7", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{}}")
          .path("op").textValue()).isEqualTo("tracked");
      adaOnLimited.awaitFrame(diffWith(room, "joins", ada));
      // the channel holds its one user: another user is refused, ada's second connection is not
      final WsClient bob = client(limited.port(), UUID.randomUUID());
      join(bob, "1", room, false, false);
      assertThat(code(bob, "2", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{}}")).isEqualTo("too_many_presences");
      final WsClient adaAgain = client(limited.port(), ada);
      join(adaAgain, "1", room, false, false);
      assertThat(request(adaAgain, "2", "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{}}").path("op").textValue())
          .isEqualTo("tracked");
      final List<String> tracks = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        tracks.add(request(adaAgain, "t" + i, "{\"op\":\"track\",\"channel\":\"" + room + "\",\"meta\":{}}")
            .path("code").asText("tracked"));
      }
      assertThat(tracks).contains("rate_limited");

      for (final String reason : List.of("forbidden", "channels_per_session", "payload_size", "broadcast_rate",
          "meta_size", "presence_keys", "track_rate")) {
        assertThat(meters.get("tidewire.gateway.channel.refusals").tag("reason", reason).counter().count())
            .as(reason).isPositive();
      }
      assertThat(meters.get("tidewire.gateway.broadcasts.published").counter().count()).isPositive();
    }
  }

  private static String code(final WsClient client, final String ref, final String json) {
    final JsonNode reply = request(client, ref, json);
    assertThat(reply.path("op").textValue()).as("%s", reply).isEqualTo("error");
    return reply.path("code").textValue();
  }
}
