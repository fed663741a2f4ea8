package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tidewire.client.Channel;
import io.tidewire.client.Event;
import io.tidewire.client.TidewireClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * File transfer progress (docs/RECIPES.md "File transfer progress"): the {@code uploads} table is an
 * owned table by default, so every change of an upload row reaches its owner, live, as a
 * {@code row.uploads} event through the whole pipeline (capture, processor, gateway) into a real
 * {@link TidewireClient} that subscribes to {@code row.*} of its user channel.
 */
class UploadsIT {

  private static final SharedStack STACK = SharedStack.get();

  @Test
  void ownerSeesEveryProgressStepOfItsUploadLiveAndNobodyElseDoes() throws Exception {
    final UUID owner = STACK.newUser();
    final UUID other = STACK.newUser();
    final List<Event> ownerEvents = new CopyOnWriteArrayList<>();
    final List<Event> otherEvents = new CopyOnWriteArrayList<>();
    try (TidewireClient ownerClient = client(owner, ownerEvents);
        TidewireClient otherClient = client(other, otherEvents)) {
      final UUID upload = UUID.randomUUID();
      STACK.sql("INSERT INTO uploads (id, user_id, file_name, content_type, size_bytes) "
          + "VALUES (?, ?, 'kite.mp4', 'video/mp4', 4000)", upload, owner);
      for (int received = 1000; received <= 4000; received += 1000) {
        STACK.sql("UPDATE uploads SET received_bytes = ?, updated_at = now() WHERE id = ?", (long) received, upload);
      }
      STACK.sql("UPDATE uploads SET status = 'completed', url = 'https://cdn.example/kite.mp4' WHERE id = ?",
          upload);
      // a marker upload of the other user: once it arrived there, the owner's rows would have too
      final UUID marker = UUID.randomUUID();
      STACK.sql("INSERT INTO uploads (id, user_id, file_name, size_bytes) VALUES (?, ?, 'm.txt', 1)", marker, other);

      await().atMost(Duration.ofSeconds(60)).until(() -> ownerEvents.size() >= 6);
      await().atMost(Duration.ofSeconds(60)).until(() -> !otherEvents.isEmpty());

      assertThat(ownerEvents).allSatisfy(e -> {
        assertThat(e.type()).isEqualTo("row.uploads");
        assertThat(e.data().path("table").asText()).isEqualTo("public.uploads");
        assertThat(e.data().path("row").path("id").asText()).isEqualTo(upload.toString());
      });
      assertThat(ownerEvents).map(e -> e.data().path("op").asText())
          .containsExactly("insert", "update", "update", "update", "update", "update");
      assertThat(ownerEvents).map(e -> e.data().path("row").path("received_bytes").asLong())
          .containsExactly(0L, 1000L, 2000L, 3000L, 4000L, 4000L);
      final Event last = ownerEvents.get(ownerEvents.size() - 1);
      assertThat(last.data().path("row").path("status").asText()).isEqualTo("completed");
      assertThat(last.data().path("row").path("url").asText()).isEqualTo("https://cdn.example/kite.mp4");
      assertThat(last.data().path("row").path("size_bytes").asLong()).isEqualTo(4000L);

      assertThat(otherEvents).map(e -> e.data().path("row").path("id").asText())
          .containsExactly(marker.toString());
    }
  }

  @Test
  void uploadsTableRejectsMoreBytesThanTheFileHas() throws Exception {
    final UUID owner = STACK.newUser();
    final UUID upload = UUID.randomUUID();
    STACK.sql("INSERT INTO uploads (id, user_id, file_name, size_bytes) VALUES (?, ?, 'a.bin', 10)", upload, owner);
    assertThatThrownBy(() -> STACK.sql("UPDATE uploads SET received_bytes = 11 WHERE id = ?", upload))
        .hasMessageContaining("uploads_received_within_size");
  }

  private static TidewireClient client(final UUID user, final List<Event> events) {
    final TidewireClient client = TidewireClient.builder(STACK.endpoint())
        .token(() -> STACK.token(user))
        .subscribe(Channel.user().types("row.uploads"))
        .onEvent(events::add)
        .build();
    client.connect().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    return client;
  }
}
