package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.client.Broadcast;
import io.tidewire.client.BroadcastChannel;
import io.tidewire.client.TidewireClient;
import io.tidewire.launcher.demo.DemoUser;
import io.tidewire.launcher.demo.SimulatedPresence;
import io.tidewire.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The demo simulator's users through the real gateway ({@link SimulatedPresence}): they are online in
 * {@code room:lobby} with their names, and their typing shows on the channel of a public item (open
 * to every user once the gateway knows the item from {@code realtime.content-access}), then stops.
 */
class DemoPresenceIT {

  private static final SharedStack STACK = SharedStack.get();

  @Test
  void simulatedUsersAreOnlineInTheLobbyAndTypeOnAnItemsChannel() throws Exception {
    for (final DemoUser user : DemoUser.ALL) {
      STACK.sql("INSERT INTO users (id, credits) VALUES (?, 0) ON CONFLICT (id) DO NOTHING", user.id());
    }
    final UUID watcher = STACK.newUser();
    final String video = UUID.randomUUID().toString();
    STACK.sql("INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'typing here')",
        UUID.fromString(video), watcher);
    final List<Broadcast> typing = new CopyOnWriteArrayList<>();
    try (SimulatedPresence simulated = SimulatedPresence.start(List.of(STACK.endpoint()), SharedStack.TOKENS);
        TidewireClient client = TidewireClient.builder(STACK.endpoint()).token(() -> STACK.token(watcher)).build()) {
      client.connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
      final BroadcastChannel lobby = client.channel(SimulatedPresence.LOBBY);
      lobby.join().toCompletableFuture().get(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(60)).until(() -> DemoUser.ALL.stream()
          .allMatch(u -> lobby.presence().isOnline(u.id().toString())));
      assertThat(lobby.presence().connections(DemoUser.ALL.get(1).id().toString()).get(0).meta().path("name").asText())
          .isEqualTo(DemoUser.ALL.get(1).name());

      final BroadcastChannel item = client.channel(SimulatedPresence.itemChannel("video", video))
          .onBroadcast(SimulatedPresence.TYPING, typing::add);
      // refused (forbidden) until the item's access record, on its way through capture and processor,
      // is committed; joined from then on
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        try {
          item.join().toCompletableFuture().get(30, TimeUnit.SECONDS);
          return true;
        } catch (ExecutionException refused) {
          return false;
        }
      });
      final DemoUser carol = DemoUser.ALL.get(2);
      // a join that is still in flight may miss the first typing: start again until it is seen
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        simulated.startTyping(carol.id(), "video", video);
        return !typing.isEmpty();
      });
      simulated.stopTyping(carol.id(), "video", video);
      await().atMost(Duration.ofSeconds(30)).until(() -> typing.stream()
          .anyMatch(b -> !b.payload().path("typing").asBoolean(true)));
      assertThat(typing).allSatisfy(b -> assertThat(b.from()).isEqualTo(carol.id().toString()));
      assertThat(typing.get(0).payload()).isEqualTo(WsClient.JSON.valueToTree(Map.of("typing", true, "name", carol.name())));
    }
  }
}
