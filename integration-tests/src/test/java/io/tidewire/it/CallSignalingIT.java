package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.client.Broadcast;
import io.tidewire.client.BroadcastChannel;
import io.tidewire.client.ChannelOptions;
import io.tidewire.client.TidewireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebRTC call signaling over broadcast and presence (docs/RECIPES.md "Call signaling for WebRTC"):
 * caller and callee join the call's own channel {@code call:<unguessable id>}, see each other in its
 * presence, and exchange offer, answer and ICE candidates as acknowledged broadcasts, through the
 * real gateway and Kafka, with real {@link TidewireClient}s. The gateway vouches for {@code from};
 * another call's channel hears nothing of it.
 */
class CallSignalingIT {

  private static final SharedStack STACK = SharedStack.get();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<TidewireClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(TidewireClient::close);
  }

  private TidewireClient connect(final UUID user) {
    final TidewireClient client = TidewireClient.builder(STACK.endpoint())
        .token(() -> STACK.token(user))
        .build();
    clients.add(client);
    client.connect().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    return client;
  }

  private static <T> T done(final java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void callerAndCalleeExchangeOfferAnswerAndIceCandidatesOnTheCallsPrivateChannel() throws Exception {
    final UUID alice = STACK.newUser();
    final UUID bob = STACK.newUser();
    final UUID eve = STACK.newUser();
    final String call = "call:" + UUID.randomUUID(); // the unguessable id is the call's secret
    final ChannelOptions acked = ChannelOptions.defaults().withAck(true);
    final List<Broadcast> aliceGot = new CopyOnWriteArrayList<>();
    final List<Broadcast> bobGot = new CopyOnWriteArrayList<>();
    final List<Broadcast> eveGot = new CopyOnWriteArrayList<>();

    final BroadcastChannel caller = connect(alice).channel(call, acked).onBroadcast("*", aliceGot::add);
    done(caller.join());
    done(caller.track(Map.of("role", "caller")));
    final BroadcastChannel otherCall = connect(eve).channel("call:" + UUID.randomUUID(), acked)
        .onBroadcast("*", eveGot::add);
    done(otherCall.join());

    // the callee (told the call id by the app, e.g. through a notification) joins and sees the caller
    final BroadcastChannel callee = connect(bob).channel(call, acked).onBroadcast("*", bobGot::add);
    done(callee.join());
    done(callee.track(Map.of("role", "callee")));
    await().atMost(WAIT).until(() -> callee.presence().isOnline(alice.toString()));
    await().atMost(WAIT).until(() -> caller.presence().isOnline(bob.toString()));
    assertThat(callee.presence().connections(alice.toString()).get(0).meta().path("role").asText())
        .isEqualTo("caller");

    final Optional<String> offerId = done(caller.broadcast("offer", Map.of("type", "offer", "sdp", "v=0 o=alice")));
    assertThat(offerId).as("acknowledged: Kafka has it").isPresent();
    await().atMost(WAIT).until(() -> bobGot.size() == 1);
    done(callee.broadcast("answer", Map.of("type", "answer", "sdp", "v=0 o=bob")));
    for (int i = 0; i < 3; i++) {
      done(caller.broadcast("ice", Map.of("candidate", "candidate:a" + i, "sdpMid", "0")));
      done(callee.broadcast("ice", Map.of("candidate", "candidate:b" + i, "sdpMid", "0")));
    }

    await().atMost(WAIT).until(() -> bobGot.size() == 4 && aliceGot.size() == 4);
    assertThat(bobGot).map(Broadcast::event).containsExactly("offer", "ice", "ice", "ice");
    assertThat(bobGot.get(0).id()).isEqualTo(offerId.get());
    assertThat(bobGot.get(0).payload().path("sdp").asText()).isEqualTo("v=0 o=alice");
    assertThat(bobGot).map(b -> b.payload().path("candidate").asText()).endsWith(
        "candidate:a0", "candidate:a1", "candidate:a2");
    assertThat(bobGot).allSatisfy(b -> assertThat(b.from()).isEqualTo(alice.toString()));
    assertThat(aliceGot).map(Broadcast::event).containsExactly("answer", "ice", "ice", "ice");
    assertThat(aliceGot).allSatisfy(b -> assertThat(b.from()).isEqualTo(bob.toString()));

    // hang up: the callee leaves, the caller sees it in the call's presence
    done(callee.leave());
    await().atMost(WAIT).until(() -> !caller.presence().isOnline(bob.toString()));
    assertThat(eveGot).as("another call's channel hears nothing").isEmpty();
  }
}
