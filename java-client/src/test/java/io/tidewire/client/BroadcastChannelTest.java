package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidewire.client.testing.FakeChannelHub;
import io.tidewire.client.testing.FakeGateway;
import io.tidewire.client.testing.FakeSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Broadcast channels of real clients against a {@link FakeGateway} playing the channel ops. */
class BroadcastChannelTest {

  private final FakeChannelHub hub = new FakeChannelHub();
  private final List<TidewireClient> clients = new ArrayList<>();
  private FakeGateway gateway;

  @BeforeEach
  void startGateway() {
    gateway = FakeGateway.start();
    gateway.respondWith(hub);
  }

  @AfterEach
  void stopAll() {
    clients.forEach(TidewireClient::close);
    gateway.close();
  }

  private TidewireClient connect() throws Exception {
    final TidewireClient client = TidewireClient.builder(gateway.uri())
        .token(() -> "t")
        .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    clients.add(client);
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return client;
  }

  private static <T> T done(final java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void twoClientsSeeEachOthersPresenceAndBroadcastsButNotTheirOwn() throws Exception {
    final List<PresenceChange> bobSees = new CopyOnWriteArrayList<>();
    final List<Broadcast> aliceGot = new CopyOnWriteArrayList<>();
    final List<Broadcast> bobGot = new CopyOnWriteArrayList<>();
    final BroadcastChannel alice = connect().channel("room:lobby").onBroadcast("typing", aliceGot::add);
    hub.user(gateway.awaitSession(0), "alice");
    final BroadcastChannel bob = connect().channel("room:lobby").onPresence(bobSees::add)
        .onBroadcast("*", bobGot::add);
    hub.user(gateway.awaitSession(1), "bob");

    done(alice.join());
    done(alice.track(Map.of("name", "Alice")));
    final PresenceState onJoin = done(bob.join());

    assertThat(onJoin.userIds()).containsExactly("alice");
    assertThat(onJoin.connections("alice").get(0).meta().path("name").asText()).isEqualTo("Alice");
    assertThat(bobSees.get(0).joins()).containsOnlyKeys("alice");
    assertThat(bob.state()).isEqualTo(BroadcastChannel.State.JOINED);

    assertThat(done(bob.broadcast("typing", Map.of("item", "video:1")))).isEmpty();
    assertThat(done(alice.broadcast("typing", Map.of("item", "video:2")))).isEmpty();
    await().until(() -> aliceGot.size() == 1 && bobGot.size() == 1);
    assertThat(aliceGot.get(0).from()).isEqualTo("bob");
    assertThat(aliceGot.get(0).payload().path("item").asText()).isEqualTo("video:1");
    assertThat(bobGot.get(0).from()).isEqualTo("alice");

    done(alice.untrack());
    await().until(() -> !bob.presence().isOnline("alice"));
    assertThat(bobSees.get(bobSees.size() - 1).leaves()).containsOnlyKeys("alice");
  }

  @Test
  void anAcknowledgedBroadcastCompletesWithItsIdAndSelfReceivesItsOwn() throws Exception {
    final List<Broadcast> got = new CopyOnWriteArrayList<>();
    final BroadcastChannel room = connect().channel("room:ack", ChannelOptions.defaults().withAck(true).withSelf(true))
        .onBroadcast("ping", got::add);
    done(room.join());

    final Optional<String> id = done(room.broadcast("ping", Map.of("n", 1)));

    assertThat(id).isPresent();
    await().until(() -> got.size() == 1);
    assertThat(got.get(0).id()).isEqualTo(id.get());
  }

  @Test
  void aBroadcastRedeliveredWithTheSameIdIsHandedOverOnce() throws Exception {
    final List<Broadcast> got = new CopyOnWriteArrayList<>();
    final BroadcastChannel room = connect().channel("room:dup").onBroadcast("x", got::add);
    done(room.join());
    final String frame = "{\"op\":\"broadcast\",\"channel\":\"room:dup\",\"id\":\"m-1\",\"event\":\"x\","
        + "\"from\":\"u\",\"payload\":{}}";

    hub.sendToMembers("room:dup", frame);
    hub.sendToMembers("room:dup", frame);
    hub.sendToMembers("room:dup", frame.replace("m-1", "m-2"));

    await().until(() -> got.size() >= 2);
    await().during(Duration.ofMillis(200)).until(() -> got.size() == 2);
    assertThat(got).map(Broadcast::id).containsExactly("m-1", "m-2");
  }

  @Test
  void rejoinsAndTracksAgainAfterAReconnect() throws Exception {
    final TidewireClient client = connect();
    final BroadcastChannel room = client.channel("room:again");
    done(room.join());
    done(room.track(Map.of("name", "Alice")));
    final FakeSession first = gateway.awaitSession(0);
    hub.disconnected(first);
    first.close(1011, "gateway restarts");

    final FakeSession second = gateway.awaitSession(1);
    final JsonNode join = second.awaitOp("join");
    final JsonNode track = second.awaitOp("track");

    assertThat(join.path("channel").asText()).isEqualTo("room:again");
    assertThat(track.path("meta").path("name").asText()).isEqualTo("Alice");
    await().until(() -> room.state() == BroadcastChannel.State.JOINED && room.presence().userIds().size() == 1);
  }

  @Test
  void trackingWhileJoiningCompletesOnceJoinedAndTracked() throws Exception {
    final TidewireClient client = TidewireClient.builder(gateway.uri()).token(() -> "t").build();
    clients.add(client);
    final BroadcastChannel room = client.channel("room:early");
    final var joined = room.join();
    final var tracked = room.track(Map.of("name", "Early"));

    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);

    done(joined);
    done(tracked);
    await().until(() -> room.presence().userIds().size() == 1);
  }

  @Test
  void broadcastingOrTrackingWithoutJoiningFails() throws Exception {
    final BroadcastChannel room = connect().channel("room:nope");

    assertThatThrownBy(() -> done(room.broadcast("x", Map.of())))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TidewireClientException.class)
        .hasMessageContaining("not joined");
    assertThatThrownBy(() -> done(room.track(Map.of())))
        .hasCauseInstanceOf(TidewireClientException.class).hasMessageContaining("join room:nope before tracking");
    assertThatThrownBy(() -> room.broadcast("x", List.of(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload must be a JSON object");
    assertThatThrownBy(() -> room.broadcast(" ", Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRefusedJoinFailsForGoodAndAGatewayErrorFailsTheBroadcast() throws Exception {
    gateway.respondWith((session, frame) -> {
      final String op = frame.path("op").asText();
      final String ref = frame.path("ref").asText();
      if (op.equals("join") && frame.path("channel").asText().startsWith("user:")) {
        session.send("{\"op\":\"error\",\"ref\":\"" + ref + "\",\"code\":\"forbidden\",\"message\":\"not yours\"}");
      } else if (op.equals("broadcast")) {
        session.send("{\"op\":\"error\",\"ref\":\"" + ref + "\",\"code\":\"rate_limited\",\"message\":\"slow down\"}");
      } else {
        hub.respond(session, frame);
      }
    });
    final TidewireClient client = connect();
    final BroadcastChannel other = client.channel("user:someone-else");

    assertThatThrownBy(() -> done(other.join())).hasMessageContaining("forbidden: not yours");
    assertThat(other.state()).isEqualTo(BroadcastChannel.State.REFUSED);

    final BroadcastChannel room = client.channel("room:limited", ChannelOptions.defaults().withAck(true));
    done(room.join());
    assertThatThrownBy(() -> done(room.broadcast("x", Map.of()))).hasMessageContaining("rate_limited: slow down");
  }

  @Test
  void leavingForgetsThePresenceAndStopsRejoining() throws Exception {
    final List<PresenceChange> changes = new CopyOnWriteArrayList<>();
    final BroadcastChannel room = connect().channel("room:bye").onPresence(changes::add);
    done(room.join());
    done(room.track(Map.of("name", "Me")));
    await().until(() -> room.presence().userIds().size() == 1);

    done(room.leave());

    assertThat(room.state()).isEqualTo(BroadcastChannel.State.LEFT);
    assertThat(room.presence().users()).isEmpty();
    assertThat(changes.get(changes.size() - 1).leaves()).hasSize(1);
    assertThat(gateway.awaitSession(0).awaitOp("leave").path("channel").asText()).isEqualTo("room:bye");
  }

  @Test
  void theSameNameIsTheSameChannelAndOtherOptionsAreRefused() throws Exception {
    final TidewireClient client = connect();
    assertThat(client.channel("room:x")).isSameAs(client.channel("room:x"));
    assertThatThrownBy(() -> client.channel("room:x", ChannelOptions.defaults().withSelf(true)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.channel(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
